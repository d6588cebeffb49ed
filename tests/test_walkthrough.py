"""The README's commands as a reader runs them, on the fixture data: the
offline quick start (`make run PIPELINE_MIRROR=... GLOVE_DIM=...`, run once by
the shared fixture, whose output is checked here), its recipe to commit a
run, each `dvc exp run -S ...` example against its comment (what reruns), and
the compact `dvc exp show`."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_tool
from tests.project import ROOT, address, planned, readme_make_run

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
    book, studies = log.split("make studies: ", 1)
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


def test_a_rerun_example_then_the_tables_as_written(project):
    """The README's first example really run on the committed run, then
    `dvc exp diff` and `dvc metrics show`: a row a changed model and param,
    and a row a model, each within 120 characters."""
    project, env, _ = project
    command, key_value, comment = examples()[0]
    assert key_value == "train.epochs=5"
    result = run_tool(project, *shlex.split(command), env=env)
    ran = set(re.findall(r"^Running stage '(?:\S+:)?([^']+)':", result.stdout, re.MULTILINE)) - {"check_params"}
    assert ran == claimed(comment, project)
    diff = run_tool(project, "dvc", "exp", "diff", env=env).stdout.splitlines()
    assert diff and max(map(len, diff)) <= 120, diff
    assert any(re.match(r"params\.yaml\s+train\.epochs\s+2\s+5\b", line) for line in diff), diff
    changed = {line.split()[0] for line in diff if line.startswith("metrics/")}
    assert changed and changed <= {f"metrics/{m}.json" for m in ("learned_maxlen20", "learned_small", "glove_frozen")}
    assert any("test_accuracy" in line for line in diff), diff
    table = run_tool(project, "dvc", "metrics", "show", env=env).stdout.splitlines()
    assert max(map(len, table)) <= 120, table
    params = yaml.safe_load((project / "params.yaml").read_text())
    models = [name for section in ("experiments", "nbsvm") for group in params[section].values() for name in group]
    assert table[0].split() == ["Path", "draws.ci95_high", "draws.ci95_low", "draws.mean", "ece", "test_accuracy"]
    assert sorted(line.split()[0] for line in table[1:]) == sorted(f"metrics/{m}.json" for m in models)


def test_a_second_make_run_with_nothing_to_do_makes_no_experiment(project, tmp_path):
    project, env, _ = project
    before = run_tool(project, "git", "for-each-ref", "refs/exps", env=env).stdout
    result = readme_make_run(project, Path(sys.executable).parent.parent, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "make run: nothing to run" in result.stdout and "Running stage" not in result.stdout
    assert run_tool(project, "git", "for-each-ref", "refs/exps", env=env).stdout == before


def test_the_readme_names_only_what_exists():
    """Paths the README puts in backticks are in the repository (or made by a run)."""
    made = ("data/", "metrics/", "dvclive/", "timings/", "plots/", "report/", ".venv", "dvc.lock", "dvc_plots")
    text = (ROOT / "README.md").read_text()
    for path in set(re.findall(r"`((?:[\w.-]+/)+[\w.-]*)`", text)):
        if not path.startswith((*made, "../")) and "<" not in path:
            assert (ROOT / path).exists(), path
