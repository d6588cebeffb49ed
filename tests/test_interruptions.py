"""Faults in the middle of work, for real: `kill -9` of `dvc repro` at a
random moment inside each stage, two `dvc repro` at once in one workspace,
and a full disk under a stage's output. Afterwards the next `dvc repro`
finishes, nothing is half-written, the results equal an uninterrupted run's,
and the download cache holds no corrupt entry."""

import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from imdb_embeddings.devtools.http_faults import FaultServer
from tests import fixtures
from tests.conftest import copy_project, edit_params, fixture_params, run_tool, tool_env
from tests.project import stage_argv

pytestmark = pytest.mark.slow(seconds=50)
STAGES = (
    "download_imdb",
    "download_glove",
    "parse_glove",
    "prepare",
    "tokenize",
    "embedding",
    "train_learned@learned_small",
    "evaluate_learned@learned_small",
)
# What every repro here brings up to date: STAGES and nothing else (the
# other experiments, word2vec and the curve grid would only cost time).
TARGETS = ("embedding", "evaluate_learned@learned_small")


@pytest.fixture(scope="module")
def server(fixture_mirror, tmp_path_factory):
    """The fixture archives over HTTP, throttled so that a download takes a
    second or so: a kill lands inside the transfer."""
    mirror, _ = fixture_mirror
    root = tmp_path_factory.mktemp("www")
    for name in ("aclImdb_v1.tar.gz", "glove.6B.zip"):
        shutil.copy(mirror / name, root / name)
    server = FaultServer(root, rate=12_000)
    yield server
    server.close()


def env_for(server, download_cache):
    return tool_env(PIPELINE_MIRROR=server.url, PIPELINE_CACHE_DIR=str(download_cache), PIPELINE_BACKOFF_S="0.05")


@pytest.fixture(scope="module")
def baseline(server, fixture_mirror, tmp_path_factory):
    """An uninterrupted run: the project, its dvc.lock, and how long each stage took."""
    mirror, members = fixture_mirror
    project = copy_project(tmp_path_factory.mktemp("baseline") / "project")

    def params(p):
        fixture_params(p, members)
        p["imdb"]["sha256"] = fixtures.sha256(mirror / "aclImdb_v1.tar.gz")  # served over HTTP: the pinned one

    edit_params(project, params)
    env = env_for(server, tmp_path_factory.mktemp("download-cache"))  # empty: downloads really download
    # Each stage's time, from this one run: from its "Running stage" line to
    # the next stage's (or the end), DVC's own start-up not counted.
    proc = start(project, env, *TARGETS)
    durations, current, since = {}, None, time.monotonic()
    for line in proc.stdout:
        began = re.match(r"Running stage '([^']+)'", line)
        if began:
            if current:
                durations[current] = time.monotonic() - since
            current, since = began.group(1), time.monotonic()
    if current:
        durations[current] = time.monotonic() - since
    assert proc.wait() == 0 and set(STAGES) <= set(durations), durations
    return project, (project / "dvc.lock").read_text(), {stage: durations[stage] for stage in STAGES}


def start(project, env, *args):
    return subprocess.Popen(
        ["dvc", "repro", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for_line(proc, pattern, timeout=120):
    """Read the process's output until a line matches; returns what was read."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"never saw {pattern!r}:\n{''.join(seen)}")


def wait_until_exited(group, timeout=120):
    """Until every process of the killed group has exited (gone, or a zombie
    nobody reaps). SIGKILL is not instant: a process blocked in the kernel (a
    write, on a busy machine) dies when that returns, and until then the
    next run rightly counts its temporary files as a live writer's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[2]) == group and fields[0] != "Z":
                    alive.append(stat.parent.name)
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes {alive} of the killed group {group} still run after {timeout} s")


def partial_files(*folders):
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if ".partial" in p.name]


def check_cache_entries(download_cache):
    """Every entry matches the digest its folder is named after."""
    for entry in (download_cache / "files").glob("*/*"):
        algo, digest = entry.parent.name.split("-", 1)
        assert hashlib.new(algo, entry.read_bytes()).hexdigest() == digest, f"corrupt cache entry {entry}"


@pytest.mark.parametrize("stage", STAGES)
def test_kill_9_inside_a_stage(baseline, server, stage, tmp_path):
    source, lock, durations = baseline
    project = tmp_path / "project"
    download_cache = tmp_path / "download-cache"
    env = env_for(server, download_cache)
    # A random moment inside the stage, seeded per stage so a failure reproduces.
    stage_time = max(durations[stage], 0.2)
    delay = random.Random(stage).uniform(0.1, 0.9) * stage_time
    # On a busy machine the stage may finish before the kill: then try again,
    # sooner (a kill that comes too late proves nothing, and is no failure).
    for _ in range(5):
        shutil.rmtree(project, ignore_errors=True)
        shutil.copytree(source, project, symlinks=True)
        proc = start(project, env, "--force", "--single-item", stage)
        wait_for_line(proc, rf"Running stage '{re.escape(stage)}'")
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # the whole group may have ended already
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_until_exited(proc.pid)
        if proc.returncode == -signal.SIGKILL:
            break
        delay /= 4
    assert proc.returncode == -signal.SIGKILL, f"{stage} always finished before the kill"

    # Right after the kill, no output is half-written: a killed process
    # cannot delete its temporary (.partial) files, but every output file
    # present is whole, byte for byte the uninterrupted run's (outputs are
    # written to a temporary file and renamed), and the download cache holds
    # no corrupt entry.
    for path in (project / "data").rglob("*"):
        # Hidden files are temporary ones: ours (.<name>.<pid>-<hex>.partial)
        # and DVC's own (.uu-<id>.tmp, while it copies an output to its cache).
        if path.is_file() and not path.name.startswith("."):
            baseline_copy = source / path.relative_to(project)
            assert baseline_copy.is_file() and path.read_bytes() == baseline_copy.read_bytes(), f"half-written {path}"
    check_cache_entries(download_cache)

    # The next repro finishes. It may not run the stage: dvc.lock still names
    # the outputs, so DVC checks them out of its cache when it holds them.
    result = run_tool(project, "dvc", "repro", "--no-run-cache", *TARGETS, env=env, check=False)
    # DVC rewrites two files of its own in place, so a kill while it writes one
    # (on a busy machine the kill can land just after the stage's command) leaves
    # it cut short: its lock table, which DVC asks to have removed, and dvc.lock,
    # which a user takes back from git (docs/what-can-go-wrong.md). Nothing of
    # ours is at fault; do as a user would, then hold the rerun to everything below.
    if result.returncode != 0 and "Unable to read RWLock-file '.dvc/tmp/rwlock'" in result.stdout + result.stderr:
        (project / ".dvc/tmp/rwlock").unlink()
        result = run_tool(project, "dvc", "repro", "--no-run-cache", *TARGETS, env=env, check=False)
    if result.returncode != 0 and "'./dvc.lock' validation failed" in result.stdout + result.stderr:
        shutil.copy(source / "dvc.lock", project / "dvc.lock")  # as `git checkout dvc.lock`
        result = run_tool(project, "dvc", "repro", "--no-run-cache", *TARGETS, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "dvc.lock").read_text() == lock
    assert run_tool(project, "dvc", "status", "--json", *TARGETS, env=env).stdout.strip() == "{}"
    # The next run of the stage removes what the killed one left behind. A
    # checkout leaves temporary files beside a file output (DVC cleans only
    # inside a folder output): then the stage's own run must remove them.
    folders = (project / "data", project / "metrics", project / "dvclive", download_cache)
    if partial_files(*folders):
        assert f"Stage '{stage}' is cached - skipping run" in result.stdout, result.stdout
        run_tool(project, "dvc", "repro", "--force", "--single-item", stage, env=env)
    assert not partial_files(*folders)
    check_cache_entries(download_cache)


def test_two_repros_at_once(baseline, server, tmp_path):
    source, lock, _ = baseline
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    env = env_for(server, tmp_path / "download-cache")
    first = start(project, env, "--force", "--single-item", "train_learned@learned_small")
    wait_for_line(first, r"Running stage 'train_learned@learned_small'")
    second = run_tool(project, "dvc", "repro", *TARGETS, env=env, check=False)
    out, _ = first.communicate(timeout=300)
    assert second.returncode != 0
    # DVC's lock: the repository lock, or (while the first runs a stage) the
    # lock on the paths that stage uses.
    assert re.search(r"Unable to acquire lock|is busy, it is being blocked by", second.stdout + second.stderr), (
        second.stdout + second.stderr
    )
    assert "Traceback" not in second.stdout + second.stderr
    assert first.returncode == 0, out
    assert (project / "dvc.lock").read_text() == lock
    assert run_tool(project, "dvc", "status", "--json", *TARGETS, env=env).stdout.strip() == "{}"


def test_full_disk_keeps_the_previous_output(baseline, tmp_path):
    """`tokenize` writing onto a filesystem with no room: one clear error line,
    the previous outputs byte for byte, no temporary file left."""
    source, _, _ = baseline
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    out = project / "data/tokenized"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    shutil.rmtree(out)
    out.mkdir()
    size = sum(len(b) for b in before.values())
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size + 12288}", "tmpfs", str(out)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()})")
    try:
        for name, data in before.items():
            (out / name).write_bytes(data)
        result = run_tool(project, *stage_argv(project, "tokenize"), check=False)
        assert result.returncode == 1
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert errors and "No space left on device" in errors[0] and "no output was written" in errors[0]
        assert "Traceback" not in result.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    finally:
        subprocess.run(["umount", str(out)], check=True)
