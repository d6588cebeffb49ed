"""imdb-embeddings: the library behind the DVC stages in `stages/`.

Split by job (see the README's "Layout"): `core` (errors, atomic files,
progress, params), `acquire` (getting and verifying the source files),
`archives` (reading tar/zip members, the aclImdb reviews), `text` (tokenizer,
padding, sequence files), `vectors` (GloVe, word2vec, the embedding matrix),
`modeling` (Keras models, training, distribution, the numpy forward pass),
`nbsvm` (the n-gram models), `reports` (the learning-curve plot), and
`classifier.py`, the interface every trained model offers.

Importing the package, or any of its subpackages, imports no TensorFlow.
Each package's __init__ holds only its docstring: the stages do not list
them in dvc.yaml (tests/test_dependencies.py).
"""
