"""The trained models' forward pass in numpy, so that `evaluate` (which
trains nothing) needs no TensorFlow: about 3 s less per experiment. A
model with any other layer (a GRU, say) is exported with its `.keras` file
inside, and runs through Keras instead (`keras_logits`).

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
import re
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.core.npz import check_vocabulary, read_npz, reason, text_member
from imdb_embeddings.text.ngrams import input_width
from imdb_embeddings.text.tokenizer import RULES

LAYERS = {"Embedding", "Flatten", "Dense", "InputLayer", "MaskedMean", "Conv1D", "GlobalMaxPooling1D", "Dropout"}
ACTIVATIONS = {"relu", "sigmoid", "linear"}


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


def numpy_runs(layers: list[dict[str, Any]]) -> bool:
    """Whether `predict_logits` knows every layer (else Keras runs the model)."""
    try:
        _check_layers(layers, "model")
    except PipelineError:
        return False
    return True


def model_logits(model: Any, x: np.ndarray) -> np.ndarray:
    """The logits of a Keras model in memory: the numpy pass where it knows the
    layers (the same numbers as the exported file gives), else Keras."""
    layers, weights = describe(model)
    return predict_logits(layers, weights, x) if numpy_runs(layers) else keras_logits(model, x)


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
    from imdb_embeddings.modeling.training import import_tensorflow

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


class Exported(NamedTuple):
    """What an exported Keras model's file holds, checked (`read_exported`)."""

    layers: list[dict[str, Any]] | None  # None: a model numpy cannot run, in `keras`
    weights: list[list[np.ndarray]] | None
    spec: dict[str, Any]
    vocabulary: list[str] | None  # None: weights only (no text rules), as the curve stages export
    rules: Any
    keras: bytes | None  # the `.keras` file of a model that runs through Keras


# Members besides the layers and input spec: weights "<layer>/<index>", and text.
OPTIONAL_MEMBERS = re.compile(r"layers|keras|vocabulary|tokenizer|\d{1,3}/\d{1,2}")
MAX_LAYERS = 100


def read_exported(path: str | Path) -> Exported:
    """The layers, weights, input spec and vocabulary of a file written by
    `export_weights`, each checked against the others (core/npz.py reads the
    file itself without trusting it): any fault is one line naming it."""
    arrays = read_npz(path, {"input_spec"}, OPTIONAL_MEMBERS)
    spec = check_input_spec(text_member(arrays, "input_spec", path), path)
    vocabulary = rules = None
    if "vocabulary" in arrays:
        vocabulary = check_vocabulary(text_member(arrays, "vocabulary", path), path)
        rules = text_member(arrays, "tokenizer", path) if "tokenizer" in arrays else None
    if ("layers" in arrays) == ("keras" in arrays):
        held = "both layers and a Keras model" if "keras" in arrays else "no layers"
        raise PipelineError(f"{path} is not a model file of this kind ({held})")
    if "keras" in arrays:
        data = arrays["keras"]
        if data.dtype != np.uint8 or data.ndim != 1 or any(n[0].isdigit() for n in arrays):
            raise PipelineError(f"{path}: member keras is not the bytes of one Keras model")
        return Exported(None, None, spec, vocabulary, rules, data.tobytes())
    layers = _check_layers(text_member(arrays, "layers", path), path)
    weights, used = [], set()
    for i, layer in enumerate(layers):
        names = [f"{i}/{j}" for j in range(layer["weights"])]
        missing = [n for n in names if n not in arrays]
        if missing:
            raise PipelineError(f"{path}: layer {layer['name']} has no weights {', '.join(missing)}")
        weights.append([arrays[n] for n in names])
        used.update(names)
    extra = sorted(n for n in arrays if "/" in n and n not in used)
    if extra:
        raise PipelineError(f"{path}: weights {', '.join(extra[:3])} belong to no layer")
    _check_shapes(layers, weights, spec, vocabulary, path)
    return Exported(layers, weights, spec, vocabulary, rules, None)


def check_input_spec(spec: Any, path: str | Path) -> dict[str, Any]:
    """maxlen, ngrams, max_words, buckets: whole numbers within what training allows."""
    if not isinstance(spec, dict):
        raise PipelineError(f"{path}: input_spec is not a mapping")
    spec = {"ngrams": 1, "max_words": 0, "buckets": 0, **spec}
    bounds = {"maxlen": (1, 10_000), "ngrams": (1, 4), "max_words": (0, 1_000_000), "buckets": (0, 10_000_000)}
    for key, (low, high) in bounds.items():
        value = spec.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise PipelineError(
                f"{path}: input_spec.{key} is {str(value)[:40]}; expected a whole number {low} to {high:,}"
            )
    if spec["ngrams"] > 1 and not (spec["max_words"] and spec["buckets"]):
        raise PipelineError(f"{path}: input_spec has n-grams but no max_words and buckets")
    return spec


def _check_layers(layers: Any, path: str | Path) -> list[dict[str, Any]]:
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        raise PipelineError(f"{path}: layers is not a list of 1 to {MAX_LAYERS} layers")
    for layer in layers:
        if not (
            isinstance(layer, dict)
            and isinstance(layer.get("name"), str)
            and isinstance(layer.get("kind"), str)
            and isinstance(layer.get("activation"), str | None)
            and isinstance(layer.get("weights"), int)
            and not isinstance(layer.get("weights"), bool)
            and 0 <= layer["weights"] <= 2
        ):
            raise PipelineError(f"{path}: layer {str(layer)[:60]} lacks a name, kind, activation or weight count")
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
                f"{path}: layer {layer['name'][:40]} ({layer['kind'][:40]}, activation "
                f"{str(layer['activation'])[:20]}) is not one the numpy forward pass knows"
            )
    if layers[-1]["kind"] != "Dense" or layers[-1]["activation"] != "sigmoid":
        raise PipelineError(f"{path}: expected a model ending in a sigmoid Dense layer")
    return layers


def _check_shapes(
    layers: list[dict[str, Any]],
    weights: list[list[np.ndarray]],
    spec: dict[str, Any],
    vocabulary: list[str] | None,
    path: str | Path,
) -> None:
    """Walk the layers with the input's shape (batch left out): every weight
    a finite float array of the shape its layer needs, ending in one logit."""
    shape: tuple[int, ...] = (input_width(spec["maxlen"], spec["ngrams"]),)
    ids = True  # the input is word ids until an Embedding makes them vectors
    # The largest id the input can hold: the vocabulary's, or the n-gram buckets' after max_words.
    top = max(len(vocabulary or ()), spec["max_words"] - 1) + (spec["buckets"] if spec["ngrams"] > 1 else 0)
    for layer, w in zip(layers, weights):
        kind, name = layer["kind"], layer["name"][:40]
        for array in w:
            if array.dtype.kind != "f" or not np.isfinite(array).all():
                raise PipelineError(f"{path}: layer {name}'s weights are not finite floats")
        need = {"Embedding": 1, "Conv1D": 2, "Dense": (1, 2)}.get(kind, 0)
        if len(w) not in (need if isinstance(need, tuple) else (need,)):
            raise PipelineError(f"{path}: layer {name} ({kind}) has {len(w)} weight arrays")
        fault = None
        if kind == "Embedding":
            if not ids or w[0].ndim != 2 or w[0].shape[0] <= top:
                fault = f"an embedding of shape {w[0].shape} cannot take ids up to {top}"
            else:
                shape, ids = (*shape, w[0].shape[1]), False
        elif ids and kind != "InputLayer" and kind != "Dropout":
            fault = "comes before any Embedding"
        elif kind == "Flatten":
            shape = (int(np.prod(shape)),)
        elif kind in ("MaskedMean", "GlobalMaxPooling1D"):
            fault = None if len(shape) == 2 and shape[0] > 0 else f"cannot pool an input of shape {shape}"
            shape = shape[1:]
        elif kind == "Conv1D":
            kernel, bias = w
            if len(shape) != 2 or kernel.ndim != 3 or kernel.shape[1] != shape[1] or kernel.shape[0] > shape[0]:
                fault = f"a kernel of shape {kernel.shape} does not fit an input of shape {shape}"
            elif bias.shape != kernel.shape[2:]:
                fault = f"a bias of shape {bias.shape} does not fit a kernel of shape {kernel.shape}"
            else:
                shape = (shape[0] - kernel.shape[0] + 1, kernel.shape[2])
        elif kind == "Dense":
            if w[0].ndim != 2 or w[0].shape[0] != shape[-1] or (len(w) > 1 and w[1].shape != w[0].shape[1:]):
                fault = f"weights of shape {[a.shape for a in w]} do not fit an input of shape {shape}"
            else:
                shape = (*shape[:-1], w[0].shape[1])
        if fault:
            raise PipelineError(f"{path}: layer {name} ({kind}): {fault}")
    if shape != (1,):
        raise PipelineError(f"{path}: the model's output has shape {shape}, not one probability")


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
