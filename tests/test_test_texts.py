"""No stage that learns without labels reads a test review's text (issue 39):
aclImdb holds 270 unlabelled and 123 training reviews that are word for word
test reviews. prepare drops the unlabelled ones and counts both; word2vec,
the document vectors and every pseudo-label pool leave the training ones out."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from imdb_embeddings.archives.reviews import without_test_copies
from imdb_embeddings.core.params import PseudoLabelled
from imdb_embeddings.nbsvm.teacher import pseudo_labelled
from imdb_embeddings.text.columns import copied_from_test, unlabelled_texts


def test_prepare_drops_unlabelled_copies_and_counts_the_training_ones():
    splits = {
        "train": [(1, 1, 9, "A copy."), (0, 2, 1, "Only in train.")],
        "test": [(1, 1, 8, "A copy."), (0, 2, 2, "Also in unsup.")],
        "unsup": [(-1, 1, 0, "Also in unsup."), (-1, 2, 0, "Only unlabelled."), (-1, 3, 0, "Also in unsup.")],
    }
    kept, dropped, train_copies = without_test_copies(splits)
    assert [row[3] for row in kept["unsup"]] == ["Only unlabelled."] and dropped == 2 and train_copies == 1
    assert kept["train"] == splits["train"] and kept["test"] == splits["test"]


def test_the_unsupervised_stages_read_no_test_text(tmp_path):
    def write(name, texts):
        pq.write_table(pa.table({"text": texts}), tmp_path / name)
        return str(tmp_path / name)

    train = write("train.parquet", ["A copy.", "Only in train."])
    unsup = write("unsup.parquet", ["Only unlabelled.", "A copy."])
    test = write("test.parquet", ["A copy.", "Only in test."])
    assert unlabelled_texts([unsup, train], test) == (["Only unlabelled.", "Only in train."], 2)
    assert copied_from_test(["A copy.", "a copy."], ["A copy."]).tolist() == [True, False]  # word for word only


def test_no_pseudo_label_pool_takes_a_test_copy():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 50)
    x = rng.normal(size=(100, 4)) + labels[:, None]
    settings = PseudoLabelled(train_samples=20, validation_samples=0, teacher_c=[1.0], pseudo_labels=30,
                              ngrams=1, min_df=1, c=1.0, seed=1)  # fmt: skip
    labelled = np.arange(0, 100, 5)
    copies = np.zeros(100, bool)
    copies[[1, 2, 3, 51, 52]] = True
    training = pseudo_labelled(x, labels, labelled, np.array([], int), settings, "few", copies)
    assert not set(training.rows.tolist()) & {1, 2, 3, 51, 52} and len(training.rows) == 20 + 60
