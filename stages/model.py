"""The reference models, in the Keras-examples style: an Embedding (learned,
or GloVe and frozen), Flatten, an optional hidden Dense layer, and a sigmoid
output."""
import keras
from keras import layers


def build_model(max_words, maxlen, embedding_dim, hidden_units, optimizer,
                embedding_weights=None, trainable=True):
    embedding = layers.Embedding(max_words, embedding_dim, trainable=trainable, name="embedding")
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="word_indices")
    x = layers.Flatten()(embedding(inputs))
    if hidden_units:
        x = layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="sentiment")(x)
    model = keras.Model(inputs, outputs)
    if embedding_weights is not None:
        embedding.set_weights([embedding_weights])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model
