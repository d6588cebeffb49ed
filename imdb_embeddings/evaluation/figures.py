"""A trained model's figures on the test reviews, and the files they go to:
`metrics/<name>.json` the few that DVC compares (test accuracy, ECE, the
draws' mean and interval), the details file every figure (loss,
Brier, the labelled reviews used, each draw), each review's P(positive) for
the paired comparisons, and the reliability table that `dvc plots` draws."""

import argparse
import json
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.evaluation.calibration import Reliability, brier, expected_calibration_error, reliability
from imdb_embeddings.evaluation.metrics import binary_metrics, correct
from imdb_embeddings.evaluation.spread import draws_summary
from imdb_embeddings.serving.output import probability

# Of the fit's summary: the labelled reviews it used, and its validation accuracy if any.
FROM_FIT = ("train_samples", "validation_samples", "labels_total", "validation_accuracy")
# The few numbers `dvc exp show` compares: the rest is in the details file.
COMPARED = ("test_accuracy", "ece")
COMPARED_DRAWS = ("mean", "ci95_low", "ci95_high")


def arguments(description: str) -> argparse.ArgumentParser:
    """The options of both evaluate stages: the model, its fit, the test reviews, and the outputs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("model", help="the self-contained model (.npz)")
    parser.add_argument("fit", help="the training stage's summary (.json): the labelled reviews it used")
    parser.add_argument("test", help="the test reviews (.parquet)")
    parser.add_argument("--metrics", required=True, help="the compared metrics (.json): accuracy, ECE, draws' mean")
    parser.add_argument("--details", required=True, help="every figure (.json): loss, Brier, labels, each draw")
    parser.add_argument("--predictions", required=True, help="P(positive) of each test review (.npy, float32)")
    parser.add_argument("--reliability", required=True, help="the reliability table (.csv), for `dvc plots`")
    return parser


class Figures(NamedTuple):
    metrics: dict[str, Any]
    labels: np.ndarray
    probabilities: np.ndarray  # float32


def measure(model: Any, test: str, fit: str) -> Figures:
    """The model (a serving classifier) on the test reviews, with the labelled reviews its fit used."""
    with open(fit, encoding="utf-8") as f:
        summary = json.load(f)
    reviews = pq.read_table(test, columns=["text", "label"]).to_pydict()
    labels, logits = np.asarray(reviews["label"]), model.logits(reviews["text"])
    test_loss, test_accuracy = binary_metrics(labels, logits)
    probabilities = probability(logits)
    metrics = {
        "test_accuracy": round(test_accuracy, 6),
        "test_loss": round(test_loss, 6),
        "ece": round(expected_calibration_error(labels, probabilities), 6),
        "brier": round(brier(labels, probabilities), 6),
    }
    metrics.update({key: summary[key] for key in FROM_FIT if key in summary})
    # Every labelled review the result rests on: fitted on, validated on, chosen with.
    metrics.setdefault("labels_total", summary["train_samples"] + summary["validation_samples"])
    return Figures(metrics, labels, probabilities.astype(np.float32))


def with_draws(figures: Figures, folder: str, draws: list[int]) -> None:
    """The experiment's other label draws (<k>.npy in `folder`: P(positive)
    of each test review) join its own as `draws`: each draw's accuracy,
    their mean, std and 95% interval (spread.py)."""
    accuracies = [float(np.mean(correct(figures.labels, figures.probabilities)))]  # draw 0: this model
    for k in draws:
        path = Path(folder) / f"{k}.npy"
        try:
            p = np.load(path)
        except FileNotFoundError:
            raise PipelineError(f"{path}: draw {k} has not run (dvc repro runs it)") from None
        except (ValueError, OSError) as exc:
            raise PipelineError(f"{path}: not a draw's predictions ({exc}); rerun its draw") from None
        if p.shape != figures.labels.shape or not np.all((p >= 0) & (p <= 1)):
            raise PipelineError(f"{path}: not {len(figures.labels)} probabilities; rerun its draw")
        accuracies.append(round(float(np.mean(correct(figures.labels, p))), 6))
    figures.metrics["draws"] = draws_summary(accuracies)


def write(figures: Figures, args: argparse.Namespace) -> None:
    """Every output. The compared metrics have the same keys in every model's
    file, so that `dvc metrics show` is a table, a row a model."""
    name, metrics = Path(args.model).stem, figures.metrics
    with atomic_path(args.predictions, suffix=".npy") as tmp:
        np.save(tmp, figures.probabilities)
    write_reliability(reliability(figures.labels, figures.probabilities), args.reliability)
    write_json(args.details, {name: metrics})
    compared = {key: metrics[key] for key in COMPARED}
    if "draws" in metrics:
        compared["draws"] = {key: metrics["draws"][key] for key in COMPARED_DRAWS}
    write_json(args.metrics, compared)


def write_reliability(table: Reliability, dest: str) -> None:
    """One row a bin: its range, reviews, mean predicted and observed fraction positive."""
    lines = ["lower,upper,reviews,predicted,observed"]
    lines += [
        f"{lo:.6f},{hi:.6f},{n},{p:.6f},{o:.6f}"
        for lo, hi, n, p, o in zip(table.lower, table.upper, table.count, table.predicted, table.observed)
    ]
    with atomic_path(dest) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary_line(name: str, metrics: dict[str, Any]) -> str:
    line = f"{name}: test accuracy {metrics['test_accuracy']:.4f}, test loss {metrics['test_loss']:.4f}"
    line += f", ECE {metrics['ece']:.4f}"
    if "draws" in metrics:
        d = metrics["draws"]
        line += f"; {d['draws']} draws: mean {d['mean']:.4f}, 95% interval {d['ci95_low']:.4f} to {d['ci95_high']:.4f}"
    return line
