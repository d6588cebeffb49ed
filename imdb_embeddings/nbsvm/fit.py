"""Fitting NBSVM's logistic-regression variant (Mesnil et al. 2015): each
binary n-gram feature is scaled by its naive-Bayes log-count ratio
r = log((p / |p|) / (q / |q|)), p and q the feature's counts in positive and
negative reviews plus `alpha`, and an L2-regularised logistic regression
(scikit-learn's liblinear, deterministic for a seed; or the same regression
by L-BFGS over batches, lbfgs.py, for data too big for liblinear's copy) is
fitted on the scaled features. The exported weight of an n-gram is its
coefficient times r."""

import functools
import logging
import time
from typing import Any

import numpy as np
import scipy.sparse as sp

from imdb_embeddings.nbsvm import lbfgs
from imdb_embeddings.nbsvm.exact_ngrams import fit_vocabulary_batches
from imdb_embeddings.nbsvm.ngram_model import NgramModel

log = logging.getLogger("nbsvm")
ALPHA = 1.0  # the naive-Bayes smoothing count of the papers
# solver auto: liblinear up to this many values of the binary matrix (it holds
# ~45 bytes a value: 2.3 GB here; aclImdb's 25,000 reviews have 10.5 M), L-BFGS
# (4 bytes a value) above, so that a fit stays within a few GiB at any size.
AUTO_LBFGS_VALUES = 50_000_000


class Features:
    """The binary n-gram matrix of a set of reviews (word ids of `vocabulary`):
    its pattern (CSR `indptr`, `indices`: 4 bytes a value), and `matrix`,
    the scipy matrix of float32 ones over it, built when first read (4 bytes a
    value more; the L-BFGS fit never reads it)."""

    keys: np.ndarray  # the kept n-grams, sorted (exact_ngrams.py)
    indptr: np.ndarray  # review i's n-grams are indices[indptr[i]:indptr[i + 1]]
    indices: np.ndarray  # int32 column numbers
    vocabulary: list[str]
    ngrams: int

    @classmethod
    def restored(cls, keys: np.ndarray, matrix: sp.csr_matrix, vocabulary: list[str], ngrams: int) -> "Features":
        """Features read back from a file (features_file.py), not counted again."""
        features = cls.__new__(cls)
        features.keys, features.vocabulary, features.ngrams = keys, vocabulary, ngrams
        features.indptr, features.indices, features.matrix = matrix.indptr, matrix.indices, matrix
        return features

    def __init__(self, ids: np.ndarray, offsets: np.ndarray, vocabulary: list[str], ngrams: int, min_df: int) -> None:
        start = time.perf_counter()
        self.keys, self.indptr, self.indices = fit_vocabulary_batches(ids, offsets, ngrams, len(vocabulary), min_df)
        self.vocabulary, self.ngrams = vocabulary, ngrams
        log.info(
            "%d reviews: %d n-grams (1..%d words, in at least %d reviews) in %.1f s",
            len(offsets) - 1,
            len(self.keys),
            ngrams,
            min_df,
            time.perf_counter() - start,
        )

    @functools.cached_property
    def matrix(self) -> sp.csr_matrix:
        """A row a review, a column a kept n-gram: 1.0 where the review has it."""
        values = np.ones(len(self.indices), dtype=np.float32)
        shape = (len(self.indptr) - 1, len(self.keys))
        return sp.csr_matrix((values, self.indices, self.indptr), shape=shape, copy=False)


def nb_ratios(matrix: "sp.csr_matrix | lbfgs.Binary", labels: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """r = log((p / |p|) / (q / |q|)) of each n-gram, p and q its counts in
    positive and negative reviews (`labels` 1/0) plus `alpha`, counted over
    the matrix's pattern (lbfgs.class_counts, a batch of rows at a time); in
    float32, as liblinear's fit has always computed them."""
    if not isinstance(matrix, lbfgs.Binary):
        matrix = lbfgs.Binary(matrix.indptr, matrix.indices, matrix.shape[1])
    p, q = lbfgs.class_counts(matrix, labels)
    p, q = alpha + p.astype(np.float32), alpha + q.astype(np.float32)
    return np.log(p / p.sum()) - np.log(q / q.sum())


def scaled(matrix: sp.csr_matrix, ratios: np.ndarray) -> sp.csr_matrix:
    """Each column times its ratio, as the float64 CSR liblinear is given:
    built once (scipy's `multiply` goes through COO, and scikit-learn would
    copy it to float64 again), the same values."""
    values = (matrix.data * ratios[matrix.indices]).astype(np.float64)
    return sp.csr_matrix((values, matrix.indices, matrix.indptr), shape=matrix.shape)


def fit(
    features: Features, rows: np.ndarray, labels: np.ndarray, c: float, seed: int, solver: str = "auto"
) -> NgramModel:
    """NBSVM fitted on reviews `rows` of `features` with `labels` (0/1), by
    liblinear (the rows in the given order) or by L-BFGS over batches
    (lbfgs.py); `auto`: L-BFGS for more than AUTO_LBFGS_VALUES matrix values."""
    if len(np.unique(labels)) < 2:
        raise ValueError("both classes are needed to fit a classifier")
    if solver == "auto":
        values = int((features.indptr[rows + 1] - features.indptr[rows]).sum())
        solver = "lbfgs" if values > AUTO_LBFGS_VALUES else "liblinear"
        log.info("solver auto: %s (%d matrix values, L-BFGS above %d)", solver, values, AUTO_LBFGS_VALUES)
    if solver == "lbfgs":
        return _fit_lbfgs(features, rows, labels, c)
    from sklearn.linear_model import LogisticRegression

    matrix = features.matrix[rows]
    ratios = nb_ratios(matrix, labels)
    x = scaled(matrix, ratios)
    del matrix  # liblinear copies x once more into its own form: hold no third copy
    # The dual problem when n-grams outnumber reviews (always, on aclImdb): the same
    # minimum, about 4x faster (full_data: 1.1 s against 5.0 s; the same test accuracy).
    dual = x.shape[1] > x.shape[0]
    regression = LogisticRegression(C=c, solver="liblinear", dual=dual, random_state=seed)
    regression.fit(x, labels)
    weights = (regression.coef_[0] * ratios).astype(np.float32)
    return NgramModel(
        features.vocabulary, features.ngrams, features.keys, weights, float(regression.intercept_[0]), None
    )


def _fit_lbfgs(features: Features, rows: np.ndarray, labels: np.ndarray, c: float) -> NgramModel:
    # The rows in stored order (the sums' order changes nothing but rounding).
    # All of them: the pattern as it is, with no copy; some: their indices
    # copied out. Neither builds the float matrix.
    order = np.argsort(rows, kind="stable")
    rows, labels = rows[order], labels[order]
    binary = lbfgs.Binary(features.indptr, features.indices, len(features.keys))
    if len(rows) != len(features.indptr) - 1 or not np.array_equal(rows, np.arange(len(rows))):
        binary = binary.rows(rows)
    ratios = nb_ratios(binary, labels)
    w, bias = lbfgs.fit_logistic(binary, labels, ratios, c)
    weights = (w * ratios).astype(np.float32)
    return NgramModel(features.vocabulary, features.ngrams, features.keys, weights, bias, None)


def accuracy(model: NgramModel, features: Features, rows: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy on reviews `rows` of `features` (the same n-grams as the model's)."""
    logits = model.logits_of_matrix(features.matrix[rows])
    return float(np.mean((logits > 0) == (labels == 1)))


def describe(**values: Any) -> dict[str, Any]:
    """Rounded numbers for the fit's summary (data/models/<name>.fit.json)."""
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}
