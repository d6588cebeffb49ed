"""The download cache: verified files and partial transfers, kept outside
DVC's outputs (DVC deletes a stage's outputs before running it) so that an
interrupted download resumes and a finished one is never fetched again, in
any clone or experiment on this machine.

    $PIPELINE_CACHE_DIR/files/<algo>-<digest>/<name>   verified files
    $PIPELINE_CACHE_DIR/partial/<key>/                 transfers under way
    $PIPELINE_CACHE_DIR/locks/<key>.lock               empty lock files

The cache is shared by every clone and every `dvc queue start -j N` worker
on the machine, so each entry and each transfer has a lock (`locked`, an
exclusive `flock` that the system releases when a process dies, even by
kill -9): one process fetches, the others wait and then find the entry.
Files appear only by rename from unique temporary names.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from imdb_embeddings.acquire.verify import is_intact
from imdb_embeddings.core.files import Checksum

log = logging.getLogger("cache")
CACHE_ENV = "PIPELINE_CACHE_DIR"


def root() -> Path:
    value = os.environ.get(CACHE_ENV)
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "imdb-embeddings"


def entry(expected: Checksum, name: str) -> Path:
    return root() / "files" / f"{expected.algo}-{expected.digest}" / name


def lookup(expected: Checksum, name: str) -> Path | None:
    """The cached file with this checksum, re-verified, or None."""
    path = entry(expected, name)
    if not path.is_file():
        return None
    if not is_intact(path, expected):
        log.warning("%s does not match its checksum any more; removing it", path)
        path.unlink()
        return None
    log.info("using cached %s", path)
    return path


def partial_dir(*key: object) -> Path:
    """The folder for one transfer, named by what it fetches (made by the
    transfer, under its lock)."""
    digest = hashlib.sha256("\0".join(map(str, key)).encode()).hexdigest()[:24]
    return root() / "partial" / digest


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of a cache entry or transfer folder `path` (waiting for
    another process that holds it) for the block. Lock files are empty and
    live apart, in locks/, so no listing of entries ever sees them."""
    lock = root() / "locks" / (hashlib.sha256(str(path).encode()).hexdigest()[:24] + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process that is fetching %s", path.name)
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
