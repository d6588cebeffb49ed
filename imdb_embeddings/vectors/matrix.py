"""The vocabulary's embedding matrix: row i is the GloVe vector of
vocabulary word i, zeros for padding (row 0) and for words GloVe lacks."""

import numpy as np


def embedding_matrix(
    vocabulary: list[str], glove_words: list[str], glove_vectors: np.ndarray, max_words: int
) -> tuple[np.ndarray, int]:
    """Returns (matrix of shape (max_words, dim), number of vocabulary words found in GloVe)."""
    row_of = {word: i for i, word in enumerate(glove_words)}
    matrix = np.zeros((max_words, glove_vectors.shape[1]), dtype=np.float32)
    pairs = [(i, row_of[w]) for i, w in enumerate(vocabulary, 1) if w in row_of]
    if pairs:
        ours, theirs = np.array(pairs).T
        matrix[ours] = glove_vectors[theirs]
    return matrix, len(pairs)
