"""The download cache: verified files and partial transfers, kept outside
DVC's outputs (DVC deletes a stage's outputs before running it) so that an
interrupted download resumes and a finished one is never fetched again, in
any clone or experiment on this machine.

    $PIPELINE_CACHE_DIR/files/<algo>-<digest>/<name>   verified files
    $PIPELINE_CACHE_DIR/partial/<key>/                 transfers under way
"""

import hashlib
import logging
import os
import shutil
from pathlib import Path

from imdb_embeddings.core.files import Checksum, file_digest

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
    if file_digest(path, expected.algo) != expected.digest:
        log.warning("%s does not match its checksum any more; removing it", path)
        path.unlink()
        return None
    log.info("using cached %s", path)
    return path


def store(verified_tmp: Path, expected: Checksum, name: str) -> Path:
    """Move a file already verified against `expected` into the cache."""
    path = entry(expected, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(verified_tmp, path)
    return path


def partial_dir(*key: object) -> Path:
    """A folder for one transfer in progress, named by what it fetches."""
    digest = hashlib.sha256("\0".join(map(str, key)).encode()).hexdigest()[:24]
    path = root() / "partial" / digest
    path.mkdir(parents=True, exist_ok=True)
    return path


def discard(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
