"""The shared reproduced project, built once per test run, not once per
pytest-xdist worker: the whole pipeline run on the fixture data with the
README's own `make run` line, then committed by its recipe (about a minute
of two cores here).

The first worker to collect a test that needs it starts the build in a
process of its own (`python -m tests.reproduced <folder>`), so both workers
go on with other tests meanwhile; a test that needs it waits for the folder's
`done` (or `failed`, with the build's output) and takes a copy of its own.

    <folder>/mirror     the fixture archives (tests/fixtures.py, the same bytes in every process)
    <folder>/project    the project after `make run`, `make studies` and `git add`/`commit`
    <folder>/cold-repro.log   what the cold runs printed, the book's then the studies'
    <folder>/book.log    what the book's cold run printed
"""

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests import fixtures
from tests.project import ROOT, copy_project, edit_params, readme_line, readme_make_run

BUILDERS: list[subprocess.Popen] = []  # the builds this process started
WAIT_S = 900  # a build that takes longer is stuck: fail its tests rather than CI's whole budget


def tool_env(**extra: str) -> dict[str, str]:
    """The environment a stage sees: this venv's `python` and `dvc` first."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), **extra}
    env.pop("PIPELINE_LOG_LEVEL", None)
    return env


def environment(folder: Path, download_cache: Path) -> dict[str, str]:
    """What the project's commands run with: the shared mirror, a download cache of the caller's."""
    return tool_env(PIPELINE_MIRROR=str(folder / "mirror"), PIPELINE_CACHE_DIR=str(download_cache))


def build(folder: Path) -> None:
    """Everything in the module docstring, then `done`; on a failure, `failed` with what was printed."""
    from tests.conftest import fixture_params

    mirror = folder / "mirror"
    mirror.mkdir()
    fixtures.write_tar(mirror / "aclImdb_v1.tar.gz", fixtures.imdb_members())
    members = fixtures.write_glove_zip(mirror / "glove.6B.zip")
    project = copy_project(folder / "project")
    edit_params(project, lambda p: fixture_params(p, members))
    env = environment(folder, folder / "download-cache")
    # The README's first commands as written: the offline quick start, the
    # book then every study (the fixture mirror for ../shared/mirror; this venv
    # for .venv), then its recipe to commit a run (tests/test_walkthrough.py
    # checks what they did).
    logs = []
    for target in ("run", "studies"):
        venv = Path(sys.executable).parent.parent
        cold = readme_make_run(project, venv, f"PIPELINE_MIRROR={mirror}", env=env, target=target)
        logs.append(cold.stdout + cold.stderr)
        if cold.returncode != 0:
            raise RuntimeError(f"make {target} failed ({cold.returncode}):\n{cold.stdout}\n{cold.stderr}")
    (folder / "book.log").write_text(logs[0])
    (folder / "cold-repro.log").write_text("".join(logs))
    git_env = {**env, **{f"GIT_{who}_{what}": "t" for who in ("AUTHOR", "COMMITTER") for what in ("NAME", "EMAIL")}}
    commit = subprocess.run(
        ["bash", "-c", readme_line("git add dvc.lock")], cwd=project, env=git_env, capture_output=True, text=True
    )
    if commit.returncode != 0:
        raise RuntimeError(f"the README's commit recipe failed:\n{commit.stdout}\n{commit.stderr}")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def start(folder: Path) -> None:
    """Start the build into `folder` unless some process already has."""
    with _locked(folder):
        if folder.exists():
            return
        folder.mkdir(parents=True)
        with open(folder / "build.log", "w") as log:
            BUILDERS.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.reproduced", str(folder)],
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )


def finish() -> None:
    """Wait for the builds this process started (a worker that ends first still reaps its child)."""
    while BUILDERS:
        BUILDERS.pop().wait()


def wait(folder: Path) -> None:
    """Until the build in `folder` is done; its output as the error if it failed."""
    deadline = time.monotonic() + WAIT_S
    while not (folder / "done").exists():
        if (folder / "failed").exists():
            raise AssertionError(f"building the reproduced project failed:\n{(folder / 'build.log').read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the reproduced project was not built in {WAIT_S} s: see {folder / 'build.log'}")
        time.sleep(0.5)


def main() -> None:
    folder = Path(sys.argv[1])
    try:
        build(folder)
    except BaseException:
        import traceback

        traceback.print_exc()
        (folder / "failed").touch()
        raise
    (folder / "done").touch()


if __name__ == "__main__":
    main()
