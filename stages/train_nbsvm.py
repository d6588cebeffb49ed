"""Stage train_nbsvm (`train_nbsvm@<name>`, `train_nbsvm_pseudo@<name>`): fit an
NBSVM on word 1..n-grams of the whole training vocabulary (imdb_embeddings/nbsvm/).

A `labelled` experiment fits on `train_samples` labelled reviews. A
`pseudo_labelled` one has only `train_samples` labels (200 for few_labels): a
teacher on the in-domain word vectors (stage word2vec) is fitted on them,
labels the other training texts (neither the labelled nor the validation
reviews), and NBSVM is fitted on the labelled reviews plus the teacher's
`pseudo_labels` most confident texts of each class. No test text is read.
Writes the self-contained model and `data/models/<name>.fit.json` (labelled
reviews, fitting time, validation accuracy), which `evaluate_nbsvm` puts
into `metrics/<name>.json`.

    python -m stages.train_nbsvm <group> <name>     # group: labelled or pseudo_labelled
"""

import argparse
import json
import logging
import time
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.splits import split_indices
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.features import MAX_VOCABULARY
from imdb_embeddings.nbsvm.teacher import confident, fit_teacher, review_vectors
from imdb_embeddings.text.tokenizer import fit_and_encode

log = logging.getLogger("train_nbsvm")
PARAMS = ("nbsvm.{0}.{1}",)
TRAIN = "data/prepared/train.parquet"
# The teacher's word vectors, rows in the order of the tokenize stage's vocabulary.
VECTORS, VECTOR_WORDS = "data/embedding/word2vec.npy", "data/tokenized/vocab.json"
ALL_WORDS = MAX_VOCABULARY + 1  # every training word (~75,000): max_words counts the padding index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS, help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("name", help="the experiment, a key of nbsvm.<group>")
    args = parser.parse_args()
    p = params.load(keys=[key.format(args.group, args.name) for key in PARAMS])
    settings = params.nbsvm_experiment(p, args.group, args.name)
    where = f"nbsvm.{args.group}.{args.name}"

    train = pq.read_table(TRAIN, columns=["text", "label"]).to_pydict()
    labels = np.asarray(train["label"], dtype=np.int64)
    labelled, validation = split_indices(len(labels), settings, where)
    teacher_inputs = None
    if args.group == "pseudo_labelled":
        with open(VECTOR_WORDS, encoding="utf-8") as f:
            teacher_inputs = (json.load(f), np.load(VECTORS))

    start = time.perf_counter()  # fitting: tokenizing, n-grams, teacher, regression
    vocabulary, ids, offsets = fit_and_encode(train["text"], ALL_WORDS)
    features = nbsvm.Features(ids, offsets, vocabulary, settings["ngrams"], settings["min_df"])
    rows, targets, summary = labelled, labels[labelled], {}
    if teacher_inputs is not None:
        rows, targets, summary = pseudo_label(
            settings, where, labels, labelled, validation, (ids, offsets, vocabulary, *teacher_inputs)
        )
    try:
        model = nbsvm.fit(features, rows, targets, settings["c"], settings["seed"])
    except ValueError as exc:
        raise PipelineError(f"{where}: cannot fit on {len(rows)} reviews: {exc}") from None
    seconds = time.perf_counter() - start

    if len(validation):
        summary["validation_accuracy"] = nbsvm.accuracy(model, features, validation, labels[validation])
    summary = nbsvm.describe(
        train_samples=len(labelled),
        validation_samples=len(validation),
        train_seconds=seconds,
        ngram_features=len(model.keys),
        **summary,
    )
    model.save(f"data/models/{args.name}.npz")
    write_json(f"data/models/{args.name}.fit.json", summary)
    log.info("%s: %s", args.name, ", ".join(f"{k} {v}" for k, v in summary.items()))


def pseudo_label(
    settings: dict[str, Any],
    where: str,
    labels: np.ndarray,
    labelled: np.ndarray,
    validation: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray, list[str], list[str], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(rows, labels, summary): the labelled reviews with their labels, and
    the teacher's most confident other training texts with its labels."""
    ids, offsets, vocabulary, vector_words, vectors = inputs
    x = review_vectors(ids, offsets, vocabulary, vector_words, vectors)
    if len(np.unique(labels[labelled])) < 2:
        raise PipelineError(f"{where}: the {len(labelled)} labelled reviews are all of one class; take more")
    teacher = fit_teacher(x[labelled], labels[labelled], settings["teacher_c"])
    pool = np.setdiff1d(np.arange(len(labels)), np.concatenate([labelled, validation]))
    per_class = settings["pseudo_labels"]
    if 2 * per_class > len(pool):
        raise PipelineError(
            f"params.yaml: {where}.pseudo_labels is {per_class} per class, but only {len(pool)} "
            "training texts are neither labelled nor validation"
        )
    chosen, pseudo = confident(teacher.decision_function(x[pool]), per_class)
    summary = {
        "pseudo_labels": int(len(chosen)),
        # Measured, never used: how often the teacher's labels are right.
        "pseudo_label_accuracy": float(np.mean(pseudo == labels[pool[chosen]])),
    }
    if len(validation):
        summary["teacher_validation_accuracy"] = float(np.mean(teacher.predict(x[validation]) == labels[validation]))
    return np.concatenate([labelled, pool[chosen]]), np.concatenate([labels[labelled], pseudo]), summary


if __name__ == "__main__":
    run_stage(main)
