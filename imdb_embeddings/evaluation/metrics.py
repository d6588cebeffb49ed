"""Test metrics from a binary classifier's logits, computed as Keras does,
for every kind of model the pipeline trains (Keras or the n-gram models)."""

from typing import NamedTuple

import numpy as np

from imdb_embeddings.serving.output import THRESHOLD, probability


class BinaryMetrics(NamedTuple):
    loss: float  # mean binary cross-entropy
    accuracy: float


def binary_metrics(labels: np.ndarray, logits: np.ndarray) -> BinaryMetrics:
    """(mean binary cross-entropy, accuracy) as Keras computes them for a
    sigmoid output: the loss from the logits, a prediction is positive
    when its probability is above 0.5."""
    z = logits.astype(np.float64)
    y = labels.astype(np.float64)
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    accuracy = np.mean(correct(labels, probability(logits)))
    return BinaryMetrics(float(np.mean(loss)), float(accuracy))


def correct(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Whether each prediction is right (what accuracy averages, and the paired comparisons pair)."""
    return (probabilities > THRESHOLD) == (labels > 0.5)
