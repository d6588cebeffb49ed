"""Stage evaluate_nbsvm (`evaluate_nbsvm@<name>`, `evaluate_nbsvm_pseudo@<name>`):
an NBSVM model on the 25,000 raw test reviews, through the same code as
`imdb-embeddings predict` (imdb_embeddings/nbsvm/ngram_model.py), in
`metrics/<name>.json` with the fit's summary (labelled reviews, fitting time).
Reads no params.

    python -m stages.evaluate_nbsvm <name>
"""

import argparse
import json
import logging

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics
from imdb_embeddings.nbsvm.ngram_model import NgramModel

log = logging.getLogger("evaluate_nbsvm")
TEST = "data/prepared/test.parquet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the experiment")
    name = parser.parse_args().name
    model = NgramModel.load(f"data/models/{name}.npz")
    with open(f"data/models/{name}.fit.json", encoding="utf-8") as f:
        fit = json.load(f)
    test = pq.read_table(TEST, columns=["text", "label"]).to_pydict()
    test_loss, test_accuracy = binary_metrics(np.asarray(test["label"]), model.logits(test["text"]))
    write_json(
        f"metrics/{name}.json", {"test_accuracy": round(test_accuracy, 6), "test_loss": round(test_loss, 6), **fit}
    )
    log.info("%s: test accuracy %.4f, test loss %.4f", name, test_accuracy, test_loss)


if __name__ == "__main__":
    run_stage(main)
