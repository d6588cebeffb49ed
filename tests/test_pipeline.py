"""Real `dvc repro` on a copy of the project, fed by the fixture mirror:
which stages DVC actually ran after each change proves the caching rules."""
import json
import re

import pytest

from tests.conftest import copy_project, edit_params, fixture_params, run_tool, tool_env

pytestmark = pytest.mark.slow
ALL_EXPERIMENTS = ("learned_maxlen20", "glove_frozen", "learned_small")


def stages_of(*experiments, kinds=("train", "evaluate")):
    return {f"{kind}@{e}" for kind in kinds for e in experiments}


def repro(project, mirror, *args):
    """The stages `dvc repro` brought up to date: run, or restored from DVC's
    run cache (same deps and params as an earlier run, e.g. after a param
    goes back to an earlier value)."""
    result = run_tool(project, "dvc", "repro", *args, env=tool_env(PIPELINE_MIRROR=str(mirror)))
    return set(re.findall(r"^(?:Running stage|Stage) '([^']+)'(?::|\s+is cached - skipping run)",
                          result.stdout, re.MULTILINE))


def metrics(project, name):
    return json.loads((project / "metrics" / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def project(tmp_path_factory, fixture_mirror):
    mirror, members = fixture_mirror
    project = copy_project(tmp_path_factory.mktemp("project"))
    edit_params(project, lambda p: fixture_params(p, members))
    return project, mirror


def test_caching_is_exact(project):
    project, mirror = project
    everything = {"download_imdb", "download_glove", "parse_glove", "prepare", "tokenize", "embedding"}
    everything |= stages_of(*ALL_EXPERIMENTS)
    assert repro(project, mirror) == everything
    for name in ALL_EXPERIMENTS:
        m = metrics(project, name)
        assert {"val_accuracy", "test_accuracy", "test_loss"} <= set(m) and m["epochs"] == 2
        assert len((project / "plots" / f"{name}.csv").read_text().splitlines()) == 3
    coverage = json.loads((project / "metrics/embedding.json").read_text())
    assert 0 < coverage["coverage"] <= 1

    # A second repro runs nothing.
    assert repro(project, mirror) == set()

    # A training param reruns train and evaluate of the experiments it touches, only:
    # `train` holds every experiment's defaults; an experiment's own key, just its own.
    edit_params(project, lambda p: p["train"].update(epochs=3))
    assert repro(project, mirror) == stages_of(*ALL_EXPERIMENTS)
    edit_params(project, lambda p: p["experiments"]["learned_small"].update(epochs=2))
    assert repro(project, mirror) == stages_of("learned_small")
    assert metrics(project, "learned_small")["epochs"] == 2
    assert metrics(project, "glove_frozen")["epochs"] == 3

    # The vocabulary size reruns from tokenize on: no download, parse or prepare.
    edit_params(project, lambda p: p["tokenize"].update(max_words=40))
    assert repro(project, mirror) == {"tokenize", "embedding"} | stages_of(*ALL_EXPERIMENTS)

    # The GloVe dim reruns the GloVe stages and what depends on them, never
    # download_imdb, prepare or tokenize.
    edit_params(project, lambda p: p["glove"].update(dim=100))
    # The learned experiments retrain (they depend on the matrix file) but,
    # being deterministic, produce the same weights: their evaluate is skipped.
    assert repro(project, mirror) == ({"download_glove", "parse_glove", "embedding"}
                                      | stages_of(*ALL_EXPERIMENTS, kinds=("train",))
                                      | {"evaluate@glove_frozen"})
    assert json.loads((project / "metrics/embedding.json").read_text())["dim"] == 100


def test_same_params_give_the_same_metrics(project):
    project, mirror = project
    repro(project, mirror)
    before = {n: metrics(project, n) for n in ALL_EXPERIMENTS}
    history = (project / "plots/glove_frozen.csv").read_text()
    ran = repro(project, mirror, "--force", "--single-item", *sorted(stages_of("glove_frozen", "learned_small")))
    assert ran == stages_of("glove_frozen", "learned_small")
    assert {n: metrics(project, n) for n in ALL_EXPERIMENTS} == before
    assert (project / "plots/glove_frozen.csv").read_text() == history


def test_metrics_and_plots_commands(project, tmp_path):
    project, mirror = project
    repro(project, mirror)
    shown = run_tool(project, "dvc", "metrics", "show", "--json").stdout
    shown = json.loads(shown)
    files = next(iter(shown.values()))["data"]
    assert {f"metrics/{n}.json" for n in ALL_EXPERIMENTS} <= set(files)
    out = tmp_path / "plots"
    run_tool(project, "dvc", "plots", "show", "-o", str(out))
    page = (out / "index.html").read_text()
    assert "val_accuracy" in page and "val_loss" in page


def test_bad_params_fail_before_any_work(project, tmp_path):
    project, mirror = project
    bad = copy_project(tmp_path / "bad")
    edit_params(bad, lambda p: p["glove"].update(dim=64))
    result = run_tool(bad, "dvc", "repro", env=tool_env(PIPELINE_MIRROR=str(mirror)), check=False)
    assert result.returncode != 0
    assert "glove.dim is 64, but glove.6B only has dims 50, 100, 200, 300" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert not (bad / "data").exists() or not any((bad / "data").rglob("*.*z*"))


def test_too_many_samples_is_named(project, tmp_path):
    project, mirror = project
    edit_params(project, lambda p: p["experiments"]["glove_frozen"].update(train_samples=10_000))
    try:
        result = run_tool(project, "python", "-m", "stages.train", "glove_frozen", check=False)
    finally:
        edit_params(project, lambda p: p["experiments"]["glove_frozen"].update(train_samples=20))
    assert result.returncode == 1
    assert "experiments.glove_frozen.train_samples + validation_samples = 10060" in result.stderr
    assert "only 120 training reviews" in result.stderr
