"""Writing outputs: temp file then rename, and what a killed writer left
behind is cleared by the next writer of the same file."""

import os
import subprocess
import time

import pytest

from imdb_embeddings.core.files import atomic_path


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    dest = tmp_path / "out.json"
    dest.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert dest.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_the_next_writer_removes_a_killed_writers_temp_files(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid now belongs to no process
    stale = tmp_path / f".vectors.npy.{dead.pid}-0123abcd.partial.npy"
    live = tmp_path / f".vectors.npy.{os.getpid()}-89abcdef.partial.npy"  # a writer at work
    other = tmp_path / f".words.json.{dead.pid}-0123abcd.partial"  # another output's: its writer cleans it
    for path in (stale, live, other):
        path.write_bytes(b"half")
    with atomic_path(tmp_path / "vectors.npy", suffix=".npy") as tmp:
        tmp.write_bytes(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["vectors.npy", live.name, other.name])


def test_a_killed_writer_that_is_still_a_zombie_counts_as_gone(tmp_path):
    """A killed process whose parent has not reaped it yet (a zombie: in a
    container whose first process reaps nothing, it stays one) still owns its
    pid; its temporary files are cleared all the same."""
    zombie = subprocess.Popen(["true"])
    deadline = 100
    while deadline and open(f"/proc/{zombie.pid}/stat").read().rpartition(")")[2].split()[0] != "Z":
        deadline -= 1
        subprocess.run(["sleep", "0.05"])  # not reaped: no wait() until the end
    assert deadline, "the child never became a zombie"
    stale = tmp_path / f".vectors.npy.{zombie.pid}-0123abcd.partial.npy"
    stale.write_bytes(b"half")
    with atomic_path(tmp_path / "vectors.npy", suffix=".npy") as tmp:
        tmp.write_bytes(b"whole")
    zombie.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]


def test_a_reused_pid_is_not_the_writer(tmp_path):
    """Pids wrap around on a long-running machine: a live process with the
    dead writer's pid that started after the file was last written did not
    write it, so the file is cleared; one that started before may be writing."""
    newer = subprocess.Popen(["sleep", "30"])  # stands for the process that got the pid later
    try:
        stale = tmp_path / f".vectors.npy.{newer.pid}-0123abcd.partial.npy"
        stale.write_bytes(b"half")
        os.utime(stale, (1_000_000_000, 1_000_000_000))  # written long before `newer` started
        live = tmp_path / f".vectors.npy.{os.getpid()}-89abcdef.partial.npy"  # written now by a running writer
        live.write_bytes(b"half")
        with atomic_path(tmp_path / "vectors.npy", suffix=".npy") as tmp:
            tmp.write_bytes(b"whole")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["vectors.npy", live.name])
    finally:
        newer.kill()
        newer.wait()


def test_a_pid_reused_soon_after_the_write_is_not_the_writer(tmp_path):
    """A pid can come back within a second on a busy machine: a process that
    started 0.3 s after the file's last write did not write it."""
    written = time.time() - 0.3
    newer = subprocess.Popen(["sleep", "30"])  # started at least 0.3 s after `written`
    try:
        stale = tmp_path / f".vectors.npy.{newer.pid}-0123abcd.partial.npy"
        stale.write_bytes(b"half")
        os.utime(stale, (written, written))
        with atomic_path(tmp_path / "vectors.npy", suffix=".npy") as tmp:
            tmp.write_bytes(b"whole")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]
    finally:
        newer.kill()
        newer.wait()
