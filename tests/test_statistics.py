"""Calibration (ECE, Brier, the reliability table) on cases worked by hand,
and the paired comparison (bootstrap interval, McNemar's exact test) against
worked examples and the normal approximation."""

import math

import numpy as np
import pytest
import scipy.stats

from imdb_embeddings.evaluation.calibration import brier, expected_calibration_error, reliability
from imdb_embeddings.evaluation.paired import compare, mcnemar_exact
from imdb_embeddings.evaluation.spread import draws_summary, spread


def test_ece_and_brier_on_cases_worked_by_hand():
    # Always 0.9, half of it positive: one bin 0.4 off.
    y = np.array([1, 0] * 50)
    assert expected_calibration_error(y, np.full(100, 0.9)) == pytest.approx(0.4)
    assert brier(y, np.full(100, 0.9)) == pytest.approx((0.01 + 0.81) / 2)
    # Two bins: 0.1 with half positive (0.4 off), 0.9 all positive (0.1 off), each half the reviews.
    p, y = np.array([0.1, 0.1, 0.9, 0.9]), np.array([0, 1, 1, 1])
    assert expected_calibration_error(y, p) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)
    table = reliability(y, p)
    assert table.count.tolist() == [2, 2] and table.observed.tolist() == [0.5, 1.0]
    assert table.lower[0] == pytest.approx(1 / 15) and table.upper[-1] == pytest.approx(14 / 15)
    # 1.0 falls in the last bin, 0.0 in the first; a perfect, certain model is perfectly calibrated.
    assert expected_calibration_error(np.array([0, 1]), np.array([0.0, 1.0])) == 0.0
    assert reliability(np.array([1]), np.array([1.0])).upper.tolist() == [1.0]


def test_a_calibrated_model_has_a_small_ece():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=200_000)
    y = rng.uniform(size=p.size) < p  # positive with exactly the predicted probability
    assert expected_calibration_error(y, p) < 0.01
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) > 0.15  # overconfident in the positive


def test_mcnemar_on_a_worked_example():
    # 10 reviews only A gets right, 2 only B: P(X <= 2 | n = 12, 1/2) doubled = 2 * 79 / 4096.
    assert mcnemar_exact(10, 2) == pytest.approx(2 * (1 + 12 + 66) / 4096)
    assert mcnemar_exact(2, 10) == mcnemar_exact(10, 2)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(5, 5) == 1.0


def test_paired_bootstrap():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(size=4000) < 0.80, rng.uniform(size=4000) < 0.75
    result = compare(a, b, seed=7)
    d = a.astype(float) - b.astype(float)
    assert result.difference == pytest.approx(d.mean())
    assert result.low < result.difference < result.high
    # The normal approximation of the mean difference: the same width, within 10%.
    half = 1.96 * d.std() / math.sqrt(len(d))
    assert (result.high - result.low) / 2 == pytest.approx(half, rel=0.1)
    assert (result.only_a, result.only_b) == (int(np.sum(a & ~b)), int(np.sum(b & ~a)))
    assert result == compare(a, b, seed=7)  # seeded: the same interval every run
    same = compare(a, a, seed=7)
    assert (same.difference, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        compare(a, b[:-1], seed=7)


def test_spread_over_draws_on_a_worked_example():
    # 0.80, 0.82, 0.84: mean 0.82, sample std 0.02, t(0.975, 2) = 4.302653 -> half-width 4.302653 * 0.02 / sqrt(3).
    result = spread([0.80, 0.82, 0.84])
    assert result.mean == pytest.approx(0.82) and result.std == pytest.approx(0.02)
    half = 4.302653 * 0.02 / math.sqrt(3)
    assert (result.low, result.high) == (pytest.approx(0.82 - half), pytest.approx(0.82 + half))
    # Against scipy's own t interval, on more draws.
    values = np.random.default_rng(3).normal(0.83, 0.01, size=10)
    low, high = scipy.stats.t.interval(0.95, 9, loc=values.mean(), scale=scipy.stats.sem(values))
    assert (spread(values).low, spread(values).high) == (pytest.approx(low), pytest.approx(high))
    summary = draws_summary([0.80, 0.82, 0.84])
    assert summary["draws"] == 3 and summary["test_accuracies"] == [0.8, 0.82, 0.84]
    assert summary["ci95_low"] == round(0.82 - half, 6)
    with pytest.raises(ValueError, match="at least two draws"):
        spread([0.8])


def test_the_bootstrap_by_counts_is_the_bootstrap_by_indices():
    """Drawing how many +1 and -1 reviews a resample holds gives the same
    distribution as resampling the reviews themselves."""
    rng = np.random.default_rng(5)
    a, b = rng.uniform(size=3000) < 0.8, rng.uniform(size=3000) < 0.7
    d = a.astype(int) - b.astype(int)
    by_indices = d[rng.integers(0, len(d), size=(4000, len(d)))].mean(axis=1)
    result = compare(a, b, seed=11, resamples=4000)
    low, high = np.quantile(by_indices, [0.025, 0.975])
    assert result.low == pytest.approx(low, abs=0.003) and result.high == pytest.approx(high, abs=0.003)
