import random
import re

import numpy as np
import pytest

from imdb_embeddings.text import tokenizer
from imdb_embeddings.text.padding import pad_sequences
from imdb_embeddings.text.tokenizer import encode, encode_chunks, fit_and_encode, fit_and_encode_chunks, words


def fit_vocabulary(texts, max_words):
    return fit_and_encode(texts, max_words)[0]


def test_reference_word_splitting():
    assert words("This movie<br /><br />was GREAT!!! Don't (really) miss-it...") == [
        "this",
        "movie",
        "was",
        "great",
        "don't",
        "really",
        "miss",
        "it",
    ]
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
    assert pad_sequences(tokens, offsets, 5).tolist() == [[0, 0, 1, 2, 3], [0, 0, 0, 0, 0], [6, 7, 8, 9, 10]]
    assert pad_sequences(tokens, offsets, 5, rows=np.array([2, 0])).tolist() == [[6, 7, 8, 9, 10], [0, 0, 1, 2, 3]]


def test_padding_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 30, size=200)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tokens = rng.integers(1, 100, size=offsets[-1]).astype(np.int32)
    for maxlen in (1, 7, 40):
        expected = np.zeros((200, maxlen), dtype=np.int32)
        for i in range(200):
            seq = tokens[offsets[i] : offsets[i + 1]][-maxlen:]
            expected[i, maxlen - len(seq) :] = seq
        np.testing.assert_array_equal(pad_sequences(tokens, offsets, maxlen), expected)


def keras_reference(train, texts, max_words):
    """Keras' Tokenizer, step by step as tf_keras writes it (after removing markup)."""
    from collections import OrderedDict

    filters = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

    def seq(text):
        text = re.sub(r"<br\s*/?>", " ", text, flags=re.I).lower()
        text = text.translate(str.maketrans({c: " " for c in filters}))
        return [w for w in text.split(" ") if w]

    counts = OrderedDict()
    for text in train:
        for w in seq(text):
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts.items(), key=lambda x: x[1], reverse=True)
    index = {w: i for i, (w, _) in enumerate(ranked, 1)}
    sequences = [[index[w] for w in seq(t) if w in index and index[w] < max_words] for t in texts]
    return [w for w, _ in ranked][: max_words - 1], sequences


@pytest.mark.parametrize("seed", [7, 8])
def test_fast_paths_match_the_reference(seed):
    rng = random.Random(seed)
    # Non-ASCII letters whose lower case has another length in UTF-8 (İ, Kelvin sign),
    # markup, control characters and non-breaking spaces.
    alphabet = list("abcdeABCDE   '.,!?-\t\n\r\xa0\x00") + [
        "<br />",
        "<BR>",
        "<br\xa0/>",
        "Ünï",
        "İ",
        "\u212a",
        "ß",
        "don't",
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    train, test = texts[:200], texts[200:]
    vocabulary = fit_vocabulary(train, 25)
    expected_vocabulary, expected = keras_reference(train, train + test, 25)
    assert vocabulary == expected_vocabulary
    tokens, offsets = encode(train + test, vocabulary)
    assert [tokens[offsets[i] : offsets[i + 1]].tolist() for i in range(len(texts))] == expected
    # Fitting and encoding in one pass gives the same as the two steps.
    fitted, tokens, offsets = fit_and_encode(train, 25)
    assert fitted == expected_vocabulary
    assert [tokens[offsets[i] : offsets[i + 1]].tolist() for i in range(len(train))] == expected[:200]
    # A chunk at a time (the stage reads Parquet batches): the same, ties across chunks included.
    for size in (1, 7, 64, 200):
        chunks = [train[i : i + size] for i in range(0, len(train), size)]
        fitted, tokens, offsets = fit_and_encode_chunks(chunks, 25)
        assert fitted == expected_vocabulary, size
        assert [tokens[offsets[i] : offsets[i + 1]].tolist() for i in range(len(train))] == expected[:200], size
        tokens, offsets = encode_chunks([test[i : i + size] for i in range(0, len(test), size)], fitted)
        assert [tokens[offsets[i] : offsets[i + 1]].tolist() for i in range(len(test))] == expected[200:], size


@pytest.mark.parametrize("tail_chars", [1, 8])
def test_encoding_the_last_words_reads_the_end_and_gives_the_same(monkeypatch, tail_chars):
    rng = random.Random(11)
    # As above, with what could differ when a text is cut: markup split by the
    # cut or made again by applying the rule twice ("<br<br>/>" leaves "<br />"),
    # a capital sigma (its lower case depends on its neighbours), long words.
    alphabet = list("abcdeABCDE     '.,!?-\t\n\r\xa0") + [
        "<br />",
        "<br<br>/>",
        "<br \xa0/>",  # cut after its space, the rest would leave the word "\xa0"
        " \xa0 ",  # which is a word elsewhere, and in the vocabulary
        "ΟΔΟΣ ",
        " Σ",
        "İ",
        "don't",
        "abcdeabcdeabcdeabcdeabcde",
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(400)] + [""]
    vocabulary = fit_vocabulary(texts[:300], 30)
    tokens, offsets = encode(texts, vocabulary)
    monkeypatch.setattr(tokenizer, "TAIL_CHARS_A_WORD", tail_chars)  # 1: most texts are read again
    for keep in (1, 3, 20, 500):
        got, got_offsets = tokenizer.encode_last(texts, vocabulary, keep)
        for i in range(len(texts)):
            expected = tokens[offsets[i] : offsets[i + 1]][-keep:]
            assert got[got_offsets[i] : got_offsets[i + 1]].tolist() == expected.tolist(), (keep, texts[i])
        assert got.dtype == tokens.dtype and got_offsets.dtype == offsets.dtype
    got, got_offsets = tokenizer.encode_last([], vocabulary, 5)
    assert got.tolist() == [] and got_offsets.tolist() == [0]


def test_no_texts():
    assert fit_vocabulary([], 10) == []
    tokens, offsets = encode([], ["a"])
    assert tokens.tolist() == [] and offsets.tolist() == [0]
    for chunks in ([], [[]], [[], []]):
        vocabulary, tokens, offsets = fit_and_encode_chunks(chunks, 10)
        assert vocabulary == [] and tokens.tolist() == [] and offsets.tolist() == [0]
        tokens, offsets = encode_chunks(chunks, ["a"])
        assert tokens.tolist() == [] and offsets.tolist() == [0]
