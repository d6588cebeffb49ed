"""Stage evaluate (`evaluate_<group>@<name>`, every kind of model): the
trained model on the 25,000 raw test reviews, through the same interface as
`imdb-embeddings predict` (imdb_embeddings/classifier.py: text in,
probability out, no TensorFlow), in `metrics/<name>.json`, with the fit's
summary when the training stage wrote one (`--fit`). Reads no params: what
turns text into the model's input comes with the exported model.

    python -m stages.evaluate data/models/<name>.npz --test data/prepared/test.parquet \
        --metrics metrics/<name>.json [--fit data/models/<name>.fit.json]
"""

import argparse
import json
import logging

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.classifier import load_classifier
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics

log = logging.getLogger("evaluate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="the self-contained model (.npz)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet)")
    parser.add_argument("--metrics", required=True, help="where the test metrics go (.json)")
    parser.add_argument("--fit", help="the training stage's summary (labelled reviews, fitting time) to add")
    args = parser.parse_args()
    model = load_classifier(args.model)  # checked: members, shapes, text rules
    fit = {}
    if args.fit:
        with open(args.fit, encoding="utf-8") as f:
            fit = json.load(f)
    test = pq.read_table(args.test, columns=["text", "label"]).to_pydict()
    test_loss, test_accuracy = binary_metrics(np.asarray(test["label"]), model.logits(test["text"]))
    metrics = {"test_accuracy": round(test_accuracy, 6), "test_loss": round(test_loss, 6), **fit}
    write_json(args.metrics, metrics)
    log.info("%s: test accuracy %.4f, test loss %.4f", args.model, test_accuracy, test_loss)


if __name__ == "__main__":
    run_stage(main)
