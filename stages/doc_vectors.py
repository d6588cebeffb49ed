"""Stage doc_vectors (`doc_vectors@<name>`, opt-in research): PV-DBOW
document vectors learned from the training and unlabelled texts, never the
test ones (imdb_embeddings/research/pv_dbow.py), then the training and test
reviews' vectors inferred, in their files' row order.

    python -m stages.doc_vectors <name> --texts <train> <unsup> --test <test> --train-vectors ... --test-vectors ...
"""

import argparse
import logging
import time

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.research.pv_dbow import infer, train_doc_vectors
from imdb_embeddings.text.columns import read_texts, without_test_texts

log = logging.getLogger("doc_vectors")
PARAMS = ("doc_vectors.{name}",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the vectors, a key of doc_vectors")
    parser.add_argument("--texts", required=True, nargs="+", help="reviews (.parquet) learned from: training first")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): vectors inferred, never learned")
    parser.add_argument("--train-vectors", required=True, help="the training reviews' vectors (.npy, float32)")
    parser.add_argument("--test-vectors", required=True, help="the test reviews' vectors (.npy, float32)")
    args = parser.parse_args()
    name = args.name
    settings = params.load(*(key.format(name=name) for key in PARAMS))
    learned, test = [read_texts(path) for path in args.texts], read_texts(args.test)
    texts, copies = without_test_texts([text for part in learned for text in part], test)  # no test review's text
    log.info("%d texts; %d left out, word for word test reviews", len(texts), copies)
    start = time.perf_counter()
    model = train_doc_vectors(texts, settings)
    trained = time.perf_counter() - start
    inferred = (learned[0], args.train_vectors, "training"), (test, args.test_vectors, "test")
    for reviews, out, what in inferred:
        vectors = infer(model, reviews, settings.ngrams, f"the {what} reviews")
        with atomic_path(out, suffix=".npy") as tmp:
            np.save(tmp, vectors)
    seconds = time.perf_counter() - start
    timings.record(f"doc_vectors@{name}", train_seconds=trained, infer_seconds=seconds - trained)
    log.info("%s: %d texts learned in %.0f s; vectors inferred in %.0f s", name, len(texts), trained, seconds - trained)


if __name__ == "__main__":
    run_stage(main)
