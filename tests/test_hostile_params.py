"""params.yaml as an attacker or a careless hand writes it: experiment names
that are paths or shell commands, sizes that would exhaust memory, files in
other encodings. Nothing outside the project changes, no command but ours
runs, and the mistake is one line, before DVC removes or runs anything for
a stage (the stage check_params, upstream of every other). Under
`dvc repro -s`, which skips it: tests/test_single_stage.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError
from tests.conftest import copy_project, edit_params, git, run_tool, tool_env
from tests.project import project_params

DEFAULTS = yaml.safe_load(project_params())
# What dvc.yaml makes of an experiment name: paths that DVC removes before it
# runs the stage (relative to the project), and the command it runs.
OUT_TEMPLATES = (
    "data/models/{}.npz",
    "data/models/{}.fit.json",
    "dvclive/{}/metrics.json",
    "plots/training/{}.csv",
    "metrics/{}.json",
)
HOSTILE = {
    "learned": "../../../victim",
    "word2vec": "x;touch PWNED;#",
    "glove": "y$(touch PWNED2)",
}


def error_lines(result):
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(
    "name",
    [
        "../../../victim",
        "/tmp/victim",
        "x;touch PWNED;#",
        "y$(touch PWNED2)",
        "two words",
        "good\n",
        "a" * 65,
        "Upper",
        "dash-ed",
        "",
        7,
    ],
)
def test_unsafe_names_are_refused_with_the_rule(name):
    p = yaml.safe_load(project_params())
    p["experiments"]["learned"][name] = dict(p["experiments"]["learned"]["learned_small"])
    with pytest.raises(PipelineError) as err:
        params.validate(p)
    message = str(err.value)
    assert "\n" not in message and len(message) < 200
    assert "is not a valid experiment name (1 to 64 of a-z, 0-9 and _)" in message


def test_a_64_character_name_is_fine():
    p = yaml.safe_load(project_params())
    p["nbsvm"]["labelled"]["a" * 64] = dict(p["nbsvm"]["labelled"]["full_data"])
    params.validate(p)


@pytest.fixture
def checked_project(tmp_path):
    """A copy of the project (no data) deep enough in tmp_path that `../../..`
    stays inside it, whose params passed check_params once and were committed."""
    project = copy_project(tmp_path / "a" / "b" / "c" / "project")
    run_tool(project, "dvc", "repro", "check_params")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "checked")
    return project


def test_hostile_names_touch_nothing_and_run_nothing(checked_project, tmp_path):
    project = checked_project
    absolute = tmp_path / "abs" / "victim"
    names = {**HOSTILE, "nbsvm": str(absolute)}

    def add(p):
        for group, name in names.items():
            if group == "nbsvm":
                p["nbsvm"]["labelled"][name] = dict(p["nbsvm"]["labelled"]["full_data"])
            else:
                template = next(iter(p["experiments"][group].values()))
                p["experiments"][group][name] = dict(template)

    edit_params(project, add)
    sentinels = {}
    for name in names.values():
        for template in OUT_TEMPLATES:
            path = Path(os.path.normpath(project / template.format(name)))
            if tmp_path in path.parents and project not in path.parents:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"precious {path.name}\n")
                sentinels[path] = path.read_text()
    assert len(sentinels) == len(OUT_TEMPLATES)  # every path of the `../` name lands outside the project

    env = tool_env()
    for command in (
        ["dvc", "repro"],
        ["dvc", "repro", f"train_learned@{HOSTILE['learned']}"],
        ["dvc", "repro", f"studies/word2vec/dvc.yaml:train_word2vec@{HOSTILE['word2vec']}"],
        ["dvc", "repro", "--all-pipelines"],
        ["dvc", "exp", "run", "--all-pipelines"],
    ):
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode != 0, command
        errors = error_lines(result)  # every unsafe name, one line each, from check_params
        said = len(errors) == len(names) and all("is not a valid experiment name" in line for line in errors)
        # or DVC's own refusal of the outputs the names make, before it runs any stage
        refused = result.stdout.count("Running stage") == 0 and "overlapping" in result.stderr
        assert said or refused, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert {path: path.read_text() for path in sentinels} == sentinels, command
        assert not list(tmp_path.rglob("PWNED*")), command
    # What `make run` does first names every unsafe name, whatever DVC would say.
    plan = subprocess.run(
        [sys.executable, "-m", "imdb_embeddings.make_run", "plan", "run"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    errors = error_lines(plan)
    assert plan.returncode == 2 and len(errors) == len(names), plan.stderr
    assert all("is not a valid experiment name" in line for line in errors)
    # No output of any stage was written (DVC itself makes empty folders for outputs).
    written = [p for p in project.rglob("*") if p.is_file() and ".git" not in p.parts and ".dvc" not in p.parts]
    kept = (".gitignore", "params.checked")  # the fixture's check, on the params before the names
    assert not [p for p in written if p.name not in kept and p.parts[len(project.parts)] in ("data", "metrics")]


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda p: p.update(trian=p["train"]), "unknown key trian"),
        (lambda p: p["learning_curve"].update(sizes=[]), "learning_curve.sizes is []"),
        (lambda p: p["tokenize"].update(max_words=60.0), "tokenize.max_words is 60.0, a float"),
    ],
)
def test_mistakes_are_refused_when_no_stage_of_theirs_would_rerun(reproduced_project, tmp_path, change, named):
    """`max_words: 6e1` is 60.0 to DVC, equal to the 60 it ran with: without
    the check no stage would rerun, and the mistake would pass in silence."""
    source, env = reproduced_project
    project = tmp_path / "project"
    subprocess.run(["cp", "-a", str(source), str(project)], check=True)
    edit_params(project, change)
    result = run_tool(project, "dvc", "repro", env=env, check=False)
    assert result.returncode != 0
    errors = error_lines(result)
    assert len(errors) == 1 and named in errors[0], result.stdout + result.stderr
    assert "Running stage 'check_params'" in result.stdout
    assert result.stdout.count("Running stage") == 1  # nothing after it


def write(tmp_path, text_or_bytes):
    path = tmp_path / "params.yaml"
    if isinstance(text_or_bytes, bytes):
        path.write_bytes(text_or_bytes)
    else:
        path.write_text(text_or_bytes, encoding="utf-8")
    return path


def load_error(path):
    with pytest.raises(PipelineError) as err:
        params.load(path=path)
    message = str(err.value)
    assert all(len(line) < 300 for line in message.splitlines()), message
    return message


@pytest.mark.parametrize(
    "edit, named",
    [
        (
            ("max_words: 10000", "max_words: 1000000000000000000"),
            "tokenize.max_words is 1e+18; expected at most 1,000,000",
        ),
        (("maxlen: 100\n", "maxlen: 1000000000000\n"), "maxlen is 1e+12; expected at most 10,000"),
        (
            ("  dim: 100\n  epochs: 5", "  dim: 1000000000\n  epochs: 5"),
            "word2vec.dim is 1e+09; expected at most 1,000",
        ),
        (
            ("c: [0.1, 1.0]   #", "c: [0.1, 1.0e308]   #"),
            "nbsvm_200.c is 1e+308; expected a number above 0, at most 1,000",
        ),
        (("max_words: 10000", "max_words: 1e4"), "tokenize.max_words is 10000.0, a float"),
        (("batch_size: 32", "batch_size: .inf"), "train.batch_size is inf"),
        (("  seed: 1337\n  epochs: 10", "  seed: -1\n  epochs: 10"), "train.seed is -1; expected a positive number"),
        (("train:", "trian:"), "unknown key trian"),
        (("sizes: [200, 1000, 5000, 20000]", "sizes: []"), "learning_curve.sizes is []"),
        (("sizes: [200, 1000, 5000, 20000]", "sizes: [200, 2e3]"), "learning_curve.sizes is [200, 2000.0]"),
        (("tokenize:\n", "tokenize:\n  max_words: 5\n"), 'found duplicate key "max_words" on line'),
        (("tokenize:\n", "tokenize: [\n"), "params.yaml is not valid YAML"),
        (("trainable: false", "trainable: yes"), "trainable is 'yes'; expected true or false"),
    ],
)
def test_params_mistakes_are_one_line(tmp_path, edit, named):
    text = project_params()
    old, new = edit
    assert old in text
    assert named in load_error(write(tmp_path, text.replace(old, new, 1)))


def test_other_encodings_are_one_line(tmp_path):
    text = project_params()
    assert "is UTF-16 text; save it as UTF-8" in load_error(write(tmp_path, text.encode("utf-16")))
    assert "is UTF-32 text" in load_error(write(tmp_path, text.encode("utf-32")))
    latin = text.replace("# Everything", "# Caf\u00e9: everything", 1).encode("latin-1")
    assert "is not UTF-8 text (byte 0xe9 on line 1)" in load_error(write(tmp_path, latin))
    assert "is empty" in load_error(write(tmp_path, ""))
    assert "cannot read" in load_error(tmp_path / "missing.yaml")


def test_every_mistake_is_named_in_one_run(tmp_path):
    text = project_params()
    for old, new in (
        ("max_words: 10000", "max_words: 0"),
        ("  epochs: 10\n", "  epochs: ten\n"),
        ("  batch_size: 32", "  batch_size: -1"),
        ("      maxlen: 20\n", "      maxlen: 100000\n"),
        ("      ngrams: 3       # words", "      ngrams: 9       # words"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    lines = load_error(write(tmp_path, text)).splitlines()
    for named in (
        "tokenize.max_words is 0",
        "train.epochs is 'ten'",
        "train.batch_size is -1",
        "experiments.learned.learned_maxlen20.maxlen is 100000",
        "nbsvm.labelled.full_data.ngrams is 9",
    ):
        assert sum(named in line for line in lines) == 1, (named, lines)
    assert len(lines) == 5, lines


def test_the_guard_names_every_value_a_command_would_hold():
    """stages/check_names.py, the first command of every stage whose command
    holds a value of params.yaml: each kind of such value, hostile, is named."""
    from imdb_embeddings.core.params_file import unsafe_in_commands

    assert unsafe_in_commands(yaml.safe_load(project_params())) == []
    p = yaml.safe_load(project_params())
    p["experiments"]["word2vec"]["x;touch P"] = {}
    p["compare"]["pairs"]["ok"] = {"a": "$(touch P)", "b": "full_data"}
    p["nbsvm"]["doc_taught"]["taught"] = {"vectors": "../v"}
    p["learning_curve"]["sizes"].append("1;rm")
    p["draws"]["curve"] = [True]
    lines = unsafe_in_commands(p)
    for where in ("experiments.word2vec has a name", "compare.pairs.ok.a", "nbsvm.doc_taught.taught.vectors"):
        assert any(line.startswith(f"{where}: ") for line in lines), (where, lines)
    assert any(line.startswith("learning_curve.sizes: '1;rm'") for line in lines)
    assert any(line.startswith("draws.curve: True") for line in lines) and len(lines) == 5, lines


def bomb(levels=10):
    """A YAML "billion laughs": nine aliases a level, 9**levels values from a few lines."""
    lines = ['lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.slow(seconds=6)
def test_make_run_names_what_dvc_cannot(tmp_path):
    """Files DVC stops on with a message of its own (or, for an alias bomb, 6 GB
    and an abort): `make run` checks params.yaml first and names the fault."""
    project = copy_project(tmp_path / "project")
    good = (project / "params.yaml").read_text()
    cases = {
        "experiments is missing": good.replace("experiments:", "experiment_groups:", 1),
        "is not valid YAML: found character that cannot start any token": good.replace("  max_words:", "\tmax_words:"),
        "params.yaml must be a mapping of sections": "- a\n- b\n",
        'found duplicate key "max_words"': good.replace("tokenize:\n", "tokenize:\n  max_words: 5\n", 1),
        "learning_curve.sizes is [[[[...]]]]": good.replace("  sizes: [200, 1000, 5000, 20000]", "  sizes: &r [*r]"),
        "learning_curve.sizes is 200; expected a list": good.replace(
            "  sizes: [200, 1000, 5000, 20000]", "  sizes: 200"
        ),
        "its aliases (*name) expand to": good + bomb(),
        "params.yaml is empty": "",
    }
    for said, text in cases.items():
        assert text != good, said
        (project / "params.yaml").write_text(text)
        plan = subprocess.run(
            [sys.executable, "-m", "imdb_embeddings.make_run", "plan", "run"],
            cwd=project,
            env=tool_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        errors = error_lines(plan)
        assert plan.returncode == 2 and errors and said in errors[0], (said, plan.stderr)
        assert "DVC was not run" in plan.stderr and "Traceback" not in plan.stderr
