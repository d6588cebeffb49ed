"""Document vectors (imdb_embeddings/research/pv_dbow.py): n-grams as extra
tokens, a seeded and reproducible model, and inference that depends on the
text and the model only, whatever the order or the process."""

import subprocess
import sys

import numpy as np
import pytest

from imdb_embeddings.core.params import DocVectors
from imdb_embeddings.research.pv_dbow import infer, train_doc_vectors, with_ngrams

TEXTS = [
    "A fine film with great acting.",
    "A dull film, and a bad plot.",
    "Great fun; a fine cast.",
    "Bad acting and a dull story.",
] * 40
SMALL = DocVectors(dim=8, epochs=3, ngrams=2, min_count=1, negative=5, seed=1337, workers=1)


def test_ngrams_are_extra_tokens():
    assert with_ngrams(["a", "fine", "film"], 1) == ["a", "fine", "film"]
    assert with_ngrams(["a", "fine", "film"], 2) == ["a", "fine", "film", "a_fine", "fine_film"]
    assert with_ngrams(["a", "fine", "film"], 3)[-1] == "a_fine_film"
    assert with_ngrams([], 2) == []


@pytest.fixture(scope="module")
def model():
    return train_doc_vectors(TEXTS, SMALL)


def test_one_worker_gives_the_same_model_every_run(model):
    again = train_doc_vectors(TEXTS, SMALL)
    assert np.array_equal(model.dv.vectors, again.dv.vectors)
    other = train_doc_vectors(TEXTS, SMALL.model_copy(update={"seed": SMALL.seed + 1}))
    assert not np.array_equal(model.dv.vectors, other.dv.vectors)


def test_a_text_gets_its_vector_whatever_comes_before_it(model, tmp_path):
    texts = TEXTS[:4]
    forward = infer(model, texts, SMALL.ngrams)
    backward = infer(model, texts[::-1], SMALL.ngrams)[::-1]
    assert forward.shape == (4, SMALL.dim) and forward.dtype == np.float32
    assert np.array_equal(forward, backward)
    assert not np.array_equal(forward[0], forward[1])
    # And in another process, from the saved model (as predict would load it).
    model.save(str(tmp_path / "model"))
    code = (
        "import sys, numpy as np; from gensim.models.doc2vec import Doc2Vec;"
        "from imdb_embeddings.research.pv_dbow import infer;"
        f"np.save(sys.argv[2], infer(Doc2Vec.load(sys.argv[1]), {texts[2:3]!r}, {SMALL.ngrams}))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "model"), str(tmp_path / "v.npy")], check=True)
    assert np.array_equal(np.load(tmp_path / "v.npy")[0], forward[2])
