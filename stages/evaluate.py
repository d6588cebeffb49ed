"""Stage evaluate (`evaluate_<group>@<name>`, every kind of model): the
trained model on the 25,000 raw test reviews, through the same interface as
`imdb-embeddings predict` (imdb_embeddings/classifier.py: text in,
probability out), with the labelled reviews the fit used (from its
summary, `--fit`) and its calibration (ECE over 15 bins, Brier score:
imdb_embeddings/core/calibration.py). `metrics/<name>.json` holds the few
numbers `dvc exp show` compares (test accuracy, ECE, the draws' mean and
interval); `--details` every figure (loss, Brier, labels in all, each
draw), which the model cards read. It also keeps
each review's P(positive) (for the paired comparisons of stage `compare`)
and the reliability table that `dvc plots` draws. With `--draws`, the
experiment's other label draws (stage draw) join its own as `draws`: each
draw's test accuracy, their mean, std and 95% interval (core/spread.py).
Reads no params but the draws' numbers: what turns text into the model's
input comes with the exported model.

    DVC_STAGE=evaluate_<group>@<name> python -m stages.evaluate data/models/{name}.npz \
        --test data/prepared/test.parquet --metrics metrics/{name}.json \
        --details data/evaluation/{name}.json --fit data/models/{name}.fit.json \
        --predictions data/predictions/{name}.npy --reliability plots/reliability/{name}.csv \
        [--draws data/draws/{name}]

Under `dvc repro` the name comes from DVC_STAGE and fills each `{name}`
(imdb_embeddings/core/stage_item.py): no name reaches a shell. By hand,
plain paths need no DVC_STAGE.
"""

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.classifier import load_classifier
from imdb_embeddings.core import params
from imdb_embeddings.core.calibration import Reliability, brier, expected_calibration_error, reliability
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.core.metrics import binary_metrics, probability
from imdb_embeddings.core.spread import draws_summary
from imdb_embeddings.core.stage_item import fill_paths, stage_item, templated

log = logging.getLogger("evaluate")
# Of the fit's summary: the labelled reviews it used, and its validation accuracy if any.
FROM_FIT = ("train_samples", "validation_samples", "labels_total", "validation_accuracy")
PARAMS = ()  # what turns text into the model's input comes with the model
OPTION_PARAMS = {"--draws": ("draws.nbsvm_pseudo",)}  # read only when the command passes the option


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the self-contained model (.npz)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet)")
    parser.add_argument("--metrics", required=True, help="the compared metrics (.json): accuracy, ECE, draws' mean")
    parser.add_argument("--details", required=True, help="every figure (.json): loss, Brier, labels, each draw")
    parser.add_argument("--fit", required=True, help="the training stage's summary (labelled reviews) to add")
    parser.add_argument("--predictions", required=True, help="P(positive) of each test review (.npy, float32)")
    parser.add_argument("--reliability", required=True, help="the reliability table (.csv), for `dvc plots`")
    parser.add_argument("--draws", help="the folder of the experiment's other label draws (<k>.json)")
    args = parser.parse_args()
    if templated(args):
        fill_paths(args, stage_item(("name",)))
    model = load_classifier(args.model)  # checked: members, shapes, text rules
    with open(args.fit, encoding="utf-8") as f:
        fit = json.load(f)
    test = pq.read_table(args.test, columns=["text", "label"]).to_pydict()
    labels, logits = np.asarray(test["label"]), model.logits(test["text"])
    test_loss, test_accuracy = binary_metrics(labels, logits)
    probabilities = probability(logits)
    metrics = {
        "test_accuracy": round(test_accuracy, 6),
        "test_loss": round(test_loss, 6),
        "ece": round(expected_calibration_error(labels, probabilities), 6),
        "brier": round(brier(labels, probabilities), 6),
    }
    metrics.update({key: fit[key] for key in FROM_FIT if key in fit})
    # Every labelled review the result rests on: fitted on, validated on, chosen with.
    metrics.setdefault("labels_total", fit["train_samples"] + fit["validation_samples"])
    if args.draws:
        draws = params.load(keys=OPTION_PARAMS["--draws"]).draws.nbsvm_pseudo
        points = read_draws(args.draws, draws)
        metrics["draws"] = draws_summary([test_accuracy] + [p["test_accuracy"] for p in points])
    with atomic_path(args.predictions, suffix=".npy") as tmp:
        np.save(tmp, probabilities.astype(np.float32))
    write_reliability(reliability(labels, probabilities), args.reliability)
    # Under the model's name, so that `dvc exp show` heads its columns
    # `full_data.test_accuracy` rather than `metrics/full_data.json:test_accuracy`.
    name = Path(args.model).stem
    write_json(args.details, {name: metrics})
    write_json(args.metrics, {name: compared(metrics)})
    log.info("%s: test accuracy %.4f, test loss %.4f, ECE %.4f", args.model, test_accuracy, test_loss, metrics["ece"])
    if "draws" in metrics:
        d = metrics["draws"]
        log.info(
            "%d draws: mean %.4f, std %.4f, 95%% interval %.4f to %.4f",
            d["draws"],
            d["mean"],
            d["std"],
            d["ci95_low"],
            d["ci95_high"],
        )


# The few numbers `dvc exp show` compares: the rest is in the details file.
COMPARED = ("test_accuracy", "ece")
COMPARED_DRAWS = ("mean", "ci95_low", "ci95_high")


def compared(metrics: dict) -> dict:
    """A model's compared metrics: test accuracy, one calibration number, and
    the mean and 95% interval of its label draws where it has them."""
    out = {key: metrics[key] for key in COMPARED}
    if "draws" in metrics:
        out["draws"] = {key: metrics["draws"][key] for key in COMPARED_DRAWS}
    return out


def read_draws(folder: str, draws: list[int]) -> list[dict]:
    """The results of `draws` (<k>.json in `folder`), in that order: only
    those, so that a draw dropped from params.yaml, whose file DVC leaves
    behind, is not counted."""
    points = []
    for k in draws:
        path = Path(folder) / f"{k}.json"
        try:
            with open(path, encoding="utf-8") as f:
                point = json.load(f)
        except FileNotFoundError:
            raise PipelineError(f"{path}: draw {k} has not run (dvc repro runs it)") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise PipelineError(f"{path}: not a draw's result ({exc}); rerun it (dvc repro -f -s ...)") from None
        accuracy = point.get("test_accuracy") if isinstance(point, dict) else None
        if not isinstance(accuracy, float) or not 0 <= accuracy <= 1:
            raise PipelineError(f"{path}: no test accuracy between 0 and 1; rerun its draw (dvc repro -f -s ...)")
        points.append(point)
    return points


def write_reliability(table: Reliability, dest: str) -> None:
    """One row a bin: its range, reviews, mean predicted and observed fraction positive."""
    lines = ["lower,upper,reviews,predicted,observed"]
    lines += [
        f"{lo:.6f},{hi:.6f},{n},{p:.6f},{o:.6f}"
        for lo, hi, n, p, o in zip(table.lower, table.upper, table.count, table.predicted, table.observed)
    ]
    with atomic_path(dest) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
