"""`imdb-embeddings predict` on models the pipeline trained: the same
probability as `evaluate` computes, every input mode, every error, and a
model fetched with `dvc artifacts get` used away from the workspace."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from imdb_embeddings.nbsvm.ngram_model import NgramModel
from imdb_embeddings.serving.keras_file import read_exported
from imdb_embeddings.serving.keras_model import predict_logits
from imdb_embeddings.text.model_input import model_input
from imdb_embeddings.text.sequences import load_sequences
from tests.conftest import git, run_tool, tool_env

pytestmark = pytest.mark.slow(seconds=10)
COMMAND = str(Path(sys.executable).parent / "imdb-embeddings")
NAMES = ("learned_maxlen20", "learned_small", "glove_frozen", "word2vec_small", "full_data", "few_labels")
NBSVM = ("full_data", "few_labels")


def predict(cwd, *args, stdin=None):
    return subprocess.run(
        [COMMAND, "predict", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, env=tool_env()
    )


def evaluate_probabilities(project, name):
    """What evaluate computes, per test review: from the tokenize stage's
    sequences (Keras models), or the raw test texts (n-gram models)."""
    weights = project / "data/models" / f"{name}.npz"
    if name in NBSVM:
        texts = pq.read_table(project / "data/prepared/test.parquet", columns=["text"]).column("text").to_pylist()
        return NgramModel.load(weights).probabilities(texts)
    tokens, offsets, _ = load_sequences(project / "data/tokenized/test.npz")
    model = read_exported(weights)
    logits = predict_logits(model.layers, model.weights, model_input(tokens, offsets, model.spec))
    return 1 / (1 + np.exp(-logits.astype(np.float32)))


@pytest.mark.parametrize("name", NAMES)
def test_predict_matches_evaluate(reproduced_project, tmp_path, name):
    project, _ = reproduced_project
    texts = pq.read_table(project / "data/prepared/test.parquet", columns=["text"]).column("text").to_pylist()
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n", encoding="utf-8")
    result = predict(project, "--model", name, "--json", "--file", str(reviews))
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    expected = evaluate_probabilities(project, name)
    assert len(got) == len(expected) == len(texts)
    np.testing.assert_allclose([g["probability"] for g in got], expected, atol=1e-6, rtol=0)
    assert all(g["label"] == ("positive" if g["probability"] > 0.5 else "negative") for g in got)


def test_input_modes(reproduced_project, tmp_path):
    project, _ = reproduced_project
    texts = ["A great, moving film.", "Dull and boring, a mess."]
    from_args = predict(project, "--model", "glove_frozen", *texts)
    (tmp_path / "r.txt").write_text("\n".join(texts) + "\n")
    from_file = predict(project, "--model", "glove_frozen", "--file", str(tmp_path / "r.txt"))
    from_stdin = predict(project, "--model", "glove_frozen", stdin="\n".join(texts) + "\n")
    assert from_args.returncode == from_file.returncode == from_stdin.returncode == 0
    assert from_args.stdout == from_file.stdout == from_stdin.stdout
    lines = from_args.stdout.splitlines()
    assert len(lines) == 2 and all(line.split("\t")[0] in ("positive", "negative") for line in lines)
    as_json = predict(project, "--model", "glove_frozen", "--json", *texts).stdout.splitlines()
    for line, plain in zip(as_json, lines, strict=True):
        obj = json.loads(line)
        assert set(obj) == {"label", "probability", "known"} and f"{obj['probability']:.4f}" == plain.split("\t")[1]


@pytest.mark.parametrize("name", ["learned_small", "full_data"])
def test_a_model_file_needs_no_workspace(reproduced_project, tmp_path, name):
    """The exported .npz alone: no data/, no params.yaml beside it."""
    project, _ = reproduced_project
    shutil.copy(project / f"data/models/{name}.npz", tmp_path / "model.npz")
    inside = predict(project, "--model", name, "--json", "Superb!").stdout
    alone = predict(tmp_path, "--model", str(tmp_path / "model.npz"), "--json", "Superb!")
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout == inside


@pytest.mark.parametrize(
    "case",
    [
        "no such model",
        "not trained",
        "n-gram model not trained",
        "empty file",
        "empty stdin",
        "missing file",
        "a folder",
        "not text",
        "not a model",
    ],
)
def test_errors_are_one_line(reproduced_project, tmp_path, case):
    project, _ = reproduced_project
    work = tmp_path / "work"
    shutil.copytree(project, work, symlinks=True, ignore=shutil.ignore_patterns("data"))
    (work / "data/models").mkdir(parents=True)
    shutil.copy(project / "data/models/glove_frozen.npz", work / "data/models/glove_frozen.npz")
    args, stdin, message = {
        "no such model": (
            ["--model", "nope", "x"],
            None,
            "/params.yaml (few_labels, full_data, glove_frozen, learned_maxlen20, learned_small, nbsvm_200, "
            "word2vec_small)",
        ),
        "not trained": (
            ["--model", "learned_small", "x"],
            None,
            "model learned_small is not trained yet: run `dvc repro train_learned@learned_small`",
        ),
        "n-gram model not trained": (
            ["--model", "few_labels", "x"],
            None,
            "model few_labels is not trained yet: run `dvc repro studies/nbsvm/dvc.yaml:train_nbsvm_pseudo@few_labels`",
        ),
        "empty file": (
            ["--model", "glove_frozen", "--file", str(tmp_path / "empty.txt")],
            None,
            "no reviews to predict",
        ),
        "empty stdin": (["--model", "glove_frozen"], "\n  \n", "no reviews to predict: standard input is empty"),
        "missing file": (
            ["--model", "glove_frozen", "--file", str(tmp_path / "nope.txt")],
            None,
            "cannot read " + str(tmp_path / "nope.txt") + ": No such file or directory",
        ),
        "a folder": (["--model", "glove_frozen", "--file", str(tmp_path)], None, "Is a directory"),
        "not text": (["--model", "glove_frozen", "--file", str(tmp_path / "bin.txt")], None, "not UTF-8 text"),
        "not a model": (["--model", str(tmp_path / "bin.txt")], None, "is not a model file (not an .npz archive"),
    }[case]
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00 binary")
    result = predict(work, *args, stdin=stdin)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()] and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_each_artifact_is_a_model_of_params():
    """The models registered in the pipelines' `artifacts:` (the book's and
    each study's) are experiments of params.yaml; a new experiment needs none
    to be trained, evaluated, carded and served by `predict`."""
    from tests.project import ROOT, project_params

    params = yaml.safe_load(project_params())
    names = {name for section in ("experiments", "nbsvm") for group in params[section].values() for name in group}
    registered = []
    for path in [ROOT / "dvc.yaml", *sorted(ROOT.glob("studies/*/dvc.yaml"))]:
        for key, artifact in (yaml.safe_load(path.read_text()).get("artifacts") or {}).items():
            model = (path.parent / artifact["path"]).resolve().relative_to(ROOT)
            assert model.parent == Path("data/models") and model.suffix == ".npz", (path, key)
            assert model.stem in names and key == model.stem.replace("_", "-"), (path, key)
            assert artifact["type"] == "model" and artifact["desc"], (path, key)
            registered.append(model.stem)
    assert len(registered) == len(set(registered)) >= 7


def test_dvc_artifacts_get_from_a_clone(reproduced_project, tmp_path):
    """A teammate fetches a trained model from the repository and its remote,
    without running the pipeline, and uses it."""
    source, env = reproduced_project
    project = tmp_path / "repo"
    shutil.copytree(source, project, symlinks=True)
    run_tool(project, "dvc", "remote", "add", "-d", "store", str(tmp_path / "remote"), env=env)
    run_tool(project, "dvc", "push", env=env)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "remote")
    # Register a version (what `gto register glove-frozen` does): an annotated tag.
    git(project, "tag", "-a", "glove-frozen@v1.0.0", "-m", "Registering artifact glove-frozen version v1.0.0")
    # A study's artifact, `studies/nbsvm:full-data`: GTO writes its `:` as `=` in the tag.
    git(project, "tag", "-a", "studies/nbsvm=full-data@v1.0.0", "-m", "Registering artifact full-data version v1.0.0")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_tool(elsewhere, "dvc", "artifacts", "get", str(clone), "glove-frozen", "-o", "model.npz", env=env)
    fetched = elsewhere / "model.npz"
    assert fetched.read_bytes() == (source / "data/models/glove_frozen.npz").read_bytes()
    # A study's model: addressed by its pipeline's folder.
    run_tool(elsewhere, "dvc", "artifacts", "get", str(clone), "studies/nbsvm:full-data", "-o", "nb.npz", env=env)
    assert (elsewhere / "nb.npz").read_bytes() == (source / "data/models/full_data.npz").read_bytes()
    result = predict(elsewhere, "--model", "model.npz", "--json", "What a wonderful film.")
    assert result.returncode == 0 and "probability" in result.stdout
