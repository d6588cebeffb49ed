"""Two models on the same test reviews, compared review by review: the
accuracy difference with a paired bootstrap interval, and McNemar's exact
test on the reviews where exactly one of them is right.

Both use only which reviews each model got right, so the comparison is
paired: a review that is hard for both costs neither."""

from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest

RESAMPLES = 10_000


class Comparison(NamedTuple):
    difference: float  # accuracy of A minus accuracy of B
    low: float  # the paired bootstrap's 95% interval of the difference
    high: float
    only_a: int  # reviews A gets right and B wrong
    only_b: int  # reviews B gets right and A wrong
    p_value: float  # McNemar's exact two-sided test: both equally good?


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: the discordant reviews as coin flips."""
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(min(only_a, only_b), only_a + only_b, 0.5).pvalue)


def compare(right_a: np.ndarray, right_b: np.ndarray, seed: int, resamples: int = RESAMPLES) -> Comparison:
    """A against B from their per-review correctness (booleans, same reviews,
    same order). The bootstrap resamples reviews with replacement, the same
    draw for both models, `resamples` times, seeded: the same inputs give the
    same interval."""
    a = np.asarray(right_a, dtype=bool)
    b = np.asarray(right_b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1 or not len(a):
        raise ValueError(f"expected the same reviews for both models, got {a.shape} and {b.shape}")
    d = a.astype(np.int8) - b.astype(np.int8)  # +1, 0 or -1 a review
    rng = np.random.default_rng(seed)
    sums = np.empty(resamples)
    for start in range(0, resamples, 500):  # in blocks: 500 x 25,000 indices at a time
        rows = rng.integers(0, len(d), size=(min(500, resamples - start), len(d)))
        sums[start : start + len(rows)] = d[rows].sum(axis=1)
    low, high = np.quantile(sums / len(d), [0.025, 0.975])
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    return Comparison(float(d.mean()), float(low), float(high), only_a, only_b, mcnemar_exact(only_a, only_b))
