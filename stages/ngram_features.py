"""Stage ngram_features (`ngram_features@<name>`): the n-gram features of a
`pseudo_labelled` experiment, once, for its fit and each of its label draws
(imdb_embeddings/nbsvm/features_file.py): the training texts tokenized with
every word and their 1..n-grams counted (those in at least `min_df` texts
kept), and the test texts over the same n-grams.

    DVC_STAGE=ngram_features@<name> python -m stages.ngram_features pseudo_labelled \
        --train data/prepared/train.parquet --test data/prepared/test.parquet \
        --features data/features/{name}/train.npz --test-features data/features/{name}/test.npz

The experiment's name comes from DVC_STAGE, which `dvc repro` sets, and
fills each `{name}` (imdb_embeddings/core/stage_item.py): no name reaches a shell.
"""

import argparse
import logging
import time

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.columns import read_texts
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.settings import nbsvm_experiment
from imdb_embeddings.core.stage_item import fill_paths, stage_item
from imdb_embeddings.nbsvm.experiment import training_text
from imdb_embeddings.nbsvm.features_file import matrix_of, save_matrix, save_training
from imdb_embeddings.text.batches import text_batches
from imdb_embeddings.text.tokenizer import encode

log = logging.getLogger("ngram_features")
PARAMS = (
    "nbsvm.{group}.{name}.ngrams",
    "nbsvm.{group}.{name}.min_df",
)  # not the fitting's keys: they rerun no counting


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS, help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("--train", required=True, help="the training reviews (.parquet): their texts")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their texts")
    parser.add_argument("--features", required=True, help="the training features (.npz)")
    parser.add_argument("--test-features", required=True, help="the test reviews' n-gram matrix (.npz)")
    args = parser.parse_args()
    args.name = stage_item(("name",))["name"]  # a key of nbsvm.<group>
    fill_paths(args, {"name": args.name})
    p = params.load(keys=[key.format(group=args.group, name=args.name) for key in PARAMS])
    spec = nbsvm_experiment(p, args.group, args.name)
    start = time.perf_counter()
    text = training_text(text_batches(args.train), spec.ngrams, spec.min_df)
    test = read_texts(args.test)
    ids, offsets = encode(test, text.vocabulary, keep_unknown=True)[:2]
    matrix = matrix_of(text.features, ids, offsets)
    save_training(text, args.features)
    save_matrix(matrix, args.test_features)
    timings.record(f"ngram_features@{args.name}", train_seconds=time.perf_counter() - start)
    log.info(
        "%s: %d n-grams; %d training and %d test reviews",
        args.name,
        len(text.features.keys),
        len(text.offsets) - 1,
        len(offsets) - 1,
    )


if __name__ == "__main__":
    run_stage(main)
