"""What a model takes as input, from the ragged sequences: the reviews padded
to `maxlen` words (`padding.py`) and, for an ``ngram_bag`` model, their
hashed n-gram ids after them (`ngrams.py`). The same spec is saved with the
trained model, so `evaluate` builds exactly the input `train` used."""

from typing import Any

import numpy as np

from imdb_embeddings.text.ngrams import add_ngrams
from imdb_embeddings.text.padding import pad_sequences

InputSpec = dict[str, Any]


def input_spec(experiment: Any, max_words: int, ngram_input: bool) -> InputSpec:
    """maxlen, ngrams (1: words only), max_words and n-gram buckets of an
    experiment; `ngram_input`: its family reads n-gram ids (families.py)."""
    ngrams = experiment.ngrams if ngram_input else 1
    return {
        "maxlen": experiment.maxlen,
        "ngrams": ngrams,
        "max_words": max_words,
        "buckets": experiment.ngram_buckets if ngrams > 1 else 0,
    }


def model_input(tokens: np.ndarray, offsets: np.ndarray, spec: InputSpec, rows: np.ndarray | None = None) -> np.ndarray:
    """Rows `rows` (default all) of the ragged sequences as the model's input matrix."""
    x = pad_sequences(tokens, offsets, spec["maxlen"], rows)
    if spec.get("ngrams", 1) > 1:
        x = add_ngrams(x, spec["ngrams"], spec["max_words"], spec["buckets"])
    return x


def training_data(sequences: tuple, spec: InputSpec, split: Any) -> dict[str, np.ndarray]:
    """The model's inputs and labels of a split's training and validation rows (splits.py)."""
    tokens, offsets, labels = sequences
    return {
        "x_train": model_input(tokens, offsets, spec, split.train),
        "y_train": labels[split.train],
        "x_val": model_input(tokens, offsets, spec, split.validation),
        "y_val": labels[split.validation],
    }
