"""Stage train_nbsvm (`train_nbsvm@<name>`, `train_nbsvm_pseudo@<name>`): fit an
NBSVM on word 1..n-grams of the whole training vocabulary (imdb_embeddings/nbsvm/).

A `labelled` experiment fits on `train_samples` labelled reviews. A
`pseudo_labelled` one has only `train_samples` labels (200 for few_labels): a
teacher on the in-domain word vectors (stage word2vec) is fitted on them,
labels the other training texts (neither the labelled nor the validation
reviews), and NBSVM is fitted on the labelled reviews plus the teacher's
`pseudo_labels` most confident texts of each class. No test text is read.
Writes the self-contained model and `data/models/<name>.fit.json` (labelled
reviews, fitting time, validation accuracy), which `evaluate` puts
into `metrics/<name>.json`.

    python -m stages.train_nbsvm <group> <name> --train data/prepared/train.parquet \
        [--vectors data/embedding/word2vec.npy --vocabulary data/tokenized/vocab.json] \
        --model data/models/<name>.npz --fit data/models/<name>.fit.json

group: labelled, or pseudo_labelled (whose teacher needs the word vectors and
their vocabulary).
"""

import argparse
import json
import logging
import time

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.splits import split_indices
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.exact_ngrams import MAX_VOCABULARY
from imdb_embeddings.nbsvm.teacher import Training, pseudo_labelled, review_vectors
from imdb_embeddings.text.tokenizer import fit_and_encode

log = logging.getLogger("train_nbsvm")
PARAMS = ("nbsvm.{0}.{1}",)
ALL_WORDS = MAX_VOCABULARY + 1  # every training word (~75,000): max_words counts the padding index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.NBSVM_GROUPS, help="the experiment's group in params.yaml's nbsvm")
    parser.add_argument("name", help="the experiment, a key of nbsvm.<group>")
    parser.add_argument("--train", required=True, help="the training reviews (.parquet)")
    parser.add_argument("--vectors", help="pseudo_labelled: the teacher's word vectors (.npy)")
    parser.add_argument("--vocabulary", help="pseudo_labelled: their words, in row order (.json)")
    parser.add_argument("--model", required=True, help="the self-contained n-gram model (.npz)")
    parser.add_argument("--fit", required=True, help="the fit's summary (.json)")
    args = parser.parse_args()
    if (args.vectors is None or args.vocabulary is None) != (args.group == "labelled"):
        parser.error("--vectors and --vocabulary go with a pseudo_labelled experiment, and only with one")
    p = params.load(keys=[key.format(args.group, args.name) for key in PARAMS])
    settings = params.nbsvm_experiment(p, args.group, args.name)
    where = f"nbsvm.{args.group}.{args.name}"

    train = pq.read_table(args.train, columns=["text", "label"]).to_pydict()
    labels = np.asarray(train["label"], dtype=np.int64)
    labelled, validation = split_indices(len(labels), settings, where)
    teacher_inputs = None
    if args.group == "pseudo_labelled":
        with open(args.vocabulary, encoding="utf-8") as f:
            teacher_inputs = (json.load(f), np.load(args.vectors))

    start = time.perf_counter()  # fitting: tokenizing, n-grams, teacher, regression
    vocabulary, ids, offsets = fit_and_encode(train["text"], ALL_WORDS)
    features = nbsvm.Features(ids, offsets, vocabulary, settings.ngrams, settings.min_df)
    training = Training(labelled, labels[labelled], {})
    if teacher_inputs is not None:
        x = review_vectors(ids, offsets, vocabulary, *teacher_inputs)
        training = pseudo_labelled(x, labels, labelled, validation, settings, where)
    try:
        model = nbsvm.fit(features, training.rows, training.labels, settings.c, settings.seed)
    except ValueError as exc:
        raise PipelineError(f"{where}: cannot fit on {len(training.rows)} reviews: {exc}") from None
    summary = training.summary
    seconds = time.perf_counter() - start

    if len(validation):
        summary["validation_accuracy"] = nbsvm.accuracy(model, features, validation, labels[validation])
    summary = nbsvm.describe(
        train_samples=len(labelled),
        validation_samples=len(validation),
        ngram_features=len(model.keys),
        **summary,
    )
    model.save(args.model)
    write_json(args.fit, summary)
    timings.record(f"train@{args.name}", train_seconds=seconds)
    log.info("%s: fitted in %.1f s; %s", args.name, seconds, ", ".join(f"{k} {v}" for k, v in summary.items()))


if __name__ == "__main__":
    run_stage(main)
