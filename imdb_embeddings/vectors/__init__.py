"""Word vectors: GloVe's text parsed into a matrix (`glove.py`), in-domain
word2vec vectors trained on the reviews (`word2vec.py`), and either one laid
out as the vocabulary's embedding matrix (`matrix.py`)."""
