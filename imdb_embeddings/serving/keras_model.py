"""A trained Keras model run from its self-contained `.npz` (layers and
weights, vocabulary, text rules, input spec): raw text in, P(positive) out,
with no `data/` or `params.yaml`. `predict_logits` runs every layer kind that
modeling/model.py builds in numpy, so evaluating needs no TensorFlow; a
model with any other layer runs through Keras, loaded safely on first use."""

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.serving.keras_file import Exported, read_exported
from imdb_embeddings.serving.npz import reason
from imdb_embeddings.serving.output import probability
from imdb_embeddings.text.model_input import model_input
from imdb_embeddings.text.ngrams import input_width
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


def predict_logits(
    layers: list[dict[str, Any]], weights: list[list[np.ndarray]], x: np.ndarray, batch_size: int = 1024
) -> np.ndarray:
    """The output layer's pre-activation values (the logits of the sigmoid)."""
    out = []
    for start in range(0, len(x), batch_size):
        h = x[start : start + batch_size]
        mask = None  # which positions are words, after an Embedding with mask_zero
        for layer, w in zip(layers, weights):
            kind = layer["kind"]
            if kind == "Embedding":
                mask = (h != 0) if layer.get("mask_zero") else None
                h = w[0][h]
            elif kind == "Flatten":
                h = h.reshape(len(h), -1)
            elif kind == "MaskedMean":
                if mask is None:
                    h = h.mean(axis=1)
                else:
                    counts = np.maximum(mask.sum(axis=1, keepdims=True), 1).astype(h.dtype)
                    h = (h * mask[..., None]).sum(axis=1) / counts
                mask = None
            elif kind == "Conv1D":
                kernel, bias = w[0], w[1]
                width = h.shape[1] - len(kernel) + 1
                conv = sum(h[:, j : j + width, :] @ kernel[j] for j in range(len(kernel))) + bias
                h = _activate(conv, layer["activation"])
                mask = None  # Conv1D does not pass a mask on
            elif kind == "GlobalMaxPooling1D":
                h = h.max(axis=1)
            elif kind == "Dense":
                h = h @ w[0] + w[1] if len(w) > 1 else h @ w[0]
                if layer is layers[-1]:
                    break  # the sigmoid is applied by the metrics, from the logits
                h = _activate(h, layer["activation"])
            # Dropout and InputLayer: the identity at inference.
        out.append(h[:, 0])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def _activate(h: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(h, 0)
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-h))
    return h


def keras_logits(model: Any, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """The sigmoid layer's input through Keras, then its weights in numpy:
    logits, not probabilities rounded near 0 and 1."""
    import keras

    features = keras.Model(model.inputs, model.layers[-1].input)
    kernel, *bias = model.layers[-1].get_weights()
    h = features.predict(x, batch_size=batch_size, verbose=0) @ kernel
    return (h + bias[0] if bias else h)[:, 0]


def load_keras(data: bytes, spec: dict[str, Any], path: str | Path) -> Any:
    """The embedded `.keras` model, loaded safely (no code in it runs) and
    checked: one input of the spec's width, a sigmoid Dense(1) at the end."""
    from imdb_embeddings.serving.tensorflow_start import import_tensorflow

    import_tensorflow()
    import keras

    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        file.write_bytes(data)
        try:
            model = keras.saving.load_model(file, compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises many kinds; each is one line here
            raise PipelineError(f"{path}: its Keras model cannot be loaded ({reason(exc)})") from None
    last = model.layers[-1] if model.layers else None
    width = input_width(spec["maxlen"], spec["ngrams"])
    if len(model.inputs) != 1 or tuple(model.inputs[0].shape)[1:] != (width,):
        raise PipelineError(f"{path}: its Keras model does not take the {width} ids its input spec gives")
    if type(last).__name__ != "Dense" or last.get_config().get("activation") != "sigmoid" or last.units != 1:
        raise PipelineError(f"{path}: expected a model ending in a sigmoid Dense layer")
    return model
