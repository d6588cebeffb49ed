import numpy as np

from imdb_embeddings.text.ngrams import add_ngrams, input_width, ngram_ids


def test_ngrams_join_only_real_words():
    x = np.array([[0, 0, 5, 6, 7], [0, 0, 0, 0, 9]])
    bigrams = ngram_ids(x, 2, max_words=10, buckets=100)
    assert bigrams.shape == (2, 4)
    assert (bigrams[0, :2] == 0).all() and (bigrams[0, 2:] >= 10).all() and (bigrams[0, 2:] < 110).all()
    assert (bigrams[1] == 0).all()  # one word: no bigram
    assert bigrams[0, 2] != bigrams[0, 3]


def test_same_ngram_same_id_order_matters():
    a = ngram_ids(np.array([[3, 4, 3, 4]]), 2, 10, 1000)[0]
    assert a[0] == a[2] and a[0] != a[1]  # "3 4" twice, "4 3" differs


def test_input_width():
    x = np.ones((3, 20), dtype=np.int32)
    assert add_ngrams(x, 3, 10, 50).shape == (3, input_width(20, 3)) == (3, 20 + 19 + 18)
    assert add_ngrams(x, 1, 10, 50).shape == (3, 20)
