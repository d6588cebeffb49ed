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
"""
import array
import re
from collections import Counter

import numpy as np

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MARKUP = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TO_SPACES = str.maketrans(FILTERS, " " * len(FILTERS))


def words(text):
    return [w for w in MARKUP.sub(" ", text).lower().translate(_TO_SPACES).split(" ") if w]


def fit_vocabulary(texts, max_words):
    """The `max_words - 1` most frequent words of `texts`, most frequent first."""
    counts = Counter()
    for text in texts:
        counts.update(words(text))
    return sorted(counts, key=counts.__getitem__, reverse=True)[: max_words - 1]


def encode(texts, vocabulary):
    """Ragged sequences as (tokens, offsets): text i is tokens[offsets[i]:offsets[i+1]]."""
    index = {word: i for i, word in enumerate(vocabulary, 1)}
    tokens = array.array("i")
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    for i, text in enumerate(texts, 1):
        tokens.extend(t for t in map(index.get, words(text)) if t is not None)
        offsets[i] = len(tokens)
    return np.frombuffer(tokens, dtype=np.int32).copy(), offsets
