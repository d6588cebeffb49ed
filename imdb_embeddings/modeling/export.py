"""A trained Keras model as the pipeline's model file: its layers (kind,
activation) and weights in order, the input spec and the vocabulary, in one
`.npz` (serving/keras_file.py reads it back, checked). A model whose layers
the numpy forward pass does not know carries its `.keras` file instead."""

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.serving.keras_file import numpy_runs
from imdb_embeddings.serving.keras_model import keras_logits, predict_logits
from imdb_embeddings.text.tokenizer import RULES


def export_weights(
    model: Any,
    dest: str | Path,
    spec: dict[str, Any] | None = None,
    vocabulary: list[str] | None = None,
    keras_file: str | Path | None = None,
) -> None:
    """The model's layers (kind, activation) and weights, in order, and the
    spec of its input (text/model_input.py; by default plain words, padded to
    the input length), so that `evaluate` needs no params. With the
    `vocabulary` (and the tokenizer's rules, saved with it) the file is a
    self-contained model: raw text in, probability out (exported.py).
    `keras_file`: the model saved by saving.py, embedded when numpy cannot run it."""
    spec = spec or {"maxlen": int(model.input_shape[1]), "ngrams": 1}
    layers, weights = describe(model)
    arrays: dict[str, np.ndarray] = {}
    numpy = numpy_runs(layers)  # else the file carries the Keras model itself
    if numpy:
        arrays["layers"] = np.array(json.dumps(layers))
    else:
        arrays["keras"] = np.frombuffer(_keras_bytes(model, keras_file), dtype=np.uint8)
    arrays["input_spec"] = np.array(json.dumps(spec, sort_keys=True))  # second, as the files always had it
    if numpy:
        arrays.update({f"{i}/{j}": w for i, values in enumerate(weights) for j, w in enumerate(values)})
    if vocabulary is not None:
        arrays["vocabulary"] = np.array(json.dumps(vocabulary, ensure_ascii=False))
        arrays["tokenizer"] = np.array(json.dumps(RULES, sort_keys=True))
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)


def _keras_bytes(model: Any, keras_file: str | Path | None) -> bytes:
    if keras_file is None:
        from imdb_embeddings.modeling.saving import save_model

        with tempfile.TemporaryDirectory() as folder:
            keras_file = Path(folder) / "model.keras"
            save_model(model, keras_file)
            return keras_file.read_bytes()
    return Path(keras_file).read_bytes()


def describe(model: Any) -> tuple[list[dict[str, Any]], list[list[np.ndarray]]]:
    """Each layer's kind, activation and settings, and its weights, in order."""
    layers, weights = [], []
    for layer in model.layers:
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
        weights.append(values)
    return layers, weights


def model_logits(model: Any, x: np.ndarray) -> np.ndarray:
    """The logits of a Keras model in memory: the numpy pass where it knows the
    layers (the same numbers as the exported file gives), else Keras."""
    layers, weights = describe(model)
    return predict_logits(layers, weights, x) if numpy_runs(layers) else keras_logits(model, x)
