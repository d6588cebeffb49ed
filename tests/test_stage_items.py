"""No value of params.yaml reaches a shell. `dvc repro -s <stage>@<item>`
skips check_params, so a name or size written as a command must not run:
dvc.yaml's commands hold only constant words and `{name}`-style fields, and
each stage reads its item from DVC_STAGE (imdb_embeddings/core/stage_item.py)."""

import shutil
import subprocess

import pytest
import yaml

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.stage_item import fill, parse
from tests.conftest import ROOT, edit_params

HOSTILE = "y$(touch PWNED)"


def commands(node):
    """Every `cmd` in dvc.yaml's stages, foreach and matrix bodies included."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "cmd":
                yield from value if isinstance(value, list) else [value]
            else:
                yield from commands(value)
    elif isinstance(node, list):
        for value in node:
            yield from commands(value)


def test_no_command_interpolates_a_value():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    found = list(commands(stages))
    assert len(found) >= 20
    assert not [cmd for cmd in found if "${" in cmd]


@pytest.mark.parametrize(
    "address, fields, item",
    [
        ("train_learned@learned_small", ("name",), {"name": "learned_small"}),
        ("draw_nbsvm_pseudo@few_labels-3", ("name", "k"), {"name": "few_labels", "k": 3}),
        ("curve_glove_draw@1000-2", ("n", "k"), {"n": 1000, "k": 2}),
    ],
)
def test_an_address_gives_its_item(address, fields, item):
    assert parse(address, fields) == item
    assert fill("data/draws/{name}/{k}.json", {"name": "a", "k": 1}) == "data/draws/a/1.json"


@pytest.mark.parametrize(
    "address, fields, message",
    [
        (None, ("name",), "DVC_STAGE is not set"),
        ("train_learned", ("name",), "'train_learned', which has no item after @; expected <stage>@<name>"),
        (f"train_learned@{HOSTILE}", ("name",), "is not a valid experiment name"),
        ("curve_learned@200;touch", ("n",), "n '200;touch' is not a whole number"),
        ("draw_nbsvm_pseudo@few_labels", ("name", "k"), "expected <stage>@<name>-<k>"),
    ],
)
def test_a_bad_address_is_one_line(address, fields, message):
    with pytest.raises(PipelineError, match="^DVC_STAGE") as err:
        parse(address, fields)
    assert message in str(err.value) and "\n" not in str(err.value)


def add_hostile_size(p):
    p["learning_curve"]["sizes"].append(HOSTILE)


def add_hostile_nbsvm(p):
    p["nbsvm"]["labelled"][HOSTILE] = dict(p["nbsvm"]["labelled"]["full_data"])


def add_hostile_pair(p):
    p["compare"]["pairs"]["hostile"] = {"a": HOSTILE, "b": "nbsvm_200"}


@pytest.fixture(scope="module")
def project(reproduced_project, tmp_path_factory):
    source, env = reproduced_project
    copy = tmp_path_factory.mktemp("items") / "project"
    subprocess.run(["cp", "-a", str(source), str(copy)], check=True)
    # The pair's model a exists under its hostile name, so DVC finds every dependency.
    shutil.copy(copy / "data/predictions/few_labels.npy", copy / f"data/predictions/{HOSTILE}.npy")
    return copy, env


@pytest.mark.slow(seconds=12)
@pytest.mark.parametrize(
    "change, address, message",
    [
        (add_hostile_nbsvm, f"train_nbsvm@{HOSTILE}", "is not a valid experiment name"),  # foreach
        (add_hostile_size, f"curve_learned@{HOSTILE}", "is not a whole number"),  # matrix
        (add_hostile_pair, "compare@hostile", "not an experiment"),  # a value inside the item
    ],
)
def test_a_hostile_item_never_becomes_a_command(project, change, address, message):
    """Each stage run alone, as `dvc repro -s` does, past check_params."""
    project, env = project
    params = (project / "params.yaml").read_text()
    try:
        edit_params(project, change)
        result = subprocess.run(["dvc", "repro", "-s", address], cwd=project, env=env, capture_output=True, text=True)
    finally:
        (project / "params.yaml").write_text(params)
    assert result.returncode != 0
    assert not list(project.parent.rglob("PWNED*")), result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors and all(message in line for line in errors), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
