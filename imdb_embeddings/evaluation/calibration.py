"""How far a model's probabilities can be taken at their word: the Brier
score and the expected calibration error (ECE) over equal-width bins of the
predicted P(positive), and the reliability table a diagram draws.

A bin holds the reviews whose predicted P(positive) falls in [i/B, (i+1)/B)
(the last bin includes 1.0). The ECE weighs each bin's gap between its mean
predicted probability and the fraction of it that is positive by the
bin's share of the reviews: 0 for a perfectly calibrated model, at most 1."""

from typing import NamedTuple

import numpy as np

BINS = 15


class Reliability(NamedTuple):
    """One row a non-empty bin: where it starts and ends, how many reviews it
    holds, their mean predicted P(positive) and the fraction that are positive."""

    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray
    predicted: np.ndarray
    observed: np.ndarray


def reliability(labels: np.ndarray, probabilities: np.ndarray, bins: int = BINS) -> Reliability:
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if p.shape != y.shape or p.ndim != 1 or not len(p):
        raise ValueError(f"expected as many labels as probabilities, got {y.shape} and {p.shape}")
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins)
    used = count > 0
    edges = np.arange(bins + 1) / bins
    return Reliability(
        lower=edges[:-1][used],
        upper=edges[1:][used],
        count=count[used],
        predicted=(np.bincount(which, weights=p, minlength=bins)[used] / count[used]),
        observed=(np.bincount(which, weights=y, minlength=bins)[used] / count[used]),
    )


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray, bins: int = BINS) -> float:
    table = reliability(labels, probabilities, bins)
    return float(np.sum(table.count * np.abs(table.predicted - table.observed)) / np.sum(table.count))


def brier(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean squared difference between P(positive) and the label: 0 is perfect, 0.25 a coin."""
    p = np.asarray(probabilities, dtype=np.float64)
    return float(np.mean((p - np.asarray(labels, dtype=np.float64)) ** 2))
