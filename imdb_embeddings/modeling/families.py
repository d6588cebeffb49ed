"""The Keras model families, by name. A family is one function from the
word vectors (batch, words, dim) to features; `model.py` adds the Embedding
before it and the head after it (dropout, the hidden layer, the sigmoid).

Add one: write the function here, decorate it with `@family("name")`, and
set `model: name` in an experiment of params.yaml. Training, export,
`evaluate`, `predict`, the cards and the comparisons serve it as they are:
a model whose layers the numpy forward pass knows runs in numpy, any other
through Keras (modeling/inference.py). This module imports no TensorFlow,
so check_params can check family names (Keras loads on first build).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class _Layers:
    """`keras.layers`, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        from keras import layers as keras_layers

        return getattr(keras_layers, name)


layers = _Layers()
CONV_KERNEL = 5  # words per convolution window
CONV_FILTERS = 128  # when the experiment gives no hidden_units
GRU_UNITS = 32  # per direction, when the experiment gives no hidden_units


@dataclass(frozen=True)
class Family:
    build: Callable[[Any, Any], Any]  # (word vectors, experiment) -> features
    masked: bool = False  # the Embedding marks padding (mask_zero) for the layers after it
    ngram_input: bool = False  # the input carries hashed n-gram ids after the words
    hidden_layer: bool = True  # the head adds Dense(hidden_units); False: the family uses them itself


FAMILIES: dict[str, Family] = {}


def family(name: str, **options: bool) -> Callable:
    """Register the decorated function as the model family `name`."""

    def register(build: Callable) -> Callable:
        FAMILIES[name] = Family(build, **options)
        return build

    return register


@family("flatten")
def flatten(x: Any, experiment: Any) -> Any:
    """The reference: every position has its own weights."""
    return layers.Flatten()(x)


@family("mean", masked=True)
def mean(x: Any, experiment: Any) -> Any:
    """The mean of the word vectors, padding left out: order-free."""
    from imdb_embeddings.modeling.layers import MaskedMean

    return MaskedMean(name="mean")(x)


@family("ngram_bag", masked=True, ngram_input=True)
def ngram_bag(x: Any, experiment: Any) -> Any:
    """fastText-style: the mean of word and hashed n-gram vectors (text/ngrams.py adds the ids)."""
    return mean(x, experiment)


@family("conv1d", hidden_layer=False)
def conv1d(x: Any, experiment: Any) -> Any:
    """A 1-D convolution over 5-word windows, then the max over the review."""
    if experiment.dropout:
        x = layers.Dropout(experiment.dropout, name="embedding_dropout")(x)
    x = layers.Conv1D(experiment.hidden_units or CONV_FILTERS, CONV_KERNEL, activation="relu", name="conv")(x)
    return layers.GlobalMaxPooling1D(name="max")(x)


@family("gru", masked=True, hidden_layer=False)
def gru(x: Any, experiment: Any) -> Any:
    """A bidirectional GRU over the words, padding masked: word order counts."""
    return layers.Bidirectional(layers.GRU(experiment.hidden_units or GRU_UNITS), name="bigru")(x)
