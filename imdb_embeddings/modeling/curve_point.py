"""One point of the learning curve: a model of the curve's family trained on
the first `n` reviews of the seeded shuffle of the training set (the same
validation reviews for every n), then its test accuracy. A label draw k of
the point is the same with the shuffle seeded train.seed + k. Only the
learning_curve stages use it (it imports TensorFlow through `training`)."""

from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.metrics import binary_metrics, probability
from imdb_embeddings.core.params import EXPERIMENT_DEFAULTS, Experiment, typed
from imdb_embeddings.modeling.inference import export_weights, load_weights, predict_logits
from imdb_embeddings.modeling.training import train
from imdb_embeddings.text.model_input import input_spec, model_input


def curve_experiment(curve: dict[str, Any], defaults: dict[str, Any], source: str, n: int) -> Experiment:
    """The settings of the point (source, n): the curve's keys over `train`'s."""
    return typed(
        Experiment,
        {
            **EXPERIMENT_DEFAULTS,
            **defaults,
            **curve,
            "embedding": source,
            "train_samples": n,
            "trainable": source == "learned" or curve["trainable"],
        },
    )


def curve_point(
    experiment: Experiment,
    max_words: int,
    train_seqs: tuple,
    test_seqs: tuple,
    matrix: np.ndarray | None,
    scratch: str,
) -> "CurvePoint":
    """Train on the experiment's sample, evaluate on every test review."""
    tokens, offsets, labels = train_seqs
    order = np.random.default_rng(experiment.seed).permutation(len(labels))
    validation = order[: experiment.validation_samples]
    rows = order[experiment.validation_samples : experiment.validation_samples + experiment.train_samples]
    spec = input_spec(experiment, max_words)
    data = {
        "x_train": model_input(tokens, offsets, spec, rows),
        "y_train": labels[rows],
        "x_val": model_input(tokens, offsets, spec, validation),
        "y_val": labels[validation],
    }
    fitted = train(experiment, f"{experiment.embedding}@{len(rows)}", max_words, data, matrix, None)
    export_weights(fitted.model, scratch, spec)
    test_tokens, test_offsets, test_labels = test_seqs
    logits = predict_logits(*load_weights(scratch), model_input(test_tokens, test_offsets, spec))
    loss, accuracy = binary_metrics(test_labels, logits)
    metrics = {
        "source": experiment.embedding,
        "train_samples": int(len(rows)),
        "validation_samples": int(len(validation)),
        "test_accuracy": round(accuracy, 6),
        "test_loss": round(loss, 6),
        "epochs": len(fitted.history["loss"]),
        "max_epochs": experiment.epochs,  # at the cap, early stopping never stopped it: a floor
        "dim": int(matrix.shape[1]) if matrix is not None else experiment.embedding_dim,
    }
    return CurvePoint(metrics, probability(logits).astype(np.float32), fitted.seconds)


class CurvePoint(NamedTuple):
    metrics: dict[str, Any]  # the point's output: the same for the same inputs
    probabilities: np.ndarray  # P(positive) of each test review (float32), for paired comparisons
    seconds: float  # fitting time, logged and kept out of the output (core/timings.py)
