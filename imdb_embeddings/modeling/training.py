"""Training one experiment: the seeded split of the training reviews, the
model fitted on one device or under a `tf.distribute` strategy, and its
per-epoch history logged by DVCLive (the Keras callback, or the same
callback driven by the multi-worker loop).

Only the train stage imports this module (it imports TensorFlow, ~3 s).
"""

import contextlib
import gc
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.settings import Experiment

log = logging.getLogger("training")
# Validation only predicts, so its batch size changes no weight: a large one
# makes the 10,000-review validation of reference 2 cheap at every epoch.
VALIDATION_BATCH_SIZE = 1024


# What TensorFlow's pip build prints on every start on a machine without an
# NVIDIA GPU (it probes for one, and logs the miss, some of it as ERROR, some
# before its log level applies), and oneDNN's notice: nothing is wrong.
HARMLESS_START_UP = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Could not find cuda drivers|failed call to cuInit|Unable to register cu(?:DNN|FFT|BLAS) factory"
    r"|computation placer already registered|TF-TRT Warning|This TensorFlow binary is optimized"
)


def import_tensorflow() -> Any:
    """`import tensorflow`, and its device discovery, without the start-up
    lines above; every other line it prints is passed on.

    Later, TensorFlow 2.21 under Keras 3.15 logs a C++ ERROR at every `fit`
    ("NodeDef mentions attribute use_unbounded_threadpool which is not in the
    op definition ... Unknown attributes will be ignored"): a version-skew
    notice, not a fault. So C++ logging is at FATAL only (level 3) unless the
    user sets TF_CPP_MIN_LOG_LEVEL; real failures still raise Python errors."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with filtered_stderr(HARMLESS_START_UP), without_optional_imports(), without_garbage_collection():
        import tensorflow as tf

        tf.config.list_physical_devices()
    return tf


@contextlib.contextmanager
def without_garbage_collection() -> Iterator[None]:
    """Python's cyclic garbage collector off while TensorFlow loads, and what
    it loaded frozen after (gc.freeze: never scanned again). The import makes
    millions of long-lived objects, and each full collection during it walked
    all of them: about 0.5 s of every training process here (1.75 s -> 1.25
    s), for nothing to free. Collection is back on for the fit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# Packages Keras imports when installed, for features training never uses, and
# guards (`except ImportError`): scikit-learn for its wrappers (NBSVM needs it
# installed; about 0.9 s), matplotlib for its image galleries (the learning
# curve's picture needs it; about 0.26 s).
OPTIONAL_FOR_KERAS = ("sklearn", "matplotlib")


@contextlib.contextmanager
def without_optional_imports() -> Iterator[None]:
    """Hide OPTIONAL_FOR_KERAS while TensorFlow and Keras load (about 1.2 s
    of every training process here); importable again after."""
    hidden = [name for name in OPTIONAL_FOR_KERAS if name not in sys.modules]  # one already loaded is paid for
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import <name>` raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            del sys.modules[name]


@contextlib.contextmanager
def filtered_stderr(drop: re.Pattern) -> Iterator[None]:
    """Route file descriptor 2 (C++ logs too) to a temporary file for the
    block, then write out every line that `drop` does not match."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not drop.search(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


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


class Fitted(NamedTuple):
    model: Any  # the Keras model, its best weights when early stopping kept them
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    seconds: float  # fitting only (never saved in an output: core/timings.py)


def _build(experiment: Experiment, max_words: int, width: int, embedding_weights: np.ndarray | None, kind: str) -> Any:
    from imdb_embeddings.modeling.families import FAMILIES
    from imdb_embeddings.modeling.model import STEPS_PER_EXECUTION, build_model

    ngram_rows = experiment.ngram_buckets if FAMILIES[experiment.model].ngram_input else 0
    return build_model(
        max_words=max_words,
        maxlen=width,
        family=experiment.model,
        dropout=experiment.dropout,
        learning_rate=experiment.learning_rate,
        vocabulary_rows=max_words + ngram_rows,
        embedding_dim=(embedding_weights.shape[1] if embedding_weights is not None else experiment.embedding_dim),
        hidden_units=experiment.hidden_units,
        optimizer=experiment.optimizer,
        embedding_weights=embedding_weights,
        trainable=experiment.trainable,
        steps_per_execution=STEPS_PER_EXECUTION if kind == "none" else 1,
    )


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
