"""Reading and checking `params.yaml` before any stage does any work.

Every stage validates the whole file, so a typo fails the first stage that
runs, with a message naming the key, instead of a KeyError deep in training.
"""
from pathlib import Path

import yaml

from stages.cli import PipelineError
from stages.files import Checksum

GLOVE_DIMS = (50, 100, 200, 300)
EMBEDDINGS = ("learned", "glove")
OPTIMIZERS = ("rmsprop", "adam", "sgd")
DISTRIBUTE = ("none", "mirrored", "multi_worker")

# Keys of `train` that an experiment may override for itself.
TRAIN_KEYS = {"seed": int, "epochs": int, "batch_size": int, "optimizer": str,
              "distribute": str, "cpu_devices": int}
EXPERIMENT_KEYS = {
    "embedding": str,
    "embedding_dim": int,
    "trainable": bool,
    "maxlen": int,
    "hidden_units": int,
    "train_samples": int,
    "validation_samples": int,
    **TRAIN_KEYS,
}
SCHEMA = {
    "imdb": {"url": str, "sha256": str, "mirrors": list},
    "glove": {"url": str, "sha256": str, "dim": int, "members": dict, "mirrors": list},
    "tokenize": {"max_words": int},
    "train": TRAIN_KEYS,
    "experiments": dict,
}
# Zero is meaningful for these (no hidden layer); everything else is a size.
NON_NEGATIVE = {"hidden_units"}


def load(path="params.yaml"):
    path = Path(path)
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PipelineError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path} is not valid YAML: {exc}") from exc
    validate(params, path)
    return params


def validate(params, path="params.yaml"):
    _check_section(params, SCHEMA, "", path)
    glove = params["glove"]
    for dim in GLOVE_DIMS:
        if dim not in glove["members"]:
            raise PipelineError(f"{path}: glove.members.{dim} is missing (the checksum of glove.6B.{dim}d.txt)")
    for key, spec in glove["members"].items():
        if key not in GLOVE_DIMS:
            raise PipelineError(f"{path}: glove.members.{key}: glove.6B has no {key}-d member")
        Checksum(spec, f"{path}: glove.members.{key}")
    if glove["dim"] not in GLOVE_DIMS:
        raise PipelineError(
            f"{path}: glove.dim is {glove['dim']}, but glove.6B only has dims {', '.join(map(str, GLOVE_DIMS))}"
        )
    Checksum(params["imdb"]["sha256"], f"{path}: imdb.sha256")
    for section in ("imdb", "glove"):
        for base in params[section]["mirrors"]:
            if not isinstance(base, str) or not base.startswith(("http://", "https://")):
                raise PipelineError(f"{path}: {section}.mirrors: {base!r} is not an http(s):// base URL")
    Checksum(glove["sha256"], f"{path}: glove.sha256")
    if not params["experiments"]:
        raise PipelineError(f"{path}: experiments is empty; name at least one experiment")
    for name in params["experiments"]:
        experiment(params, name, path)


def experiment(params, name, path="params.yaml"):
    """The settings of one experiment: its own keys over the `train` defaults."""
    where = f"experiments.{name}"
    spec = params["experiments"].get(name)
    if not isinstance(spec, dict):
        raise PipelineError(f"{path}: {where} must be a mapping of settings")
    required = set(EXPERIMENT_KEYS) - set(TRAIN_KEYS) - {"embedding_dim", "trainable"}
    _check_section(spec, EXPERIMENT_KEYS, where + ".", path, required=required)
    if spec["embedding"] not in EMBEDDINGS:
        raise PipelineError(f"{path}: {where}.embedding is {spec['embedding']!r}; expected one of {EMBEDDINGS}")
    if spec["embedding"] == "learned" and "embedding_dim" not in spec:
        raise PipelineError(f"{path}: {where}.embedding_dim is missing (needed for learned embeddings)")
    if spec["embedding"] == "glove" and "embedding_dim" in spec:
        raise PipelineError(f"{path}: {where}.embedding_dim is set, but a glove experiment uses glove.dim")
    merged = {**params["train"], "trainable": spec["embedding"] == "learned", **spec}
    if merged["optimizer"] not in OPTIMIZERS:
        raise PipelineError(f"{path}: {where}.optimizer is {merged['optimizer']!r}; expected one of {OPTIMIZERS}")
    if merged["distribute"] not in DISTRIBUTE:
        raise PipelineError(
            f"{path}: {where}.distribute is {merged['distribute']!r}; expected one of {DISTRIBUTE}")
    return merged


def _check_section(section, schema, prefix, path, required=None):
    if not isinstance(section, dict):
        raise PipelineError(f"{path}: {prefix.rstrip('.') or 'the file'} must be a mapping")
    for key in section:
        if key not in schema:
            known = ", ".join(prefix + k for k in schema)
            raise PipelineError(f"{path}: unknown key {prefix}{key} (known keys: {known})")
    for key in schema if required is None else required:
        if key not in section:
            raise PipelineError(f"{path}: {prefix}{key} is missing")
    for key, value in section.items():
        kind = schema[key]
        if isinstance(kind, dict):
            _check_section(value, kind, f"{prefix}{key}.", path)
            continue
        # bool is an int in Python; a size of `true` is still a mistake.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise PipelineError(f"{path}: {prefix}{key} is {value!r}; expected {kind.__name__}")
        if kind is int and key != "seed":
            if value < 0 or (value == 0 and key not in NON_NEGATIVE):
                raise PipelineError(f"{path}: {prefix}{key} is {value}; expected a positive number")
