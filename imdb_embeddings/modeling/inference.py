"""The trained models' forward pass in numpy, so that `evaluate` (which
trains nothing) needs no TensorFlow: about 3 s less per experiment.

`train` saves, beside the `.keras` model, its layers and weights as a plain
`.npz` (`export_weights`), with what turns sequences into its input (the
input length, and the n-gram settings of an ``ngram_bag`` model);
`predict_logits` runs every layer kind that `modeling/model.py` builds
(Embedding with or without its padding mask, Flatten, the masked mean
`MaskedMean`, Conv1D "valid" with stride 1, GlobalMaxPooling1D,
Dropout as the identity, Dense with relu or sigmoid) and refuses anything
else by name. The test suite holds each model family to Keras' own
`model.evaluate` on the same model.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.text.tokenizer import RULES

LAYERS = {"Embedding", "Flatten", "Dense", "InputLayer", "MaskedMean", "Conv1D", "GlobalMaxPooling1D", "Dropout"}
ACTIVATIONS = {"relu", "sigmoid", "linear"}


def export_weights(
    model: Any, dest: str | Path, spec: dict[str, Any] | None = None, vocabulary: list[str] | None = None
) -> None:
    """The model's layers (kind, activation) and weights, in order, and the
    spec of its input (text/features.py; by default plain words, padded to
    the input length), so that `evaluate` needs no params. With the
    `vocabulary` (and the tokenizer's rules, saved with it) the file is a
    self-contained model: raw text in, probability out (exported.py)."""
    spec = spec or {"maxlen": int(model.input_shape[1]), "ngrams": 1}
    layers, arrays = [], {}
    for i, layer in enumerate(model.layers):
        config = layer.get_config()
        values = layer.get_weights()
        layers.append(
            {
                "name": layer.name,
                "kind": type(layer).__name__,
                "activation": config.get("activation"),
                "weights": len(values),
                "mask_zero": bool(config.get("mask_zero", False)),
                "padding": config.get("padding"),
                "strides": config.get("strides"),
                "dilation_rate": config.get("dilation_rate"),
            }
        )
        for j, weight in enumerate(values):
            arrays[f"{i}/{j}"] = weight
    if vocabulary is not None:
        arrays["vocabulary"] = np.array(json.dumps(vocabulary, ensure_ascii=False))
        arrays["tokenizer"] = np.array(json.dumps(RULES, sort_keys=True))
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(
            tmp, layers=np.array(json.dumps(layers)), input_spec=np.array(json.dumps(spec, sort_keys=True)), **arrays
        )


def load_weights(path: str | Path) -> tuple[list[dict[str, Any]], list[list[np.ndarray]]]:
    """(layers, weights) of a file written by `export_weights`."""
    try:
        data = np.load(path)
    except FileNotFoundError:
        raise PipelineError(f"{path} does not exist: train the model first (dvc repro)") from None
    except (ValueError, OSError, EOFError) as exc:  # not a .npz (numpy says so with a ValueError)
        raise PipelineError(f"{path} is not an exported model ({str(exc).splitlines()[0][:80]})") from None
    if not hasattr(data, "files") or "layers" not in data.files:
        raise PipelineError(f"{path} is not an exported model (no layers)")
    with data:
        layers = json.loads(str(data["layers"]))
        weights = [[data[f"{i}/{j}"] for j in range(layer["weights"])] for i, layer in enumerate(layers)]
    if not layers or layers[-1]["kind"] != "Dense" or layers[-1]["activation"] != "sigmoid":
        raise PipelineError(f"{path}: expected a model ending in a sigmoid Dense layer")
    for layer in layers:
        known = layer["kind"] in LAYERS
        if layer["kind"] in ("Dense", "Conv1D") and layer["activation"] not in ACTIVATIONS:
            known = False
        if layer["kind"] == "Conv1D" and (
            layer.get("padding") != "valid"
            or list(layer.get("strides") or [1]) != [1]
            or list(layer.get("dilation_rate") or [1]) != [1]
        ):
            known = False
        if not known:
            raise PipelineError(
                f"{path}: layer {layer['name']} ({layer['kind']}, activation "
                f"{layer['activation']}) is not one the numpy forward pass knows"
            )
    return layers, weights


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


def load_input_spec(path: str | Path) -> dict[str, Any]:
    """How the exported model's input is built from the sequences (text/features.py)."""
    with np.load(path) as data:
        if "input_spec" not in data:
            raise PipelineError(f"{path} has no input spec: retrain it (dvc repro --force)")
        return json.loads(str(data["input_spec"]))
