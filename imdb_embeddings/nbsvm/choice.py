"""Every choice of a few-labels experiment made inside its labelled reviews:
NBSVM's `c` and, with a teacher, how many pseudo-labels it takes, each among
candidates fixed in params.yaml, by a seeded stratified k-fold
cross-validation of the labelled reviews. Each fold's teacher and student see
the other folds' labels only; its held-out reviews score the student."""

from itertools import product
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.teacher import FOLDS, pseudo_labelled


class Choice(NamedTuple):
    c: float
    pseudo_labels: int | None  # per class on balanced labels; None: no teacher
    scores: dict[str, float]  # mean held-out accuracy of each candidate, "c=..., pseudo_labels=..."


def candidates(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def choose(
    features: nbsvm.Features,
    labels: np.ndarray,
    labelled: np.ndarray,
    settings: Any,
    x: np.ndarray | None,
    test_copies: np.ndarray | None,
    where: str,
) -> Choice:
    """The candidate (c, pseudo_labels) with the best mean accuracy on the
    held-out folds of the labelled reviews (the first of equals, in the order
    params.yaml gives them); a single candidate is taken as it is."""
    cs = [float(c) for c in candidates(settings.c)]
    counts = candidates(settings.pseudo_labels) if x is not None else [None]
    grid = list(product(cs, counts))
    if len(grid) == 1:
        return Choice(cs[0], counts[0], {})
    from sklearn.model_selection import StratifiedKFold

    folds = min(FOLDS, int(np.bincount(labels[labelled], minlength=2).min()))
    if folds < 2:
        raise PipelineError(
            f"{where}: choosing c or pseudo_labels by cross-validation needs 2 labelled reviews a class"
        )
    split = StratifiedKFold(folds, shuffle=True, random_state=settings.seed)
    right = {candidate: [] for candidate in grid}
    for fit_at, held_at in split.split(labelled, labels[labelled]):
        fitted, held = labelled[fit_at], labelled[held_at]
        for count in counts:
            rows, targets = fitted, labels[fitted]
            if count is not None:  # the fold's own teacher, on the fold's labels only
                training = pseudo_labelled(x, labels, fitted, held, settings, where, test_copies, per_class=count)
                rows, targets = training.rows, training.labels
            for c in cs:
                model = nbsvm.fit(features, rows, targets, c, settings.seed, settings.solver)
                right[(c, count)].append(nbsvm.accuracy(model, features, held, labels[held]) * len(held))
    scores = {candidate: sum(hits) / len(labelled) for candidate, hits in right.items()}
    best = max(grid, key=lambda candidate: scores[candidate])  # max keeps the first of equals
    named = {f"c={c:g}" + ("" if n is None else f", pseudo_labels={n}"): round(s, 6) for (c, n), s in scores.items()}
    return Choice(best[0], best[1], named)
