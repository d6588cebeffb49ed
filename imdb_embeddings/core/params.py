"""The schema of `params.yaml` on pydantic: a model per section and per
experiment, unknown keys refused, bounds as field constraints, every mistake
at once. A Keras experiment comes out whole: its keys over `train`'s, over
DEFAULTS. `load` gives a stage the values of the keys it declares."""

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum
from imdb_embeddings.core.params_file import NAME, NAME_RULE, error_lines, read, shown, value_at

GLOVE_DIMS = (50, 100, 200, 300)
EMBEDDINGS = ("learned", "glove", "word2vec")  # a group each, its own foreach in dvc.yaml
NBSVM_GROUPS = ("labelled", "pseudo_labelled", "doc_taught")
DATASET_FORMATS = ("aclimdb", "csv", "tsv", "parquet", "jsonl", "folders")
DISTRIBUTE = ("none", "mirrored", "multi_worker")
DATASET_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}")  # an argument and a dependency: no shell meaning
MAX_DRAWS, MAX_CURVE_POINTS = 100, 20


def _rule(test: Any, message: str) -> AfterValidator:
    """A check of one value; `message` follows the key, `{v}` being the value."""

    def check(value: Any) -> Any:
        if not test(value):
            raise ValueError(message.format(v=shown(value)))
        return value

    return AfterValidator(check)


def _checksum(value: str) -> str:
    try:
        Checksum(value, "")
    except PipelineError as exc:
        raise ValueError(str(exc)) from None  # ": 'abc' is not a sha256 digest (...)"
    return value


def _whole(low: int, high: int) -> Any:
    return lambda values: all(type(k) is int and low <= k <= high for k in values)


Size = Annotated[int, Field(gt=0, le=10_000_000)]  # bounds: far above sense, below exhausting memory
Seed = Annotated[int, Field(ge=0, le=2**32 - 1 - MAX_DRAWS)]  # numpy's seeds, less the most draws
Epochs = Annotated[int, Field(gt=0, le=1_000)]
Units = Annotated[int, Field(ge=0, le=10_000)]  # 0: no hidden layer
Maxlen = Annotated[int, Field(gt=0, le=10_000)]
Dim = Annotated[int, Field(gt=0, le=1_000)]
Batch = Annotated[int, Field(gt=0, le=100_000)]
Devices = Annotated[int, Field(gt=0, le=64)]
Fraction = Annotated[float, Field(ge=0.0), _rule(lambda v: v < 1, "is {v}; expected a fraction from 0 up to 1")]
Rate = Annotated[float, Field(gt=0.0, le=10.0)]
Patience = Annotated[int, Field(ge=0, le=1_000)]  # epochs without a better validation loss; 0: off
Sha = Annotated[str, AfterValidator(_checksum)]
Url = Annotated[str, _rule(lambda v: v.startswith(("http://", "https://")), "is {v}; expected an http(s):// URL")]
Urls = list[Url]  # base URLs
LABEL_RULE = "is {v}; expected 1 to 200 printable characters"
Label = Annotated[str, _rule(lambda v: v.strip() and len(v) <= 200 and v.isprintable(), LABEL_RULE)]
Family = Annotated[str, _rule(NAME.fullmatch, "is {v}; expected a model family (modeling/families.py)")]
Optimizer = Literal["rmsprop", "adam", "sgd"]
Distribute = Literal[DISTRIBUTE]  # type: ignore[valid-type]
Draws = Annotated[list, _rule(_whole(1, MAX_DRAWS), f"is {{v}}; expected draw numbers from 1 to {MAX_DRAWS}"),
                  _rule(lambda v: len(set(v)) == len(v), "has a draw twice: {v}")]  # fmt: skip
Pair = Annotated[dict, _rule(lambda v: set(v) == {"a", "b"}, "must be a mapping of a and b (two experiments)")]
NAMED = f": {{v}} is not a valid experiment name ({NAME_RULE})"
PATH_RULE = "is {v}; expected a relative path inside the project (letters, digits, . _ - and /, no ..)"
EACH_DIM = "needs a checksum for each dim"
SIZES_RULE = "is {v}; expected a list of whole numbers from 1 to 10,000,000"
C_RULE = "is {v}; expected a list of numbers above 0, up to 1e+06"
Name = Annotated[Any, _rule(lambda v: isinstance(v, str) and NAME.fullmatch(v), NAMED)]


class Section(BaseModel):
    """Strict (1e4 is not a whole number, `true` not a number), frozen, no unknown keys."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class Dataset(Section):
    """The reviews every stage after `prepare` reads (docs/own-data.md)."""

    path: Annotated[str, _rule(lambda v: DATASET_PATH.fullmatch(v) and ".." not in v.split("/"), PATH_RULE)]
    format: Literal[DATASET_FORMATS]  # type: ignore[valid-type]
    text_column: Label
    label_column: Label
    split_column: str  # "": split here by test_fraction and seed
    positive: Label
    negative: Label
    test_fraction: Annotated[float, Field(gt=0.0), _rule(lambda v: v < 1, "is {v}; expected below 1")]
    seed: Seed
    content_sha256: Annotated[str, AfterValidator(lambda v: v and _checksum(v))]  # "": not pinned


class Imdb(Section):
    url: Url
    sha256: Sha  # of the official archive
    content_sha256: Sha  # of the reviews, whatever archive carries them
    mirrors: Urls


class Glove(Section):
    url: Url
    sha256: Sha  # of the whole zip
    dim: Annotated[int, _rule(lambda v: v in GLOVE_DIMS, "is {v}, but glove.6B only has dims 50, 100, 200, 300")]
    members: Annotated[dict[Literal[GLOVE_DIMS], Sha], _rule(lambda v: set(v) == set(GLOVE_DIMS), EACH_DIM)]  # type: ignore[valid-type]
    mirrors: Urls


class Tokenize(Section):
    max_words: Annotated[int, Field(gt=0, le=1_000_000)]  # vocabulary size including index 0


class Word2Vec(Section):
    dim: Dim
    epochs: Epochs
    window: Annotated[int, Field(gt=0, le=100)]
    min_count: Annotated[int, Field(gt=0, le=10**9)]
    sg: Literal[0, 1]  # 0: CBOW, 1: skip-gram
    seed: Seed
    workers: Devices  # 1: the same vectors every run


class DocVectors(Section):
    """PV-DBOW document vectors (research/pv_dbow.py), opt-in research (docs/frontier.md)."""

    dim: Dim
    epochs: Epochs
    ngrams: Literal[1, 2, 3]  # words, and their 2..n-grams as extra tokens
    min_count: Annotated[int, Field(gt=0, le=10**9)]
    negative: Annotated[int, Field(gt=0, le=50)]
    seed: Seed
    workers: Devices  # 1: the same vectors every run


class Train(Section):
    """Defaults of every Keras experiment, which may override any of them."""

    seed: Seed
    epochs: Epochs
    batch_size: Batch
    optimizer: Optimizer
    distribute: Distribute
    cpu_devices: Devices


class ExperimentSpec(Section):
    """One Keras experiment; a key left out (None) takes `train`'s value, or DEFAULTS'."""

    model: Family | None = None
    trainable: bool | None = None  # None: a learned embedding trains, pre-trained vectors stay frozen
    maxlen: Maxlen
    hidden_units: Units
    train_samples: Size
    validation_samples: Size
    dropout: Fraction | None = None
    learning_rate: Rate | None = None  # None: the optimizer's own
    early_stopping: Patience | None = None
    ngrams: Annotated[int, Field(gt=0, le=4)] | None = None  # n-gram input: words and n-grams up to n
    ngram_buckets: Size | None = None
    seed: Seed | None = None
    epochs: Epochs | None = None
    batch_size: Batch | None = None
    optimizer: Optimizer | None = None
    distribute: Distribute | None = None
    cpu_devices: Devices | None = None
    embedding_dim: Dim | None = None  # learned only: pre-trained vectors bring their own


# What an experiment leaves out and `train` does not give.
DEFAULTS = {"model": "flatten", "dropout": 0.0, "learning_rate": None, "early_stopping": 0, "ngrams": 2}
DEFAULTS["ngram_buckets"] = 100_000


class Experiment(ExperimentSpec):
    """One Keras experiment (or learning-curve point) whole: every key set."""

    embedding: str  # learned, glove or word2vec: its group


def merged(train: dict, own: dict, group: str, **settings: Any) -> Experiment:
    """The one rule for an experiment's settings: its own keys (None: not
    given) over `train`'s, over DEFAULTS; `settings` over all."""
    given = {k: v for k, v in own.items() if v is not None and k in Experiment.model_fields}
    values = {**DEFAULTS, "trainable": group == "learned", **train, **given, "embedding": group, **settings}
    return Experiment.model_construct(**values)  # every value already checked


def curve_experiment(curve: dict, train: dict, source: str, n: int, draw: int = 0) -> Experiment:
    """A learning-curve point from the curve's keys and `train`'s (label
    draw k seeded train.seed + k); `sizes` is not read."""
    own = {k: v for k, v in curve.items() if k in Experiment.model_fields}
    base = {k: v for k, v in train.items() if k not in own}
    trainable = source == "learned" or curve["trainable"]
    return merged(base, own, source, train_samples=n, trainable=trainable, seed=train["seed"] + draw)


FROZEN_NGRAMS = "its n-gram vectors could not learn; set trainable: true"


def experiment_problems(e: Experiment, where: str, families: Any, curve: bool = False) -> list[str]:
    """The rules of merged settings, and of the model families when given."""
    problems = []
    if e.embedding == "learned" and e.embedding_dim is None:
        problems.append(f"{where}.embedding_dim is missing (needed for learned embeddings)")
    if e.embedding != "learned" and e.embedding_dim is not None:
        problems.append(f"{where}.embedding_dim is set, but a {e.embedding} experiment uses {e.embedding}.dim")
    if e.early_stopping and e.distribute == "multi_worker" and not curve:
        problems.append(f"{where}.early_stopping is not supported with distribute multi_worker")
    family = families.get(e.model) if families is not None else None
    if families is not None and (family is None or (curve and family.ngram_input)):
        known = [name for name, f in families.items() if not (curve and f.ngram_input)]
        problems.append(f"{where}.model is {e.model!r}; expected one of {', '.join(known)}")
    if family and family.ngram_input and not e.trainable:
        problems.append(f"{where} is an {e.model} model with a frozen embedding: {FROZEN_NGRAMS}")
    if family and family.ngram_input and e.ngrams < 2:
        problems.append(f"{where}.ngrams is {e.ngrams}; expected 2, 3 or 4")
    return problems


class LearningCurve(Section):
    sizes: Annotated[list, _rule(lambda v: v and _whole(1, 10_000_000)(v), SIZES_RULE),
                     _rule(lambda v: len(v) <= MAX_CURVE_POINTS, f"has {{v}}; at most {MAX_CURVE_POINTS} points"),
                     _rule(lambda v: len(set(v)) == len(v), "has a size twice: {v}")]  # fmt: skip
    validation_samples: Size  # the same reviews for every size
    model: Family
    maxlen: Maxlen
    embedding_dim: Dim  # the learned embedding's
    trainable: bool
    hidden_units: Units
    dropout: Fraction
    learning_rate: Rate
    optimizer: Optimizer
    epochs: Epochs
    early_stopping: Patience


def _candidates(kind: type, low: float, high: float, what: str) -> AfterValidator:
    """One value, or a list of candidates that cross-validation within the
    labelled reviews chooses among (nbsvm/choice.py)."""

    def check(value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if not values or len(values) > 10 or any(type(v) not in (int, kind) for v in values):
            raise ValueError(f"is {shown(value)}; expected {what}, or a list of 1 to 10 of them (candidates)")
        for v in values:
            if not low < v <= high:
                raise ValueError(f"is {v:g}; expected {what} above {low:g}, at most {high:,g}")
        converted = [kind(v) for v in values]
        return converted if isinstance(value, list) else converted[0]

    return AfterValidator(check)


C = Annotated[Any, _candidates(float, 0.0, 1_000.0, "a number")]  # inverse L2 strength (scikit-learn's C)
PseudoLabels = Annotated[Any, _candidates(int, 0, 10_000_000, "a whole number")]  # per class, balanced labels


class NbsvmExperiment(Section):
    train_samples: Size
    validation_samples: Annotated[int, Field(ge=0, le=10_000_000)]  # no epochs to stop: 0 is fine
    ngrams: Literal[1, 2, 3]
    min_df: Annotated[int, Field(gt=0, le=10**9)]
    c: C
    seed: Seed
    solver: Literal["auto", "liblinear", "lbfgs"] = "auto"  # lbfgs: batches, for millions (nbsvm/fit.py)


class PseudoLabelled(Section):
    """The same keys as NbsvmExperiment, and the teacher's, in the file's order (the cards list them)."""

    train_samples: Size
    validation_samples: Annotated[int, Field(ge=0, le=10_000_000)]
    teacher_c: Annotated[list, _rule(lambda v: v and all(type(c) in (int, float) and 0 < c <= 1e6 for c in v), C_RULE)]
    pseudo_labels: PseudoLabels  # the teacher's most confident texts per class
    ngrams: Literal[1, 2, 3]
    min_df: Annotated[int, Field(gt=0, le=10**9)]
    c: C
    seed: Seed
    solver: Literal["auto", "liblinear", "lbfgs"] = "auto"


class DocTaught(PseudoLabelled):
    """A pseudo_labelled experiment whose teacher reads document vectors, not word2vec's."""

    vectors: Name  # a key of doc_vectors


class Experiments(Section):
    learned: dict[Name, ExperimentSpec]
    glove: dict[Name, ExperimentSpec]
    word2vec: dict[Name, ExperimentSpec]


class Nbsvm(Section):
    labelled: dict[Name, NbsvmExperiment]
    pseudo_labelled: dict[Name, PseudoLabelled]
    doc_taught: dict[Name, DocTaught]  # opt-in research: empty by default


class DrawsSection(Section):
    """Label draws: draw k of an experiment seeded by its seed + k (0: the experiment itself)."""

    nbsvm_pseudo: Annotated[Draws, _rule(bool, "is empty; give at least one draw (a spread needs two)")]
    curve: Draws
    curve_sizes: list


class Compare(Section):
    seed: Seed  # the bootstrap's resampling
    resamples: Annotated[int, Field(gt=0, le=100_000)]
    pairs: dict[Name, Pair]  # a measured against b: {a: <experiment>, b: <experiment>}


class Params(Section):
    dataset: Dataset
    imdb: Imdb
    glove: Glove
    tokenize: Tokenize
    word2vec: Word2Vec
    doc_vectors: dict[Name, DocVectors]  # opt-in research: empty by default
    train: Train
    learning_curve: LearningCurve
    experiments: Experiments
    nbsvm: Nbsvm
    draws: DrawsSection
    compare: Compare

    @model_validator(mode="after")
    def _across_sections(self, info: Any) -> "Params":
        """The rules between keys, every one that fails a line."""
        families, seen, problems = (info.context or {}).get("families"), {}, []
        if self.dataset.positive == self.dataset.negative:
            problems.append(f"dataset.positive and dataset.negative are both {shown(self.dataset.positive)}")
        groups = [("experiments", g, getattr(self.experiments, g)) for g in EMBEDDINGS]
        for section, group, named in groups + [("nbsvm", g, getattr(self.nbsvm, g)) for g in NBSVM_GROUPS]:
            for name in named:
                if name in seen:
                    first = f"experiments.{seen[name]}" if section == "experiments" else seen[name]
                    problems.append(f"experiment {name} is in both {first} and {section}.{group}; names must be unique")
                seen.setdefault(name, group if section == "experiments" else f"nbsvm.{group}")
        if not any(named for *_, named in groups):
            problems.append("experiments has no experiment; name at least one")
        for _, group, named in groups:
            for name, spec in named.items():  # each experiment whole, as a stage reads it
                named[name] = merged(self.train.model_dump(), spec.model_dump(), group)
                problems += experiment_problems(named[name], f"experiments.{group}.{name}", families)
        curve = curve_experiment(self.learning_curve.model_dump(), self.train.model_dump(), "learned", 1)
        problems += experiment_problems(curve, "learning_curve", families, curve=True)
        for name, pair in self.compare.pairs.items():
            wrong = [
                f"{name}.{side} is {shown(value)}, not an experiment"
                for side, value in pair.items()
                if value not in seen
            ]
            wrong += [f"{name} compares {pair['a']} with itself"] if pair["a"] == pair["b"] else []
            problems += [f"compare.pairs.{line}" for line in wrong]
        for name, spec in self.nbsvm.doc_taught.items():
            if spec.vectors not in self.doc_vectors:
                known = ", ".join(self.doc_vectors) or "none"
                where = f"nbsvm.doc_taught.{name}.vectors"
                problems.append(f"{where} is {shown(spec.vectors)}, not in doc_vectors ({known})")
        missing = [n for n in self.draws.curve_sizes if n not in self.learning_curve.sizes]
        problems += [f"draws.curve_sizes has {n!r}, which is not in learning_curve.sizes" for n in missing]
        if problems:
            raise ValueError("\n".join(problems))
        return self


def load(*keys: str, path: str | Path = "params.yaml", families: Any = None) -> Any:
    """params.yaml checked whole; with `keys` (dotted paths, those dvc.yaml
    declares for the stage), only their values: one, or a tuple in order."""
    p = validate(read(path), path, families)
    if not keys:
        return p
    if any(key.startswith("experiments") for key in keys) and "train" not in keys:
        raise PipelineError("params.yaml: an experiment falls back on train's keys; declare train too")
    values = tuple(value_at(p, key) for key in keys)
    return values[0] if len(values) == 1 else values


def validate(data: Any, path: str | Path = "params.yaml", families: Any = None) -> Params:
    """Every mistake of the file at once, one line each (a PipelineError of several lines)."""
    sections = ", ".join(Params.model_fields)
    if data is None:
        raise PipelineError(f"{path} is empty; it needs the sections {sections}")
    if not isinstance(data, dict):
        raise PipelineError(f"{path} must be a mapping of sections ({sections})")
    try:
        return Params.model_validate(data, context={"families": families})
    except ValidationError as exc:
        lines = [line for error in exc.errors() for line in error_lines(error, Params)]
        raise PipelineError("\n".join(f"{path}: {line}" for line in lines)) from None
