"""fastText-style n-gram features: each padded review gets, after its words,
the ids of its 2-grams (and 3-grams, ...) of consecutive words, hashed into
`buckets` rows placed after the `max_words` word rows of the Embedding. A
padded position (0) never forms an n-gram, so n-grams only join real words,
and their ids are 0 (padding) where there is none."""

import numpy as np

# Large odd multipliers spread the word-id tuples over the buckets.
PRIMES = (1, 1_000_003, 998_244_353, 2_147_483_647)


def ngram_ids(x: np.ndarray, n: int, max_words: int, buckets: int) -> np.ndarray:
    """The hashed n-gram ids of padded word ids `x` (reviews × positions):
    shape (reviews, positions - n + 1), 0 where the window holds padding."""
    width = x.shape[1] - n + 1
    if width <= 0:
        return np.zeros((len(x), 0), dtype=np.int32)
    windows = [x[:, i : i + width].astype(np.int64) for i in range(n)]
    real = np.logical_and.reduce([w > 0 for w in windows])
    key = sum(w * p for w, p in zip(windows, PRIMES, strict=False))
    ids = (key % buckets) + max_words
    return np.where(real, ids, 0).astype(np.int32)


def add_ngrams(x: np.ndarray, ngrams: int, max_words: int, buckets: int) -> np.ndarray:
    """`x` with the ids of its 2-grams up to `ngrams`-grams appended."""
    parts = [x.astype(np.int32)] + [ngram_ids(x, n, max_words, buckets) for n in range(2, ngrams + 1)]
    return np.concatenate(parts, axis=1)


def input_width(maxlen: int, ngrams: int) -> int:
    """The model's input length for reviews of `maxlen` words."""
    return maxlen + sum(max(maxlen - n + 1, 0) for n in range(2, ngrams + 1))
