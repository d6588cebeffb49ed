"""The one layer of our own: the masked mean of the word vectors (family
`mean`). Registered with Keras, so a saved model that holds it loads."""

import keras
from keras import layers, ops


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
