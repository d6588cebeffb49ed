"""Training one experiment: the model fitted on one device or under a
`tf.distribute` strategy, its per-epoch history logged by DVCLive (the Keras
callback, or the same callback driven by the multi-worker loop); and a
learning-curve point (`curve_point`). Only the stages that train import it."""

import logging
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.core.params import Experiment
from imdb_embeddings.modeling.export import model_logits
from imdb_embeddings.modeling.families import FAMILIES
from imdb_embeddings.serving.output import probability
from imdb_embeddings.serving.tensorflow_start import import_tensorflow
from imdb_embeddings.splits import split_indices
from imdb_embeddings.text.model_input import input_spec, model_input, training_data

log = logging.getLogger("training")
# Validation only predicts, so its batch size changes no weight: a large one
# makes the 10,000-review validation of reference 2 cheap at every epoch.
VALIDATION_BATCH_SIZE = 1024


def train(
    experiment: Experiment,
    name: str,
    max_words: int,
    data: dict[str, np.ndarray],
    embedding_weights: np.ndarray | None,
    live_dir: str | Path | None,
) -> "Fitted":
    """Fit the experiment's model on data["x_train"], data["y_train"] with
    data["x_val"], data["y_val"] for validation.
    Only the writing process (see distribute.is_chief) logs to `live_dir`
    (None: no DVCLive log)."""
    tf = import_tensorflow()
    import keras

    from imdb_embeddings.modeling import distribute

    # The strategy first: it sets up devices before TensorFlow's runtime starts.
    kind = experiment.distribute
    strategy = distribute.strategy(kind, experiment.cpu_devices)
    replicas = strategy.num_replicas_in_sync
    if experiment.batch_size % replicas:
        raise PipelineError(
            f"params.yaml: batch_size {experiment.batch_size} (the global batch) does not split "
            f"evenly over the {replicas} replicas of train.distribute {kind}"
        )
    keras.utils.set_random_seed(experiment.seed)
    tf.config.experimental.enable_op_determinism()
    with strategy.scope():
        model = _build(experiment, max_words, data["x_train"].shape[1], embedding_weights, kind)
    log.info(
        "%s: %s model, %d training and %d validation reviews, maxlen %d, %s embedding%s, "
        "%d replica(s) (distribute: %s), global batch %d",
        name,
        experiment.model,
        len(data["x_train"]),
        len(data["x_val"]),
        experiment.maxlen,
        experiment.embedding,
        "" if experiment.trainable else " (frozen)",
        replicas,
        kind,
        experiment.batch_size,
    )
    callbacks = _callbacks(experiment, live_dir if distribute.is_chief() else None)
    start = time.perf_counter()
    history = _fit(experiment, strategy, model, data, callbacks)
    seconds = time.perf_counter() - start
    epochs = len(history.get("loss", []))
    last = ", ".join(f"{key} {values[-1]:.4f}" for key, values in sorted(history.items()) if values)
    log.info("%s: fitted in %.1f s (%d epochs; last: %s)", name, seconds, epochs, last)
    return Fitted(model, history, seconds)


def write_history(history: dict[str, list[float]], dest: str | Path) -> None:
    """The fit's loss and accuracy per epoch (from 1), a row a split (training,
    validation): the chart `dvc plots show` draws (.dvc/plots/training.json)."""
    rows = ["epoch,split,loss,accuracy"]
    for split, prefix in (("training", ""), ("validation", "val_")):
        losses, accuracies = history.get(f"{prefix}loss", []), history.get(f"{prefix}accuracy", [])
        rows += [f"{i},{split},{loss:.6f},{acc:.6f}" for i, (loss, acc) in enumerate(zip(losses, accuracies), 1)]
    with atomic_path(dest, suffix=".csv") as tmp:
        tmp.write_text("\n".join(rows) + "\n", encoding="utf-8")


class Fitted(NamedTuple):
    model: Any  # the Keras model, its best weights when early stopping kept them
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    seconds: float  # fitting only (never saved in an output: core/timings.py)


def _build(experiment: Experiment, max_words: int, width: int, embedding_weights: np.ndarray | None, kind: str) -> Any:
    from imdb_embeddings.modeling.model import STEPS_PER_EXECUTION, build_model

    steps = STEPS_PER_EXECUTION if kind == "none" else 1
    return build_model(experiment, max_words, width, embedding_weights, steps_per_execution=steps)


def _callbacks(experiment: Experiment, live_dir: str | Path | None) -> list[Any]:
    import keras

    callbacks = [live_callback(live_dir)] if live_dir is not None else []
    if experiment.early_stopping:
        # Stop when validation loss has not improved for `early_stopping`
        # epochs, and keep the best epoch's weights.
        callbacks.insert(
            0,
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=experiment.early_stopping, restore_best_weights=True
            ),
        )
    return callbacks


def _fit(
    experiment: Experiment, strategy: Any, model: Any, data: dict[str, np.ndarray], callbacks: list[Any]
) -> dict[str, list[float]]:
    from imdb_embeddings.modeling import distribute

    validation = (data["x_val"], data["y_val"])
    if experiment.distribute == "multi_worker":
        return distribute.fit_multi_worker(
            strategy,
            model,
            data["x_train"],
            data["y_train"],
            validation,
            experiment.epochs,
            experiment.batch_size,
            VALIDATION_BATCH_SIZE,
            experiment.seed,
            log,
            callbacks,
        )
    return model.fit(
        data["x_train"],
        data["y_train"],
        epochs=experiment.epochs,
        batch_size=experiment.batch_size,
        validation_data=validation,
        validation_batch_size=VALIDATION_BATCH_SIZE,
        # One log line an epoch, at DEBUG (PIPELINE_LOG_LEVEL=DEBUG shows them):
        # Keras' own two lines an epoch were most of a run's console.
        callbacks=[*callbacks, _epoch_logger()],
        verbose=0,
    ).history


def _epoch_logger() -> Any:
    """A Keras callback that logs each epoch at DEBUG (built here, where Keras is imported)."""
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            values = ", ".join(f"{key} {value:.4f}" for key, value in sorted((logs or {}).items()))
            log.debug("epoch %d: %s", epoch + 1, values)

    return EpochLog()


def live_callback(live_dir: str | Path) -> Any:
    """DVCLive's Keras callback: per-epoch metrics as plots
    (`<live_dir>/plots/metrics/{train,eval}/{accuracy,loss}.tsv`) and the
    last epoch's in `<live_dir>/metrics.json`. No dvc.yaml of its own (ours
    declares them), no report, no experiment of its own (`dvc exp run` makes it)."""
    from dvclive import Live
    from dvclive.keras import DVCLiveCallback

    live = Live(dir=str(live_dir), dvcyaml=None, save_dvc_exp=False, report=None)
    return DVCLiveCallback(live=live)


def curve_point(
    experiment: Experiment, max_words: int, train_seqs: tuple, test_seqs: tuple, matrix: np.ndarray | None
) -> "CurvePoint":
    """A learning-curve point: the experiment trained on `n` reviews of the
    seeded shuffle (the same validation reviews for every n), then its
    P(positive) of every test review, predicted in memory."""
    split = split_indices(len(train_seqs[2]), experiment, "learning_curve", validation_first=True)
    spec = input_spec(experiment, max_words, FAMILIES[experiment.model].ngram_input)
    fitted = train(
        experiment,
        f"{experiment.embedding}@{len(split.train)}",
        max_words,
        training_data(train_seqs, spec, split),
        matrix,
        None,
    )
    test_tokens, test_offsets, _ = test_seqs
    logits = model_logits(fitted.model, model_input(test_tokens, test_offsets, spec))
    fit = {
        "source": experiment.embedding,
        "train_samples": int(len(split.train)),
        "validation_samples": int(len(split.validation)),
        "epochs": len(fitted.history["loss"]),
        "max_epochs": experiment.epochs,  # at the cap, early stopping never stopped it: a floor
        "dim": int(matrix.shape[1]) if matrix is not None else experiment.embedding_dim,
    }
    return CurvePoint(fit, probability(logits).astype(np.float32), fitted.seconds)


class CurvePoint(NamedTuple):
    fit: dict[str, Any]  # the point's output: the same for the same inputs
    probabilities: np.ndarray  # P(positive) of each test review (float32): its accuracy, its comparisons
    seconds: float  # fitting time, logged and kept out of the output (core/timings.py)
