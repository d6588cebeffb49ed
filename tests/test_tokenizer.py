import numpy as np

from stages.padding import pad_sequences
from stages.tokenizer import encode, fit_vocabulary, words


def test_reference_word_splitting():
    assert words("This movie<br /><br />was GREAT!!! Don't (really) miss-it...") == [
        "this", "movie", "was", "great", "don't", "really", "miss", "it"]
    # Only single spaces split, as in Keras; tabs and newlines are filtered to spaces.
    assert words("a\tb\nc  d") == ["a", "b", "c", "d"]
    assert words("<BR/>x<br>") == ["x"]


def test_ranking_by_count_then_first_appearance():
    texts = ["b a c", "c d a", "a"]
    # counts: a=3, c=2, b=1, d=1 (b seen before d)
    assert fit_vocabulary(texts, max_words=10) == ["a", "c", "b", "d"]
    # max_words counts the padding index: 3 means the two most frequent words.
    assert fit_vocabulary(texts, max_words=3) == ["a", "c"]


def test_encode_drops_words_outside_the_vocabulary():
    tokens, offsets = encode(["a b c", "", "zzz c a"], ["a", "c"])
    assert tokens.tolist() == [1, 2, 2, 1]
    assert offsets.tolist() == [0, 2, 2, 4]


def test_padding_keeps_the_last_words():
    tokens = np.arange(1, 11, dtype=np.int32)
    offsets = np.array([0, 3, 3, 10])
    assert pad_sequences(tokens, offsets, 5).tolist() == [
        [0, 0, 1, 2, 3], [0, 0, 0, 0, 0], [6, 7, 8, 9, 10]]
    assert pad_sequences(tokens, offsets, 5, rows=np.array([2, 0])).tolist() == [
        [6, 7, 8, 9, 10], [0, 0, 1, 2, 3]]


def test_padding_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 30, size=200)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tokens = rng.integers(1, 100, size=offsets[-1]).astype(np.int32)
    for maxlen in (1, 7, 40):
        expected = np.zeros((200, maxlen), dtype=np.int32)
        for i in range(200):
            seq = tokens[offsets[i]:offsets[i + 1]][-maxlen:]
            expected[i, maxlen - len(seq):] = seq
        np.testing.assert_array_equal(pad_sequences(tokens, offsets, maxlen), expected)
