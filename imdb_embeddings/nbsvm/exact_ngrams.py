"""Word n-grams as exact integer keys, and the binary bag of them per review.

Reviews arrive as word ids of the whole training vocabulary (index 0: a word
it does not know, kept in place so that no n-gram skips over it). The n-gram
of words (a, b, c) is the number ``((a * V + b) * V + c) * 4 + (n - 1)``
with V the vocabulary size plus one: exact (no hashing, so no collisions),
computed with numpy for all reviews at once, and the same at training and
prediction. With V up to 2^20 and n up to 3 it fits in 63 bits.
"""

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

MAX_N = 3
MAX_VOCABULARY = (1 << 20) - 1


class Keyed(NamedTuple):
    keys: np.ndarray  # an int64 key per n-gram occurrence
    reviews: np.ndarray  # the review of each


def ngram_keys(ids: np.ndarray, offsets: np.ndarray, n: int, vocabulary_size: int) -> Keyed:
    """(keys, reviews): the key of every 1- to `n`-gram of every review that
    joins known words only, and the review each belongs to (repeats kept)."""
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n-grams up to {MAX_N} words, not {n}")
    if vocabulary_size > MAX_VOCABULARY:
        raise ValueError(f"a vocabulary of {vocabulary_size} words is more than n-gram keys can hold")
    base = vocabulary_size + 1
    words = ids.astype(np.int64)
    review = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    keys, reviews = [], []
    for size in range(1, n + 1):
        width = len(words) - size + 1
        if width <= 0:
            break
        key = np.zeros(width, dtype=np.int64)
        whole = review[:width] == review[size - 1 : size - 1 + width]  # inside one review
        for j in range(size):
            window = words[j : j + width]
            whole &= window > 0
            key = key * base + window
        keys.append(key[whole] * 4 + (size - 1))
        reviews.append(review[:width][whole])
    if not keys:
        return Keyed(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return Keyed(np.concatenate(keys), np.concatenate(reviews))


class Cells(NamedTuple):
    rows: np.ndarray  # review
    columns: np.ndarray  # n-gram of the vocabulary


def present(keys: np.ndarray, reviews: np.ndarray, vocabulary: np.ndarray) -> Cells:
    """(reviews, columns): each review's distinct n-grams that are in the
    sorted `vocabulary` of keys, as column numbers (binary features), sorted."""
    if len(vocabulary) == 0 or len(keys) == 0:
        return Cells(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    # Looking up sorted keys walks the vocabulary in order: several times
    # faster than looking them up in text order.
    order = np.argsort(keys)
    column = np.minimum(np.searchsorted(vocabulary, keys[order]), len(vocabulary) - 1)
    found = vocabulary[column] == keys[order]
    pairs = _distinct(reviews[order[found]] * len(vocabulary) + column[found])
    return Cells(pairs // len(vocabulary), pairs % len(vocabulary))


class Kept(NamedTuple):
    keys: np.ndarray  # the sorted n-gram keys kept
    rows: np.ndarray
    columns: np.ndarray


def fit_vocabulary(keys: np.ndarray, reviews: np.ndarray, min_df: int) -> Kept:
    """(vocabulary, reviews, columns): the kept keys (in at least `min_df` reviews) and, from
    the same sort, what `present` gives for them (the training matrix)."""
    order = np.argsort(keys)
    ordered = keys[order]
    first = _firsts(ordered)
    distinct = ordered[first]
    column = np.empty(len(keys), dtype=np.int64)
    column[order] = np.cumsum(first) - 1
    pairs = _distinct(reviews * len(distinct) + column)
    pair_columns = pairs % len(distinct)
    kept = np.bincount(pair_columns, minlength=len(distinct)) >= min_df
    # Renumber the kept columns 0, 1, ...: the order (review, then column) holds.
    renumbered = np.cumsum(kept) - 1
    in_vocabulary = kept[pair_columns]
    return Kept(distinct[kept], pairs[in_vocabulary] // len(distinct), renumbered[pair_columns[in_vocabulary]])


# Reviews counted at a time: about 1.5 GB of n-gram keys and their sorts for
# 25,000 aclImdb reviews, so the whole aclImdb training set is one batch.
BATCH = 25_000


class Pattern(NamedTuple):
    """The kept n-grams and the binary matrix's pattern, in CSR form: review
    i's columns are indices[indptr[i]:indptr[i + 1]], sorted. int32 indices
    (4 bytes a value, where a (row, column) pair of int64 takes 16), as
    scipy's own conversion would make them."""

    keys: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray


def fit_vocabulary_batches(ids: np.ndarray, offsets: np.ndarray, n: int, vocabulary_size: int, min_df: int) -> Pattern:
    """fit_vocabulary of every review's 1..`n`-grams, BATCH reviews at a
    time, as a CSR pattern: memory holds one batch's n-gram occurrences (8
    bytes each, about 700 a review) and 4 bytes a kept value, not every
    review's occurrences. A first pass counts each n-gram's reviews, merging
    the batches' counts; a second finds the kept n-grams of each review
    (`present`)."""
    reviews = len(offsets) - 1
    if reviews <= BATCH:
        kept = fit_vocabulary(*ngram_keys(ids, offsets, n, vocabulary_size), min_df)
        return Pattern(kept.keys, *_compressed([(kept.rows, kept.columns)], [reviews]))
    counted, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    for start in range(0, reviews, BATCH):
        batch = fit_vocabulary(*_batch_keys(ids, offsets, start, n, vocabulary_size), 1)
        merged = np.concatenate([counted, batch.keys])
        order = np.argsort(merged, kind="stable")  # two sorted runs: a linear merge
        ordered = merged[order]
        first = _firsts(ordered)
        counted = ordered[first]
        df = np.concatenate([counts, np.bincount(batch.columns, minlength=len(batch.keys))])
        counts = np.add.reduceat(df[order], np.flatnonzero(first)) if len(df) else df
        del merged, order, ordered, first, df, batch
    vocabulary = counted[counts >= min_df]
    del counted, counts
    starts = range(0, reviews, BATCH)
    cells = (present(*_batch_keys(ids, offsets, start, n, vocabulary_size), vocabulary) for start in starts)
    return Pattern(vocabulary, *_compressed(cells, [min(BATCH, reviews - start) for start in starts]))


def _compressed(batches: Iterable[tuple[np.ndarray, np.ndarray]], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of batches of (rows, columns) cells sorted by row
    (rows numbered within their batch of `sizes[k]` reviews)."""
    counts, indices = [], []
    for (rows, columns), size in zip(batches, sizes):
        counts.append(np.bincount(rows, minlength=size))
        indices.append(columns.astype(np.int32))
    indices = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
    dtype = np.int32 if len(indices) < 2**31 else np.int64
    indptr = np.zeros(sum(sizes) + 1, dtype=dtype)
    np.cumsum(np.concatenate(counts) if counts else [], out=indptr[1:])
    return indptr, indices


def _batch_keys(ids: np.ndarray, offsets: np.ndarray, start: int, n: int, vocabulary_size: int) -> Keyed:
    """ngram_keys of reviews start .. start + BATCH, numbered from 0 in the batch."""
    batch = offsets[start : start + BATCH + 1]
    return ngram_keys(ids[batch[0] : batch[-1]], batch - batch[0], n, vocabulary_size)


# numpy's own `np.unique` is ~40x slower than sorting here (numpy 2.4).
def _firsts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values in the sorted array begins."""
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return first


def _distinct(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]
