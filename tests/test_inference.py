"""The numpy forward pass that `evaluate` uses, held to Keras' own
`model.evaluate` on the models `stages/model.py` builds."""

import json

import numpy as np
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.modeling.inference import binary_metrics, export_weights, load_weights, predict_logits


@pytest.mark.parametrize("hidden_units, weights", [(0, False), (16, True)])
def test_matches_keras_evaluate(tmp_path, hidden_units, weights):
    import keras

    from imdb_embeddings.modeling.model import build_model

    rng = np.random.default_rng(hidden_units)
    keras.utils.set_random_seed(3)
    matrix = rng.normal(size=(50, 8)).astype(np.float32) if weights else None
    model = build_model(50, 12, 8, hidden_units, "rmsprop", matrix, trainable=not weights)
    x = rng.integers(0, 50, size=(3000, 12)).astype(np.int32)
    y = rng.integers(0, 2, size=3000).astype(np.int8)
    model.fit(x[:500], y[:500], epochs=2, verbose=0)  # weights away from their initial values
    expected_loss, expected_accuracy = model.evaluate(x, y, batch_size=1024, verbose=0)

    export_weights(model, tmp_path / "m.npz")
    loss, accuracy = binary_metrics(y, predict_logits(*load_weights(tmp_path / "m.npz"), x, batch_size=700))
    assert accuracy == pytest.approx(expected_accuracy, abs=1e-6)
    assert loss == pytest.approx(expected_loss, abs=1e-5)


def test_unknown_layers_are_refused(tmp_path):
    layers = [
        {"name": "drop", "kind": "Dropout", "activation": None, "weights": 0},
        {"name": "out", "kind": "Dense", "activation": "sigmoid", "weights": 2},
    ]
    np.savez(
        tmp_path / "m.npz",
        layers=np.array(json.dumps(layers)),
        **{"1/0": np.zeros((4, 1), np.float32), "1/1": np.zeros(1, np.float32)},
    )
    with pytest.raises(PipelineError, match="layer drop .Dropout"):
        load_weights(tmp_path / "m.npz")
