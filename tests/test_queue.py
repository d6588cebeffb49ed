"""A parameter grid with DVC's own queue: `dvc exp run --queue` with a list
of values, `dvc queue start -j 2`, then `dvc exp show` to compare. The
experiments must run at the same time and share the stages they have in
common through the cache instead of recomputing them."""

import csv
import io
import re
import shutil
import subprocess
import time

import pytest

from tests.conftest import run_tool

pytestmark = pytest.mark.slow(seconds=31)
SIZES = (10, 20)  # tokenize.max_words; the fixture vocabulary is larger than both
SHARED = ("download_imdb", "download_glove", "parse_glove", "prepare")
# Each experiment brings these up to date (what max_words changes, for one
# experiment): the whole grid of stages would only cost time.
TARGETS = ("embedding", "evaluate_learned@learned_small")


def column(row, suffix):
    return next(value for key, value in row.items() if key and key.endswith(suffix))


def test_queued_grid_runs_in_parallel_and_shares_stages(reproduced_project, tmp_path):
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    grid = "tokenize.max_words=" + ",".join(map(str, SIZES))
    run_tool(project, "dvc", "exp", "run", "--queue", "-S", grid, *TARGETS, env=env)
    # The workers outlive `dvc queue start` and inherit its output: not a pipe
    # that subprocess would wait on until they exit.
    subprocess.run(
        ["dvc", "queue", "start", "-j", "2"],
        cwd=project,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    most_running, deadline = 0, time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            status = run_tool(project, "dvc", "queue", "status", env=env).stdout
            most_running = max(most_running, status.count("Running"))
            if "Queued" not in status and "Running" not in status:
                break
            time.sleep(2)
        else:
            pytest.fail(f"the queue did not finish in time:\n{status}")
    finally:
        run_tool(project, "dvc", "queue", "stop", env=env, check=False)
    assert status.count("Success") == len(SIZES), status
    assert most_running == 2, "the two experiments never ran at the same time"

    shown = run_tool(project, "dvc", "exp", "show", "--csv", env=env).stdout
    rows = [r for r in csv.DictReader(io.StringIO(shown)) if r["typ"] == "branch_commit" or r["typ"] == "branch_base"]
    by_size = {int(column(r, "tokenize.max_words")): r for r in rows}
    assert sorted(by_size) == list(SIZES), shown
    for row in by_size.values():
        assert column(row, "learned_small.json:test_accuracy") not in ("", "-")
        ran = set(
            re.findall(
                r"Running stage '([^']+)'", run_tool(project, "dvc", "queue", "logs", row["Experiment"], env=env).stdout
            )
        )
        assert {"tokenize", "embedding", "train_learned@learned_small"} <= ran, ran
        assert not ran & set(SHARED), f"{row['Experiment']} recomputed {ran & set(SHARED)}"
