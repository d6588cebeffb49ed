"""The forward pass that `evaluate` uses, held to Keras' own
`model.evaluate` on every model family `modeling/families.py` registers:
numpy where it knows the layers, Keras from the exported file otherwise."""

import json

import numpy as np
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.evaluation.metrics import binary_metrics
from imdb_embeddings.modeling.export import export_weights
from imdb_embeddings.serving.keras_file import read_exported
from imdb_embeddings.serving.keras_model import predict_logits
from tests.fixtures import experiment


@pytest.mark.parametrize(
    "family, hidden_units, weights, dropout",
    [
        ("flatten", 0, False, 0.0),
        ("flatten", 16, True, 0.0),
        ("mean", 0, False, 0.0),
        ("mean", 16, True, 0.3),
        ("conv1d", 8, False, 0.2),
        ("conv1d", 0, True, 0.0),
        ("ngram_bag", 0, False, 0.2),
        ("gru", 4, True, 0.0),
        ("gru", 0, False, 0.2),
    ],
)
def test_matches_keras_evaluate(tmp_path, family, hidden_units, weights, dropout):
    import keras

    from imdb_embeddings.modeling.model import build_model
    from imdb_embeddings.serving.keras_model import keras_logits, load_keras

    rng = np.random.default_rng(hidden_units)
    keras.utils.set_random_seed(3)
    matrix = rng.normal(size=(50, 8)).astype(np.float32) if weights else None
    settings = experiment(model=family, embedding_dim=None if weights else 8, hidden_units=hidden_units)
    settings = settings.model_copy(update={"trainable": not weights, "dropout": dropout, "ngram_buckets": 30})
    model = build_model(settings, 50, 12, matrix)
    x = rng.integers(0, 80 if family == "ngram_bag" else 50, size=(3000, 12)).astype(np.int32)
    x[:, :3] = 0  # padding in front, as pad_sequences leaves it
    x[7] = 0  # and one empty review
    y = rng.integers(0, 2, size=3000).astype(np.int8)
    model.fit(x[:500], y[:500], epochs=2, verbose=0)  # weights away from their initial values
    expected_loss, expected_accuracy = model.evaluate(x, y, batch_size=1024, verbose=0)

    export_weights(model, tmp_path / "m.npz")
    exported = read_exported(tmp_path / "m.npz")
    if family == "gru":  # no numpy twin: the file carries the Keras model, run through Keras
        assert exported.layers is None and exported.keras is not None
        logits = keras_logits(load_keras(exported.keras, exported.spec, "m.npz"), x)
    else:
        logits = predict_logits(exported.layers, exported.weights, x, batch_size=700)
    loss, accuracy = binary_metrics(y, logits)
    assert accuracy == pytest.approx(expected_accuracy, abs=1e-6)
    assert loss == pytest.approx(expected_loss, abs=1e-5)


def test_unknown_layers_are_refused(tmp_path):
    layers = [
        {"name": "drop", "kind": "LSTM", "activation": None, "weights": 0},
        {"name": "out", "kind": "Dense", "activation": "sigmoid", "weights": 2},
    ]
    np.savez(
        tmp_path / "m.npz",
        layers=np.array(json.dumps(layers)),
        input_spec=np.array(json.dumps({"maxlen": 4})),
        **{"1/0": np.zeros((4, 1), np.float32), "1/1": np.zeros(1, np.float32)},
    )
    with pytest.raises(PipelineError, match="layer drop .LSTM"):
        read_exported(tmp_path / "m.npz")
