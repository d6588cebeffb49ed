"""`make frontier` (docs/frontier.md): the opt-in research group runs with
one command after the default run, sizes edited to fit the fixture data.
Document vectors are trained once, the few-labels route they teach runs
with its label draws, is evaluated, compared with few_labels, carded and
served by `predict`; the default run never builds any of it."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_tool
from tests.project import frontier_line

pytestmark = pytest.mark.slow(seconds=25)
TAUGHT = "few_labels_doc"


def test_the_default_run_builds_no_research_stage(reproduced_project):
    project, _ = reproduced_project
    stages = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    assert not [name for name in stages if "doc_vectors" in name or "taught" in name]
    assert not (project / "data/doc_vectors").exists()


def test_make_frontier_runs_the_research_group(reproduced_project, tmp_path):
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    line = frontier_line()
    for big, small in (
        ("dim: 100, epochs: 10", "dim: 16, epochs: 2"),
        ("min_count: 2, negative", "min_count: 1, negative"),
        ("train_samples: 200", "train_samples: 20"),
        ("pseudo_labels: [4000, 8000]", "pseudo_labels: [10, 20]"),
    ):
        assert big in line, big
        line = line.replace(big, small)
    result = run_tool(project, *shlex.split(line), env=env)
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE))
    assert ran == {
        "check_params",
        "doc_vectors@dbow",
        f"ngram_features_taught@{TAUGHT}",
        f"train_nbsvm_taught@{TAUGHT}",
        f"draws_nbsvm_taught@{TAUGHT}",
        f"evaluate_nbsvm_taught@{TAUGHT}",
        f"compare@{TAUGHT}_vs_few_labels",
        "model_cards",
        "forest",
    }, result.stdout
    train, test = (project / "data/doc_vectors/dbow/train.npy"), (project / "data/doc_vectors/dbow/test.npy")
    assert train.exists() and test.exists()
    metrics = json.loads((project / f"metrics/{TAUGHT}.json").read_text())
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["draws"]["ci95_low"] <= metrics["draws"]["mean"]
    fit = json.loads((project / f"data/models/{TAUGHT}.fit.json").read_text())
    assert fit["train_samples"] == 20 and fit["pseudo_labels"] in (20, 40) and "cross_validated" in fit
    assert (project / f"metrics/compare/{TAUGHT}_vs_few_labels.json").exists()
    assert "document vector" in (project / f"cards/{TAUGHT}.md").read_text()
    command = str(Path(sys.executable).parent / "imdb-embeddings")
    scored = subprocess.run(
        [command, "predict", "--model", TAUGHT, "A fine film."], cwd=project, capture_output=True, text=True, env=env
    )
    label, probability = scored.stdout.strip().split("\t")
    assert scored.returncode == 0 and label in ("positive", "negative") and 0 <= float(probability) <= 1
    again = run_tool(project, "dvc", "repro", "--all-pipelines", env=env)
    assert "Running stage" not in again.stdout, again.stdout
