"""Stage train_nbsvm (`train_nbsvm@<name>`, `train_nbsvm_pseudo@<name>`,
`train_nbsvm_taught@<name>`): an NBSVM on word 1..n-grams of the whole
training vocabulary (imdb_embeddings/nbsvm/). A pseudo_labelled or doc_taught
experiment fits a teacher on its few labels first; no test text is read.

    python -m stages.train_nbsvm <group> <name> data/prepared/train.parquet [--features ... teacher files] \
        --model data/models/<name>.npz --fit data/models/<name>.fit.json
"""

import argparse
import logging
import time

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.nbsvm.experiment import fit_experiment, load_teacher, teacher_files_problem, training_text
from imdb_embeddings.nbsvm.features_file import load_training
from imdb_embeddings.text.batches import text_batches
from imdb_embeddings.text.columns import read_labels

log = logging.getLogger("train_nbsvm")
PARAMS = ("nbsvm.{group}.{name}",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS, help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("name", help="the experiment")
    parser.add_argument("train", help="the training reviews (.parquet)")
    parser.add_argument("--features", help="pseudo_labelled, doc_taught: the n-gram features (stage ngram_features)")
    parser.add_argument("--vectors", help="pseudo_labelled: the teacher's word vectors (.npy)")
    parser.add_argument("--vocabulary", help="pseudo_labelled: their words, in row order (.json)")
    parser.add_argument("--review-vectors", help="doc_taught: the teacher's vector of each training review (.npy)")
    parser.add_argument("--model", required=True, help="the self-contained n-gram model (.npz)")
    parser.add_argument("--fit", required=True, help="the fit's summary (.json)")
    args = parser.parse_args()
    problem = teacher_files_problem(args.group, args)
    if problem or (args.features is None) != (args.group == "labelled"):
        parser.error(problem or "--features goes with a pseudo_labelled or doc_taught experiment, and only with one")
    settings = params.load(*(key.format(**vars(args)) for key in PARAMS))
    where = f"nbsvm.{args.group}.{args.name}"

    start = time.perf_counter()
    labels = read_labels(args.train).astype(np.int64)
    teacher = load_teacher(args.group, args.vectors, args.vocabulary, args.review_vectors)
    if teacher is not None:
        text = load_training(args.features)  # counted once by stage ngram_features
    else:
        text = training_text(text_batches(args.train), settings.ngrams, settings.min_df, keep_ids=False)
    model, summary, _ = fit_experiment(text, labels, settings, teacher, where)
    seconds = time.perf_counter() - start  # the whole fit: reading, (counting,) teacher, regression
    model.save(args.model)
    write_json(args.fit, summary)
    timings.record(f"train@{args.name}", train_seconds=seconds)
    log.info("%s: fitted in %.1f s; %s", args.name, seconds, ", ".join(f"{k} {v}" for k, v in summary.items()))


if __name__ == "__main__":
    run_stage(main)
