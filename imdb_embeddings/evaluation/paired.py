"""Two models on the same test reviews, compared review by review: the
accuracy difference with a paired bootstrap interval, and McNemar's exact
test on the reviews where exactly one of them is right.

Both use only which reviews each model got right, so the comparison is
paired: a review that is hard for both costs neither."""

from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest

from imdb_embeddings.core.errors import PipelineError

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
    # A resample's sum of d depends only on how many of its reviews are +1 and
    # how many -1: drawing those counts (multinomial) is drawing the resample,
    # without 25,000 indices each time.
    n = len(d)
    shares = np.array([np.sum(d == 1), np.sum(d == 0), np.sum(d == -1)]) / n
    counts = np.random.default_rng(seed).multinomial(n, shares, size=resamples)
    low, high = np.quantile((counts[:, 0] - counts[:, 2]) / n, [0.025, 0.975])
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    return Comparison(float(d.mean()), float(low), float(high), only_a, only_b, mcnemar_exact(only_a, only_b))


def paired_summary(
    a: str, b: str, p_a: np.ndarray, p_b: np.ndarray, labels: np.ndarray, seed: int, resamples: int
) -> dict:
    """What a comparison's metrics file holds: the two models' names, then
    `compare`'s figures from their P(positive) of the same test reviews."""
    from imdb_embeddings.evaluation.metrics import correct

    result = compare(correct(labels, p_a), correct(labels, p_b), seed, resamples)
    figures = {k: round(v, 6) if isinstance(v, float) else v for k, v in result._asdict().items()}
    figures["p_value"] = float(f"{result.p_value:.6g}")  # significant digits: it may be 1e-61
    return {"a": a, "b": b, **figures}


SUMMARY_LINE = "%s - %s: %+.4f accuracy (95%% interval %+.4f to %+.4f), McNemar p = %.2g"


def load_predictions(path: str | Path, reviews: int) -> np.ndarray:
    """A model's P(positive) of each of the `reviews` test reviews (.npy)."""
    p = np.load(path)
    if p.shape != (reviews,):
        raise PipelineError(f"{path}: {p.size} predictions for {reviews} test reviews")
    return p
