"""One point of the learning curve: a model of the curve's family trained on
`n` reviews of the seeded shuffle of the training set (the same validation
reviews for every n), then its test accuracy. A label draw k of the point
is the same with the shuffle seeded train.seed + k. Only the learning_curve
stages use it (it imports TensorFlow through `training`)."""

from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.metrics import binary_metrics, probability
from imdb_embeddings.core.settings import Experiment
from imdb_embeddings.core.splits import split_indices
from imdb_embeddings.modeling.families import FAMILIES
from imdb_embeddings.modeling.inference import model_logits
from imdb_embeddings.modeling.training import train
from imdb_embeddings.text.model_input import input_spec, model_input, training_data


def curve_point(
    experiment: Experiment, max_words: int, train_seqs: tuple, test_seqs: tuple, matrix: np.ndarray | None
) -> "CurvePoint":
    """Train on the experiment's sample, score every test review in memory."""
    split = split_indices(len(train_seqs[2]), experiment, "learning_curve", validation_first=True)
    spec = input_spec(experiment, max_words, FAMILIES[experiment.model].ngram_input)
    fitted = train(
        experiment,
        f"{experiment.embedding}@{len(split.train)}",
        max_words,
        training_data(train_seqs, spec, split),
        matrix,
        None,
    )
    test_tokens, test_offsets, test_labels = test_seqs
    logits = model_logits(fitted.model, model_input(test_tokens, test_offsets, spec))
    loss, accuracy = binary_metrics(test_labels, logits)
    metrics = {
        "source": experiment.embedding,
        "train_samples": int(len(split.train)),
        "validation_samples": int(len(split.validation)),
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
