"""The models, in the Keras-examples style: an Embedding (learned, GloVe or
in-domain vectors, frozen or trained), then a model family
(`families.py`: flatten, mean, conv1d, ngram_bag, gru, or one you add), an
optional hidden Dense layer, and a sigmoid output."""

from typing import Any

import keras
import numpy as np
from keras import layers

from imdb_embeddings.modeling.families import FAMILIES

# Batches run per call into the compiled graph: for models this small the
# per-step Python round trip costs more than the step itself. The updates,
# and so the metrics, are the same as one step at a time. (Under a
# tf.distribute strategy Keras 3.15 fails to run several steps per call:
# distributed training passes 1.)
STEPS_PER_EXECUTION = 32


def build_model(
    experiment: Any,
    max_words: int,
    width: int,
    embedding_weights: np.ndarray | None = None,
    steps_per_execution: int = STEPS_PER_EXECUTION,
) -> keras.Model:
    """The experiment's model (core/params.py: Experiment) over ids up to
    `max_words` (and its n-gram buckets), `width` ids a review; its family
    receives the whole experiment."""
    family = FAMILIES.get(experiment.model)
    if family is None:
        raise ValueError(f"unknown model family {experiment.model!r}; expected one of {', '.join(FAMILIES)}")
    rows = max_words + (experiment.ngram_buckets if family.ngram_input else 0)
    dim = embedding_weights.shape[1] if embedding_weights is not None else experiment.embedding_dim
    embedding = layers.Embedding(rows, dim, trainable=experiment.trainable, mask_zero=family.masked, name="embedding")
    inputs = keras.Input(shape=(width,), dtype="int32", name="word_indices")
    x = family.build(embedding(inputs), experiment)
    if experiment.dropout:
        x = layers.Dropout(experiment.dropout, name="dropout")(x)
    if experiment.hidden_units and family.hidden_layer:
        x = layers.Dense(experiment.hidden_units, activation="relu", name="hidden")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    model = keras.Model(inputs, outputs)
    if embedding_weights is not None:
        weights = np.zeros((rows, dim), dtype=np.float32)
        weights[: len(embedding_weights)] = embedding_weights
        if rows > len(embedding_weights):  # n-gram rows: small random vectors, learned
            rng = np.random.default_rng(0)
            weights[len(embedding_weights) :] = rng.uniform(-0.05, 0.05, (rows - len(embedding_weights), dim))
        embedding.set_weights([weights])
    optimizer: Any = experiment.optimizer
    if experiment.learning_rate is not None:
        optimizer = keras.optimizers.get(
            {"class_name": optimizer, "config": {"learning_rate": experiment.learning_rate}}
        )
    model.compile(
        optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=steps_per_execution
    )
    return model
