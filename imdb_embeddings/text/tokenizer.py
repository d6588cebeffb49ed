"""The reference tokenizer's semantics (Keras' `Tokenizer` with default
settings), reimplemented without TensorFlow so that tokenizing needs no
3-second import:

- HTML line breaks (``<br />``), which the reviews are full of, become spaces
  (the reference leaves them in and learns the words "br" and "<br");
- lower-case, then every character of Keras' default filter set becomes a
  space; the text is split on single spaces and empty strings are dropped
  (so an apostrophe stays inside a word: "don't" is one word);
- words are ranked by count, ties by first appearance, starting at index 1;
  index 0 is padding. As in Keras, `max_words` counts the padding index: the
  vocabulary holds the `max_words - 1` most frequent words, and words outside
  it are dropped from the sequences (no out-of-vocabulary token).

Speed: the corpus is split and counted as one buffer, not word by word in
Python. The filter characters and the space are ASCII, so after Python's
`str.lower()` (which must see characters, and only runs on texts that are
not pure ASCII: on those, `bytes.lower()` is the same thing) the filtering
and splitting run on UTF-8 bytes with numpy, and Arrow's hash kernels count
and look up the words. `words()` is the plain, one-text definition that the
tests hold the fast path to.
"""

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MARKUP = re.compile(r"<br\s*/?>", re.IGNORECASE)
# The rules above as data: saved with every exported model, so a model is
# only ever used with the text rules it was trained with.
RULES = {
    "markup": MARKUP.pattern,
    "markup_ignorecase": True,
    "lower": True,
    "filters": FILTERS,
    "split": " ",
    "padding_index": 0,
    "keep": "last maxlen words",
}
_TO_SPACES = str.maketrans(FILTERS, " " * len(FILTERS))
_BYTES_TO_SPACES = bytes.maketrans(FILTERS.encode(), b" " * len(FILTERS))
SPACE = ord(" ")


def words(text: str) -> list[str]:
    return [w for w in MARKUP.sub(" ", text).lower().translate(_TO_SPACES).split(" ") if w]


def _text_bytes(text: str, markup: bool = True) -> bytes:
    """The text's UTF-8 bytes, lower-cased, its markup a space (`markup`
    False: already done; the rule is not idempotent, see encode_last)."""
    if markup:
        text = MARKUP.sub(" ", text)
    return text.encode("utf-8") if text.isascii() else text.lower().encode("utf-8")


class Ragged(NamedTuple):
    """Reviews as word ids: review i is tokens[offsets[i]:offsets[i + 1]]."""

    tokens: np.ndarray
    offsets: np.ndarray


class Fitted(NamedTuple):
    vocabulary: list[str]  # index i + 1 is vocabulary[i]; 0 is padding
    tokens: np.ndarray
    offsets: np.ndarray


class Corpus:
    """Every word of every text, in order: `words` (an Arrow string array)
    and `first_word` (where each text's words begin, then the word count)."""

    def __init__(self, texts: Sequence[str], markup: bool = True) -> None:
        parts = [_text_bytes(t, markup) for t in texts]
        # Texts are joined by a space, so no word spans two texts.
        buf = np.frombuffer(b" ".join(parts).lower().translate(_BYTES_TO_SPACES), dtype=np.uint8)
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        text_starts = np.cumsum(lengths + 1) - (lengths + 1)
        spaces = np.flatnonzero(buf == SPACE)
        starts = np.concatenate([[0], spaces + 1])
        ends = np.concatenate([spaces, [len(buf)]])
        nonempty = ends > starts
        starts, ends = starts[nonempty], ends[nonempty]
        # The non-space bytes, in order, are the words back to back.
        offsets = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        chars = buf[buf != SPACE]
        self.words = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(chars))
        self.first_word = np.append(np.searchsorted(starts, text_starts), len(starts))

    def sequences(self, ids: np.ndarray) -> Ragged:
        """(tokens, offsets) from one index per word, 0 meaning "drop it"."""
        return _sequences(ids, self.first_word)


def _distinct(corpus: Corpus) -> tuple[pa.Array, np.ndarray]:
    """The distinct words in order of first appearance, and each word's
    position among them (Arrow's dictionary encoding keeps that order)."""
    encoded = corpus.words.dictionary_encode()
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)


def fit_and_encode(texts: Sequence[str], max_words: int) -> Fitted:
    """The vocabulary of `texts` and their sequences, from one split of the corpus."""
    return fit_and_encode_chunks([texts], max_words)


def fit_and_encode_chunks(chunks: Iterable[Sequence[str]], max_words: int) -> Fitted:
    """fit_and_encode over texts that come a chunk at a time (a Parquet
    file's batches): the same vocabulary and sequences, while memory holds one
    chunk's split and 4 bytes a word of the whole, not the whole corpus split.
    Words are numbered in order of first appearance across the chunks, as in
    one corpus, so ties rank the same."""
    index: dict[str, int] = {}  # word: its place in order of first appearance
    counts = np.zeros(0, dtype=np.int64)
    parts = []  # per chunk: each word's place in `index`, and where each text's words begin
    for texts in chunks:
        corpus = Corpus(texts)
        distinct, positions = _distinct(corpus)
        places = np.fromiter((index.setdefault(w, len(index)) for w in distinct.to_pylist()), np.int64, len(distinct))
        counts = np.concatenate([counts, np.zeros(len(index) - len(counts), dtype=np.int64)])
        counts[places] += np.bincount(positions, minlength=len(distinct))  # places are distinct
        parts.append((places[positions].astype(np.int32), corpus.first_word))
    # A stable sort keeps ties in order of first appearance.
    ranked = np.argsort(-counts, kind="stable")[: max_words - 1]
    index_of = np.zeros(len(index), dtype=np.int32)
    index_of[ranked] = np.arange(1, len(ranked) + 1, dtype=np.int32)
    words = list(index)
    tokens, offsets = _joined(_sequences(index_of[places], first_word) for places, first_word in parts)
    return Fitted([words[i] for i in ranked], tokens, offsets)


def _sequences(ids: np.ndarray, first_word: np.ndarray) -> Ragged:
    """(tokens, offsets) from one index per word, 0 meaning "drop it"."""
    kept = ids > 0
    kept_before = np.concatenate([[0], np.cumsum(kept)])
    return Ragged(ids[kept].astype(np.int32), kept_before[first_word].astype(np.int64))


def _joined(parts: Iterable[Ragged]) -> Ragged:
    """Ragged sequences of consecutive chunks as one."""
    tokens, offsets, total = [], [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        tokens.append(part.tokens)
        offsets.append(part.offsets[1:] + total)
        total += len(part.tokens)
    return Ragged(np.concatenate(tokens) if tokens else np.zeros(0, np.int32), np.concatenate(offsets))


def encode_chunks(chunks: Iterable[Sequence[str]], vocabulary: list[str]) -> Ragged:
    """encode over texts that come a chunk at a time: the same sequences."""
    return _joined(encode(texts, vocabulary) for texts in chunks)


# encode_last reads this many characters a kept word from the end of each
# text at first (aclImdb: about 6 a word, one in ten outside a 10,000-word
# vocabulary), and four times more for the texts that were short of words.
TAIL_CHARS_A_WORD = 8


def encode_last(texts: Sequence[str], vocabulary: list[str], keep: int) -> Ragged:
    """encode(texts, vocabulary) with each sequence cut to its last `keep`
    words, the words a model that keeps the last `keep` reads, from the end
    of each text only: a 20-word model tokenizes a tenth of a review.

    Exact: the markup rule is applied to the whole text first (it is not
    idempotent: "<br<br>/>" leaves "<br />"), and the text is cut just after
    a space, where no word, filter or lower-casing spans the cut (a final
    sigma's context stops at a space). A text whose end held fewer than
    `keep` known words is read again from further back, up to all of it."""
    texts = [MARKUP.sub(" ", t) for t in texts]
    got: list[np.ndarray | None] = [None] * len(texts)
    todo, chars = list(range(len(texts))), TAIL_CHARS_A_WORD * keep + 16
    while todo:
        tails, whole = [], []
        for i in todo:
            cut = texts[i].find(" ", len(texts[i]) - chars) if len(texts[i]) > chars else -1
            tails.append(texts[i][cut + 1 :])
            whole.append(cut < 0)
        tokens, offsets = _encoded(Corpus(tails, markup=False), vocabulary)
        short = []
        for j, i in enumerate(todo):
            sequence = tokens[offsets[j] : offsets[j + 1]]
            if len(sequence) >= keep or whole[j]:
                got[i] = sequence[len(sequence) - min(len(sequence), keep) :]
            else:
                short.append(i)
        todo, chars = short, chars * 4
    lengths = np.fromiter((len(g) for g in got), dtype=np.int64, count=len(got))
    tokens = np.concatenate(got) if got else np.zeros(0, dtype=np.int32)
    return Ragged(tokens.astype(np.int32), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))


def encode(texts: Sequence[str], vocabulary: list[str], keep_unknown: bool = False) -> Ragged:
    """Ragged sequences as (tokens, offsets): text i is tokens[offsets[i]:offsets[i+1]].
    Words outside the vocabulary are dropped, or with `keep_unknown` kept as
    index 0, so that n-grams never join the words on either side of one."""
    corpus = Corpus(texts)
    if keep_unknown:
        distinct, positions = _distinct(corpus)
        return Ragged(_indices(distinct, vocabulary)[positions].astype(np.int32), corpus.first_word.astype(np.int64))
    return _encoded(corpus, vocabulary)


def known_words(texts: Sequence[str], vocabulary: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(words, words in `vocabulary`) of each text: what a model can read of it."""
    tokens, offsets = encode(texts, vocabulary, keep_unknown=True)
    known = np.concatenate([[0], np.cumsum(tokens != 0)])
    return np.diff(offsets), np.diff(known[offsets])


def _indices(distinct: pa.Array, vocabulary: list[str]) -> np.ndarray:
    """Each distinct word's index (1 + its place in `vocabulary`), 0 if it is not there."""
    found = pc.index_in(distinct, value_set=pa.array(vocabulary, pa.large_string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32) + 1


def _encoded(corpus: Corpus, vocabulary: list[str]) -> Ragged:
    distinct, positions = _distinct(corpus)
    return corpus.sequences(_indices(distinct, vocabulary)[positions])
