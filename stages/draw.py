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

With `--every-draw` (`draws_nbsvm_taught@<name>`, the opt-in doc_taught
group), one stage runs every draw of `draws.nbsvm_pseudo` in turn: DVC's
matrix cannot name the document vectors an experiment reads.

The name and k come from DVC_STAGE, which `dvc repro` sets, and fill each
`{name}` and `{k}` (imdb_embeddings/core/stage_item.py): no name reaches a shell.
"""

import argparse
import logging

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.columns import read_labels
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics
from imdb_embeddings.core.settings import nbsvm_experiment
from imdb_embeddings.core.stage_item import fill, fill_paths, stage_item
from imdb_embeddings.nbsvm.experiment import fit_experiment, load_teacher, teacher_files_problem
from imdb_embeddings.nbsvm.features_file import load_matrix, load_training

log = logging.getLogger("draw")
PARAMS = ("nbsvm.{group}.{name}",)  # the experiment's own keys: the draw's index is its stage's item
OPTION_PARAMS = {"--every-draw": ("draws.nbsvm_pseudo",)}  # read only when the command passes the option


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    groups = ["pseudo_labelled", "doc_taught"]
    parser.add_argument("group", choices=groups, help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("--train", required=True, help="the training reviews (.parquet): their labels")
    parser.add_argument("--features", required=True, help="their n-gram features (.npz, stage ngram_features)")
    parser.add_argument("--vectors", help="pseudo_labelled: the teacher's word vectors (.npy)")
    parser.add_argument("--vocabulary", help="pseudo_labelled: their words, in row order (.json)")
    parser.add_argument("--review-vectors", help="doc_taught: the teacher's vector of each training review (.npy)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--test-features", required=True, help="their n-gram matrix (.npz, stage ngram_features)")
    parser.add_argument("--point", required=True, help="the draw's result (.json; {k}: the draw)")
    parser.add_argument("--every-draw", action="store_true", help="every draw of draws.nbsvm_pseudo, in turn")
    args = parser.parse_args()
    problem = teacher_files_problem(args.group, args)
    if problem:
        parser.error(problem)
    item = stage_item(("name",) if args.every_draw else ("name", "k"))
    name = str(item["name"])
    keys = [key.format(group=args.group, name=name) for key in PARAMS]
    p = params.load(keys=keys + list(OPTION_PARAMS["--every-draw"] if args.every_draw else ()))
    settings = nbsvm_experiment(p, args.group, name)
    draws = p.draws.nbsvm_pseudo if args.every_draw else [item["k"]]
    if min(draws) < 1:
        raise PipelineError(f"{name} draw {min(draws)}: 1 or more (draw 0 is the experiment itself, stage train_nbsvm)")
    fill_paths(args, {"name": name, "k": "{k}", "vectors": getattr(settings, "vectors", "")})  # {k}: a draw's

    labels = read_labels(args.train).astype(np.int64)
    teacher = load_teacher(args.group, args.vectors, args.vocabulary, args.review_vectors)
    text = load_training(args.features)
    test_labels, test = read_labels(args.test), load_matrix(args.test_features, len(text.features.keys))
    for k in draws:
        drawn = settings.model_copy(update={"seed": settings.seed + k})
        model, summary, seconds = fit_experiment(text, labels, drawn, teacher, f"nbsvm.{args.group}.{name}")
        test_loss, test_accuracy = binary_metrics(test_labels, model.logits_of_matrix(test))
        point = {
            "draw": k,
            "seed": drawn.seed,
            "test_accuracy": round(test_accuracy, 6),
            "test_loss": round(test_loss, 6),
            **summary,
        }
        write_json(fill(args.point, {"k": k}), point)
        timings.record(f"draw@{name}-{k}", train_seconds=seconds)
        log.info("%s draw %d (seed %d): test accuracy %.4f", name, k, drawn.seed, test_accuracy)


if __name__ == "__main__":
    run_stage(main)
