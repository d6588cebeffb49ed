"""Every model family and embedding source through the real pipeline: added
to params, trained by `dvc repro` on the fixture data, evaluated (the numpy
forward pass, or Keras for the GRU) and logged; the reference experiments
are not touched."""

import json
import re
import shlex
import shutil

import pytest

from tests.conftest import edit_params, readme_line, run_tool

pytestmark = pytest.mark.slow(seconds=40)
NEW = {
    "learned": {
        "mean_learned": {"model": "mean", "embedding_dim": 16, "dropout": 0.2, "learning_rate": 0.01},
        "conv_learned": {"model": "conv1d", "embedding_dim": 16, "hidden_units": 8, "dropout": 0.3},
        "bag_learned": {
            "model": "ngram_bag",
            "embedding_dim": 16,
            "ngrams": 3,
            "ngram_buckets": 500,
            "early_stopping": 1,
            "epochs": 6,
        },
    },
    "glove": {
        "mean_glove_tuned": {"model": "mean", "trainable": True, "learning_rate": 0.005},
        "conv_glove": {"model": "conv1d", "hidden_units": 8},
    },
}
BASE = {"maxlen": 30, "hidden_units": 0, "train_samples": 80, "validation_samples": 40}


def test_each_family_trains_and_evaluates(reproduced_project, tmp_path):
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    lock_before = (project / "dvc.lock").read_text()

    def add(p):
        for group, experiments in NEW.items():
            for name, spec in experiments.items():
                p["experiments"][group][name] = {**BASE, **spec}

    edit_params(project, add)
    result = run_tool(project, "dvc", "repro", "--all-pipelines", env=env)
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE))
    expected = {
        f"{kind}_{group}@{name}" for group, names in NEW.items() for name in names for kind in ("train", "evaluate")
    } | {"check_params", "model_cards"}  # params.yaml's bytes changed; a card for each new model (in no comparison)
    assert ran == expected, result.stdout  # the reference experiments did not rerun
    for names in NEW.values():
        for name, spec in names.items():
            metrics = json.loads((project / "metrics" / f"{name}.json").read_text())
            assert 0 <= metrics["test_accuracy"] <= 1
            last = json.loads((project / "dvclive" / name / "metrics.json").read_text())
            assert "accuracy" in last["eval"]
            log = result.stdout + result.stderr
            assert f"{name}: {spec['model']} model" in log
    # Early stopping may end the ngram_bag run before its 6 epochs; never after.
    assert json.loads((project / "dvclive/bag_learned/metrics.json").read_text())["step"] <= 5
    for name in ("learned_maxlen20", "glove_frozen", "learned_small"):
        assert f"train_{'glove' if 'glove' in name else 'learned'}@{name}" not in ran
    assert "learned_maxlen20" in lock_before


def test_the_gru_opt_in_runs_as_written(reproduced_project, tmp_path):
    """docs/experiments.md's one line that adds the GRU experiment and its comparison,
    with sizes that fit the fixture data: trained, evaluated through Keras,
    compared and carded, and the reference experiments untouched."""
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    line = readme_line("dvc exp run --all-pipelines -S '+experiments.word2vec.word2vec_gru=", "docs/experiments.md")
    line = line.replace("train_samples: 200, validation_samples: 10000", "train_samples: 40, validation_samples: 40")
    result = run_tool(project, *shlex.split(line), env=env)
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE))
    assert ran == {
        "check_params",
        "train_word2vec@word2vec_gru",
        "evaluate_word2vec@word2vec_gru",
        "compare@word2vec_gru_vs_word2vec_small",
        "model_cards",
        "forest",
    }, result.stdout
    assert 0 <= json.loads((project / "metrics/word2vec_gru.json").read_text())["test_accuracy"] <= 1
    assert (project / "metrics/compare/word2vec_gru_vs_word2vec_small.json").exists()
    assert "out, through Keras" in (project / "cards/word2vec_gru.md").read_text()
    assert "out, numpy only" in (project / "cards/word2vec_small.md").read_text()
