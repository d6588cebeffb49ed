"""A Keras model's file, read back without trusting it: the layers, weights,
input spec and vocabulary that modeling/export.py wrote, each checked against
the others (serving/npz.py reads the archive itself). Any fault is one line
naming it. `numpy_runs` says whether the numpy forward pass knows every
layer; a model with any other layer carries its `.keras` file instead."""

import re
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.serving.npz import check_vocabulary, read_npz, text_member
from imdb_embeddings.text.ngrams import input_width

LAYERS = {"Embedding", "Flatten", "Dense", "InputLayer", "MaskedMean", "Conv1D", "GlobalMaxPooling1D", "Dropout"}
ACTIVATIONS = {"relu", "sigmoid", "linear"}


def numpy_runs(layers: list[dict[str, Any]]) -> bool:
    """Whether `predict_logits` knows every layer (else Keras runs the model)."""
    try:
        _check_layers(layers, "model")
    except PipelineError:
        return False
    return True


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
                f"{path}: input_spec.{key} is {repr(value)[:40]}; expected a whole number {low} to {high:,}"
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
