"""A copy of the project to run for real (code and pipeline, no data), and
its params edited in place: shared by the tests and the benchmarks.

The copy takes the code from the working tree but `params.yaml` as git has
it (the index: committed or staged), so an experiment the user ran in the
workspace (`dvc exp run -S ...` rewrites params.yaml there) does not change
what the tests test."""

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


def committed_params() -> str:
    """params.yaml as git has it (index), or the file outside a git checkout."""
    result = subprocess.run(["git", "show", ":params.yaml"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else (ROOT / "params.yaml").read_text()


def copy_project(dest: Path) -> Path:
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
    """The command of stage `name` (e.g. ``train_glove@glove_frozen``) as
    dvc.yaml gives it, run by this Python with DVC_STAGE set as DVC sets it
    (the stage fills its `{name}` paths from it)."""
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        commands = {stage.name: stage.cmd for stage in repo.index.stages}
    if name not in commands:
        raise KeyError(f"no stage {name} in {project}/dvc.yaml: {', '.join(commands)}")
    argv = shlex.split(commands[name])
    return ["env", f"DVC_STAGE={name}", sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
