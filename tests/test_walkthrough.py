"""The README's commands as a reader runs them, on the fixture data: the
offline quick start (`make run PIPELINE_MIRROR=... GLOVE_DIM=...`, run once by
the shared fixture, whose output is checked here), its recipe to commit a
run, each `dvc exp run -S ...` example against its comment (what reruns), and
the compact `dvc exp show`."""

import re
import shlex
import subprocess

import pytest
import yaml

from tests.conftest import run_tool
from tests.project import ROOT, address, planned, readme_line

pytestmark = pytest.mark.slow(seconds=15)
# The one warning a first run may print, which the README explains: the
# mirror's repacked aclImdb archive, accepted for its review content. (DVC's
# warning per output, with no dvc.lock yet, make run sums up in one line.)
EXPECTED_WARNINGS = re.compile(
    r"WARNING: verify: \S+aclImdb_v1\.tar\.gz is NOT the archive pinned in params\.yaml .*; accepted: its review "
    r"content matches imdb\.content_sha256"
)


def examples() -> list[tuple[str, str, str]]:
    """(command, key=value, what its comment says reruns) of each README line
    `dvc exp run -S key=value  # reruns ...`."""
    found = []
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.fullmatch(r"(dvc exp run (?:--all-pipelines )?-S (\S+))\s+# reruns (.+)", line)
        if match:
            found.append(match.groups())
    assert len(found) >= 3, "the README's rerun examples are gone"
    return found


def claimed(comment: str, project, all_pipelines: bool = False) -> set[str]:
    """The stages a README comment names: `only: a, b@x` (a stage, or every
    item of a foreach group) or `x and everything downstream of it` (in the
    book, or with `all_pipelines` in every pipeline)."""
    import networkx as nx
    from dvc.repo import Repo

    with Repo(str(project)) as repo:
        graph = repo.index.graph
        names = {stage.name for stage in graph}
        runs = {stage.name for stage in graph if all_pipelines or ":" not in address(project, stage)}
        if comment.startswith("only: "):
            items = [item.strip() for item in comment.removeprefix("only: ").split(",")]
            stages = {n for n in names for item in items if n == item or n.split("@")[0] == item}
            assert all(any(n == i or n.split("@")[0] == i for n in names) for i in items), (comment, sorted(names))
            return stages
        match = re.fullmatch(r"(\S+) and everything downstream of it\b.*", comment)
        assert match, f"the README says {comment!r}: write `only: ...` or `<stage> and everything downstream of it`"
        start = next(stage for stage in graph if stage.name == match.group(1))
        return ({start.name} | {stage.name for stage in nx.ancestors(graph, start)}) & runs


def setting(key_value: str):
    """`-S key=value` as a change to params.yaml (the value read as YAML, as DVC does)."""
    key, value = key_value.split("=", 1)

    def change(params):
        *parents, last = key.split(".")
        for part in parents:
            params = params[part]
        params[last] = yaml.safe_load(value)

    return change


@pytest.fixture(scope="module")
def project(tmp_path_factory, reproduced_project):
    source, env = reproduced_project
    project = tmp_path_factory.mktemp("walkthrough") / "project"
    subprocess.run(["cp", "-a", str(source), str(project)], check=True)
    return project, env, (source.parent / "cold-repro.log").read_text()


def test_the_quick_start_runs_and_prints_nothing_unexplained(project):
    project, _, log = project
    book, studies = log.split("make studies: ")
    assert "dvc exp run -S glove.dim=50" in book and "dvc exp run -S glove.dim=50 --all-pipelines" in studies
    counted = int(re.search(r"^make run: (\d+) stages to run$", book, re.MULTILINE).group(1))
    ran = re.findall(r"^Running stage '([^']+)'", book, re.MULTILINE)
    assert counted == len(ran) and ":" not in "".join(ran)  # a fresh clone: every stage of the book, no other
    assert {"download_imdb", "train_glove@glove_frozen", "evaluate_learned@learned_maxlen20"} <= set(ran)
    assert re.search(r"^Running stage 'studies/nbsvm/dvc.yaml:evaluate_nbsvm@full_data':", studies, re.MULTILINE)
    assert "Running stage 'download_imdb'" not in studies  # the book's stages ran once
    assert "Traceback" not in log and "ERROR" not in log
    unexplained = [line for line in log.splitlines() if "WARNING" in line and not EXPECTED_WARNINGS.search(line)]
    assert not unexplained, unexplained  # no warning per output: make run sums DVC's up in one line
    assert re.search(r"^make run: DVC had nothing to restore for \d+ outputs \(no dvc.lock yet\)", log, re.MULTILINE)


def test_the_commit_recipe_leaves_a_clean_tree(project):
    project, _, _ = project
    status = run_tool(project, "git", "status", "--porcelain", "--untracked-files=all").stdout
    assert status == "", status
    tracked = run_tool(project, "git", "ls-files").stdout.split()
    assert {"dvc.lock", "metrics/full_data.json", "plots/learning_curve.png", "cards/few_labels.md"} <= set(tracked)
    assert not [p for p in tracked if p.startswith(("data/", "timings/")) and not p.endswith(".gitignore")]


@pytest.mark.parametrize("command, key_value, comment", examples())
def test_each_rerun_example_reruns_what_its_comment_says(project, command, key_value, comment):
    project, _, _ = project
    every = "--all-pipelines" in command
    assert planned(project, setting(key_value), every) == claimed(comment, project, every), command


def test_a_rerun_example_and_the_compact_comparison_as_written(project):
    """The cheapest example really run, then the README's `dvc exp show` line:
    the changed param and the models' test accuracies, at 100 columns."""
    project, env, _ = project
    command, _, comment = next(e for e in examples() if "nbsvm" in e[0])
    result = run_tool(project, *shlex.split(command), env=env)
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE)) - {"check_params"}
    said = claimed(comment, project, "--all-pipelines" in command)
    # forest reads the comparisons only: where a comparison's figures come out the same, DVC skips it.
    assert ran <= said and said - ran <= {"forest"}, (ran, said)
    show = readme_line("dvc exp show --only-changed")
    table = run_tool(project, *shlex.split(show), "--no-pager", env={**env, "COLUMNS": "100"}).stdout
    header = next(line for line in table.splitlines() if "Experiment" in line)
    assert "nbsvm.labelled.full_data.c" in header and "…" not in header, table
    assert "/" not in header and "test_loss" not in header, table
    # Without --only-changed: every model's test accuracy, under its name, and no other metric.
    every = shlex.split(show.replace("--only-changed ", ""))
    columns = run_tool(project, *every, "--no-pager", "--csv", env=env).stdout.splitlines()[0].split(",")
    params = yaml.safe_load((project / "params.yaml").read_text())
    models = [name for section in ("experiments", "nbsvm") for group in params[section].values() for name in group]
    accuracies = [column for column in columns if column.endswith("test_accuracy")]
    assert sorted(accuracies) == sorted(f"{m}.test_accuracy" for m in models), columns


def test_the_readme_names_only_what_exists():
    """Paths the README puts in backticks are in the repository (or made by a run)."""
    made = ("data/", "metrics/", "dvclive/", "timings/", "plots/learning_curve/", ".venv", "dvc.lock", "dvc_plots")
    text = (ROOT / "README.md").read_text()
    for path in set(re.findall(r"`((?:[\w.-]+/)+[\w.-]*)`", text)):
        if not path.startswith((*made, "../")) and "<" not in path:
            assert (ROOT / path).exists(), path
