"""Which training reviews an experiment fits on and which it validates on."""

from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError


class Split(NamedTuple):
    train: np.ndarray  # row indices fitted on
    validation: np.ndarray  # row indices held out


def split_indices(n: int, experiment: Any, where: str, validation_first: bool = False) -> Split:
    """Disjoint (train, validation) row indices from one seeded permutation of
    the `n` training reviews (reference 1: 20,000 + 5,000; reference 2: 200 +
    10,000). An experiment fits on the permutation's first rows. A
    learning-curve point (`validation_first`) validates on them, so every size
    keeps the same validation reviews."""
    train, validation = experiment.train_samples, experiment.validation_samples
    if train + validation > n:
        raise PipelineError(
            f"params.yaml: {where}.train_samples + validation_samples = {train + validation} "
            f"({train} + {validation}), but there are only {n} training reviews"
        )
    order = np.random.default_rng(experiment.seed).permutation(n)
    if validation_first:
        return Split(order[validation : validation + train], order[:validation])
    return Split(order[:train], order[train : train + validation])
