"""Stage train (`train_learned@<name>`, `train_glove@<name>`, `train_word2vec@<name>`): fit one
experiment's model on a seeded sample of the training reviews, log its
per-epoch history with DVCLive, and save the model (imdb_embeddings/modeling/).

    DVC_STAGE=train_<group>@<name> python -m stages.train <group> --sequences data/tokenized/train.npz \
        --vocabulary data/tokenized/vocab.json [--matrix data/embedding/<group>.npy] \
        --keras data/models/{name}.keras --export data/models/{name}.npz --fit data/models/{name}.fit.json \
        --log dvclive/{name}

group: learned, glove or word2vec (whose pre-trained `--matrix` the model starts from).
The experiment's name comes from DVC_STAGE, which `dvc repro` sets, and
fills each `{name}` (imdb_embeddings/core/stage_item.py): no name reaches a shell.
"""

import argparse
import json

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.settings import experiment as experiment_settings
from imdb_embeddings.core.splits import split_indices
from imdb_embeddings.core.stage_item import fill_paths, stage_item
from imdb_embeddings.modeling import distribute
from imdb_embeddings.modeling.families import FAMILIES
from imdb_embeddings.modeling.inference import export_weights
from imdb_embeddings.modeling.saving import save_model
from imdb_embeddings.modeling.training import train
from imdb_embeddings.text.model_input import input_spec, training_data
from imdb_embeddings.text.sequences import load_sequences

# What this stage reads of params.yaml (of its group, of its experiment);
# dvc.yaml declares the same (tests/test_dependencies.py holds them equal).
PARAMS = ("train", "tokenize.max_words", "experiments.{group}.{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=params.EMBEDDINGS, help="the experiment's group in params.yaml")
    parser.add_argument("--sequences", required=True, help="the training reviews' sequences (.npz)")
    parser.add_argument("--vocabulary", required=True, help="the tokenizer's vocabulary (.json), saved with the model")
    parser.add_argument("--matrix", help="the pre-trained embedding matrix (.npy): glove and word2vec only")
    parser.add_argument("--keras", required=True, help="the Keras model (.keras)")
    parser.add_argument("--export", required=True, help="the self-contained model (.npz)")
    parser.add_argument("--fit", required=True, help="the fit's summary (.json): labelled reviews, epochs")
    parser.add_argument("--log", required=True, help="DVCLive's folder")
    args = parser.parse_args()
    if (args.matrix is None) != (args.group == "learned"):
        parser.error("--matrix goes with a glove or word2vec experiment, and only with one")
    name = str(stage_item(("name",))["name"])  # a key of experiments.<group>
    fill_paths(args, {"name": name})
    p = params.load(keys=[key.format(group=args.group, name=name) for key in PARAMS])
    experiment = experiment_settings(p, args.group, name)

    sequences = load_sequences(args.sequences)
    split = split_indices(len(sequences[2]), experiment, f"experiments.{args.group}.{name}")
    spec = input_spec(experiment, p.tokenize.max_words, FAMILIES[experiment.model].ngram_input)
    data = training_data(sequences, spec, split)
    matrix = None if args.matrix is None else np.load(args.matrix)

    # TensorFlow is imported (inside `train`) only now that the inputs are known to be good.
    fitted = train(experiment, name, p.tokenize.max_words, data, matrix, args.log)
    if not distribute.is_chief():
        print(f"{name}: not the chief worker; the chief writes the model and its logs")
        return
    save_model(fitted.model, args.keras)
    with open(args.vocabulary, encoding="utf-8") as f:
        vocabulary = json.load(f)
    # The self-contained model: weights, vocabulary, text rules, input spec.
    export_weights(fitted.model, args.export, spec, vocabulary, keras_file=args.keras)
    # What the fit used (labelled reviews in all), for evaluate's metrics; its time is not an output.
    summary = {"train_samples": len(split.train), "validation_samples": len(split.validation)}
    write_json(args.fit, {**summary, "epochs": len(fitted.history["loss"])})
    timings.record(f"train@{name}", train_seconds=fitted.seconds)


if __name__ == "__main__":
    run_stage(main, quick_exit=True)
