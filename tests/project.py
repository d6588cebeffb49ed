"""A copy of the project to run for real (code and pipeline, no data), and
its params edited in place: shared by the tests and the benchmark.

The copy takes the code from the working tree but `params.yaml` as git has
it (the index: committed or staged), so an experiment the user ran in the
workspace (`dvc exp run -S ...` rewrites params.yaml there) does not change
what the tests test."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# What a copy of the project needs to run: the code and the pipeline, no data.
PROJECT_FILES = (
    "dvc.yaml",
    "stages",
    "imdb_embeddings",
    "pyproject.toml",
    ".dvc/config",
    ".dvc/.gitignore",
    ".dvc/plots",
    ".dvcignore",
    ".gitignore",
    "Makefile",  # the README's `make run`
    "requirements.lock",
    "examples",  # docs/own-data.md's worked example
)


def committed_params() -> str:
    """params.yaml as git has it (index), or the file outside a git checkout."""
    result = subprocess.run(["git", "show", ":params.yaml"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else (ROOT / "params.yaml").read_text()


def copy_project(dest):
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / name)
    (dest / "params.yaml").write_text(committed_params())
    # Committed, as a clone is (DVCLive reads the current commit).
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "project")
    return dest


def git(cwd, *args):
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )


def edit_params(project, change):
    path = Path(project) / "params.yaml"
    params = yaml.safe_load(path.read_text())
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return params


def stage_argv(project, name: str) -> list[str]:
    """The command of stage `name` (e.g. ``train_glove@glove_frozen``) as
    dvc.yaml gives it, its paths included, run by this Python."""
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        commands = {stage.name: stage.cmd for stage in repo.index.stages}
    if name not in commands:
        raise KeyError(f"no stage {name} in {project}/dvc.yaml: {', '.join(commands)}")
    argv = shlex.split(commands[name])
    return [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]


def readme_line(start: str) -> str:
    """The first line of the README's code blocks that starts with `start`,
    without its comment: the command as a reader would copy it."""
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith(start):
            return line.split("  #")[0].strip()
    raise AssertionError(f"README.md has no line starting {start!r}")


def readme_make_run(project, venv: Path, *variables: str, env=None) -> subprocess.CompletedProcess:
    """The README's offline quick start, `make run PIPELINE_MIRROR=...
    GLOVE_DIM=...`, in `project`, `variables` overriding its values, with this
    test run's venv standing for the .venv that `make setup` would build."""
    command = [*shlex.split(readme_line("make run PIPELINE_MIRROR=")), *variables, f"VENV={venv}"]
    assert command[:2] == ["make", "run"], command
    return subprocess.run(
        ["make", "-o", f"{venv}/.installed", *command[1:]], cwd=project, env=env, capture_output=True, text=True
    )


def planned(project, change):
    """What `dvc repro` would bring up to date after `change` to params.yaml:
    the stages `dvc status` finds changed and every stage downstream of them
    (DVC reruns a stage whose deps changed). params.yaml is put back after."""
    import networkx as nx
    from dvc.repo import Repo

    params = project / "params.yaml"
    before = params.read_text()
    edit_params(project, change)
    try:
        status = json.loads(
            subprocess.run(
                [str(Path(sys.executable).parent / "dvc"), "status", "--json"],
                cwd=project,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        with Repo(str(project)) as repo:  # the pipeline of the changed params
            graph = repo.index.graph  # edges from a stage to the stages it depends on
            by_name = {stage.name: stage for stage in graph}
            # check_params reruns on any change, but its output never changes: nothing follows from it.
            changed = {by_name[name] for name in status if name != "check_params"}
            downstream = set().union(*(nx.ancestors(graph, stage) for stage in changed)) if changed else set()
            return {stage.name for stage in changed | downstream}
    finally:
        params.write_text(before)
