import numpy as np

from imdb_embeddings.core.params import Word2Vec
from imdb_embeddings.text.tokenizer import words
from imdb_embeddings.vectors.in_domain import sentences, train_word2vec
from tests import fixtures
from tests.project import ROOT

SETTINGS = Word2Vec(dim=8, epochs=3, window=3, min_count=1, sg=0, seed=7, workers=1)


def texts():
    return [t for n, t in fixtures.imdb_members().items() if n.endswith(".txt")]


def test_sentences_split_as_the_tokenizer_does():
    sample = texts()[:20] + ["", "\u00dcn\u00efcode <br /> Text!"]
    assert sentences(sample) == [words(t) for t in sample]


def test_same_texts_same_vectors_in_every_process(tmp_path):
    """The stable hash: Python's own `hash` would differ between processes."""
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from tests.test_word2vec import SETTINGS, texts\n"
        "from imdb_embeddings.vectors.in_domain import train_word2vec\n"
        "words, vectors = train_word2vec(texts(), SETTINGS)\n"
        "np.save(sys.argv[1], vectors)\n"
    )
    for i in range(2):
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"{i}.npy")],
            check=True,
            env={"PYTHONHASHSEED": str(i), "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
    assert np.load(tmp_path / "0.npy").tobytes() == np.load(tmp_path / "1.npy").tobytes()
    words, vectors = train_word2vec(texts(), SETTINGS)
    assert vectors.shape == (len(words), 8) and "great" in words
