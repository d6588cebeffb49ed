import copy
from pathlib import Path

import pytest
import yaml

from stages import params
from stages.cli import PipelineError

DEFAULTS = yaml.safe_load((Path(__file__).parent.parent / "params.yaml").read_text())


def check(change):
    p = copy.deepcopy(DEFAULTS)
    change(p)
    with pytest.raises(PipelineError) as err:
        params.validate(p)
    return str(err.value)


def test_defaults_reproduce_the_references():
    params.validate(DEFAULTS)
    assert DEFAULTS["glove"]["dim"] == 100
    assert DEFAULTS["tokenize"]["max_words"] == 10000
    ref1 = params.experiment(DEFAULTS, "learned_maxlen20")
    assert (ref1["embedding_dim"], ref1["maxlen"], ref1["hidden_units"]) == (8, 20, 0)
    assert (ref1["train_samples"], ref1["validation_samples"]) == (20000, 5000)
    ref2 = params.experiment(DEFAULTS, "glove_frozen")
    assert (ref2["embedding"], ref2["trainable"], ref2["maxlen"], ref2["hidden_units"]) == ("glove", False, 100, 32)
    assert (ref2["train_samples"], ref2["validation_samples"]) == (200, 10000)
    small = params.experiment(DEFAULTS, "learned_small")
    assert small["trainable"] and small["train_samples"] == 200
    for exp in (ref1, ref2, small):
        assert (exp["epochs"], exp["batch_size"], exp["optimizer"]) == (10, 32, "rmsprop")


def test_experiment_overrides_train_defaults():
    p = copy.deepcopy(DEFAULTS)
    p["experiments"]["learned_small"]["epochs"] = 3
    assert params.experiment(p, "learned_small")["epochs"] == 3
    assert params.experiment(p, "glove_frozen")["epochs"] == 10


@pytest.mark.parametrize("change, named", [
    (lambda p: p["tokenize"].update(max_wrds=5), "tokenize.max_wrds"),
    (lambda p: p.update(extra={}), "unknown key extra"),
    (lambda p: p["tokenize"].update(max_words=0), "tokenize.max_words is 0"),
    (lambda p: p["train"].update(batch_size=-32), "train.batch_size is -32"),
    (lambda p: p["train"].update(epochs="ten"), "train.epochs is 'ten'"),
    (lambda p: p["glove"].update(dim=64), "glove.dim is 64"),
    (lambda p: p["glove"]["members"].update({64: "md5:" + "0" * 32}), "glove.members.64"),
    (lambda p: p["glove"]["members"].update({50: "sha256:abc"}), "glove.members.50"),
    (lambda p: p["experiments"]["glove_frozen"].update(maxlen=0), "experiments.glove_frozen.maxlen"),
    (lambda p: p["experiments"]["glove_frozen"].update(embedding="word2vec"), "experiments.glove_frozen.embedding"),
    (lambda p: p["experiments"]["learned_small"].pop("embedding_dim"), "experiments.learned_small.embedding_dim"),
    (lambda p: p["experiments"]["learned_small"].update(dropout=0.5), "experiments.learned_small.dropout"),
    (lambda p: p["experiments"]["learned_small"].update(optimizer="lbfgs"), "experiments.learned_small.optimizer"),
    (lambda p: p["imdb"].pop("sha256"), "imdb.sha256 is missing"),
    (lambda p: p["train"].update(distribute="horovod"), "distribute is 'horovod'"),
    (lambda p: p["train"].update(cpu_devices=0), "train.cpu_devices is 0"),
])
def test_invalid_params_name_the_key(change, named):
    assert named in check(change)


def test_load_reports_bad_yaml(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("tokenize: [unclosed\n")
    with pytest.raises(PipelineError, match="params.yaml is not valid YAML"):
        params.load(bad)
