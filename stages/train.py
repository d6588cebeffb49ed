"""Stage train (one per experiment): fit the experiment's model on a seeded
sample of the training reviews and keep its per-epoch history for `dvc plots`.

As in the reference, the training and validation samples are disjoint slices
of one shuffled order of the 25,000 training reviews (reference 1: 20,000 +
5,000, i.e. a 20% validation split; reference 2: 200 + 10,000).
"""
import argparse
import csv
import io
import logging
import os

import numpy as np

from stages import cli, distribute, params
from stages.cli import PipelineError
from stages.files import atomic_path
from stages.padding import pad_sequences
from stages.tokenize import load_sequences

log = logging.getLogger("train")
SEQUENCES = "data/tokenized/train.npz"
MATRIX = "data/embedding/matrix.npy"
HISTORY_KEYS = ("accuracy", "loss", "val_accuracy", "val_loss")
# Validation only predicts, so its batch size changes no weight: a large one
# makes the 10,000-review validation of reference 2 cheap at every epoch.
VALIDATION_BATCH_SIZE = 1024


def model_path(name):
    return f"data/models/{name}.keras"


def weights_path(name):
    """The model's layers and weights as plain arrays, for `evaluate`."""
    return f"data/models/{name}.npz"


def history_path(name):
    return f"plots/{name}.csv"


def split_indices(n, experiment, name):
    """Disjoint (train, validation) row indices from a seeded permutation."""
    wanted = experiment["train_samples"] + experiment["validation_samples"]
    if wanted > n:
        raise PipelineError(
            f"params.yaml: experiments.{name}.train_samples + validation_samples = {wanted}, "
            f"but there are only {n} training reviews"
        )
    order = np.random.default_rng(experiment["seed"]).permutation(n)
    cut = experiment["train_samples"]
    return order[:cut], order[cut:wanted]


def write_history(dest, history):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("epoch",) + HISTORY_KEYS)
    for epoch, values in enumerate(zip(*(history[k] for k in HISTORY_KEYS)), 1):
        writer.writerow((epoch,) + tuple(f"{float(v):.6f}" for v in values))
    with atomic_path(dest) as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")


def read_history(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def experiment_from_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", help="a key of `experiments` in params.yaml")
    name = parser.parse_args(argv).experiment
    p = params.load()
    if name not in p["experiments"]:
        raise PipelineError(f"params.yaml: no experiment {name!r}; known: {', '.join(p['experiments'])}")
    return p, name, params.experiment(p, name)


def main():
    p, name, experiment = experiment_from_args()
    max_words = p["tokenize"]["max_words"]
    tokens, offsets, labels = load_sequences(SEQUENCES)
    train_rows, val_rows = split_indices(len(labels), experiment, name)
    maxlen = experiment["maxlen"]
    x_train, y_train = pad_sequences(tokens, offsets, maxlen, train_rows), labels[train_rows]
    x_val, y_val = pad_sequences(tokens, offsets, maxlen, val_rows), labels[val_rows]

    # TensorFlow is imported only now that the inputs are known to be good.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no C++ start-up chatter
    import keras
    import tensorflow as tf

    from stages.inference import export_weights
    from stages.model import STEPS_PER_EXECUTION, build_model

    # The strategy first: it sets up devices before TensorFlow's runtime starts.
    kind = experiment["distribute"]
    strategy = distribute.strategy(kind, experiment["cpu_devices"])
    replicas = strategy.num_replicas_in_sync
    if experiment["batch_size"] % replicas:
        raise PipelineError(
            f"params.yaml: batch_size {experiment['batch_size']} (the global batch) does not split "
            f"evenly over the {replicas} replicas of train.distribute {kind}")
    keras.utils.set_random_seed(experiment["seed"])
    tf.config.experimental.enable_op_determinism()
    weights = np.load(MATRIX) if experiment["embedding"] == "glove" else None
    with strategy.scope():
        model = build_model(
            max_words=max_words,
            maxlen=maxlen,
            embedding_dim=weights.shape[1] if weights is not None else experiment["embedding_dim"],
            hidden_units=experiment["hidden_units"],
            optimizer=experiment["optimizer"],
            embedding_weights=weights,
            trainable=experiment["trainable"],
            steps_per_execution=STEPS_PER_EXECUTION if kind == "none" else 1,
        )
    log.info("%s: %d training and %d validation reviews, maxlen %d, %s embedding%s, "
             "%d replica(s) (distribute: %s), global batch %d",
             name, len(x_train), len(x_val), maxlen, experiment["embedding"],
             "" if experiment["trainable"] else " (frozen)", replicas, kind, experiment["batch_size"])
    if kind == "multi_worker":
        history = distribute.fit_multi_worker(
            strategy, model, x_train, y_train, (x_val, y_val), experiment["epochs"],
            experiment["batch_size"], VALIDATION_BATCH_SIZE, experiment["seed"], log)
    else:
        history = model.fit(
            x_train, y_train,
            epochs=experiment["epochs"],
            batch_size=experiment["batch_size"],
            validation_data=(x_val, y_val),
            validation_batch_size=VALIDATION_BATCH_SIZE,
            verbose=2,
        ).history
    if kind == "multi_worker" and not distribute.is_chief():
        log.info("%s: not the chief worker; the chief writes the model and history", name)
        return
    with atomic_path(model_path(name), suffix=".keras") as tmp:
        model.save(tmp)
    export_weights(model, weights_path(name))
    write_history(history_path(name), history)


if __name__ == "__main__":
    cli.run(main, quick_exit=True)
