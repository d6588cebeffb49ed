"""params.yaml as a file: read as DVC reads it (ruamel.yaml's safe loader,
YAML 1.2, so `1e4` is a float here as there, and a key written twice is an
error); the schema's errors (params.py) as one line each, naming the key;
and the value at a dotted key."""

import re
import reprlib
from pathlib import Path
from typing import Any

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import decode_utf8, other_encoding

NAME = re.compile(r"[a-z0-9_]{1,64}")  # names become file names, stage names and command arguments
NAME_RULE = "1 to 64 of a-z, 0-9 and _"


def command_values(data: Any) -> list[tuple[str, Any]]:
    """(where, value) of every value of params.yaml that dvc.yaml puts into a
    command: the names of experiments, vectors and pairs, a pair's members
    and vectors, the curve's sizes and the draws."""
    section = data if isinstance(data, dict) else {}
    found: list[tuple[str, Any]] = []

    def mapping(where: str) -> dict:
        node: Any = section
        for part in where.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    for where in ("experiments.learned", "experiments.glove", "experiments.word2vec", "nbsvm.labelled",
                  "nbsvm.pseudo_labelled", "nbsvm.doc_taught", "doc_vectors", "compare.pairs"):  # fmt: skip
        found += [(f"{where} has a name", name) for name in mapping(where)]
    for name, pair in mapping("compare.pairs").items():
        found += [(f"compare.pairs.{name}.{side}", value) for side, value in (pair or {}).items()]
    for name, spec in mapping("nbsvm.doc_taught").items():
        found += [(f"nbsvm.doc_taught.{name}.vectors", (spec or {}).get("vectors"))]
    for where in ("learning_curve.sizes", "draws.curve_sizes", "draws.curve", "draws.nbsvm_pseudo"):
        group, _, key = where.partition(".")
        values = mapping(group).get(key)
        found += [(where, value) for value in (values if isinstance(values, list) else [values])]
    return found


def unsafe_in_commands(data: Any) -> list[str]:
    """A line for every value that dvc.yaml puts into a command and that is
    not a name by the rule or a whole number: it must never reach a shell."""
    lines = []
    for where, value in command_values(data):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole and not (isinstance(value, str) and NAME.fullmatch(value)):
            lines.append(f"{where}: {shown(value)} is not a valid experiment name ({NAME_RULE}) or a whole number")
    return lines


def value_at(params: Any, key: str) -> Any:
    """The checked value at a dotted key (`experiments.glove.glove_frozen`);
    a key the file lacks is named with what is there."""
    value = params
    for depth, part in enumerate(key.split(".")):
        names = list(type(value).model_fields) if hasattr(type(value), "model_fields") else list(value)
        if part not in map(str, names):
            where = ".".join(key.split(".")[:depth]) or "the file"
            raise PipelineError(f"params.yaml has no {key} ({where} has: {', '.join(map(str, names))})")
        value = getattr(value, part) if hasattr(type(value), "model_fields") else value[_key(value, part)]
    return value


def _key(mapping: dict, part: str) -> Any:
    """A mapping's key written as `part` (glove.members has whole numbers)."""
    return next(key for key in mapping if str(key) == part)


# What a value should have been, by pydantic's error type.
KINDS = {"int": "a whole number", "float": "a number", "string": "text", "bool": "true or false", "list": "a list"}
KINDS |= {"dict": "a mapping", "model": "a mapping", "model_attributes": "a mapping"}


def error_lines(error: Any, root: Any) -> list[str]:
    """A pydantic error of the schema `root` as our lines: `<key path> is <value>; expected <what>`."""
    loc, kind, value, ctx = error["loc"], error["type"], error.get("input"), error.get("ctx", {})
    if loc[-1:] == ("[key]",):  # a key's own fault: a bad name is said after its group
        loc = loc[:-2] if kind == "value_error" else loc[:-1]
    key = ".".join(map(str, loc))
    if kind == "missing":
        return [f"{key} is missing"]
    if kind == "extra_forbidden":
        return [f"unknown key {key} (known keys: {', '.join(_known(root, loc[:-1]))})"]
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", error["msg"]))
        return [f"{key}{'' if line.startswith(':') or not key else ' '}{line}" for line in text.splitlines()]
    if kind == "int_type" and type(value) is float and value.is_integer():
        return [f"{key} is {value!r}, a float (YAML reads 1e4 as one); write it as a whole number"]
    if kind in ("dict_type", "model_type") and value is None:
        return [f"{key} is empty; write {{}} for no entries"]
    if kind.removesuffix("_type") in KINDS:
        return [f"{key} is {shown(value)}; expected {KINDS[kind.removesuffix('_type')]}"]
    if kind == "literal_error":
        return [
            f"{key} is {shown(value)}; expected one of {ctx['expected'].replace(chr(39), '').replace(' or ', ', ')}"
        ]
    if kind in ("greater_than", "greater_than_equal"):
        floats = isinstance(ctx.get("gt", ctx.get("ge")), float)  # a float key: 0 is shown as 0.0
        return [f"{key} is {float(value) if floats else value}; expected a positive number"]
    if kind == "less_than_equal":
        return [f"{key} is {value:g}; expected at most {ctx['le']:,}"]
    if kind == "finite_number":
        return [f"{key} is {value}; expected a finite number"]
    return [f"{key}: {error['msg']}"]


def _known(root: Any, loc: tuple) -> list[str]:
    """The keys of the model at `loc` (a dict's entries stepped over)."""
    model: Any = root
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part) if isinstance(part, str) else None
        model = field.annotation if field else model
        while not hasattr(model, "model_fields") and getattr(model, "__args__", None):
            model = model.__args__[-1]
    prefix = ".".join(map(str, loc))
    return [f"{prefix}.{k}" if prefix else k for k in getattr(model, "model_fields", {})]


def shown(value: Any, most: int = 80) -> str:
    """A value as the error lines show it: its repr, bounded however deep or shared it is."""
    text = _REPR.repr(value)
    return text if len(text) <= most else text[: most - 10] + "...'"


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 3, 8, 8, 100, 100
# Past this, what its aliases expand to is refused before anything walks it:
# a YAML "bomb" of nested aliases expands to billions of values from a few lines.
MAX_VALUES = 100_000


def expanded_size(node: Any, memo: dict | None = None) -> int:
    """How many values a composed YAML node stands for, its aliases expanded
    (each node counted once: linear in the file, not in what it expands to)."""
    memo = {} if memo is None else memo
    if id(node) not in memo:
        memo[id(node)] = 1  # a node under construction (a cycle) counts once
        value = node.value
        children = [part for pair in value for part in pair] if node.id == "mapping" else value
        memo[id(node)] = 1 + (sum(expanded_size(child, memo) for child in children) if isinstance(value, list) else 0)
    return memo[id(node)]


def read(path: str | Path = "params.yaml") -> Any:
    """The YAML of `path` as DVC reads it, unchecked; a fault of the file itself is one line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"cannot read {path}: {exc.strerror}") from None
    encoding = other_encoding(data[:4])
    if encoding:
        raise PipelineError(f"{path} is {encoding} text; save it as UTF-8")
    text = decode_utf8(data, f"{path} is", "; save it as UTF-8")
    try:
        size = expanded_size(YAML(typ="safe").compose(text)) if "*" in text else 0
        if size > MAX_VALUES:
            raise PipelineError(
                f"{path}: its aliases (*name) expand to {size:,} values, more than {MAX_VALUES:,}; write the values out"
            )
        return YAML(typ="safe").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" on line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "").split())
        if type(exc).__name__ == "DuplicateKeyError":
            problem = problem.split(" with value")[0]
        raise PipelineError(f"{path} is not valid YAML: {problem}{where}") from None
    except YAMLError as exc:
        raise PipelineError(f"{path} is not valid YAML: {' '.join(str(exc).split())[:200]}") from None
