"""Stage train (`train_<group>@<name>`): one Keras experiment fitted on a
seeded sample of the training reviews, its epochs logged with DVCLive, and
the self-contained model saved (imdb_embeddings/modeling/).

    python -m stages.train <group> <name> data/tokenized/train.npz data/tokenized/vocab.json \
        [--matrix data/embedding/<group>.npy] --model ... --fit ... --log dvclive/<name> --history ...
"""

import argparse
import json

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.modeling import distribute
from imdb_embeddings.modeling.export import export_weights
from imdb_embeddings.modeling.families import FAMILIES
from imdb_embeddings.modeling.training import train, write_history
from imdb_embeddings.splits import split_indices
from imdb_embeddings.text.model_input import input_spec, training_data
from imdb_embeddings.text.sequences import load_sequences

# What this stage reads of params.yaml; dvc.yaml declares the same (tests/test_dependencies.py).
PARAMS = ("train", "tokenize.max_words", "experiments.{group}.{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.EMBEDDINGS, help="the experiment's group in params.yaml")
    parser.add_argument("name", help="the experiment")
    parser.add_argument("sequences", help="the training reviews' sequences (.npz)")
    parser.add_argument("vocabulary", help="the tokenizer's vocabulary (.json), saved with the model")
    parser.add_argument("--matrix", help="the pre-trained embedding matrix (.npy): glove and word2vec only")
    parser.add_argument("--model", required=True, help="the self-contained model (.npz)")
    parser.add_argument("--fit", required=True, help="the fit's summary (.json): labelled reviews, epochs")
    parser.add_argument("--log", required=True, help="DVCLive's folder")
    parser.add_argument("--history", required=True, help="loss and accuracy per epoch, for `dvc plots` (.csv)")
    args = parser.parse_args()
    if (args.matrix is None) != (args.group == "learned"):
        parser.error("--matrix goes with a glove or word2vec experiment, and only with one")
    _, max_words, experiment = params.load(*(key.format(**vars(args)) for key in PARAMS))

    sequences = load_sequences(args.sequences)
    split = split_indices(len(sequences[2]), experiment, f"experiments.{args.group}.{args.name}")
    spec = input_spec(experiment, max_words, FAMILIES[experiment.model].ngram_input)
    data = training_data(sequences, spec, split)
    matrix = None if args.matrix is None else np.load(args.matrix)

    # TensorFlow is imported (inside `train`) only now that the inputs are known to be good.
    fitted = train(experiment, args.name, max_words, data, matrix, args.log)
    if not distribute.is_chief():
        print(f"{args.name}: not the chief worker; the chief writes the model and its logs")
        return
    with open(args.vocabulary, encoding="utf-8") as f:
        vocabulary = json.load(f)
    export_weights(fitted.model, args.model, spec, vocabulary)  # weights, vocabulary, text rules, input spec
    write_history(fitted.history, args.history)
    # What the fit used (labelled reviews in all), for evaluate's metrics; its time is not an output.
    summary = {"train_samples": len(split.train), "validation_samples": len(split.validation)}
    write_json(args.fit, {**summary, "epochs": len(fitted.history["loss"])})
    timings.record(f"train@{args.name}", train_seconds=fitted.seconds)


if __name__ == "__main__":
    run_stage(main, quick_exit=True)
