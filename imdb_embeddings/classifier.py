"""The one interface every trained model offers: raw texts in, the
probability of a positive review out. Both kinds of exported model implement
it: a Keras model's layers run in numpy (keras_model.py), an NBSVM's n-gram
weights (ngram_model.py). `imdb-embeddings predict` opens either here; each
evaluate stage opens its own kind."""

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from imdb_embeddings.nbsvm.ngram_model import NgramModel
from imdb_embeddings.serving.keras_model import ExportedModel


class Classifier(Protocol):
    path: Path | None
    vocabulary: list[str]  # the words it knows

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The output's pre-sigmoid value for each text (the metrics start from these)."""
        ...

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) of each text."""
        ...


def load_classifier(path: str | Path) -> Classifier:
    """Whichever kind of model the exported file holds; each checks the file
    before it is used (core/npz.py) and says in one line what is wrong."""
    try:
        with zipfile.ZipFile(path) as archive:
            ngram = "kind.npy" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        ngram = False  # ExportedModel.load says what is wrong with it
    return NgramModel.load(path) if ngram else ExportedModel.load(path)
