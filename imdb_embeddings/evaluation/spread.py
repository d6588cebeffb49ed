"""The spread of a result over label draws: the same experiment run again
with its labelled reviews drawn anew (params.yaml `draws`). The test set is
the same for every draw, so what varies is which reviews were labelled (and
the fitting's seed): the interval says how far another draw of as many labels
could land, not how the test set was sampled (stage compare says that)."""

import math
from typing import NamedTuple

import numpy as np


class Spread(NamedTuple):
    mean: float
    std: float  # the sample standard deviation (n - 1)
    low: float  # the 95% confidence interval of the mean (Student's t, n - 1 degrees of freedom)
    high: float


def spread(values: list[float] | np.ndarray) -> Spread:
    """Mean, standard deviation and 95% t-interval of the mean of `values`
    (at least two: one draw has no spread)."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"a spread needs at least two draws, got {x.size}")
    # scipy.stats takes 0.9 s to import: only what gathers draws pays for it,
    # not every `evaluate` process.
    from scipy.stats import t as student_t

    mean, std = float(x.mean()), float(x.std(ddof=1))
    half = float(student_t.ppf(0.975, len(x) - 1)) * std / math.sqrt(len(x))
    return Spread(mean, std, mean - half, mean + half)


def draws_summary(accuracies: list[float]) -> dict:
    """What `metrics/<name>.json` carries of its draws: each draw's test
    accuracy (the experiment's own seed first), their mean, std and interval."""
    s = spread(accuracies)
    return {
        "draws": len(accuracies),
        "test_accuracies": [round(float(a), 6) for a in accuracies],
        "mean": round(s.mean, 6),
        "std": round(s.std, 6),
        "ci95_low": round(s.low, 6),
        "ci95_high": round(s.high, 6),
    }
