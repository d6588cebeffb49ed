"""Self-training for few labels: a teacher that needs few labels labels the
other training texts, and NBSVM learns from its most confident labels.

The teacher represents a review by the mean of the unit-length in-domain
word vectors (stage word2vec) of its distinct words, scaled to unit length,
and fits a logistic regression on the labelled reviews. Word vectors carry
what the unlabelled reviews taught about which words go together, so 200
labels go further than on n-grams alone (about 0.79 against 0.73-0.77 for
NBSVM on the same 200 labels); the NBSVM student, fitted on thousands of
confidently labelled texts, then goes further than its teacher
(docs/results.md).

The teacher's L2 strength is chosen among `teacher_c`'s candidates by 5-fold
cross-validation within the labelled reviews (log-loss: the teacher's job is
to rank the other texts by confidence), so no label beyond them is read."""

from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import NbsvmExperiment


class Training(NamedTuple):
    """What NBSVM is fitted on: training rows, their labels (true or the
    teacher's), and what the teacher did (for the fit's summary)."""

    rows: np.ndarray
    labels: np.ndarray
    summary: dict[str, Any]


def pseudo_labelled(
    x: np.ndarray,
    labels: np.ndarray,
    labelled: np.ndarray,
    validation: np.ndarray,
    settings: NbsvmExperiment,
    where: str,
    test_copies: np.ndarray | None = None,
    per_class: int | None = None,
) -> Training:
    """The labelled reviews with their labels, and the teacher's
    `settings.pseudo_labels` most confident other training texts of each
    class with its labels. `x`: every training review's vector
    (`review_vectors`); only the labels of `labelled` are read for fitting.
    The pool never takes a text that is word for word a test review's.
    `per_class` (default `settings.pseudo_labels`) is per class on balanced
    labels: the 2 x per_class pseudo-labels are split by the labelled
    reviews' class shares, so a draw with more positives takes more of them."""
    if len(np.unique(labels[labelled])) < 2:
        raise PipelineError(f"{where}: the {len(labelled)} labelled reviews are all of one class; take more")
    teacher_c = choose_teacher_c(x[labelled], labels[labelled], settings.teacher_c, settings.seed, where)
    teacher = fit_teacher(x[labelled], labels[labelled], teacher_c)
    held = np.concatenate([labelled, validation] + ([np.flatnonzero(test_copies)] if test_copies is not None else []))
    pool = np.setdiff1d(np.arange(len(labels)), held)
    per_class = settings.pseudo_labels if per_class is None else per_class
    if 2 * per_class > len(pool):
        raise PipelineError(
            f"params.yaml: {where}.pseudo_labels is {per_class} per class, but only {len(pool)} "
            "training texts are neither labelled nor validation"
        )
    positives = int(round(2 * per_class * float(np.mean(labels[labelled]))))
    chosen, pseudo = confident(teacher.decision_function(x[pool]), 2 * per_class - positives, positives)
    summary = {
        "teacher_c": teacher_c,
        "pseudo_labels": int(len(chosen)),
        # Measured, never used: how often the teacher's labels are right.
        "pseudo_label_accuracy": float(np.mean(pseudo == labels[pool[chosen]])),
    }
    if len(validation):
        summary["teacher_validation_accuracy"] = float(np.mean(teacher.predict(x[validation]) == labels[validation]))
    return Training(np.concatenate([labelled, pool[chosen]]), np.concatenate([labels[labelled], pseudo]), summary)


def review_vectors(
    ids: np.ndarray, offsets: np.ndarray, vocabulary: list[str], vector_words: list[str], vectors: np.ndarray
) -> np.ndarray:
    """One unit vector per review: the mean of its distinct words' unit vectors.

    `ids` index `vocabulary` from 1 (0: unknown); row i + 1 of `vectors`
    belongs to `vector_words[i]` (row 0 is padding). Words without a vector
    are left out; a review with none gets the zero vector."""
    row_of = {word: i + 1 for i, word in enumerate(vector_words)}
    rows = np.array([0] + [row_of.get(word, 0) for word in vocabulary], dtype=np.int64)[ids]
    reviews = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    kept = rows > 0
    bag = sp.csr_matrix((np.ones(int(kept.sum())), (reviews[kept], rows[kept])), shape=(len(offsets) - 1, len(vectors)))
    bag.sum_duplicates()
    bag.data[:] = 1  # distinct words
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors, dtype=np.float64), where=norms > 0)
    means = bag @ unit
    lengths = np.linalg.norm(means, axis=1, keepdims=True)
    return np.divide(means, lengths, out=np.zeros_like(means), where=lengths > 0)


FOLDS = 5


def choose_teacher_c(x: np.ndarray, labels: np.ndarray, candidates: list[float], seed: int, where: str) -> float:
    """The candidate inverse L2 strength with the best mean log-loss over a
    seeded stratified k-fold cross-validation of the labelled reviews (the
    first of equals); a single candidate is taken as it is."""
    if len(candidates) == 1:
        return float(candidates[0])
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    folds = min(FOLDS, int(np.bincount(labels, minlength=2).min()))
    if folds < 2:
        raise PipelineError(
            f"{where}: choosing teacher_c by cross-validation needs 2 labelled reviews of each class; "
            "take more, or give teacher_c one value"
        )
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    scores = [cross_val_score(teacher_model(c), x, labels, cv=split, scoring="neg_log_loss").mean() for c in candidates]
    return float(candidates[int(np.argmax(scores))])


def teacher_model(c: float):  # noqa: ANN201 (a scikit-learn estimator)
    """The teacher, unfitted: what cross-validation scores is what is then fitted."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=1000)


def fit_teacher(x: np.ndarray, labels: np.ndarray, c: float):  # noqa: ANN201 (a scikit-learn estimator)
    return teacher_model(c).fit(x, labels)


def confident(scores: np.ndarray, negatives: int, positives: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(positions, pseudo-labels): the `negatives` lowest scores labelled 0 and
    the `positives` (default as many) highest labelled 1 (ties broken by position)."""
    positives = negatives if positives is None else positives
    order = np.argsort(scores, kind="stable")
    chosen = np.concatenate([order[:negatives], order[len(order) - positives :]])
    return chosen, np.repeat(np.array([0, 1], dtype=np.int64), [negatives, positives])
