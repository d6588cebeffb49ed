"""NBSVM's logistic regression without a copy of its matrix (`solver: lbfgs`,
and what `solver: auto`, the default, picks above fit.py's AUTO_LBFGS_VALUES).

liblinear (fit.py) minimises

    C * sum_i log(1 + exp(-y_i (x_i . w + b))) + (|w|^2 + b^2) / 2

(its intercept is a feature of value 1, penalised like the others) over the
scaled rows x_i = p_i * r: p_i the review's binary n-gram row, r the
naive-Bayes ratios. It needs that scaled matrix as float64 and a copy of its
own at 16 bytes a value: 9.8 GiB at its peak for 400,000 reviews
(docs/benchmark.md, "Scaling"). Here scipy's
L-BFGS minimises the same objective, with the loss and its gradient summed
over BATCH rows at a time of the *binary* matrix: x . w = p . (r * w), and
the gradient's w part is r * (P^T d). Memory holds the binary matrix's
pattern (4 bytes a value: no float matrix at all when every review is
fitted) and scipy's workspace of (2 * CORRECTIONS + 5) vectors as long as the
n-grams; a batch's float64 values are the only temporaries. The objective is
strictly convex, so this is the same minimum as liblinear's, up to the
tolerances (GTOL below).
"""

import logging
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

log = logging.getLogger("nbsvm")
BATCH = 25_000  # rows a batch: ~420 values a review (aclImdb), 8 bytes each as float64
# Stop when the largest gradient entry is below GTOL * C * rows. At 1e-6 the
# minimum found on aclImdb's 25,000 reviews (c 0.1, 924,329 n-grams) is lower
# than liblinear's (255.27562 against 255.27565), and the two models label
# 24,999 of the 25,000 test reviews alike (test accuracy 0.91760 against
# 0.91764); 1e-5 stops at 255.27594, 1e-4 at 255.30.
GTOL = 1e-6
MAX_ITERATIONS = 1000
# Correction pairs L-BFGS keeps: scipy's workspace is (2 * CORRECTIONS + 5)
# float64 vectors as long as the n-grams (0.9 GB for 7.4 M n-grams at 5;
# 1.5 GB at scipy's default 10).
CORRECTIONS = 5


class Binary(NamedTuple):
    """A binary matrix as its CSR pattern: row i has ones at columns
    indices[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray
    indices: np.ndarray
    columns: int

    def rows(self, rows: np.ndarray) -> "Binary":
        """Rows `rows` of this matrix, in that order, as a pattern of their own
        (a copy of their indices only: no float matrix is made)."""
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        indptr = np.zeros(len(rows) + 1, dtype=self.indptr.dtype)
        np.cumsum(lengths, out=indptr[1:])
        positions = np.repeat(self.indptr[rows] - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Binary(indptr, self.indices[positions], self.columns)


def class_counts(binary: Binary, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's count of positive and of negative rows (`labels` 1/0), a batch at a time."""
    positive, negative = np.zeros(binary.columns), np.zeros(binary.columns)
    ones = _ones(binary)
    for start in range(0, len(binary.indptr) - 1, BATCH):
        rows = _batch(binary, start, ones)
        batch_labels = labels[start : start + rows.shape[0]]
        positive += rows.T @ (batch_labels == 1).astype(np.float64)
        negative += rows.T @ (batch_labels == 0).astype(np.float64)
    return positive, negative


def fit_logistic(binary: Binary, labels: np.ndarray, ratios: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """(w, b) minimising the objective above for the `binary` matrix (rows
    in any order), `labels` 0/1 and the n-gram `ratios`."""
    from scipy.optimize import minimize

    y = np.where(labels == 1, 1.0, -1.0)
    reviews, width = len(binary.indptr) - 1, binary.columns
    ones = _ones(binary)

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:width], theta[width]
        v = ratios * w
        loss = 0.5 * (w @ w + b * b)
        pattern_gradient, intercept_gradient = np.zeros(width), b
        for start in range(0, reviews, BATCH):
            rows = _batch(binary, start, ones)
            labels_y = y[start : start + rows.shape[0]]
            margin = labels_y * (rows @ v + b)
            loss += c * np.logaddexp(0.0, -margin).sum()
            d = -c * labels_y * _sigmoid(-margin)  # d loss / d (x . w + b)
            pattern_gradient += rows.T @ d
            intercept_gradient += d.sum()
        gradient = np.empty(width + 1)  # written in place: 3 vectors of n-gram length a call, not 5
        np.multiply(ratios, pattern_gradient, out=gradient[:width])
        gradient[:width] += w
        gradient[width] = intercept_gradient
        return loss, gradient

    result = minimize(
        loss_and_gradient,
        np.zeros(width + 1),
        jac=True,
        method="L-BFGS-B",
        options={
            "maxiter": MAX_ITERATIONS,
            "maxcor": CORRECTIONS,
            "gtol": GTOL * c * max(reviews, 1),
            "ftol": 0.0,
        },
    )
    if not result.success:  # the iteration cap: a usable model, but say so
        log.warning("L-BFGS stopped before its tolerance after %d iterations: %s", result.nit, result.message)
    log.info("L-BFGS: %d iterations, %d passes over %d reviews", result.nit, result.nfev, reviews)
    return result.x[:width], float(result.x[width])


def _ones(binary: Binary) -> np.ndarray:
    """Values for the largest batch, as the float64 scipy's products need."""
    starts = range(0, len(binary.indptr) - 1, BATCH)
    ends = (binary.indptr[min(s + BATCH, len(binary.indptr) - 1)] - binary.indptr[s] for s in starts)
    return np.ones(max(ends, default=0))


def _batch(binary: Binary, start: int, ones: np.ndarray) -> sp.csr_matrix:
    """Rows start .. start + BATCH as a float64 CSR over the same indices (a view, no copy of them)."""
    indptr = binary.indptr[start : start + BATCH + 1]
    indices = binary.indices[indptr[0] : indptr[-1]]
    shape = (len(indptr) - 1, binary.columns)
    return sp.csr_matrix((ones[: len(indices)], indices, indptr - indptr[0]), shape=shape, copy=False)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))
