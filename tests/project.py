"""The README's commands as the tests run them, and what `dvc repro` would
rerun after a change; the project copy itself is the package's
(imdb_embeddings/devtools/project.py, which the benchmarks use too)."""

import json
import shlex
import subprocess
import sys
from pathlib import Path

from imdb_embeddings.devtools.project import (  # noqa: F401  (the test modules import them from here)
    PROJECT_FILES,
    ROOT,
    committed_params,
    copy_project,
    edit_params,
    git,
    stage_argv,
)


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


def frontier_line(project=ROOT) -> str:
    """The command `make frontier` runs (docs/frontier.md), as make writes it out."""
    out = subprocess.run(["make", "-n", "frontier"], cwd=project, capture_output=True, text=True, check=True).stdout
    return next(line for line in out.splitlines() if line.startswith("dvc exp run"))


def with_frontier(p: dict, line: str) -> None:
    """params `p` with the `-S '+key=value'` overrides of `line` applied, as DVC applies them."""
    import yaml

    argv = shlex.split(line)
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag == "-S":
            key, _, text = value.removeprefix("+").partition("=")
            *parents, last = key.split(".")
            node = p
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = yaml.safe_load(text)


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
