"""The threat model's edge (docs/what-can-go-wrong.md): `dvc repro -s`
skips check_params. Then DVC removes the stage's declared outputs before
anything of ours runs, and a hostile name can point them anywhere. Its first
command checks params.yaml and stops it: no value of params.yaml reaches a
shell. These tests show both, stage by stage."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import edit_params

HOSTILE = "y$(touch PWNED)"


def add_hostile_nbsvm(p):
    p["nbsvm"]["labelled"][HOSTILE] = dict(p["nbsvm"]["labelled"]["full_data"])


def add_hostile_size(p):
    p["learning_curve"]["sizes"].append(HOSTILE)


def add_hostile_pair(p):
    p["compare"]["pairs"]["hostile"] = {"a": "x;touch PWNED;#", "b": "nbsvm_200"}


def add_escaping_name(p):
    p["experiments"]["learned"]["../../../victim"] = dict(p["experiments"]["learned"]["learned_small"])


@pytest.fixture(scope="module")
def project(reproduced_project, tmp_path_factory):
    source, env = reproduced_project
    copy = tmp_path_factory.mktemp("single") / "a" / "b" / "project"
    copy.parent.mkdir(parents=True)
    subprocess.run(["cp", "-a", str(source), str(copy)], check=True)
    # The pair's model a exists under its hostile name, so DVC finds every dependency.
    shutil.copy(copy / "data/predictions/few_labels.npy", copy / "data/predictions/x;touch PWNED;#.npy")
    return copy, env


def repro_single(project, env, change, *addresses):
    params = (project / "params.yaml").read_text()
    try:
        edit_params(project, change)
        command = ["dvc", "repro", "-s", *addresses]
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    finally:
        (project / "params.yaml").write_text(params)


@pytest.mark.slow(seconds=8)
def test_a_hostile_value_never_reaches_a_shell(project):
    """A hostile name (foreach), size (matrix) and pair member (a value inside
    the item), each stage run alone as `dvc repro -s` does, past check_params."""
    project, env = project

    def add_all(p):
        for change in (add_hostile_nbsvm, add_hostile_size, add_hostile_pair):
            change(p)

    addresses = [
        f"studies/nbsvm/dvc.yaml:train_nbsvm@{HOSTILE}",
        f"studies/curve/dvc.yaml:curve_learned@{HOSTILE}",
        "studies/report/dvc.yaml:compare@hostile",
    ]
    result = repro_single(project, env, add_all, "--keep-going", *addresses)
    assert result.returncode != 0
    assert not list(project.parent.rglob("PWNED*")), result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors and all("params.yaml" in line for line in errors), result.stderr
    assert result.stdout.count("> python -m stages.check_names\n") == 3, result.stdout
    assert result.stdout.count("\n> ") == 3 and "Traceback" not in result.stdout + result.stderr  # nothing after


@pytest.mark.slow(seconds=6)
def test_what_dvc_removes_before_the_check(project):
    """The documented residue: under `-s`, DVC deletes the files a hostile
    name's outputs point to, outside the project too, before the check."""
    project, env = project
    victim = Path(os.path.normpath(project / "data/models/../../../victim.npz"))
    assert project not in victim.parents
    victim.write_text("precious")
    result = repro_single(project, env, add_escaping_name, "train_learned@../../../victim")
    # DVC removed the file, then stopped on the name itself (its key path holds dots): nothing of ours ran.
    assert result.returncode != 0 and "experiments.learned.../../../victim" in result.stderr, result.stderr
    assert not victim.exists()  # run `dvc repro check_params` before `-s` on params you did not write
    assert not list(project.parent.parent.rglob("PWNED*"))
