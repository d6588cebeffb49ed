"""The pipeline's stages: one module per DVC stage, each a thin ``main()``
over plain functions that the tests call directly."""
