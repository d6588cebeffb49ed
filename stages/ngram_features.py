"""Stage ngram_features (`ngram_features@<name>`): a pseudo_labelled or
doc_taught experiment's n-grams, counted once for its fit and each label
draw (imdb_embeddings/nbsvm/features_file.py): the training texts' 1..n-grams
in at least `min_df` texts, and the test texts over the same n-grams.

    python -m stages.ngram_features <group> <name> data/prepared/train.parquet data/prepared/test.parquet \
        data/features/<name>
"""

import argparse
import logging
import time
from pathlib import Path

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.nbsvm.experiment import training_text
from imdb_embeddings.nbsvm.features_file import matrix_of, save_matrix, save_training
from imdb_embeddings.text.batches import text_batches
from imdb_embeddings.text.columns import copied_from_test, read_texts
from imdb_embeddings.text.tokenizer import encode

log = logging.getLogger("ngram_features")
PARAMS = ("nbsvm.{group}.{name}.ngrams", "nbsvm.{group}.{name}.min_df")  # not the fit's keys: no recount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS[1:], help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("name", help="the experiment")
    parser.add_argument("train", help="the training reviews (.parquet): their texts")
    parser.add_argument("test", help="the test reviews (.parquet): their texts")
    parser.add_argument("out", help="the folder of train.npz (the training features) and test.npz (a matrix)")
    args = parser.parse_args()
    ngrams, min_df = params.load(*(key.format(**vars(args)) for key in PARAMS))
    start = time.perf_counter()
    text = training_text(text_batches(args.train), ngrams, min_df)
    test_texts = read_texts(args.test)
    text = text._replace(test_copies=copied_from_test(read_texts(args.train), test_texts))  # no pool takes them
    ids, offsets = encode(test_texts, text.vocabulary, keep_unknown=True)[:2]
    save_training(text, Path(args.out) / "train.npz")
    save_matrix(matrix_of(text.features, ids, offsets), Path(args.out) / "test.npz")
    timings.record(f"ngram_features@{args.name}", train_seconds=time.perf_counter() - start)
    log.info("%s: %d n-grams; %d training and %d test reviews", args.name, len(text.features.keys),
             len(text.offsets) - 1, len(offsets) - 1)  # fmt: skip


if __name__ == "__main__":
    run_stage(main)
