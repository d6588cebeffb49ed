"""Stage draw (`draw_nbsvm_pseudo@<name>-<k>`): label draw k of an NBSVM
experiment, the experiment fitted again with its labelled reviews (and its
fitting) seeded by its seed + k instead of its seed, and measured on the test
reviews; `evaluate` gathers the draws into the experiment's metrics (mean,
std, 95% interval: imdb_embeddings/core/spread.py). Draw 0 is the experiment
itself (stage train_nbsvm); each other draw is a stage of its own, so adding
draws (params.yaml `draws`) runs only the new ones. Keeps no model.

    DVC_STAGE=draw_nbsvm_pseudo@<name>-<k> python -m stages.draw pseudo_labelled \
        --train data/prepared/train.parquet \
        --features data/features/{name}/train.npz --test-features data/features/{name}/test.npz \
        --vectors data/embedding/word2vec.npy --vocabulary data/tokenized/vocab.json \
        --test data/prepared/test.parquet --point data/draws/{name}/{k}.json

The name and k come from DVC_STAGE, which `dvc repro` sets, and fill each
`{name}` and `{k}` (imdb_embeddings/core/stage_item.py): no name reaches a shell.
"""

import argparse
import json
import logging

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.columns import read_labels
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics
from imdb_embeddings.core.settings import nbsvm_experiment
from imdb_embeddings.core.stage_item import fill_paths, stage_item
from imdb_embeddings.nbsvm.experiment import TeacherInput, fit_experiment
from imdb_embeddings.nbsvm.features_file import load_matrix, load_training

log = logging.getLogger("draw")
PARAMS = ("nbsvm.{group}.{name}",)  # the experiment's own keys: the draw's index is its stage's item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=["pseudo_labelled"], help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("--train", required=True, help="the training reviews (.parquet): their labels")
    parser.add_argument("--features", required=True, help="their n-gram features (.npz, stage ngram_features)")
    parser.add_argument("--vectors", required=True, help="the teacher's word vectors (.npy)")
    parser.add_argument("--vocabulary", required=True, help="their words, in row order (.json)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--test-features", required=True, help="their n-gram matrix (.npz, stage ngram_features)")
    parser.add_argument("--point", required=True, help="the draw's result (.json)")
    args = parser.parse_args()
    item = stage_item(("name", "k"))
    args.name, args.draw = item["name"], item["k"]
    if args.draw < 1:
        raise PipelineError(
            f"{args.name} draw {args.draw}: 1 or more (draw 0 is the experiment itself, stage train_nbsvm)"
        )
    fill_paths(args, item)
    p = params.load(keys=[key.format(group=args.group, name=args.name) for key in PARAMS])
    settings = nbsvm_experiment(p, args.group, args.name)
    settings = settings.model_copy(update={"seed": settings.seed + args.draw})
    where = f"nbsvm.{args.group}.{args.name}"

    labels = read_labels(args.train).astype(np.int64)
    with open(args.vocabulary, encoding="utf-8") as f:
        teacher = TeacherInput(json.load(f), np.load(args.vectors))
    text = load_training(args.features)
    model, summary, seconds = fit_experiment(text, labels, settings, teacher, where)
    test_labels = read_labels(args.test)
    test = load_matrix(args.test_features, len(model.keys))
    test_loss, test_accuracy = binary_metrics(test_labels, model.logits_of_matrix(test))
    point = {
        "draw": args.draw,
        "seed": settings.seed,
        "test_accuracy": round(test_accuracy, 6),
        "test_loss": round(test_loss, 6),
        **summary,
    }
    write_json(args.point, point)
    timings.record(f"draw@{args.name}-{args.draw}", train_seconds=seconds)
    log.info("%s draw %d (seed %d): test accuracy %.4f", args.name, args.draw, settings.seed, test_accuracy)


if __name__ == "__main__":
    run_stage(main)
