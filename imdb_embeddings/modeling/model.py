"""The reference models, in the Keras-examples style: an Embedding (learned,
or GloVe and frozen), Flatten, an optional hidden Dense layer, and a sigmoid
output."""

import keras
import numpy as np
from keras import layers

# Batches run per call into the compiled graph: for models this small the
# per-step Python round trip costs more than the step itself. The updates,
# and so the metrics, are the same as one step at a time. (Under a
# tf.distribute strategy Keras 3.15 fails to run several steps per call:
# distributed training passes 1.)
STEPS_PER_EXECUTION = 32


def build_model(
    max_words: int,
    maxlen: int,
    embedding_dim: int,
    hidden_units: int,
    optimizer: str,
    embedding_weights: np.ndarray | None = None,
    trainable: bool = True,
    steps_per_execution: int = STEPS_PER_EXECUTION,
) -> keras.Model:
    embedding = layers.Embedding(max_words, embedding_dim, trainable=trainable, name="embedding")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_indices")
    x = layers.Flatten()(embedding(inputs))
    if hidden_units:
        x = layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    model = keras.Model(inputs, outputs)
    if embedding_weights is not None:
        embedding.set_weights([embedding_weights])
    model.compile(
        optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=steps_per_execution
    )
    return model
