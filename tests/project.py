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
    copy_project,
    edit_params,
    git,
    stage_argv,
)


def project_params() -> str:
    """params.yaml of the working tree: what the tests test."""
    return (ROOT / "params.yaml").read_text()


def readme_line(start: str, page: str = "README.md") -> str:
    """The first line of a page's code blocks (the README's by default) that
    starts with `start`, without its comment: the command as a reader would copy it."""
    for line in (ROOT / page).read_text().splitlines():
        if line.startswith(start):
            return line.split("  #")[0].strip()
    raise AssertionError(f"{page} has no line starting {start!r}")


def readme_make_run(project, venv: Path, *variables: str, env=None, target: str = "run") -> subprocess.CompletedProcess:
    """The README's offline quick start, `make <target> PIPELINE_MIRROR=...
    GLOVE_DIM=...` (run: the book; studies: every pipeline), in `project`,
    `variables` overriding its values, with this test run's venv standing for
    the .venv that `make setup` would build."""
    command = [*shlex.split(readme_line(f"make {target} PIPELINE_MIRROR=")), *variables, f"VENV={venv}"]
    assert command[:2] == ["make", target], command
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


def address(project, stage) -> str:
    """A stage's address as DVC prints it from the project's root: `train_glove@glove_frozen`
    in the top dvc.yaml, `studies/nbsvm/dvc.yaml:train_nbsvm@full_data` in a study's."""
    dvcfile = Path(stage.dvcfile.path).resolve().relative_to(Path(project).resolve())
    return stage.name if str(dvcfile) == "dvc.yaml" else f"{dvcfile}:{stage.name}"


def planned(project, change, all_pipelines: bool = False):
    """What `dvc repro` (the book; with `all_pipelines`, every pipeline) would
    bring up to date after `change` to params.yaml: the stages `dvc status`
    finds changed and every stage downstream of them (DVC reruns a stage whose
    deps changed). params.yaml is put back after."""
    import networkx as nx
    from dvc.repo import Repo

    params = project / "params.yaml"
    before = params.read_text()
    edit_params(project, change)
    try:
        targets = [] if all_pipelines else ["dvc.yaml"]
        status = json.loads(
            subprocess.run(
                [str(Path(sys.executable).parent / "dvc"), "status", "--json", *targets],
                cwd=project,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        with Repo(str(project)) as repo:  # the pipeline of the changed params
            graph = repo.index.graph  # edges from a stage to the stages it depends on
            runs = {stage for stage in graph if all_pipelines or ":" not in address(project, stage)}
            by_address = {address(project, stage): stage for stage in graph}
            # check_params reruns on any change, but its output never changes: nothing follows from it.
            changed = {by_address[name] for name in status if name != "check_params"}
            downstream = set().union(*(nx.ancestors(graph, stage) for stage in changed)) if changed else set()
            return {stage.name for stage in (changed | downstream) & runs}
    finally:
        params.write_text(before)
