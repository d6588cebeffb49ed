"""Trained models as files: written, read back checked, and run (text in,
probability out), for `evaluate`, `predict` and the stages that train."""
