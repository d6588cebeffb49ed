"""A copy of the project to run for real (code, pipelines and params.yaml
from the working tree, no data), and its params edited in place: shared by
the tests and the benchmarks."""

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]  # the project: this package is installed editable
# What a copy of the project needs to run: the code and the pipeline, no data.
PROJECT_FILES = (
    "dvc.yaml",
    "params.yaml",
    "studies",
    "stages",
    "imdb_embeddings",
    "pyproject.toml",
    ".dvc/config",
    ".dvc/.gitignore",
    ".dvc/plots",
    ".dvc/offline.html",  # the page template of `dvc plots show`, written by `make setup`
    ".dvcignore",
    ".gitignore",
    "Makefile",  # the README's `make run`
    "requirements.lock",
    "examples",  # docs/own-data.md's worked example
)


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "dvc.lock"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / name)
    # Committed, as a clone is (DVCLive reads the current commit).
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "project")
    return dest


def git(cwd: str | Path, *args: str) -> None:
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


def edit_params(project: str | Path, change: Callable[[dict], object]) -> dict:
    path = Path(project) / "params.yaml"
    params = yaml.safe_load(path.read_text())
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return params


def stage_argv(project: str | Path, name: str) -> list[str]:
    """The command of stage `name` (e.g. ``train_glove@glove_frozen``, in any
    pipeline of the project) as DVC runs it last, run by this Python."""
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        commands = {stage.name: stage.cmd for stage in repo.index.stages}
    if name not in commands:
        raise KeyError(f"no stage {name} in {project}'s pipelines: {', '.join(commands)}")
    command = commands[name] if isinstance(commands[name], str) else commands[name][-1]
    argv = shlex.split(command)
    return [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
