"""Reading and checking `params.yaml` before any stage does any work.

The stage `check_params` (first in dvc.yaml, and upstream of every other
stage) validates the whole file whenever its bytes change, so a mistake
fails before DVC removes or runs anything for a stage whose paths or command
hold an experiment name. Every stage that reads params validates the whole
file again, with a message naming the key, instead of a KeyError deep in
training. A stage then sees only the keys it declares (`load(keys=...)`):
the same list `dvc.yaml` gives as the stage's `params`, and
tests/test_dependencies.py holds the two equal, so a stage cannot read a key
whose change would not rerun it.

The file is read as DVC reads it (ruamel.yaml's safe loader, YAML 1.2): `1e4`
is the float 10000.0 here as there, and a key written twice is an error.
"""

import math
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum, decode_utf8

GLOVE_DIMS = (50, 100, 200, 300)
# One group of experiments per embedding source, each its own `foreach` in
# dvc.yaml: DVC cannot give the items of one group different deps, and only
# the GloVe experiments depend on the GloVe matrix.
EMBEDDINGS = ("learned", "glove", "word2vec")
OPTIMIZERS = ("rmsprop", "adam", "sgd")
# Model families (imdb_embeddings/modeling/model.py).
FAMILIES = ("flatten", "mean", "conv1d", "ngram_bag")
DISTRIBUTE = ("none", "mirrored", "multi_worker")
# Where the reviews come from (imdb_embeddings/dataset/formats.py): the aclImdb
# archive, or your own file or folder.
DATASET_FORMATS = ("aclimdb", "csv", "tsv", "parquet", "jsonl", "folders")
# dataset.path becomes a command argument and a DVC dependency: a relative path
# inside the project, of letters, digits and . _ - / only (no shell meaning).
DATASET_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}")
# Experiment names become file names (data/models/<name>.npz, metrics/<name>.json),
# stage names and command arguments in dvc.yaml: nothing that a shell or a path
# could read as more than a name.
NAME = re.compile(r"[a-z0-9_]{1,64}")
NAME_RULE = "1 to 64 of a-z, 0-9 and _"
# Upper bounds of sizes whose values would exhaust memory or time long before
# they fail (a 1e12 maxlen, a 1e9-d word2vec): far above any sensible setting.
LIMITS = {
    "max_words": 1_000_000,  # the vocabulary x dim float32 matrices
    "maxlen": 10_000,  # words per review; the longest aclImdb review has about 2,500
    "embedding_dim": 1_000,
    "dim": 1_000,  # word2vec.dim
    "hidden_units": 10_000,
    "epochs": 1_000,
    "batch_size": 100_000,
    "cpu_devices": 64,
    "workers": 64,
    "window": 100,
    "train_samples": 10_000_000,
    "validation_samples": 10_000_000,
    "pseudo_labels": 10_000_000,
    "ngram_buckets": 10_000_000,
    "early_stopping": 1_000,
    "min_count": 1_000_000_000,
    "min_df": 1_000_000_000,
    "learning_rate": 10.0,
    "c": 1_000.0,  # inverse L2 strength: liblinear's fit slows as the penalty vanishes
    "teacher_c": 1_000_000.0,
    "seed": 2**32 - 1 - 100,  # numpy's seeds, less the most draws (MAX_DRAWS) added to one
    "resamples": 100_000,  # the paired bootstrap's: 25,000 reviews each
}
MAX_CURVE_POINTS = 20

# The schema: one frozen dataclass per section (and per experiment), whose
# fields are the keys and whose types are checked (`_kinds`); `validate`
# reports every mistake of the file at once, then stages get these objects
# (`section`, `experiment`, `nbsvm_experiment`), not dicts.


@dataclass(frozen=True)
class Imdb:
    url: str
    sha256: str  # of the official archive
    content_sha256: str  # of the reviews themselves, whatever archive carries them
    mirrors: list  # base URLs tried after the official one


@dataclass(frozen=True)
class Dataset:
    """The reviews every stage after `prepare` reads (docs/own-data.md)."""

    path: str  # the aclImdb archive (stage download_imdb's output) or your file or folder
    format: str  # one of DATASET_FORMATS
    text_column: str  # csv, tsv, parquet, jsonl: the column (key) of the review's text
    label_column: str  # ... of its label; an empty label makes an unlabelled text
    split_column: str  # ... of train/test; "": split here by test_fraction and seed
    positive: str  # the label of a positive review
    negative: str  # the label of a negative one; any other label is left out
    test_fraction: float
    seed: int
    content_sha256: str  # the kept rows' digest (prepare prints it); "": not pinned


@dataclass(frozen=True)
class Glove:
    url: str
    sha256: str  # of the whole zip
    dim: int  # one of GLOVE_DIMS
    members: dict  # dim: checksum of glove.6B.<dim>d.txt
    mirrors: list


@dataclass(frozen=True)
class Tokenize:
    max_words: int  # vocabulary size including index 0, as Keras' num_words


@dataclass(frozen=True)
class Word2Vec:
    dim: int
    epochs: int
    window: int
    min_count: int
    sg: int  # 0: CBOW, 1: skip-gram
    seed: int
    workers: int  # 1: the same vectors every run


@dataclass(frozen=True)
class Train:
    """Defaults of every Keras experiment, which may override any of them."""

    seed: int
    epochs: int
    batch_size: int
    optimizer: str  # one of OPTIMIZERS
    distribute: str  # one of DISTRIBUTE
    cpu_devices: int


@dataclass(frozen=True)
class LearningCurve:
    sizes: list  # labelled training reviews of each point
    validation_samples: int
    model: str  # flatten, mean or conv1d
    maxlen: int
    embedding_dim: int
    trainable: bool
    hidden_units: int
    dropout: float
    learning_rate: float
    epochs: int
    early_stopping: int
    optimizer: str


@dataclass(frozen=True)
class Compare:
    """Paired comparisons of two models on the same test reviews (stage compare)."""

    seed: int  # the bootstrap's resampling
    resamples: int
    pairs: dict  # <name>: {a: <experiment>, b: <experiment>}, a measured against b


@dataclass(frozen=True)
class Draws:
    """Label draws: an experiment repeated with its labelled reviews drawn
    anew, draw k seeded by its seed + k (draw 0 is the experiment itself).
    Each draw is a stage of its own (dvc.yaml's matrices), so adding draws
    runs only the new ones."""

    nbsvm_pseudo: list  # the draws k of every nbsvm.pseudo_labelled experiment (at least one)
    curve: list  # the draws k of the learning-curve points at curve_sizes
    curve_sizes: list  # some of learning_curve.sizes


@dataclass(frozen=True)
class Experiment:
    """One Keras experiment (or learning-curve point), typed: its own keys
    over `train`'s, over EXPERIMENT_DEFAULTS; `embedding` is its group."""

    embedding: str  # learned, glove or word2vec: set from the group, not a key
    model: str  # a family of FAMILIES
    trainable: bool
    maxlen: int
    hidden_units: int
    train_samples: int
    validation_samples: int
    dropout: float  # after the pooling (and, for conv1d, on the word vectors)
    learning_rate: float | None  # None: the optimizer's own
    early_stopping: int  # patience in epochs on validation loss, best weights kept; 0: off
    ngrams: int  # ngram_bag: words and n-grams up to this n
    ngram_buckets: int  # ngram_bag: hashed n-gram rows
    seed: int
    epochs: int
    batch_size: int
    optimizer: str
    distribute: str
    cpu_devices: int
    embedding_dim: int | None = None  # learned embeddings only; pre-trained vectors bring their own


@dataclass(frozen=True)
class NbsvmExperiment:
    """One NBSVM experiment, typed (nbsvm.<group>.<name>)."""

    train_samples: int  # labelled reviews fitted on
    validation_samples: int  # labelled reviews held out, only measured (0: none)
    ngrams: int  # words and n-grams up to this n (1 to 3)
    min_df: int  # n-grams found in fewer training texts are left out
    c: float  # inverse strength of the L2 penalty (scikit-learn's C)
    seed: int
    pseudo_labels: int | None = None  # pseudo_labelled only: the teacher's most confident texts per class
    teacher_c: list | None = None  # pseudo_labelled only: the teacher's inverse L2 strengths to choose from
    # liblinear (in memory, ~45 bytes a matrix value), lbfgs (the same
    # regression over batches, ~4 bytes a value: for millions of reviews), or
    # auto (the default): lbfgs above nbsvm/fit.py's AUTO_LBFGS_VALUES.
    solver: str = "auto"


def _kinds(cls: type) -> dict[str, type]:
    """Each field's kind as the checks see it: `float | None` is a float."""
    kinds = {}
    for field in fields(cls):
        kind = next((a for a in typing.get_args(field.type) if a is not type(None)), field.type)
        kinds[field.name] = typing.get_origin(kind) or kind
    return kinds


SECTIONS = {
    "dataset": Dataset,
    "imdb": Imdb,
    "glove": Glove,
    "tokenize": Tokenize,
    "word2vec": Word2Vec,
    "train": Train,
    "learning_curve": LearningCurve,
    "compare": Compare,
    "draws": Draws,
}
MAX_DRAWS = 100
TRAIN_KEYS = _kinds(Train)
EXPERIMENT_KEYS = {key: kind for key, kind in _kinds(Experiment).items() if key != "embedding"}
EXPERIMENT_DEFAULTS = {
    "model": "flatten",
    "dropout": 0.0,
    "learning_rate": None,
    "early_stopping": 0,
    "ngrams": 2,
    "ngram_buckets": 100_000,
}
REQUIRED_EXPERIMENT_KEYS = {"maxlen", "hidden_units", "train_samples", "validation_samples"}
# NBSVM experiments (imdb_embeddings/nbsvm/): `labelled` ones fit on labelled
# reviews; `pseudo_labelled` ones on a word2vec teacher's labels of the other
# training texts, so only they depend on the word2vec vectors.
NBSVM_GROUPS = ("labelled", "pseudo_labelled")
PSEUDO_LABEL_KEYS = {"pseudo_labels": int, "teacher_c": list}
NBSVM_SOLVERS = ("auto", "liblinear", "lbfgs")
NBSVM_KEYS = {key: kind for key, kind in _kinds(NbsvmExperiment).items() if key not in PSEUDO_LABEL_KEYS}
SCHEMA: dict[str, dict[str, type]] = {
    **{name: _kinds(cls) for name, cls in SECTIONS.items()},
    "experiments": {group: dict for group in EMBEDDINGS},
    "nbsvm": {group: dict for group in NBSVM_GROUPS},
}
# Zero is meaningful for these (no hidden layer); everything else is a size.
NON_NEGATIVE = {"hidden_units", "early_stopping", "dropout", "sg"}

Params = dict[str, Any]
T = typing.TypeVar("T")


def section(params: Params, cls: type[T]) -> T:
    """A whole section of params that `validate` passed, typed (e.g. `section(p, Word2Vec)`)."""
    name = next(name for name, known in SECTIONS.items() if known is cls)
    return typed(cls, params[name])


def typed(cls: type[T], values: Params) -> T:
    """`cls` from checked values; YAML reads `c: 1` as an int, a float field gets a float."""
    kinds = _kinds(cls)
    return cls(**{k: float(v) if kinds[k] is float and v is not None else v for k, v in values.items()})


KIND_NAMES = {
    int: "a whole number",
    float: "a number",
    str: "text",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


def load(path: str | Path = "params.yaml", keys: tuple[str, ...] | list[str] | None = None) -> Params:
    """The validated params; with `keys` (dotted paths such as
    ``tokenize.max_words``), only those keys, nested as in the file."""
    params = read(path)
    validate(params, path)
    return params if keys is None else select(params, keys)


# Byte-order marks of the encodings a text editor may save in instead of UTF-8.
BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def read(path: str | Path = "params.yaml") -> Any:
    """The YAML of `path` as DVC reads it, unchecked; any problem with the
    file itself (unreadable, not UTF-8, not YAML, a key twice) is one line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"cannot read {path}: {exc.strerror}") from None
    for bom, encoding in BOMS.items():
        if data.startswith(bom):
            raise PipelineError(f"{path} is {encoding} text; save it as UTF-8")
    text = decode_utf8(data, f"{path} is", "; save it as UTF-8")
    try:
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


def select(params: Params, keys: tuple[str, ...] | list[str]) -> Params:
    """Only the dotted `keys` of `params`, nested as they are there."""
    chosen: Params = {}
    for key in keys:
        source, target = params, chosen
        *parents, last = key.split(".")
        for depth, part in enumerate(parents + [last]):
            if not isinstance(source, dict) or part not in source:
                where = ".".join(key.split(".")[:depth]) or "the file"
                held = ", ".join(map(str, source)) if isinstance(source, dict) else "no keys"
                raise PipelineError(f"params.yaml has no {key} ({where} has: {held or 'nothing'})")
            if part != last or depth < len(parents):
                source = source[part]
                target = target.setdefault(part, {})
        target[last] = source[last]
    return chosen


def check_name(name: Any, where: str, path: str | Path = "params.yaml") -> None:
    """An experiment name that is safe as a file name and a command argument."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        shown = repr(name) if len(repr(name)) <= 80 else repr(name)[:70] + "...'"
        raise PipelineError(f"{path}: {where}: {shown} is not a valid experiment name ({NAME_RULE})")


def validate(params: Any, path: str | Path = "params.yaml") -> None:
    """Every check of the whole file; all its mistakes at once, one line each
    (a PipelineError whose message has a line per mistake)."""
    if params is None:
        raise PipelineError(f"{path} is empty; it needs the sections {', '.join(SCHEMA)}")
    if not isinstance(params, dict):
        raise PipelineError(f"{path} must be a mapping of sections ({', '.join(SCHEMA)})")
    problems: list[str] = []
    _collect(problems, _check_section, params, SCHEMA, "", path)
    checks = (_check_dataset, _check_sources, _check_word2vec, _check_curve, _check_experiments, _check_pairs)
    for check in (*checks, _check_draws):
        try:
            _collect(problems, check, params, path)
        except (KeyError, TypeError, AttributeError, ValueError):
            # A check that cannot read a section the structure check already
            # reported as wrong: that report is the mistake to fix first.
            if not problems:
                raise
    if problems:
        raise PipelineError("\n".join(problems))


def _check_dataset(params: Params, path: str | Path) -> None:
    """A path that is safe in a command, a known format, two different labels."""
    dataset = params["dataset"]
    problems: list[str] = []
    where = dataset["path"]
    if not DATASET_PATH.fullmatch(where) or ".." in where.split("/"):
        problems.append(
            f"{path}: dataset.path is {where[:80]!r}; expected a relative path inside the project "
            "(letters, digits, . _ - and /, no ..)"
        )
    if dataset["format"] not in DATASET_FORMATS:
        problems.append(f"{path}: dataset.format is {dataset['format'][:40]!r}; expected one of {DATASET_FORMATS}")
    for key in ("text_column", "label_column", "positive", "negative"):
        value = dataset[key]
        if not value.strip() or len(value) > 200 or not value.isprintable():
            problems.append(f"{path}: dataset.{key} is {value[:40]!r}; expected 1 to 200 printable characters")
    if dataset["positive"] == dataset["negative"]:
        problems.append(f"{path}: dataset.positive and dataset.negative are both {dataset['positive'][:40]!r}")
    if dataset["test_fraction"] >= 1:  # 0 and below: the type check says so
        problems.append(f"{path}: dataset.test_fraction is {dataset['test_fraction']}; expected below 1")
    if dataset["content_sha256"]:
        _collect(problems, Checksum, dataset["content_sha256"], f"{path}: dataset.content_sha256")
    if problems:
        raise PipelineError("\n".join(problems))


def _check_word2vec(params: Params, path: str | Path) -> None:
    if params["word2vec"]["sg"] not in (0, 1):
        raise PipelineError(f"{path}: word2vec.sg is {params['word2vec']['sg']}; expected 0 (CBOW) or 1 (skip-gram)")


def _check_curve(params: Params, path: str | Path) -> None:
    curve = params["learning_curve"]
    sizes = curve["sizes"]
    most = LIMITS["train_samples"]
    if not sizes or not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= most for n in sizes):
        raise PipelineError(
            f"{path}: learning_curve.sizes is {str(sizes)[:80]}; expected a list of whole numbers from 1 to {most:,}"
        )
    if len(sizes) > MAX_CURVE_POINTS:
        raise PipelineError(
            f"{path}: learning_curve.sizes has {len(sizes)} points; expected at most {MAX_CURVE_POINTS}"
        )
    if len(set(sizes)) != len(sizes):
        raise PipelineError(f"{path}: learning_curve.sizes has a size twice: {sizes}")
    if curve["model"] not in FAMILIES or curve["model"] == "ngram_bag":
        raise PipelineError(f"{path}: learning_curve.model is {curve['model']!r}; expected flatten, mean or conv1d")
    if curve["optimizer"] not in OPTIMIZERS:
        raise PipelineError(f"{path}: learning_curve.optimizer is {curve['optimizer']!r}; expected one of {OPTIMIZERS}")


def _check_draws(params: Params, path: str | Path) -> None:
    """Draw numbers (1 and up, each once: they become stage names and seeds)
    and curve sizes that the curve has."""
    draws = params["draws"]
    problems: list[str] = []
    for key in ("nbsvm_pseudo", "curve"):
        values = draws[key]
        if not all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= MAX_DRAWS for k in values):
            problems.append(f"{path}: draws.{key} is {str(values)[:80]}; expected draw numbers from 1 to {MAX_DRAWS}")
        elif len(set(values)) != len(values):
            problems.append(f"{path}: draws.{key} has a draw twice: {values}")
    if not draws["nbsvm_pseudo"]:
        problems.append(f"{path}: draws.nbsvm_pseudo is empty; give at least one draw (a spread needs two)")
    sizes = params["learning_curve"]["sizes"]
    for n in draws["curve_sizes"] if sizes else ():  # no sizes: _check_curve says so
        if n not in sizes:
            problems.append(f"{path}: draws.curve_sizes has {n!r}, which is not in learning_curve.sizes")
    if problems:
        raise PipelineError("\n".join(problems))


def _check_sources(params: Params, path: str | Path) -> None:
    """URLs, checksums and mirrors of the two downloads."""
    for section in ("imdb", "glove"):
        url = params[section]["url"]
        if not url.startswith(("http://", "https://")):
            raise PipelineError(f"{path}: {section}.url is {url!r}; expected an http(s):// URL")
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
    Checksum(params["imdb"]["content_sha256"], f"{path}: imdb.content_sha256")
    for section in ("imdb", "glove"):
        for base in params[section]["mirrors"]:
            if not isinstance(base, str) or not base.startswith(("http://", "https://")):
                raise PipelineError(f"{path}: {section}.mirrors: {base!r} is not an http(s):// base URL")
    Checksum(glove["sha256"], f"{path}: glove.sha256")


def _check_pairs(params: Params, path: str | Path) -> None:
    """Each paired comparison: a safe name, two different experiments that exist."""
    models = {name for section in ("experiments", "nbsvm") for group in params[section].values() for name in group}
    problems: list[str] = []
    for name, pair in params["compare"]["pairs"].items():
        _collect(problems, check_name, name, "compare.pairs", path)
        if not isinstance(pair, dict) or set(pair) != {"a", "b"}:
            problems.append(f"{path}: compare.pairs.{name} must be a mapping of a and b (two experiments)")
            continue
        for side in ("a", "b"):
            if pair[side] not in models:
                problems.append(f"{path}: compare.pairs.{name}.{side} is {pair[side]!r}, not an experiment")
        if pair["a"] == pair["b"]:
            problems.append(f"{path}: compare.pairs.{name} compares {pair['a']} with itself")
    if problems:
        raise PipelineError("\n".join(problems))


def _check_experiments(params: Params, path: str | Path) -> None:
    """Every experiment of every group: a safe name, used once, valid settings;
    the mistakes of every experiment at once."""
    problems: list[str] = []
    seen: dict[str, str] = {}

    def one(section: str, group: str, name: Any) -> None:
        check_name(name, f"{section}.{group}", path)
        if name in seen:
            first = f"experiments.{seen[name]}" if section == "experiments" else seen[name]
            raise PipelineError(
                f"{path}: experiment {name} is in both {first} and {section}.{group}; names must be unique"
            )
        seen[name] = group if section == "experiments" else f"nbsvm.{group}"
        (_check_experiment if section == "experiments" else _check_nbsvm_experiment)(params, group, name, path)

    for group in EMBEDDINGS:
        for name in params["experiments"][group]:
            _collect(problems, one, "experiments", group, name)
    if not any(params["experiments"][group] for group in EMBEDDINGS):
        problems.append(f"{path}: experiments has no experiment; name at least one")
    for group in NBSVM_GROUPS:
        for name in params["nbsvm"][group]:
            _collect(problems, one, "nbsvm", group, name)
    if problems:
        raise PipelineError("\n".join(problems))


def nbsvm_experiment(params: Params, group: str, name: str, path: str | Path = "params.yaml") -> NbsvmExperiment:
    """The settings of one NBSVM experiment of params that `validate` passed."""
    spec = _lookup(params, "nbsvm", group, name, NBSVM_GROUPS, path)
    return typed(NbsvmExperiment, spec)


def _check_nbsvm_experiment(params: Params, group: str, name: str, path: str | Path) -> None:
    where = f"nbsvm.{group}.{name}"
    spec = _lookup(params, "nbsvm", group, name, NBSVM_GROUPS, path)
    keys = {**NBSVM_KEYS, **(PSEUDO_LABEL_KEYS if group == "pseudo_labelled" else {})}
    # An NBSVM fit needs no validation reviews (no epochs to stop): 0 is allowed.
    required = set(keys) - {"solver"}
    _check_section(spec, keys, where + ".", path, required=required, zero_ok=NON_NEGATIVE | {"validation_samples"})
    if spec.get("solver", "auto") not in NBSVM_SOLVERS:
        raise PipelineError(f"{path}: {where}.solver is {spec['solver']!r}; expected one of {', '.join(NBSVM_SOLVERS)}")
    if not 1 <= spec["ngrams"] <= 3:
        raise PipelineError(f"{path}: {where}.ngrams is {spec['ngrams']}; expected 1, 2 or 3")
    candidates = spec.get("teacher_c", [1.0])
    most = LIMITS["teacher_c"]
    if not candidates or not all(
        isinstance(c, int | float) and not isinstance(c, bool) and 0 < c <= most for c in candidates
    ):
        raise PipelineError(
            f"{path}: {where}.teacher_c is {str(candidates)[:80]}; expected a list of numbers above 0, up to {most:g}"
        )


def _lookup(params: Params, section: str, group: str, name: str, groups: tuple[str, ...], path: str | Path) -> Any:
    """params[section][group][name], or an error that says what there is."""
    if group not in groups:
        raise PipelineError(f"{path}: no {section} group {group!r}; expected one of {', '.join(groups)}")
    if name not in params[section][group]:
        known = ", ".join(params[section][group]) or "none"
        raise PipelineError(f"{path}: no experiment {section}.{group}.{name} ({section}.{group} has: {known})")
    spec = params[section][group][name]
    if not isinstance(spec, dict):
        raise PipelineError(f"{path}: {section}.{group}.{name} must be a mapping of settings")
    return spec


def experiment(params: Params, group: str, name: str, path: str | Path = "params.yaml") -> Experiment:
    """The settings of one experiment of params that `validate` passed: its
    own keys over the `train` defaults, with `embedding` set to its group."""
    spec = _lookup(params, "experiments", group, name, EMBEDDINGS, path)
    return typed(Experiment, _merged(params, group, spec))


def _merged(params: Params, group: str, spec: Params) -> Params:
    return {**EXPERIMENT_DEFAULTS, **params["train"], "trainable": group == "learned", **spec, "embedding": group}


def _check_experiment(params: Params, group: str, name: str, path: str | Path) -> None:
    where = f"experiments.{group}.{name}"
    spec = _lookup(params, "experiments", group, name, EMBEDDINGS, path)
    _check_section(spec, EXPERIMENT_KEYS, where + ".", path, required=REQUIRED_EXPERIMENT_KEYS)
    if group == "learned" and "embedding_dim" not in spec:
        raise PipelineError(f"{path}: {where}.embedding_dim is missing (needed for learned embeddings)")
    if group != "learned" and "embedding_dim" in spec:
        raise PipelineError(f"{path}: {where}.embedding_dim is set, but a {group} experiment uses {group}.dim")
    merged = _merged(params, group, spec)
    if merged["model"] not in FAMILIES:
        raise PipelineError(f"{path}: {where}.model is {merged['model']!r}; expected one of {', '.join(FAMILIES)}")
    if not 0 <= merged["dropout"] < 1:
        raise PipelineError(f"{path}: {where}.dropout is {merged['dropout']}; expected a fraction from 0 up to 1")
    if merged["model"] == "ngram_bag" and not merged["trainable"]:
        raise PipelineError(
            f"{path}: {where} is an ngram_bag model with a frozen embedding: its n-gram "
            "vectors could not learn; set trainable: true"
        )
    if merged["model"] == "ngram_bag" and merged["ngrams"] not in (2, 3, 4):
        raise PipelineError(f"{path}: {where}.ngrams is {merged['ngrams']}; expected 2, 3 or 4")
    if merged["early_stopping"] and merged["distribute"] == "multi_worker":
        raise PipelineError(f"{path}: {where}.early_stopping is not supported with distribute multi_worker")
    if merged["optimizer"] not in OPTIMIZERS:
        raise PipelineError(f"{path}: {where}.optimizer is {merged['optimizer']!r}; expected one of {OPTIMIZERS}")
    if merged["distribute"] not in DISTRIBUTE:
        raise PipelineError(f"{path}: {where}.distribute is {merged['distribute']!r}; expected one of {DISTRIBUTE}")


def _check_section(
    section: Any,
    schema: dict,
    prefix: str,
    path: str | Path,
    required: set[str] | None = None,
    zero_ok: set[str] = NON_NEGATIVE,
) -> None:
    """Every key of `section` against `schema`: all problems at once, one line each."""
    if not isinstance(section, dict):
        raise PipelineError(f"{path}: {prefix.rstrip('.') or 'the file'} must be a mapping")
    problems: list[str] = []
    for key in section:
        if key not in schema:
            known = ", ".join(prefix + k for k in schema)
            problems.append(f"{path}: unknown key {prefix}{key} (known keys: {known})")
    for key in schema if required is None else required:
        if key not in section:
            problems.append(f"{path}: {prefix}{key} is missing")
    for key, value in section.items():
        kind = schema.get(key)
        if isinstance(kind, dict):
            _collect(problems, _check_section, value, kind, f"{prefix}{key}.", path)
        elif kind is not None:
            _collect(problems, _check_value, key, value, kind, prefix, path, zero_ok)
    if problems:
        raise PipelineError("\n".join(problems))


def _collect(problems: list[str], check: Callable[..., Any], *args: Any) -> None:
    """Run `check`, adding its error lines to `problems` instead of stopping."""
    try:
        check(*args)
    except PipelineError as exc:
        problems.extend(str(exc).splitlines())


def _check_value(key: str, value: Any, kind: type, prefix: str, path: str | Path, zero_ok: set[str]) -> None:
    if kind is dict and value is None:
        raise PipelineError(f"{path}: {prefix}{key} is empty; write {{}} for no entries")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # 0 for 0.0
    if kind is int and isinstance(value, float) and value.is_integer() and abs(value) < 1e300:
        # YAML 1.2, as DVC reads it: 1e4 is a float, not the int 10000.
        raise PipelineError(
            f"{path}: {prefix}{key} is {value!r}, a float (YAML reads 1e4 as one); write it as a whole number"
        )
    # bool is an int in Python; a size of `true` is still a mistake.
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:70] + "..."
        raise PipelineError(f"{path}: {prefix}{key} is {shown}; expected {KIND_NAMES.get(kind, kind.__name__)}")
    if kind in (int, float):
        if not math.isfinite(value):
            raise PipelineError(f"{path}: {prefix}{key} is {value}; expected a finite number")
        if value < 0 or (value == 0 and key not in zero_ok and key != "seed"):
            raise PipelineError(f"{path}: {prefix}{key} is {value}; expected a positive number")
        if key in LIMITS and value > LIMITS[key]:
            raise PipelineError(f"{path}: {prefix}{key} is {value:g}; expected at most {int(LIMITS[key]):,}")
