"""Document vectors past the frontier (issue 31; docs/results.md, "Past the
published frontier"), measured on a finished run of the real pipeline.

PV-DBOW vectors (imdb_embeddings/research/doc_vectors.py) are trained on the
25,000 training and 50,000 unlabelled texts, never the test ones; the
vectors of the training and test reviews are inferred. Then:

- full data: logistic regression on the vectors alone, and NBSVM with them
  (logits scaled by their spread on the training rows, then mixed), each
  choice made on a 20,000/5,000 split of the training reviews, then refitted
  on all 25,000 and scored on the test reviews;
- 200 labels: the vectors as the few-labels teacher's features (teacher_c by
  5-fold CV log-loss within the 200, 8,000 pseudo-labels a class, the same
  NBSVM student), against the word2vec teacher on the same draws (paired).
  Each teacher's whole route is also scored by 5-fold CV within the 200,
  where a choice between them would be made.

    RESULTS_KEEP=../real make results PIPELINE_MIRROR=../shared/mirror   # the run, kept
    python -m bench.doc_vectors ../real/project --out ../docvec [--ngrams 2] [--draws 10]

The vectors are kept in --out and reused. Nothing the pipeline keeps is
trained or changed.
"""

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from bench.beyond import CANDIDATES, PER_CLASS, SEED, C, Data, load
from imdb_embeddings.core.params import DocVectors
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.teacher import choose_teacher_c, confident, fit_teacher
from imdb_embeddings.research.doc_vectors import infer, train_doc_vectors

LABELLED = 200
WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)  # the document vectors' share of the mixed logits
DOC_C = (0.1, 1.0, 10.0)  # the document vectors' regression, chosen on the split


def texts(project: Path, split: str) -> list[str]:
    return pq.read_table(project / f"data/prepared/{split}.parquet", columns=["text"]).column("text").to_pylist()


def doc_vectors(project: Path, out: Path, settings: DocVectors) -> tuple[np.ndarray, np.ndarray, dict]:
    """(training reviews' vectors, test reviews' vectors, seconds), trained and inferred once into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = out / "train.npy", out / "test.npy", out / "seconds.npy"
    if all(f.exists() for f in files):
        seconds = dict(zip(("train", "infer"), np.load(files[2]).tolist(), strict=True))
        return np.load(files[0]), np.load(files[1]), seconds
    train = texts(project, "train")
    start = time.perf_counter()
    model = train_doc_vectors(train + texts(project, "unsup"), settings)
    trained = time.perf_counter() - start
    x = infer(model, train, settings.ngrams, "the training reviews")
    test_x = infer(model, texts(project, "test"), settings.ngrams, "the test reviews")
    inferred = time.perf_counter() - start - trained
    np.save(files[0], x), np.save(files[1], test_x), np.save(files[2], np.array([trained, inferred]))
    return x, test_x, {"train": trained, "infer": inferred}


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean((scores > 0) == labels))


def full_data(data: Data, x: np.ndarray, test_x: np.ndarray) -> list[tuple[str, float, float, float]]:
    """[(route, validation accuracy on the 20,000/5,000 split, test accuracy fitted on all, seconds)]."""
    from sklearn.linear_model import LogisticRegression

    f, y = data.features, data.y
    order = np.random.default_rng(SEED).permutation(len(y))
    fit_rows, held = order[:20000], order[20000:]
    start = time.perf_counter()
    on_split = {c: LogisticRegression(C=c, max_iter=2000).fit(x[fit_rows], y[fit_rows]) for c in DOC_C}
    doc_c = max(DOC_C, key=lambda c: accuracy(on_split[c].decision_function(x[held]), y[held]))
    base = nbsvm.fit(f, fit_rows, y[fit_rows], C, SEED)

    def mixed(model, view, rows_fitted, nb_scores, doc_scores, weight):  # noqa: ANN001, ANN202
        spread = (model.logits_of_matrix(f.matrix[rows_fitted]).std(), view.decision_function(x[rows_fitted]).std())
        return (1 - weight) * nb_scores / spread[0] + weight * doc_scores / spread[1]

    nb_held, doc_held = base.logits_of_matrix(f.matrix[held]), on_split[doc_c].decision_function(x[held])
    validation = {w: accuracy(mixed(base, on_split[doc_c], fit_rows, nb_held, doc_held, w), y[held]) for w in WEIGHTS}
    weight = max(WEIGHTS, key=lambda w: validation[w])
    chosen_s = time.perf_counter() - start

    start = time.perf_counter()
    every = np.arange(len(y))
    view = LogisticRegression(C=doc_c, max_iter=2000).fit(x, y)
    view_s = time.perf_counter() - start
    model = nbsvm.fit(f, every, y, C, SEED)
    both_s = time.perf_counter() - start
    doc_test = view.decision_function(test_x)
    test = accuracy(mixed(model, view, every, model.logits_of_matrix(data.test), doc_test, weight), data.test_y)
    return [
        (f"document vectors alone, logistic regression C {doc_c:g}", accuracy(doc_held, y[held]),
         accuracy(doc_test, data.test_y), view_s),
        (f"NBSVM + document vectors, weight {weight:g} (of {', '.join(map(str, WEIGHTS))})", validation[weight],
         test, both_s),
        ("(choosing C and the weight on the split)", float("nan"), float("nan"), chosen_s),
    ]  # fmt: skip


def student(data: Data, teacher_x: np.ndarray, labelled: np.ndarray, pool: np.ndarray, seed: int):  # noqa: ANN201
    """few_labels' route with `teacher_x` as the teacher's view: the NBSVM student fitted."""
    y, f = data.y, data.features
    c = choose_teacher_c(teacher_x[labelled], y[labelled], CANDIDATES, seed, "doc_vectors")
    teacher = fit_teacher(teacher_x[labelled], y[labelled], c)
    chosen, pseudo = confident(teacher.decision_function(teacher_x[pool]), PER_CLASS)
    rows, labels = np.concatenate([labelled, pool[chosen]]), np.concatenate([y[labelled], pseudo])
    return nbsvm.fit(f, rows, labels, C, seed)


def few_labels(data: Data, x: np.ndarray, draws: int) -> dict[str, list[tuple[float, float]]]:
    """{teacher: [(CV accuracy of its route within the 200, test accuracy)] a draw}."""
    from sklearn.model_selection import StratifiedKFold

    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    # Two views: each review's document vector and its mean word2vec vector, both of unit length.
    views = {"word2vec": data.x, "document vectors": x, "document vectors + word2vec": np.hstack([unit, data.x])}
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in views}
    for seed in range(SEED, SEED + draws):
        start = time.perf_counter()
        order = np.random.default_rng(seed).permutation(len(data.y))
        labelled, pool = order[:LABELLED], order[LABELLED:]
        line = []
        for name, view in views.items():
            test = accuracy(student(data, view, labelled, pool, seed).logits_of_matrix(data.test), data.test_y)
            cv = 0.0
            split = StratifiedKFold(5, shuffle=True, random_state=seed).split(labelled, data.y[labelled])
            for fit_on, held in split:  # the held-out fifth is not in the pool
                model = student(data, view, labelled[fit_on], pool, seed)
                rows = labelled[held]
                cv += accuracy(model.logits_of_matrix(data.features.matrix[rows]), data.y[rows]) / 5
            found[name].append((cv, test))
            line.append(f"{name} {cv:.3f}/{test:.4f}")
        print(f"draw seed {seed}: {', '.join(line)} ({time.perf_counter() - start:.0f} s)", flush=True)
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
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    settings = DocVectors(dim=100, epochs=args.epochs, ngrams=args.ngrams, min_count=2, negative=5, seed=SEED,
                          workers=args.workers)  # fmt: skip
    x, test_x, seconds = doc_vectors(args.project, args.out, settings)
    print(f"vectors ({settings}): trained in {seconds['train']:.0f} s, inferred in {seconds['infer']:.0f} s")
    data = load(args.project)
    for route, validation, test, fit_s in full_data(data, x, test_x):
        print(f"full data | {route} | validation {validation:.4f} | test {test:.4f} | {fit_s:.0f} s")
    found = few_labels(data, x, args.draws)
    for name, rows in found.items():
        cv, test = np.array(rows).T
        print(f"200 labels | {name} teacher | CV within the 200 {cv.mean():.4f} | test mean {interval(test)[1:]}"
              f" (min {test.min():.4f}, {len(test)} draws)")  # fmt: skip
    gain = np.array([d for d, _ in found["document vectors"]]), np.array([w for w, _ in found["word2vec"]])
    tests = np.array([t for _, t in found["document vectors"]]) - np.array([t for _, t in found["word2vec"]])
    wins, cv_gain = int((tests > 0).sum()), (gain[0] - gain[1]).mean()
    print(f"200 labels | document vectors - word2vec teacher, test, paired over draws: {interval(tests)}; "
          f"wins {wins} of {len(tests)}; CV difference {cv_gain:+.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
