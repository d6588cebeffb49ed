"""Which training reviews an experiment fits on and which it validates on."""

from typing import NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import Experiment, NbsvmExperiment


class Split(NamedTuple):
    train: np.ndarray  # row indices fitted on
    validation: np.ndarray  # row indices held out


def split_indices(n: int, experiment: Experiment | NbsvmExperiment, where: str) -> Split:
    """Disjoint (train, validation) row indices from a seeded permutation of
    the `n` training reviews (reference 1: 20,000 + 5,000, i.e. a 20%
    validation split; reference 2: 200 + 10,000)."""
    wanted = experiment.train_samples + experiment.validation_samples
    if wanted > n:
        raise PipelineError(
            f"params.yaml: {where}.train_samples + validation_samples = {wanted}, "
            f"but there are only {n} training reviews"
        )
    order = np.random.default_rng(experiment.seed).permutation(n)
    cut = experiment.train_samples
    return Split(order[:cut], order[cut:wanted])
