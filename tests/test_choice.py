"""Every choice of a few-labels experiment is made inside its labelled
reviews (issue 39): c and the pseudo-label count by cross-validation within
them, and the pseudo-labels split by their class shares."""

import numpy as np
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import PseudoLabelled
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.choice import choose
from imdb_embeddings.nbsvm.experiment import training_text
from imdb_embeddings.nbsvm.teacher import pseudo_labelled
from tests.test_nbsvm import noisy_reviews


def settings(**changes) -> PseudoLabelled:
    base = dict(train_samples=80, validation_samples=0, teacher_c=[1.0], pseudo_labels=[10, 40],
                ngrams=2, min_df=1, c=[0.01, 1.0], seed=5)  # fmt: skip
    return PseudoLabelled(**{**base, **changes})


@pytest.fixture(scope="module")
def data():
    texts, labels = noisy_reviews(240)
    features = training_text([texts], ngrams=2, min_df=1).features
    x = np.random.default_rng(1).normal(size=(240, 4)) + labels[:, None]  # the teacher's view
    return features, labels, x, np.arange(0, 240, 3)  # 80 labelled reviews


def test_the_choice_is_the_best_held_out_score_and_reads_only_the_labelled(data):
    features, labels, x, labelled = data
    chosen = choose(features, labels, labelled, settings(), x, None, "few")
    names = {"c=0.01, pseudo_labels=10", "c=0.01, pseudo_labels=40", "c=1, pseudo_labels=10", "c=1, pseudo_labels=40"}
    assert set(chosen.scores) == names
    best = max(chosen.scores.values())
    assert chosen.scores[f"c={chosen.c:g}, pseudo_labels={chosen.pseudo_labels}"] == best
    # The other reviews' labels are never read: scrambling them changes nothing.
    scrambled = labels.copy()
    others = np.setdiff1d(np.arange(len(labels)), labelled)
    scrambled[others] = np.random.default_rng(2).integers(0, 2, len(others))
    assert choose(features, scrambled, labelled, settings(), x, None, "few") == chosen


def test_without_a_teacher_c_is_chosen_as_scikit_learn_s_folds_say(data):
    from sklearn.model_selection import StratifiedKFold

    features, labels, _, labelled = data
    chosen = choose(features, labels, labelled, settings(c=[0.01, 1.0]), None, None, "base")
    for c in (0.01, 1.0):  # each candidate's held-out accuracy, computed here directly
        right = 0.0
        for fit_at, held_at in StratifiedKFold(5, shuffle=True, random_state=5).split(labelled, labels[labelled]):
            model = nbsvm.fit(features, labelled[fit_at], labels[labelled[fit_at]], c, 5)
            right += nbsvm.accuracy(model, features, labelled[held_at], labels[labelled[held_at]]) * len(held_at)
        assert chosen.scores[f"c={c:g}"] == round(right / len(labelled), 6)
    one = choose(features, labels, labelled, settings(c=0.3, pseudo_labels=20), None, None, "one")
    assert one == (0.3, None, {})  # one candidate: taken as it is, nothing fitted


def test_too_few_labels_of_a_class_to_choose_is_a_clear_error(data):
    features, labels, x, _ = data
    labelled = np.array([0, 2, 4, 1])  # 3 negatives, 1 positive
    with pytest.raises(PipelineError, match="few: choosing c or pseudo_labels by cross-validation needs 2"):
        choose(features, labels, labelled, settings(), x, None, "few")


def test_pseudo_labels_follow_the_labelled_class_shares():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    x = rng.normal(size=(400, 4)) + labels[:, None]
    labelled = np.concatenate([np.arange(0, 10), np.arange(200, 230)])  # 10 negative, 30 positive
    training = pseudo_labelled(x, labels, labelled, np.array([], int), settings(pseudo_labels=50), "few")
    taken = training.labels[len(labelled) :]
    assert (taken == 1).sum() == 75 and (taken == 0).sum() == 25  # 2 x 50 split 3:1


def test_a_card_says_which_settings_were_candidates(tmp_path):
    from imdb_embeddings.reports.model_card import CardInputs, card

    np.savez(tmp_path / "m.npz", weights=np.zeros(3))
    metrics = {"labels_total": 200, "train_samples": 200, "validation_samples": 0, "test_accuracy": 0.8}
    metrics |= {"test_loss": 0.4, "ece": 0.05, "brier": 0.1}
    inputs = CardInputs("few", "pseudo_labelled", {"ngrams": 3, "pseudo_labels": [4000, 8000], "seed": 1},
                        metrics, {}, tmp_path / "m.npz", {"word2vec_dim": 100}, "")  # fmt: skip
    assert "(4,000 or 8,000 a class, chosen by cross-validation within the labelled reviews)" in card(inputs)
    fixed = inputs._replace(settings={**inputs.settings, "pseudo_labels": 8000})
    assert "most confident texts of each class (8,000 a class)." in card(fixed)
