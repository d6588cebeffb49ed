"""Stage draw (`draw_nbsvm_pseudo@<name>-<k>`): label draw k of an NBSVM
experiment, fitted again with its labelled reviews drawn by seed + k, and its
P(positive) of each test review; evaluate_nbsvm gathers the draws. With
`--every-draw` (`draws_nbsvm_taught@<name>`), every draw of draws.nbsvm_pseudo.

    python -m stages.draw <group> <name> (--draw <k> | --every-draw) data/prepared/train.parquet \
        data/features/<name> [teacher files] data/draws/<name>
"""

import argparse
import logging
from pathlib import Path

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.nbsvm.experiment import fit_experiment, load_teacher, teacher_files_problem
from imdb_embeddings.nbsvm.features_file import load_matrix, load_training
from imdb_embeddings.serving.output import probability
from imdb_embeddings.text.columns import read_labels

log = logging.getLogger("draw")
PARAMS = ("nbsvm.{group}.{name}",)  # the experiment's own keys: the draw's index is its stage's item
OPTION_PARAMS = {"--every-draw": ("draws.nbsvm_pseudo",)}  # read only when the command passes the option


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS[1:], help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("name", help="the experiment")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--draw", type=int, help="the draw k (seed + k)")
    which.add_argument("--every-draw", action="store_true", help="every draw of draws.nbsvm_pseudo, in turn")
    parser.add_argument("train", help="the training reviews (.parquet): their labels")
    parser.add_argument("features", help="the folder of train.npz and test.npz (stage ngram_features)")
    parser.add_argument("--vectors", help="pseudo_labelled: the teacher's word vectors (.npy)")
    parser.add_argument("--vocabulary", help="pseudo_labelled: their words, in row order (.json)")
    parser.add_argument("--review-vectors", help="doc_taught: the teacher's vector of each training review (.npy)")
    parser.add_argument("out", help="the folder of <k>.npy (P(positive) of each test review) and <k>.json")
    args = parser.parse_args()
    problem = teacher_files_problem(args.group, args)
    if problem:
        parser.error(problem)
    keys = [key.format(**vars(args)) for key in PARAMS] + list(OPTION_PARAMS["--every-draw"] if args.every_draw else ())
    settings, draws = params.load(*keys) if args.every_draw else (params.load(*keys), [args.draw])
    if not 1 <= min(draws) <= max(draws) <= params.MAX_DRAWS:
        raise PipelineError(f"{args.name}: draws go from 1 to {params.MAX_DRAWS} (draw 0 is the experiment itself)")

    labels = read_labels(args.train).astype(np.int64)
    teacher = load_teacher(args.group, args.vectors, args.vocabulary, args.review_vectors)
    text = load_training(Path(args.features) / "train.npz")
    test = load_matrix(Path(args.features) / "test.npz", len(text.features.keys))
    for k in draws:
        drawn = settings.model_copy(update={"seed": settings.seed + k})
        model, summary, seconds = fit_experiment(text, labels, drawn, teacher, f"nbsvm.{args.group}.{args.name}")
        with atomic_path(Path(args.out) / f"{k}.npy", suffix=".npy") as tmp:
            np.save(tmp, probability(model.logits_of_matrix(test)))
        write_json(Path(args.out) / f"{k}.json", {"draw": k, "seed": drawn.seed, **summary})
        timings.record(f"draw@{args.name}-{k}", train_seconds=seconds)
        log.info("%s draw %d (seed %d): fitted in %.1f s", args.name, k, drawn.seed, seconds)


if __name__ == "__main__":
    run_stage(main)
