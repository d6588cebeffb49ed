"""What was tried past the defaults (issue 20; docs/results.md, "Past the
published frontier"), measured on a finished run of the real pipeline:
each variant's accuracy where the choice is made (a 20,000/5,000 split of
the training reviews for the full data; 5-fold cross-validation within each
draw's 200 labels for the few-labels variants, the held-out fifth kept out
of the pool) and its test accuracy, reported beside it, never chosen on.

    RESULTS_KEEP=../real make results PIPELINE_MIRROR=../shared/mirror   # the run, kept
    python -m bench.beyond ../real/project [--draws 10]                  # about 9 minutes for 10 draws

It reads the run's `data/` (the few_labels n-gram features, the word2vec
vectors, the prepared reviews); it trains nothing the pipeline keeps.
"""

import argparse
import json
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow.parquet as pq
import scipy.sparse as sp

from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.features_file import load_matrix, load_training, matrix_of
from imdb_embeddings.nbsvm.teacher import choose_teacher_c, confident, fit_teacher, review_vectors
from imdb_embeddings.text.tokenizer import encode

CANDIDATES = [0.1, 1.0, 10.0, 100.0, 1000.0]  # params.yaml's few_labels.teacher_c
PER_CLASS, C, SEED = 8000, 0.1, 1337  # few_labels' pseudo_labels, c, seed
VARIANTS = ("default", "round 2", "round 3", "two views", "two-view teacher", "two-view labels")


class Data(NamedTuple):
    features: nbsvm.Features
    y: np.ndarray  # training labels
    x: np.ndarray  # training reviews' mean word2vec vectors (the teacher's view)
    test: sp.csr_matrix
    test_x: np.ndarray
    test_y: np.ndarray
    unlabelled: sp.csr_matrix  # the 50,000 unlabelled reviews over the same n-grams
    copies: np.ndarray | None = None  # training reviews that are word for word a test review: in no pool


def load(project: Path) -> Data:
    d = project / "data"
    text = load_training(d / "features/few_labels/train.npz")
    vectors = (json.loads((d / "tokenized/vocab.json").read_text()), np.load(d / "embedding/word2vec.npy"))

    def ids(split: str) -> tuple[np.ndarray, np.ndarray]:
        texts = pq.read_table(d / f"prepared/{split}.parquet", columns=["text"]).column("text").to_pylist()
        return encode(texts, text.vocabulary, keep_unknown=True)[:2]

    test_ids, unlabelled_ids = ids("test"), ids("unsup")
    labels = {
        s: pq.read_table(d / f"prepared/{s}.parquet", columns=["label"]).column("label").to_numpy()
        for s in ("train", "test")
    }
    return Data(
        text.features,
        labels["train"],
        review_vectors(text.ids, text.offsets, text.vocabulary, *vectors),
        load_matrix(d / "features/few_labels/test.npz", len(text.features.keys)),
        review_vectors(*test_ids, text.vocabulary, *vectors),
        labels["test"],
        matrix_of(text.features, *unlabelled_ids),
        text.test_copies,
    )


def few_label_variants(data: Data, labelled: np.ndarray, pool: np.ndarray, seed: int) -> dict:
    """{variant: (scores of training rows, scores of the test reviews)} from `labelled`'s labels only;
    `seed` as the pipeline's draw seeds its cross-validation and fits."""
    f, y, x = data.features, data.y, data.x

    def student(scores: np.ndarray):  # noqa: ANN202
        chosen, pseudo = confident(scores, PER_CLASS)
        return nbsvm.fit(f, np.concatenate([labelled, pool[chosen]]), np.concatenate([y[labelled], pseudo]), C, seed)

    def nb(model) -> tuple:  # noqa: ANN001
        return (lambda rows: model.logits_of_matrix(f.matrix[rows]), lambda: model.logits_of_matrix(data.test))

    teacher_c = choose_teacher_c(x[labelled], y[labelled], CANDIDATES, seed, "beyond")
    teacher = fit_teacher(x[labelled], y[labelled], teacher_c)
    first = student(teacher.decision_function(x[pool]))
    second = student(first.logits_of_matrix(f.matrix[pool]))
    third = student(second.logits_of_matrix(f.matrix[pool]))
    # Two views: a word2vec model fitted on the student's labels, the two standardised logits summed.
    on_pool = first.logits_of_matrix(f.matrix[pool])
    chosen, pseudo = confident(on_pool, PER_CLASS)
    view = fit_teacher(x[np.concatenate([labelled, pool[chosen]])], np.concatenate([y[labelled], pseudo]), teacher_c)
    from_view = view.decision_function(x[pool])
    a, b = (on_pool.mean(), on_pool.std()), (from_view.mean(), from_view.std())

    def both(nb_scores: np.ndarray, view_scores: np.ndarray) -> np.ndarray:
        return (nb_scores - a[0]) / a[1] + (view_scores - b[0]) / b[1]

    alone = nbsvm.fit(f, labelled, y[labelled], C, seed)  # NBSVM on the labelled reviews only

    def z(s: np.ndarray) -> np.ndarray:
        return (s - s.mean()) / s.std()

    return {
        "default": nb(first),
        "round 2": nb(second),
        "round 3": nb(third),
        "two views": (
            lambda rows: both(first.logits_of_matrix(f.matrix[rows]), view.decision_function(x[rows])),
            lambda: both(first.logits_of_matrix(data.test), view.decision_function(data.test_x)),
        ),
        "two-view teacher": nb(
            student(z(teacher.decision_function(x[pool])) + z(alone.logits_of_matrix(f.matrix[pool])))
        ),
        "two-view labels": nb(student(both(on_pool, from_view))),
    }


def few_labels(data: Data, draws: int) -> dict[str, tuple[float, float]]:
    """{variant: (mean CV accuracy within the 200, mean test accuracy)} over the draws (seeds 1337 on)."""
    from sklearn.model_selection import StratifiedKFold

    cv, test = {v: [] for v in VARIANTS}, {v: [] for v in VARIANTS}
    for seed in range(SEED, SEED + draws):
        start = time.perf_counter()
        order = np.random.default_rng(seed).permutation(len(data.y))
        labelled, pool = order[:200], order[200:]
        for v, (_, on_test) in few_label_variants(data, labelled, pool, seed).items():
            test[v].append(float(np.mean((on_test() > 0) == data.test_y)))
        folds = {v: 0.0 for v in VARIANTS}
        for fit_on, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(labelled, data.y[labelled]):
            others = np.setdiff1d(np.arange(len(data.y)), labelled)  # the held-out fifth is not in the pool
            others = others[np.random.default_rng(seed).permutation(len(others))]
            for v, (on_rows, _) in few_label_variants(data, labelled[fit_on], others, seed).items():
                folds[v] += float(np.mean((on_rows(labelled[held]) > 0) == data.y[labelled[held]])) / 5
        for v in VARIANTS:
            cv[v].append(folds[v])
        print(
            f"draw seed {seed}: "
            + ", ".join(f"{v} {cv[v][-1]:.3f}/{test[v][-1]:.4f}" for v in VARIANTS)
            + f" ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return {v: (float(np.mean(cv[v])), float(np.mean(test[v]))) for v in VARIANTS}


def full_data(data: Data) -> dict[str, tuple[float, float]]:
    """{variant: (validation accuracy on a 20,000/5,000 split, test accuracy when fitted on all 25,000)}."""
    from sklearn.linear_model import LogisticRegression

    order = np.random.default_rng(SEED).permutation(len(data.y))
    f, y = data.features, data.y
    found: dict[str, list[float]] = {}
    for rows, held, held_x, held_y in (
        (order[:20000], f.matrix[order[20000:]], data.x[order[20000:]], y[order[20000:]]),
        (np.arange(len(y)), data.test, data.test_x, data.test_y),
    ):
        for c in (0.1, 1.0):
            model = nbsvm.fit(f, rows, y[rows], c, SEED)
            found.setdefault(f"NBSVM, c {c}", []).append(float(np.mean((model.logits_of_matrix(held) > 0) == held_y)))
        base = nbsvm.fit(f, rows, y[rows], C, SEED)
        view = LogisticRegression(C=10, max_iter=2000).fit(data.x[rows], y[rows])
        spread = (base.logits_of_matrix(f.matrix[rows]).std(), view.decision_function(data.x[rows]).std())
        for weight in (0.1, 0.2, 0.3):
            mixed = (1 - weight) * base.logits_of_matrix(held) / spread[0] + weight * view.decision_function(
                held_x
            ) / spread[1]
            found.setdefault(f"NBSVM + word2vec, weight {weight}", []).append(float(np.mean((mixed > 0) == held_y)))
        on_unlabelled = base.logits_of_matrix(data.unlabelled)
        for per_class in (5000, 10000, 20000):
            chosen, pseudo = confident(on_unlabelled, per_class)
            stacked = sp.vstack([f.matrix[rows], data.unlabelled[chosen]]).tocsr()
            more = nbsvm.Features.restored(f.keys, stacked, f.vocabulary, f.ngrams)
            model = nbsvm.fit(more, np.arange(stacked.shape[0]), np.concatenate([y[rows], pseudo]), C, SEED)
            found.setdefault(f"self-training, {per_class} a class", []).append(
                float(np.mean((model.logits_of_matrix(held) > 0) == held_y))
            )
    return {k: (v[0], v[1]) for k, v in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project after `make results` (RESULTS_KEEP) or `dvc repro`")
    parser.add_argument("--draws", type=int, default=10, help="label draws of the few-labels variants")
    args = parser.parse_args()
    data = load(args.project)
    for name, (chosen_on, test) in full_data(data).items():
        print(f"full data | {name:<36} | validation {chosen_on:.4f} | test {test:.4f}")
    for name, (chosen_on, test) in few_labels(data, args.draws).items():
        print(f"200 labels | {name:<35} | CV within the 200 {chosen_on:.4f} | test {test:.4f} (mean of {args.draws})")


if __name__ == "__main__":
    main()
