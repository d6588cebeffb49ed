"""The NBSVM models (imdb_embeddings/nbsvm/): n-gram keys held to a plain
definition, the exported model held to scikit-learn's own decision function,
the file byte-stable, and the teacher's pieces."""

import random

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.nbsvm import exact_ngrams, lbfgs
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.exact_ngrams import fit_vocabulary, ngram_keys, present
from imdb_embeddings.nbsvm.ngram_model import NgramModel
from imdb_embeddings.nbsvm.teacher import choose_teacher_c, confident, review_vectors
from imdb_embeddings.text.tokenizer import encode, fit_and_encode, words
from tests import fixtures

TEXTS = [
    "A great film, great acting and a great story.",
    "A dull film: bad acting, a bad story; dull, dull.",
    "Not bad at all. A great cast!",
    "Bad. Not great, not good, and far too long.",
    "Good film, good cast, a good story<br />worth it.",
    "The worst film, the worst acting; not good at all.",
]
LABELS = np.array([1, 0, 1, 0, 1, 0])


def plain_ngrams(text_words, vocabulary, n):
    """Every 1..n-gram of known words of one text, as word tuples (repeats kept)."""
    known = [w if w in vocabulary else None for w in text_words]
    return [
        tuple(known[i : i + size])
        for size in range(1, n + 1)
        for i in range(len(known) - size + 1)
        if None not in known[i : i + size]
    ]


def decode(key, vocabulary):
    """The words of an n-gram key (exact_ngrams.py's numbering)."""
    size, value, base = key % 4 + 1, key // 4, len(vocabulary) + 1
    ids = []
    for _ in range(size):
        value, word = divmod(value, base)
        ids.append(word)
    return tuple(vocabulary[i - 1] for i in reversed(ids))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_ngram_keys_match_the_plain_definition(n):
    vocabulary = fit_and_encode(TEXTS[:4], 1 << 20)[0]  # words of the later texts are unknown
    ids, offsets = encode(TEXTS, vocabulary, keep_unknown=True)
    keys, reviews = ngram_keys(ids, offsets, n, len(vocabulary))
    for review, text in enumerate(TEXTS):
        got = sorted(decode(k, vocabulary) for k in keys[reviews == review])
        assert got == sorted(plain_ngrams(words(text), set(vocabulary), n)), text
    # An unknown word breaks the n-grams around it: "worth" is unknown in "story worth it".
    assert ("story", "it") not in {decode(k, vocabulary) for k in keys}


def test_vocabulary_and_presence():
    vocabulary, ids, offsets = fit_and_encode(TEXTS, 1 << 20)
    keys, reviews = ngram_keys(ids, offsets, 2, len(vocabulary))
    kept = fit_vocabulary(keys, reviews, min_df=2)[0]
    grams = [set(plain_ngrams(words(t), set(vocabulary), 2)) for t in TEXTS]
    expected = {g for g in set().union(*grams) if sum(g in s for s in grams) >= 2}
    assert {decode(k, vocabulary) for k in kept} == expected and list(kept) == sorted(kept)
    rows, columns = present(keys, reviews, kept)
    for review in range(len(TEXTS)):
        found = [decode(k, vocabulary) for k in kept[columns[rows == review]]]
        assert len(found) == len(set(found)) and set(found) == grams[review] & expected


@pytest.mark.parametrize("min_df", [1, 2, 3])
def test_the_training_matrix_is_what_present_finds(min_df):
    vocabulary, ids, offsets = fit_and_encode(TEXTS, 1 << 20)
    keys, reviews = ngram_keys(ids, offsets, 3, len(vocabulary))
    kept, rows, columns = fit_vocabulary(keys, reviews, min_df)
    expected_rows, expected_columns = present(keys, reviews, kept)
    np.testing.assert_array_equal(rows, expected_rows)
    np.testing.assert_array_equal(columns, expected_columns)


@pytest.mark.parametrize("batch", [1, 2, 3, 100])
@pytest.mark.parametrize("min_df", [1, 2, 3])
def test_counting_in_batches_gives_the_same_matrix(monkeypatch, batch, min_df):
    vocabulary, ids, offsets = fit_and_encode(TEXTS * 3, 1 << 20)
    whole = fit_vocabulary(*ngram_keys(ids, offsets, 3, len(vocabulary)), min_df)
    monkeypatch.setattr(exact_ngrams, "BATCH", batch)
    batched = exact_ngrams.fit_vocabulary_batches(ids, offsets, 3, len(vocabulary), min_df)
    # The pattern is what scipy makes of the (row, column) cells.
    shape = (len(offsets) - 1, len(whole.keys))
    converted = sp.csr_matrix((np.ones(len(whole.rows), np.float32), (whole.rows, whole.columns)), shape=shape)
    for got, expected in zip(batched, (whole.keys, converted.indptr, converted.indices)):
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype


def test_exported_model_is_scikit_learn_s_model(tmp_path):
    vocabulary, ids, offsets = fit_and_encode(TEXTS, 1 << 20)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams=3, min_df=1)
    rows = np.arange(len(TEXTS))
    model = nbsvm.fit(features, rows, LABELS, c=1.0, seed=7)
    model.save(tmp_path / "m.npz")
    loaded = NgramModel.load(tmp_path / "m.npz")

    ratios = nbsvm.nb_ratios(features.matrix, LABELS)
    reference = LogisticRegression(C=1.0, solver="liblinear", dual=True, random_state=7)  # more n-grams than texts
    reference.fit(sp.csr_matrix(features.matrix.multiply(ratios)), LABELS)
    new = ["A great story, not bad at all!", "Dull and bad, the worst.", "zzz unknown words only", ""]
    new_ids, new_offsets = encode(new, vocabulary, keep_unknown=True)
    bag = np.zeros((len(new), len(features.keys)))
    r, c = present(*ngram_keys(new_ids, new_offsets, 3, len(vocabulary)), features.keys)
    bag[r, c] = 1
    np.testing.assert_allclose(loaded.logits(new), reference.decision_function(bag * ratios), rtol=1e-5, atol=1e-6)
    assert loaded.logits(new)[2] == pytest.approx(reference.intercept_[0])  # no known n-gram: the bias
    assert nbsvm.accuracy(model, features, rows, LABELS) == 1.0
    p = loaded.probabilities(TEXTS)
    assert ((p > 0.5) == (LABELS == 1)).all()

    # The same fit gives the same bytes.
    nbsvm.fit(features, rows, LABELS, c=1.0, seed=7).save(tmp_path / "again.npz")
    assert (tmp_path / "again.npz").read_bytes() == (tmp_path / "m.npz").read_bytes()


def test_a_fit_needs_both_classes():
    vocabulary, ids, offsets = fit_and_encode(TEXTS, 1 << 20)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams=1, min_df=1)
    with pytest.raises(ValueError, match="both classes"):
        nbsvm.fit(features, np.array([0, 2]), np.array([1, 1]), c=1.0, seed=0)


def test_loading_names_what_is_wrong(tmp_path):
    with pytest.raises(PipelineError, match="no model file"):
        NgramModel.load(tmp_path / "none.npz")
    (tmp_path / "text.npz").write_text("not a model")
    with pytest.raises(PipelineError, match="is not a model file .not an .npz archive"):
        NgramModel.load(tmp_path / "text.npz")
    np.savez(tmp_path / "other.npz", layers=np.array("[]"))
    with pytest.raises(PipelineError, match="is not a model file of this kind .unexpected member 'layers'"):
        NgramModel.load(tmp_path / "other.npz")


def test_review_vectors_are_unit_means_of_distinct_words():
    vocabulary = ["good", "bad", "film", "rare"]
    vector_words = ["film", "good", "bad"]  # "rare" has no vector
    vectors = np.array([[0, 0], [0, 2], [3, 0], [0, -1]], dtype=np.float32)  # row 0: padding
    ids = np.array([1, 1, 1, 3, 4, 0, 4])  # review 0: good good good film rare; review 1: <unknown> rare
    x = review_vectors(ids, np.array([0, 5, 7]), vocabulary, vector_words, vectors)
    # good (1, 0) and film (0, 1), each counted once, averaged and scaled to length 1.
    np.testing.assert_allclose(x[0], [np.sqrt(0.5), np.sqrt(0.5)])
    np.testing.assert_allclose(x[1], [0, 0])  # no word with a vector


def test_confident_takes_the_extremes_of_each_side():
    chosen, labels = confident(np.array([0.1, -3.0, 2.0, 0.0, -1.0, 5.0]), 2)
    assert list(chosen) == [1, 4, 2, 5] and list(labels) == [0, 0, 1, 1]


def test_teacher_c_is_chosen_by_cross_validation_within_the_labels():
    """The candidate with the best cross-validated log-loss, computed here by
    scikit-learn directly; one candidate is taken as given; too few labels of a
    class to cross-validate is a clear error."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    x = rng.normal(size=(60, 5)) + labels[:, None] * 0.8  # overlapping classes: the strength matters
    candidates = [0.001, 0.1, 10.0]
    folds = StratifiedKFold(5, shuffle=True, random_state=3)
    scores = [
        cross_val_score(LogisticRegression(C=c, max_iter=1000), x, labels, cv=folds, scoring="neg_log_loss").mean()
        for c in candidates
    ]
    assert len(set(scores)) == 3  # no tie: the choice is the argmax
    assert choose_teacher_c(x, labels, candidates, 3, "w") == candidates[int(np.argmax(scores))]
    assert choose_teacher_c(x, labels, [5], 3, "w") == 5.0
    with pytest.raises(PipelineError, match="needs 2 labelled reviews of each class"):
        choose_teacher_c(x[:31], labels[:31], candidates, 3, "w")


def test_ngram_features_round_trip_and_broken_files(tmp_path):
    """The features file gives back what was counted; a broken one is one line naming it."""
    from imdb_embeddings.nbsvm.experiment import training_text
    from imdb_embeddings.nbsvm.features_file import load_matrix, load_training, matrix_of, save_matrix, save_training

    texts = ["a good film", "a bad film", "good good acting", "bad plot and bad acting"]
    text = training_text([texts], ngrams=2, min_df=1)
    save_training(text, tmp_path / "train.npz")
    back = load_training(tmp_path / "train.npz")
    assert back.vocabulary == text.vocabulary and back.features.ngrams == 2
    assert (back.features.keys == text.features.keys).all() and (back.ids == text.ids).all()
    assert (back.features.matrix != text.features.matrix).nnz == 0
    ids, offsets = encode(["a good plot", "unseen words"], text.vocabulary, keep_unknown=True)[:2]
    matrix = matrix_of(text.features, ids, offsets)
    save_matrix(matrix, tmp_path / "test.npz")
    assert (load_matrix(tmp_path / "test.npz", len(text.features.keys)) != matrix).nnz == 0
    with pytest.raises(PipelineError, match="n-gram columns"):
        load_matrix(tmp_path / "test.npz", len(text.features.keys) + 1)
    (tmp_path / "cut.npz").write_bytes((tmp_path / "train.npz").read_bytes()[:100])
    with pytest.raises(PipelineError, match="cut.npz: not an n-gram features file"):
        load_training(tmp_path / "cut.npz")
    np.savez(tmp_path / "other.npz", indptr=np.array([0]))
    with pytest.raises(PipelineError, match="other.npz: not an n-gram features file \\(no columns, indices\\)"):
        load_matrix(tmp_path / "other.npz", 3)


def noisy_reviews(n=240, flip=0.2, seed=3):
    """Synthetic reviews (tests/fixtures.py) with a share of labels flipped:
    no n-gram separates them, so the regression's minimum is not at the edge."""
    rng = random.Random(seed)
    labels = np.arange(n) % 2
    texts = [fixtures.review(rng, "pos" if y else "neg") for y in labels]
    return texts, labels ^ (np.random.default_rng(seed).random(n) < flip)


def objective(model, features, rows, labels, c):
    """liblinear's objective (lbfgs.py) at the model's weights."""
    ratios = nbsvm.nb_ratios(features.matrix[rows], labels)
    w = model.weights.astype(np.float64) / ratios
    z = features.matrix[rows] @ (w * ratios) + model.bias
    return c * np.logaddexp(0, -np.where(labels == 1, 1.0, -1.0) * z).sum() + 0.5 * (w @ w + model.bias**2)


@pytest.mark.parametrize("batch", [7, 1000])
def test_lbfgs_reaches_liblinear_s_minimum(monkeypatch, batch):
    texts, labels = noisy_reviews()
    vocabulary, ids, offsets = fit_and_encode(texts, 1 << 20)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams=2, min_df=1)
    rows = np.random.default_rng(1).permutation(len(texts))[:200]  # shuffled, not all: a copy of some rows
    monkeypatch.setattr(lbfgs, "BATCH", batch)
    ours = nbsvm.fit(features, rows, labels[rows], c=0.5, seed=1, solver="lbfgs")
    reference = nbsvm.fit(features, rows, labels[rows], c=0.5, seed=1)
    # The same objective, at least as low as liblinear's own stop, and the same model.
    theirs = objective(reference, features, rows, labels[rows], 0.5)
    assert objective(ours, features, rows, labels[rows], 0.5) <= theirs * (1 + 1e-7)
    np.testing.assert_allclose(ours.weights, reference.weights, atol=1e-3 * np.abs(reference.weights).max())
    assert ours.bias == pytest.approx(reference.bias, abs=1e-3)
    np.testing.assert_allclose(ours.logits(texts), reference.logits(texts), atol=1e-2)


def test_lbfgs_batches_and_orders_change_nothing_but_rounding(tmp_path, monkeypatch):
    texts, labels = noisy_reviews()
    vocabulary, ids, offsets = fit_and_encode(texts, 1 << 20)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams=3, min_df=1)
    everything = np.arange(len(texts))
    whole = nbsvm.fit(features, everything, labels, c=1.0, seed=0, solver="lbfgs")
    shuffled = np.random.default_rng(5).permutation(len(texts))
    monkeypatch.setattr(lbfgs, "BATCH", 16)
    batched = nbsvm.fit(features, shuffled, labels[shuffled], c=1.0, seed=0, solver="lbfgs")
    np.testing.assert_allclose(batched.weights, whole.weights, rtol=1e-4, atol=1e-5)
    # Deterministic: the same fit gives the same bytes.
    batched.save(tmp_path / "a.npz")
    nbsvm.fit(features, shuffled, labels[shuffled], c=1.0, seed=0, solver="lbfgs").save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_solver_auto_is_liblinear_below_its_size_and_lbfgs_above(tmp_path, monkeypatch):
    texts, labels = noisy_reviews()
    vocabulary, ids, offsets = fit_and_encode(texts, 1 << 20)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams=2, min_df=1)
    rows = np.arange(0, len(texts), 2)  # every other review: the size is the rows' own
    values = int(features.matrix[rows].nnz)
    for threshold, same_as in ((values, "liblinear"), (values - 1, "lbfgs")):
        monkeypatch.setattr(nbsvm, "AUTO_LBFGS_VALUES", threshold)
        nbsvm.fit(features, rows, labels[rows], c=1.0, seed=2).save(tmp_path / "auto.npz")
        nbsvm.fit(features, rows, labels[rows], c=1.0, seed=2, solver=same_as).save(tmp_path / "chosen.npz")
        assert (tmp_path / "auto.npz").read_bytes() == (tmp_path / "chosen.npz").read_bytes(), threshold
