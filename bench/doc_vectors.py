"""Document vectors past the frontier (issue 31; docs/results.md, "Past the
published frontier"), measured on a finished run of the real pipeline.

PV-DBOW vectors (imdb_embeddings/research/pv_dbow.py) are trained on the
training and unlabelled texts, never a test review's text; the vectors of
the training, test and unlabelled reviews are inferred. Then:

- full data: logistic regression on the vectors alone, and NBSVM with them
  (logits scaled by their spread on the training rows, then mixed), each
  choice made on a 20,000/5,000 split of the training reviews, then refitted
  on all 25,000 and scored on the test reviews;
- 200 labels: the vectors as the few-labels teacher's features (teacher_c by
  5-fold CV log-loss within the 200, 8,000 pseudo-labels a class, the same
  NBSVM student), against the word2vec teacher on the same draws (paired).
  Each teacher's whole route is also scored by 5-fold CV within the 200,
  where a choice between them would be made;
- `--relabel ROUNDS [--with-unlabelled]`: issue 39's servable route alone
  (the two-view student labels the whole pool, one NBSVM fits those labels),
  about 15 s a draw.

    RESULTS_KEEP=../real make results PIPELINE_MIRROR=../shared/mirror   # the run, kept
    python -m bench.doc_vectors ../real/project --out ../docvec [--ngrams 2] [--draws 10]
    python -m bench.doc_vectors ../real/project --out ../docvec --relabel 1 --with-unlabelled

The vectors are kept in --out and reused. Nothing the pipeline keeps is
trained or changed.
"""

import argparse
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from bench.beyond import CANDIDATES, PER_CLASS, SEED, C, Data, load
from imdb_embeddings.core.params import DocVectors
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.teacher import choose_teacher_c, confident, fit_teacher
from imdb_embeddings.research.pv_dbow import infer, train_doc_vectors
from imdb_embeddings.text.columns import read_texts, without_test_texts

LABELLED = 200
WEIGHTS = tuple(round(0.05 * i, 2) for i in range(1, 13))  # the vectors' share of the mixed logits, 0.05-0.6
NB_C = (0.1, 1.0)  # NBSVM's inverse L2 strength: the default's, and the one issue 20's split preferred
DOC_C = (0.1, 1.0, 10.0)  # the document vectors' regression, chosen on the split


def doc_vectors(project: Path, out: Path, settings: DocVectors) -> tuple[np.ndarray, np.ndarray, dict]:
    """(training reviews' vectors, test reviews' vectors, seconds), trained and inferred once into `out`
    (with the settings they were made with: other settings want another folder). The unlabelled
    reviews' vectors are inferred too, into unsup.npy."""
    out.mkdir(parents=True, exist_ok=True)
    files = out / "train.npy", out / "test.npy", out / "seconds.npy", out / "unsup.npy"
    made_with = out / "settings.json"
    if made_with.exists() and json.loads(made_with.read_text()) != settings.model_dump():
        raise SystemExit(f"{out} holds vectors of other settings ({made_with.read_text()}); give another --out")
    if all(f.exists() for f in files) and made_with.exists():
        seconds = dict(zip(("train", "infer"), np.load(files[2]).tolist(), strict=True))
        return np.load(files[0]), np.load(files[1]), seconds
    prepared = project / "data/prepared"
    train, unsup, test = (read_texts(prepared / f"{split}.parquet") for split in ("train", "unsup", "test"))
    texts, _ = without_test_texts(train + unsup, test)
    start = time.perf_counter()
    model = train_doc_vectors(texts, settings)  # as stage doc_vectors: never a test review's text
    trained = time.perf_counter() - start
    x = infer(model, train, settings.ngrams, "the training reviews")
    test_x = infer(model, test, settings.ngrams, "the test reviews")
    inferred = time.perf_counter() - start - trained
    np.save(files[3], infer(model, unsup, settings.ngrams, "the unlabelled reviews"))
    np.save(files[0], x), np.save(files[1], test_x), np.save(files[2], np.array([trained, inferred]))
    made_with.write_text(json.dumps(settings.model_dump()))
    return x, test_x, {"train": trained, "infer": inferred}


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean((scores > 0) == labels))


def full_data(data: Data, x: np.ndarray, test_x: np.ndarray) -> list[tuple[str, float, float, float]]:
    """[(route, validation accuracy on the 20,000/5,000 split, test accuracy fitted on all, seconds)].
    Chosen on the split: the vectors' C, NBSVM's c, and the vectors' weight in the mix."""
    from sklearn.linear_model import LogisticRegression

    f, y = data.features, data.y
    order = np.random.default_rng(SEED).permutation(len(y))
    fit_rows, held = order[:20000], order[20000:]
    start = time.perf_counter()
    on_split = {c: LogisticRegression(C=c, max_iter=2000).fit(x[fit_rows], y[fit_rows]) for c in DOC_C}
    doc_c = max(DOC_C, key=lambda c: accuracy(on_split[c].decision_function(x[held]), y[held]))
    view = on_split[doc_c]
    doc_validation = accuracy(view.decision_function(x[held]), y[held])

    def mixed(model, view, rows, nb_scores, doc_scores, weight):  # noqa: ANN001, ANN202
        """The two logits, each divided by its spread on the rows fitted, mixed."""
        spread = (model.logits_of_matrix(f.matrix[rows]).std(), view.decision_function(x[rows]).std())
        return (1 - weight) * nb_scores / spread[0] + weight * doc_scores / spread[1]

    validation = {}
    for nb_c in NB_C:
        base = nbsvm.fit(f, fit_rows, y[fit_rows], nb_c, SEED)
        nb_held, doc_held = base.logits_of_matrix(f.matrix[held]), view.decision_function(x[held])
        for w in WEIGHTS:
            validation[nb_c, w] = accuracy(mixed(base, view, fit_rows, nb_held, doc_held, w), y[held])
    nb_c, weight = max(validation, key=validation.get)
    chosen_s = time.perf_counter() - start

    start = time.perf_counter()
    every = np.arange(len(y))
    view = LogisticRegression(C=doc_c, max_iter=2000).fit(x, y)
    view_s = time.perf_counter() - start
    model = nbsvm.fit(f, every, y, nb_c, SEED)
    both_s = time.perf_counter() - start
    doc_test = view.decision_function(test_x)
    test = accuracy(mixed(model, view, every, model.logits_of_matrix(data.test), doc_test, weight), data.test_y)
    fixed = {w: v for (c, w), v in validation.items() if c == C}
    default_w = max(fixed, key=fixed.get)
    model_default = model if nb_c == C else nbsvm.fit(f, every, y, C, SEED)
    test_default = accuracy(
        mixed(model_default, view, every, model_default.logits_of_matrix(data.test), doc_test, default_w), data.test_y
    )
    return [
        (f"document vectors alone, logistic regression C {doc_c:g}", doc_validation,
         accuracy(doc_test, data.test_y), view_s),
        (f"NBSVM c {C:g} + document vectors, weight {default_w:g}", fixed[default_w], test_default, both_s),
        (f"NBSVM c {nb_c:g} (of {NB_C}) + document vectors, weight {weight:g} (of {WEIGHTS[0]:g}-{WEIGHTS[-1]:g})",
         validation[nb_c, weight], test, both_s),
        ("(choosing C, c and the weight on the split)", float("nan"), float("nan"), chosen_s),
    ]  # fmt: skip


class Route(NamedTuple):
    """A few-labels route: the teacher's view, its pseudo-labels a class, and
    whether the student adds a regression on the document vectors (two views)."""

    view: np.ndarray
    per_class: int = PER_CLASS
    two_views: bool = False


def drawn(data: Data, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw `seed`'s labelled reviews, and its pool: the other training reviews, less any that is
    word for word a test review."""
    order = np.random.default_rng(seed).permutation(len(data.y))
    labelled, pool = order[:LABELLED], order[LABELLED:]
    return labelled, pool if data.copies is None else pool[~data.copies[pool]]


def taught(view: np.ndarray, y: np.ndarray, labelled: np.ndarray, pool: np.ndarray, per_class: int,
           seed: int) -> tuple[float, np.ndarray, np.ndarray]:  # fmt: skip
    """(teacher_c, by 5-fold CV within `labelled`; the student's rows; their labels): the labelled
    reviews, and the teacher's `per_class` most confident pool reviews of each class."""
    c = choose_teacher_c(view[labelled], y[labelled], CANDIDATES, seed, "doc_vectors")
    teacher = fit_teacher(view[labelled], y[labelled], c)
    chosen, pseudo = confident(teacher.decision_function(view[pool]), per_class)
    return c, np.concatenate([labelled, pool[chosen]]), np.concatenate([y[labelled], pseudo])


def student(data: Data, x: np.ndarray, test_x: np.ndarray, route: Route, labelled: np.ndarray, pool: np.ndarray,
            seed: int) -> tuple[Callable, Callable]:  # fmt: skip
    """few_labels' route with `route.view` as the teacher's view: (scores of training rows, of the test reviews)."""
    f = data.features
    c, rows, labels = taught(route.view, data.y, labelled, pool, route.per_class, seed)
    model = nbsvm.fit(f, rows, labels, C, seed)
    if not route.two_views:
        return (lambda r: model.logits_of_matrix(f.matrix[r])), (lambda: model.logits_of_matrix(data.test))
    # The second view: a regression on the document vectors, fitted on the same labels; both logits
    # divided by their spread on those rows and summed.
    view = fit_teacher(x[rows], labels, c)
    spread = model.logits_of_matrix(f.matrix[rows]).std(), view.decision_function(x[rows]).std()

    def both(nb: np.ndarray, doc: np.ndarray) -> np.ndarray:
        return nb / spread[0] + doc / spread[1]

    return (
        lambda r: both(model.logits_of_matrix(f.matrix[r]), view.decision_function(x[r])),
        lambda: both(model.logits_of_matrix(data.test), view.decision_function(test_x)),
    )


def few_labels(data: Data, x: np.ndarray, test_x: np.ndarray, draws: int, which: list[str]) -> dict:
    """{route: [(CV accuracy of the route within the 200, test accuracy)] a draw}."""
    from sklearn.model_selection import StratifiedKFold

    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    routes = {
        "word2vec": Route(data.x),
        "document vectors": Route(x),
        # Two views: each review's document vector and its mean word2vec vector, both of unit length.
        "document vectors + word2vec": Route(np.hstack([unit, data.x])),
        "document vectors, 12,000 a class": Route(x, per_class=12000),
        "document vectors, two-view student": Route(x, two_views=True),
    }
    routes = {name: routes[name] for name in which}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in routes}
    for seed in range(SEED, SEED + draws):
        start = time.perf_counter()
        labelled, pool = drawn(data, seed)
        line = []
        for name, route in routes.items():
            _, on_test = student(data, x, test_x, route, labelled, pool, seed)
            test = accuracy(on_test(), data.test_y)
            cv = 0.0
            split = StratifiedKFold(5, shuffle=True, random_state=seed).split(labelled, data.y[labelled])
            for fit_on, held in split:  # the held-out fifth is not in the pool
                on_rows, _ = student(data, x, test_x, route, labelled[fit_on], pool, seed)
                cv += accuracy(on_rows(labelled[held]), data.y[labelled[held]]) / 5
            found[name].append((cv, test))
            line.append(f"{name} {cv:.3f}/{test:.4f}")
        print(f"draw seed {seed}: {', '.join(line)} ({time.perf_counter() - start:.0f} s)", flush=True)
    return found


def relabelled(data: Data, x: np.ndarray, test_x: np.ndarray, unlabelled_x: np.ndarray | None, rounds: int,
               seed: int) -> list[float]:  # fmt: skip
    """Issue 39's servable route, draw `seed`: the two-view student (document-vector teacher, 8,000
    pseudo-labels a class, NBSVM plus a regression on the vectors) labels every pool review (and, with
    `unlabelled_x`, every unlabelled one) by its sign; one NBSVM is fitted on the 200 and those labels.
    Each further round does the same with that NBSVM and a new regression as the two views. Nothing is
    chosen on the test reviews: teacher_c by 5-fold CV within the 200, the rest fixed in advance.
    [the two-view student's test accuracy (not servable), then each round's NBSVM's]."""
    y, f, n = data.y, data.features, len(data.y)
    labelled, pool = drawn(data, seed)
    c, rows, labels = taught(x, y, labelled, pool, PER_CLASS, seed)
    features, matrix, vectors = f, f.matrix, x
    if unlabelled_x is not None:  # the unlabelled reviews after the training ones, as rows n, n + 1, ...
        matrix = sp.vstack([f.matrix, data.unlabelled]).tocsr()
        features = nbsvm.Features.restored(f.keys, matrix, f.vocabulary, f.ngrams)
        vectors = np.vstack([x, unlabelled_x])
        pool = np.concatenate([pool, n + np.arange(len(unlabelled_x))])
    model = nbsvm.fit(features, rows, labels, C, seed)
    found = []
    for _ in range(rounds + 1):
        view = fit_teacher(vectors[rows], labels, c)
        spread = model.logits_of_matrix(matrix[rows]).std(), view.decision_function(vectors[rows]).std()

        def both(m: sp.csr_matrix, v: np.ndarray) -> np.ndarray:
            return model.logits_of_matrix(m) / spread[0] + view.decision_function(v) / spread[1]  # noqa: B023

        if not found:
            found.append(accuracy(both(data.test, test_x), data.test_y))
        rows = np.concatenate([labelled, pool])
        labels = np.concatenate([y[labelled], (both(matrix[pool], vectors[pool]) > 0).astype(y.dtype)])
        model = nbsvm.fit(features, rows, labels, C, seed)
        found.append(accuracy(model.logits_of_matrix(data.test), data.test_y))
    return found


def interval(values: np.ndarray) -> str:
    """Mean and a t 95% interval over the draws."""
    from scipy import stats

    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return f"{values.mean():+.4f} [{values.mean() - half:+.4f}, {values.mean() + half:+.4f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project after `make results` (RESULTS_KEEP) or `dvc repro`")
    parser.add_argument("--out", type=Path, required=True, help="where the vectors are kept (and reused)")
    parser.add_argument("--ngrams", type=int, default=2, help="1: words only; 2: and their 2-grams")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--relabel", type=int, metavar="ROUNDS", help="issue 39's servable route alone, this many "
                        "rounds after the first")  # fmt: skip
    parser.add_argument("--with-unlabelled", action="store_true", help="--relabel's pool takes the unlabelled reviews")
    parser.add_argument(
        "--routes", nargs="+", default=["word2vec", "document vectors", "document vectors + word2vec"],
        help="few-labels routes: word2vec, 'document vectors', 'document vectors + word2vec', "
        "'document vectors, 12,000 a class', 'document vectors, two-view student'",
    )  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    settings = DocVectors(dim=100, epochs=args.epochs, ngrams=args.ngrams, min_count=2, negative=5, seed=SEED,
                          workers=args.workers)  # fmt: skip
    x, test_x, seconds = doc_vectors(args.project, args.out, settings)
    print(f"vectors ({settings}): trained in {seconds['train']:.0f} s, inferred in {seconds['infer']:.0f} s")
    data = load(args.project)
    if args.relabel is not None:
        unlabelled_x = np.load(args.out / "unsup.npy") if args.with_unlabelled else None
        found = []
        for seed in range(SEED, SEED + args.draws):
            start = time.perf_counter()
            found.append(relabelled(data, x, test_x, unlabelled_x, args.relabel, seed))
            line = " / ".join(f"{a:.4f}" for a in found[-1])
            print(f"draw seed {seed}: two-view student / NBSVM each round {line} ({time.perf_counter() - start:.0f} s)",
                  flush=True)  # fmt: skip
        for i, values in enumerate(np.array(found).T):
            name = "two-view student (not servable)" if i == 0 else f"NBSVM on the relabelled pool, round {i}"
            print(f"200 labels | {name} | test mean {interval(values)[1:]} (min {values.min():.4f})")
        return
    for route, validation, test, fit_s in full_data(data, x, test_x):
        print(f"full data | {route} | validation {validation:.4f} | test {test:.4f} | {fit_s:.0f} s")
    if not args.draws:
        return
    found = few_labels(data, x, test_x, args.draws, args.routes)
    for name, rows in found.items():
        cv, test = np.array(rows).T
        print(f"200 labels | {name} teacher | CV within the 200 {cv.mean():.4f} | test mean {interval(test)[1:]}"
              f" (min {test.min():.4f}, {len(test)} draws)")  # fmt: skip
    names = list(found)
    per_draw = [max(names, key=lambda n: found[n][i][0]) for i in range(args.draws)]  # the first of equals
    picked = np.array([found[n][i][1] for i, n in enumerate(per_draw)])
    print(f"200 labels | the route with the best CV in each draw ({', '.join(per_draw)}) | test mean "
          f"{interval(picked)[1:]} ({len(picked)} draws)")  # fmt: skip
    if "word2vec" not in found or "document vectors" not in found:
        return
    gain = np.array([d for d, _ in found["document vectors"]]), np.array([w for w, _ in found["word2vec"]])
    tests = np.array([t for _, t in found["document vectors"]]) - np.array([t for _, t in found["word2vec"]])
    wins, cv_gain = int((tests > 0).sum()), (gain[0] - gain[1]).mean()
    print(f"200 labels | document vectors - word2vec teacher, test, paired over draws: {interval(tests)}; "
          f"wins {wins} of {len(tests)}; CV difference {cv_gain:+.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
