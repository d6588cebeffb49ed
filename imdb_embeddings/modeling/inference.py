"""The trained models' forward pass in numpy, so that `evaluate` (which
trains nothing) needs no TensorFlow: about 3 s less per experiment.

`train` saves, beside the `.keras` model, its layers and weights as a plain
`.npz` (`export_weights`); `predict_logits` runs the layer kinds that
`modeling/model.py` builds (Embedding, Flatten, Dense with relu or sigmoid)
and refuses anything else by name. The test suite holds the results to
Keras' own `model.evaluate` on the same model.
"""

import json
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path

LAYERS = {"Embedding", "Flatten", "Dense", "InputLayer"}
ACTIVATIONS = {"relu", "sigmoid", "linear"}


def export_weights(model: Any, dest: str | Path) -> None:
    """The model's layers (kind, activation) and weights, in order, and its
    input length (so that `evaluate` needs no params)."""
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
            }
        )
        for j, weight in enumerate(values):
            arrays[f"{i}/{j}"] = weight
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(tmp, layers=np.array(json.dumps(layers)), input_length=np.array(model.input_shape[1]), **arrays)


def load_weights(path: str | Path) -> tuple[list[dict[str, Any]], list[list[np.ndarray]]]:
    """(layers, weights) of a file written by `export_weights`."""
    try:
        data = np.load(path)
    except FileNotFoundError:
        raise PipelineError(f"{path} does not exist: train the model first (dvc repro)") from None
    with data:
        layers = json.loads(str(data["layers"]))
        weights = [[data[f"{i}/{j}"] for j in range(layer["weights"])] for i, layer in enumerate(layers)]
    if not layers or layers[-1]["kind"] != "Dense" or layers[-1]["activation"] != "sigmoid":
        raise PipelineError(f"{path}: expected a model ending in a sigmoid Dense layer")
    for layer in layers:
        if layer["kind"] not in LAYERS or (layer["kind"] == "Dense" and layer["activation"] not in ACTIVATIONS):
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
        for layer, w in zip(layers, weights):
            if layer["kind"] == "Embedding":
                h = w[0][h]
            elif layer["kind"] == "Flatten":
                h = h.reshape(len(h), -1)
            elif layer["kind"] == "Dense":
                h = h @ w[0] + w[1] if len(w) > 1 else h @ w[0]
                if layer is layers[-1]:
                    break  # the sigmoid is applied by the metrics, from the logits
                if layer["activation"] == "relu":
                    h = np.maximum(h, 0)
                elif layer["activation"] == "sigmoid":
                    h = 1 / (1 + np.exp(-h))
        out.append(h[:, 0])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)


def binary_metrics(labels: np.ndarray, logits: np.ndarray) -> tuple[float, float]:
    """(mean binary cross-entropy, accuracy) as Keras computes them for a
    sigmoid output: the loss from the logits, a prediction is positive
    when its probability is above 0.5."""
    z = logits.astype(np.float64)
    y = labels.astype(np.float64)
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    probability = 1 / (1 + np.exp(-logits.astype(np.float32)))
    accuracy = np.mean((probability > 0.5) == (labels > 0.5))
    return float(np.mean(loss)), float(accuracy)


def input_length(path: str | Path) -> int:
    """How many word indices the exported model takes per review."""
    with np.load(path) as data:
        if "input_length" not in data:
            raise PipelineError(f"{path} has no input_length: retrain it (dvc repro --force)")
        return int(data["input_length"])
