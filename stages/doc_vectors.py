"""Stage doc_vectors (`doc_vectors@<name>`, opt-in research): PV-DBOW
document vectors trained on the training and unlabelled texts, never the
test ones (imdb_embeddings/research/pv_dbow.py), then the vectors of the
training and test reviews inferred, in their files' row order. Every
experiment that names them (`nbsvm.doc_taught.<name>.vectors`) reads them.

    DVC_STAGE=doc_vectors@<name> python -m stages.doc_vectors \
        --texts data/prepared/train.parquet data/prepared/unsup.parquet --test data/prepared/test.parquet \
        --train-vectors data/doc_vectors/{name}/train.npy --test-vectors data/doc_vectors/{name}/test.npy

The first `--texts` file is the training reviews'. The name comes from
DVC_STAGE, which `dvc repro` sets (imdb_embeddings/core/stage_item.py).
"""

import argparse
import logging
import time

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.columns import read_texts
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.core.stage_item import fill_paths, stage_item
from imdb_embeddings.research.pv_dbow import infer, train_doc_vectors

log = logging.getLogger("doc_vectors")
PARAMS = ("doc_vectors.{name}",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", required=True, nargs="+", help="reviews (.parquet) learned from: training first")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): vectors inferred, never learned")
    parser.add_argument("--train-vectors", required=True, help="the training reviews' vectors (.npy, float32)")
    parser.add_argument("--test-vectors", required=True, help="the test reviews' vectors (.npy, float32)")
    args = parser.parse_args()
    name = str(stage_item(("name",))["name"])  # a key of doc_vectors
    fill_paths(args, {"name": name})
    settings = params.load(keys=[key.format(name=name) for key in PARAMS]).doc_vectors[name]
    train = read_texts(args.texts[0])
    texts = train + [text for path in args.texts[1:] for text in read_texts(path)]
    start = time.perf_counter()
    model = train_doc_vectors(texts, settings)
    trained = time.perf_counter() - start
    inferred = (train, args.train_vectors, "training"), (read_texts(args.test), args.test_vectors, "test")
    for reviews, out, what in inferred:
        vectors = infer(model, reviews, settings.ngrams, f"the {what} reviews")
        with atomic_path(out, suffix=".npy") as tmp:
            np.save(tmp, vectors)
    seconds = time.perf_counter() - start
    timings.record(f"doc_vectors@{name}", train_seconds=trained, infer_seconds=seconds - trained)
    log.info("%s: %d texts learned in %.0f s; vectors inferred in %.0f s", name, len(texts), trained, seconds - trained)


if __name__ == "__main__":
    run_stage(main)
