import numpy as np

from imdb_embeddings.vectors.matrix import embedding_matrix


def test_rows_follow_the_vocabulary_and_count_coverage():
    glove_words = ["the", "movie", "great"]
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    matrix, found = embedding_matrix(["great", "unknownword", "the"], glove_words, vectors, max_words=5)
    assert matrix.shape == (5, 2) and matrix.dtype == np.float32
    assert matrix.tolist() == [[0, 0], [4, 5], [0, 0], [0, 1], [0, 0]]
    assert found == 2
