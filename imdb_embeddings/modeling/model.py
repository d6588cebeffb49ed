"""The models, in the Keras-examples style: an Embedding (learned, GloVe or
in-domain vectors, frozen or trained), then a model family
(`families.py`: flatten, mean, conv1d, ngram_bag, gru, or one you add), an
optional hidden Dense layer, and a sigmoid output.
"""

from types import SimpleNamespace

import keras
import numpy as np
from keras import layers, ops

from imdb_embeddings.modeling.families import FAMILIES

# Batches run per call into the compiled graph: for models this small the
# per-step Python round trip costs more than the step itself. The updates,
# and so the metrics, are the same as one step at a time. (Under a
# tf.distribute strategy Keras 3.15 fails to run several steps per call:
# distributed training passes 1.)
STEPS_PER_EXECUTION = 32


@keras.saving.register_keras_serializable(package="imdb_embeddings")
class MaskedMean(layers.Layer):
    """The mean of the word vectors over the real words (the Embedding's mask
    drops the padding); zeros for a review with no known word, where Keras'
    GlobalAveragePooling1D would divide by zero."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: object, mask: object = None) -> object:
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        return ops.sum(inputs * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def compute_mask(self, inputs: object, mask: object = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[2])


def build_model(
    max_words: int,
    maxlen: int,
    embedding_dim: int,
    hidden_units: int,
    optimizer: str,
    embedding_weights: np.ndarray | None = None,
    trainable: bool = True,
    steps_per_execution: int = STEPS_PER_EXECUTION,
    family: str = "flatten",
    dropout: float = 0.0,
    learning_rate: float | None = None,
    vocabulary_rows: int | None = None,
) -> keras.Model:
    """`vocabulary_rows`: rows of the Embedding when it holds more than the
    words (n-gram buckets); default `max_words`. `maxlen` is the input length."""
    rows = vocabulary_rows or max_words
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; expected one of {', '.join(FAMILIES)}")
    chosen = FAMILIES[family]
    embedding = layers.Embedding(rows, embedding_dim, trainable=trainable, mask_zero=chosen.masked, name="embedding")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_indices")
    x = chosen.build(embedding(inputs), SimpleNamespace(hidden_units=hidden_units, dropout=dropout))
    if dropout:
        x = layers.Dropout(dropout, name="dropout")(x)
    if hidden_units and chosen.hidden_layer:
        x = layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    model = keras.Model(inputs, outputs)
    if embedding_weights is not None:
        weights = np.zeros((rows, embedding_dim), dtype=np.float32)
        weights[: len(embedding_weights)] = embedding_weights
        if rows > len(embedding_weights):  # n-gram rows: small random vectors, learned
            rng = np.random.default_rng(0)
            weights[len(embedding_weights) :] = rng.uniform(-0.05, 0.05, (rows - len(embedding_weights), embedding_dim))
        embedding.set_weights([weights])
    if learning_rate is not None:
        optimizer = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(
        optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=steps_per_execution
    )
    return model
