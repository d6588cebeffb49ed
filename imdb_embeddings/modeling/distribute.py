"""Which `tf.distribute` strategy trains the model (params: train.distribute).

- ``none``: TensorFlow's default strategy, one device (the GPU if there is
  one, else the CPU).
- ``mirrored``: one replica per visible GPU; on a machine without a GPU, one
  per logical CPU device when ``train.cpu_devices`` asks for more than one
  (the CPU's cores are shared, so this is for testing the code path, not
  for speed).
- ``multi_worker``: one replica per worker process, the workers described by
  the ``TF_CONFIG`` environment variable. Worker 0 (or the ``chief``) writes
  the stage's outputs; the others train in lockstep and write nothing.

In every case `batch_size` is the global batch: each of N replicas takes
`batch_size / N` samples of every step, and the gradients are summed across
them, so a run's learning dynamics do not depend on how many devices it has.
"""

import json
import logging
import os
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import DISTRIBUTE


def cluster_spec() -> dict[str, Any] | None:
    """TF_CONFIG, parsed and checked, or None when it is not set."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        workers = config["cluster"].get("chief", []) + config["cluster"]["worker"]
        task_type, index = config["task"]["type"], int(config["task"]["index"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PipelineError(
            "TF_CONFIG is not a cluster description: expected JSON like "
            '{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker", "index": 0}}'
            f" ({type(exc).__name__}: {exc})"
        ) from exc
    if task_type not in ("chief", "worker") or not 0 <= index < len(config["cluster"].get(task_type, [])):
        raise PipelineError(f"TF_CONFIG: task {task_type} {index} is not in the cluster {config['cluster']}")
    return {
        "workers": len(workers),
        "type": task_type,
        "index": index,
        "has_chief": bool(config["cluster"].get("chief")),
    }


def is_chief() -> bool:
    """Whether this process writes the outputs: always, unless it is a
    multi-worker process other than the chief (or worker 0 if no chief)."""
    spec = cluster_spec()
    if spec is None:
        return True
    return spec["type"] == "chief" or (not spec["has_chief"] and spec["index"] == 0)


def strategy(kind: str, cpu_devices: int = 1) -> Any:
    """The strategy for `kind`. Call before TensorFlow runs any op: logical
    devices and collective ops are set up when its runtime starts."""
    import tensorflow as tf

    if kind == "none":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        if not tf.config.list_physical_devices("GPU") and cpu_devices > 1:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_devices)
            return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(cpu_devices)])
        return tf.distribute.MirroredStrategy()
    if kind == "multi_worker":
        if cluster_spec() is None:
            raise PipelineError(
                "train.distribute is multi_worker, but TF_CONFIG is not set: start one process per "
                "worker, each with TF_CONFIG naming the cluster and its own task index"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise PipelineError(f"train.distribute is {kind!r}; expected one of {', '.join(DISTRIBUTE)}")


def fit_multi_worker(
    strategy: Any,
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray],
    epochs: int,
    batch_size: int,
    validation_batch_size: int,
    seed: int,
    log: logging.Logger,
    callbacks: list[Any] = (),
) -> dict[str, list[float]]:
    """model.fit's work for MultiWorkerMirroredStrategy, whose input handling
    Keras 3 does not support (keras-team/keras#20585): the same shuffled
    global batches, one gradient step per batch from the gradients summed
    over every replica, and a history with fit's keys. Every worker runs
    the same steps: the data is sharded per batch, not per file. `callbacks`
    get `on_epoch_end` and `on_train_end` as under fit (DVCLive's logger)."""
    train_data = _batches(strategy, x, y, batch_size, seed, shuffle=True)
    val_data = _batches(strategy, *validation, validation_batch_size, seed, shuffle=False)
    train_step, test_step = _steps(strategy, model)
    history = {"accuracy": [], "loss": [], "val_accuracy": [], "val_loss": []}
    for epoch in range(1, epochs + 1):
        loss, accuracy = _run_epoch(train_step, train_data)
        val_loss, val_accuracy = _run_epoch(test_step, val_data)
        for key, value in zip(
            ("loss", "accuracy", "val_loss", "val_accuracy"), (loss, accuracy, val_loss, val_accuracy)
        ):
            history[key].append(value)
        log.debug(  # one line an epoch at DEBUG, as under model.fit (training.py)
            "epoch %d/%d: accuracy %.4f, loss %.4f, val_accuracy %.4f, val_loss %.4f",
            epoch,
            epochs,
            accuracy,
            loss,
            val_accuracy,
            val_loss,
        )
        for callback in callbacks:
            callback.on_epoch_end(epoch - 1, {key: values[-1] for key, values in history.items()})
    for callback in callbacks:
        callback.on_train_end()
    return history


def _batches(strategy: Any, inputs: np.ndarray, labels: np.ndarray, size: int, seed: int, shuffle: bool) -> Any:
    """The global batches, distributed over the replicas (sharded per batch)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    options.deterministic = True
    data = tf.data.Dataset.from_tensor_slices((inputs, labels.astype("float32")))
    if shuffle:  # the same seed on every worker: the same order everywhere
        data = data.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    return strategy.experimental_distribute_dataset(data.batch(size).with_options(options))


def _steps(strategy: Any, model: Any) -> tuple[Any, Any]:
    """(train_step, test_step): each a batch in, (loss sum, correct, count) summed over replicas out."""
    import tensorflow as tf
    from keras import losses

    SUM = tf.distribute.ReduceOp.SUM

    def sums(labels: Any, predicted: Any):
        per_sample = losses.binary_crossentropy(labels[:, None], predicted)
        correct = tf.cast(tf.equal(tf.cast(predicted[:, 0] > 0.5, tf.float32), labels), tf.float32)
        count = tf.cast(tf.shape(labels)[0], tf.float32)
        return tf.reduce_sum(per_sample), tf.reduce_sum(correct), count

    def train_replica(inputs: Any, labels: Any):
        replica = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            predicted = model(inputs, training=True)
            loss_sum, correct, count = sums(labels, predicted)
            # This replica's share of the global batch's mean loss: the
            # optimizer sums the gradients over the replicas.
            loss = loss_sum / tf.maximum(replica.all_reduce(SUM, count), 1.0)
        gradients = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss_sum, correct, count

    @tf.function
    def train_step(batch: Any):
        return [strategy.reduce(SUM, v, axis=None) for v in strategy.run(train_replica, args=batch)]

    @tf.function
    def test_step(batch: Any):
        def replica(inputs: Any, labels: Any):
            return sums(labels, model(inputs, training=False))

        return [strategy.reduce(SUM, v, axis=None) for v in strategy.run(replica, args=batch)]

    return train_step, test_step


def _run_epoch(step: Any, data: Any) -> tuple[float, float]:
    totals = np.zeros(3)
    for batch in data:
        totals += [float(v) for v in step(batch)]
    loss_sum, correct, count = totals
    return loss_sum / count, correct / count
