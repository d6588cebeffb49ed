"""Stage evaluate (`evaluate_<group>@<name>`, every kind of model): the
trained model on the 25,000 raw test reviews, through the same interface as
`imdb-embeddings predict` (imdb_embeddings/classifier.py: text in,
probability out, no TensorFlow), in `metrics/<name>.json`, with the labelled
reviews the fit used (from its summary, `--fit`): a few well-named numbers a
model, which `dvc exp show` compares. Reads no params: what turns text into
the model's input comes with the exported model.

    python -m stages.evaluate data/models/<name>.npz --test data/prepared/test.parquet \
        --metrics metrics/<name>.json --fit data/models/<name>.fit.json
"""

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.classifier import load_classifier
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics

log = logging.getLogger("evaluate")
# Of the fit's summary: the labelled reviews it used in all, and its validation accuracy if any.
FROM_FIT = ("train_samples", "validation_samples", "validation_accuracy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the self-contained model (.npz)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet)")
    parser.add_argument("--metrics", required=True, help="where the test metrics go (.json)")
    parser.add_argument("--fit", required=True, help="the training stage's summary (labelled reviews) to add")
    args = parser.parse_args()
    model = load_classifier(args.model)  # checked: members, shapes, text rules
    with open(args.fit, encoding="utf-8") as f:
        fit = json.load(f)
    test = pq.read_table(args.test, columns=["text", "label"]).to_pydict()
    test_loss, test_accuracy = binary_metrics(np.asarray(test["label"]), model.logits(test["text"]))
    metrics = {"test_accuracy": round(test_accuracy, 6), "test_loss": round(test_loss, 6)}
    metrics.update({key: fit[key] for key in FROM_FIT if key in fit})
    # Under the model's name, so that `dvc exp show` heads its columns
    # `full_data.test_accuracy` rather than `metrics/full_data.json:test_accuracy`.
    write_json(args.metrics, {Path(args.model).stem: metrics})
    log.info("%s: test accuracy %.4f, test loss %.4f", args.model, test_accuracy, test_loss)


if __name__ == "__main__":
    run_stage(main)
