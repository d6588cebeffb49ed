"""What one experiment runs with: its keys of params.yaml over `train`'s,
over DEFAULTS (`merged`, the one place that rule lives), and the rules those
merged settings must meet (params.py checks them with the rest)."""

from typing import Any

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import ExperimentSpec, LearningCurve, NbsvmExperiment, Train

# What an experiment leaves out and `train` does not give.
DEFAULTS = {"model": "flatten", "dropout": 0.0, "learning_rate": None, "early_stopping": 0, "ngrams": 2}
DEFAULTS["ngram_buckets"] = 100_000


class Experiment(ExperimentSpec):
    """One Keras experiment (or learning-curve point), its settings merged (`merged`)."""

    embedding: str  # learned, glove or word2vec: its group


def merged(train: dict, own: dict, group: str, **settings: Any) -> Experiment:
    """The one rule for an experiment's settings: its own keys (None: not
    given) over `train`'s, over DEFAULTS; `settings` over all."""
    given = {k: v for k, v in own.items() if v is not None and k in Experiment.model_fields}
    values = {**DEFAULTS, "trainable": group == "learned", **train, **given, "embedding": group, **settings}
    return Experiment.model_construct(**values)  # every value already checked


def curve_experiment(curve: Any, train: Any, source: str, n: int, draw: int = 0) -> Experiment:
    """A learning-curve point (label draw k seeded train.seed + k); only the
    `train` keys that the curve does not set are read."""
    own = {k: getattr(curve, k) for k in LearningCurve.model_fields if k in Experiment.model_fields}
    base = {k: getattr(train, k) for k in Train.model_fields if k not in own}
    trainable = source == "learned" or curve.trainable
    return merged(base, own, source, train_samples=n, trainable=trainable, seed=train.seed + draw)


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


def experiment(p: Any, group: str, name: str) -> Experiment:
    """One Keras experiment of loaded params, its settings merged."""
    return merged(p.train.model_dump(), _lookup(p.experiments, "experiments", group, name).model_dump(), group)


def nbsvm_experiment(p: Any, group: str, name: str) -> NbsvmExperiment:
    return _lookup(p.nbsvm, "nbsvm", group, name)


def _lookup(section: Any, where: str, group: str, name: str) -> Any:
    named = getattr(section, group)
    if name not in named:
        known = ", ".join(named) or "none"
        raise PipelineError(f"params.yaml: no experiment {where}.{group}.{name} ({where}.{group} has: {known})")
    return named[name]
