"""A model family added the way docs/experiments.md says: one function,
registered by name, here inside the test. Without an edit to any other
module it is checked by the params schema, trained, exported, evaluated by
the evaluate stage and served by `predict`; a family numpy cannot run loads
TensorFlow only when used, and a numpy one never does."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml

from imdb_embeddings.core import params
from imdb_embeddings.modeling.export import export_weights
from imdb_embeddings.modeling.families import FAMILIES, family, layers
from imdb_embeddings.modeling.saving import save_model
from imdb_embeddings.modeling.training import train
from imdb_embeddings.serving.keras_file import read_exported
from imdb_embeddings.splits import split_indices
from imdb_embeddings.text.columns import read_texts
from imdb_embeddings.text.model_input import input_spec, training_data
from imdb_embeddings.text.sequences import load_sequences
from tests.conftest import run_tool
from tests.fixtures import experiment
from tests.test_predict import predict

pytestmark = pytest.mark.slow(seconds=12)


@pytest.fixture
def toy_family():
    @family("toy_average")
    def toy_average(x, experiment):
        """The plain average of the word vectors: a layer the numpy pass does not know."""
        return layers.GlobalAveragePooling1D(name="average")(x)

    yield "toy_average"
    del FAMILIES["toy_average"]


def test_a_family_added_in_one_function_is_served_everywhere(reproduced_project, tmp_path, toy_family):
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    p = yaml.safe_load((project / "params.yaml").read_text())
    spec = {"model": toy_family, "embedding_dim": 8, "maxlen": 30, "hidden_units": 4}
    p["experiments"]["learned"]["toy"] = {**spec, "train_samples": 80, "validation_samples": 40}
    typed = params.validate(p, families=FAMILIES)  # the schema knows the new name
    experiment = typed.experiments.learned["toy"]
    p["experiments"]["learned"]["toy"]["model"] = "not_registered"
    with pytest.raises(params.PipelineError, match="toy.model is 'not_registered'; expected one of .*toy_average"):
        params.validate(p, families=FAMILIES)

    sequences = load_sequences(project / "data/tokenized/train.npz")
    spec = input_spec(experiment, typed.tokenize.max_words, FAMILIES[toy_family].ngram_input)
    data = training_data(sequences, spec, split_indices(len(sequences[2]), experiment, "toy"))
    fitted = train(experiment, "toy", typed.tokenize.max_words, data, None, None)
    vocabulary = json.loads((project / "data/tokenized/vocab.json").read_text())
    models = project / "data/models"
    save_model(fitted.model, tmp_path / "toy.keras")
    export_weights(fitted.model, models / "toy.npz", spec, vocabulary)
    assert read_exported(models / "toy.npz").keras == (tmp_path / "toy.keras").read_bytes()  # byte-stable
    (models / "toy.fit.json").write_text(json.dumps({"train_samples": 80, "validation_samples": 40}))

    evaluate = [sys.executable, "-m", "stages.evaluate", "data/models/toy.npz", "data/models/toy.fit.json"]
    outputs = ["data/prepared/test.parquet", "--metrics", "metrics/toy.json", "--details", "data/evaluation/toy.json"]
    outputs += ["--predictions", "data/predictions/toy.npy", "--reliability", "plots/reliability/toy.csv"]
    run_tool(project, *evaluate, *outputs, env=env)
    metrics = json.loads((project / "data/evaluation/toy.json").read_text())["toy"]
    assert 0.0 <= metrics["test_accuracy"] <= 1.0 and metrics["labels_total"] == 120

    texts = read_texts(project / "data/prepared/test.parquet")[:5]
    result = predict(project, "--model", "data/models/toy.npz", "--json", *texts)
    assert result.returncode == 0, result.stderr
    served = [json.loads(line)["probability"] for line in result.stdout.splitlines()]
    np.testing.assert_allclose(served, np.load(project / "data/predictions/toy.npy")[:5], atol=1e-6)


@pytest.mark.parametrize("model, tensorflow", [("learned_small", False), ("toy", True)])
def test_tensorflow_only_for_a_family_numpy_cannot_run(reproduced_project, tmp_path, toy_family, model, tensorflow):
    project, env = reproduced_project
    path = project / "data/models" / f"{model}.npz"
    if model == "toy":  # an untrained model of the toy family: its file carries the Keras model
        from imdb_embeddings.modeling.model import build_model

        vocabulary = json.loads((project / "data/tokenized/vocab.json").read_text())
        path = tmp_path / "toy.npz"
        model = build_model(experiment(model=toy_family, embedding_dim=4, hidden_units=0), 60, 30)
        export_weights(model, path, None, vocabulary)
    code = (
        "import sys; from imdb_embeddings.classifier import load_classifier; "
        f"print(load_classifier({str(path)!r}).probabilities(['a fine film'])[0]); "
        "print('tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 0 < float(result.stdout.split()[-2]) < 1
    assert result.stdout.split()[-1] == str(tensorflow)
