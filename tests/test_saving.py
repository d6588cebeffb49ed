"""Saved Keras models are byte-stable across processes and still load."""

import subprocess
import sys

import numpy as np

from imdb_embeddings.modeling.saving import renumber_shared_objects
from tests.fixtures import experiment
from tests.project import ROOT

SAVE = """
import sys
import keras
from imdb_embeddings.modeling.model import build_model
from imdb_embeddings.modeling.saving import save_model
from tests.fixtures import experiment
keras.utils.set_random_seed(5)
save_model(build_model(experiment(embedding_dim=4, hidden_units=3), 30, 6), sys.argv[1])
"""


def test_same_model_same_bytes_in_two_processes(tmp_path):
    paths = [tmp_path / "a.keras", tmp_path / "b.keras"]
    for path in paths:
        subprocess.run([sys.executable, "-c", SAVE, str(path)], check=True, capture_output=True, cwd=ROOT)
    assert paths[0].read_bytes() == paths[1].read_bytes()

    import keras

    from imdb_embeddings.modeling.model import build_model

    keras.utils.set_random_seed(5)
    original = build_model(experiment(embedding_dim=4, hidden_units=3), 30, 6)
    loaded = keras.models.load_model(paths[0])
    x = np.arange(60).reshape(10, 6) % 30
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), original.predict(x, verbose=0))


def test_shared_object_ids_are_numbered_in_order():
    config = {"a": {"shared_object_id": 9123}, "b": [{"shared_object_id": 77}, {"shared_object_id": 9123}]}
    assert renumber_shared_objects(config) == {
        "a": {"shared_object_id": 0},
        "b": [{"shared_object_id": 1}, {"shared_object_id": 0}],
    }
