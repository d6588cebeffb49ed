"""imdb-embeddings: the library behind the DVC stages in `stages/`.

Split by job (see the README's "Layout"): `core` (errors, atomic files,
progress, params), `acquire` (getting and verifying the source files),
`archives` (reading tar/zip members, the aclImdb reviews), `text` (tokenizer,
padding, sequence files), `glove` (parsing GloVe, the embedding matrix) and
`modeling` (models, training, distribution, inference, saving).

Importing the package, or any of its subpackages, imports no TensorFlow.
"""
