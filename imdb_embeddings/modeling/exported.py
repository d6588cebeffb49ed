"""A trained Keras model as one self-contained file: the `.npz` that `train`
exports holds the layers and weights, the vocabulary, the tokenizer's text
rules (the `<br />` markup rule included) and the input spec (length,
n-grams). Raw text goes in, a probability of a positive review comes out,
with no access to `data/` or `params.yaml`. The numpy forward pass of
`inference.py` runs it without TensorFlow; a family numpy does not know
runs through Keras, loaded from the file on first use. It is one of the two
kinds of model behind imdb_embeddings/classifier.py."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.metrics import probability
from imdb_embeddings.modeling.inference import Exported, keras_logits, load_keras, predict_logits, read_exported
from imdb_embeddings.text.model_input import model_input
from imdb_embeddings.text.tokenizer import RULES, encode_last


class ExportedModel:
    def __init__(self, path: Path, exported: Exported) -> None:
        self.path, self.exported, self.spec, self.vocabulary = path, exported, exported.spec, exported.vocabulary
        self._keras: Any = None

    @classmethod
    def load(cls, path: str | Path) -> "ExportedModel":
        path = Path(path)
        exported = read_exported(path)
        if exported.vocabulary is None or exported.rules is None:
            raise PipelineError(
                f"{path} is not a self-contained model (no vocabulary or tokenizer rules): retrain it "
                "(dvc repro --force the model's train stage)"
            )
        if exported.rules != RULES:
            raise PipelineError(f"{path} was trained with other tokenizer rules than this version uses; retrain it")
        return cls(path, exported)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        # Only the last maxlen known words of a text reach the model: only those are read.
        tokens, offsets = encode_last(texts, self.vocabulary, self.spec["maxlen"])
        x = model_input(tokens, offsets, self.spec)
        if self.exported.keras is None:
            return predict_logits(self.exported.layers, self.exported.weights, x)
        if self._keras is None:
            self._keras = load_keras(self.exported.keras, self.spec, self.path)
        return keras_logits(self._keras, x)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) of each text, computed as `evaluate` computes it."""
        return probability(self.logits(texts))
