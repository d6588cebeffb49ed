"""Where every source file is verified: against the checksum pinned in
params.yaml, or a mirror folder's `SHA256SUMS`; bytes are hashed as they are
written, and a file appears at its destination only once it matches."""

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, Checksum, atomic_path, file_digest, mismatch

log = logging.getLogger("verify")
SUMS_FILE = "SHA256SUMS"


def listed_sha256(mirror: Path, name: str) -> Checksum | None:
    """What the mirror's SHA256SUMS says `name` should hash to, or None."""
    sums = mirror / SUMS_FILE
    if not sums.is_file():
        return None
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, listed = line.strip().partition(" ")
        if not listed:
            raise PipelineError(f"{sums}, line {number}: expected '<sha256>  <file name>', got {line!r}")
        if listed.strip().lstrip("*") == name:
            return Checksum(digest, f"{sums}, line {number}")
    return None


def verify_mirror_file(path: Path, expected: Checksum | None, required: bool = True) -> None:
    """Accept `path` if it matches `expected` (from params.yaml) or its
    SHA256SUMS entry, and say which. With `required=False` a file that
    neither vouches for is used anyway (its contents get checked later),
    but a SHA256SUMS entry it contradicts is still an error."""
    actual = file_digest(path, "sha256")
    listed = listed_sha256(path.parent, path.name)
    if expected is not None and actual == expected.digest:
        log.info("%s matches the checksum in params.yaml", path)
        return
    if listed is not None:
        if actual != listed.digest:
            raise mismatch(f"{path} (listed in {path.parent / SUMS_FILE})", listed, actual)
        log.info("%s matches its entry in %s", path, path.parent / SUMS_FILE)
        return
    if required:
        raise mismatch(f"{path} (not listed in {path.parent / SUMS_FILE} either)", expected, actual)
    log.info("%s is not listed in %s; its contents are verified instead", path, SUMS_FILE)


def copy_verified(src: BinaryIO, dest: str | Path, expected: Checksum, what: str) -> None:
    """Copy a readable binary stream to `dest`, hashing as it goes; `dest`
    appears only if the digest matches."""
    write_verified(iter(lambda: src.read(CHUNK), b""), dest, expected, what)


def write_verified(chunks: Iterable[bytes], dest: str | Path, expected: Checksum, what: str) -> None:
    h = expected.hasher()
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        for chunk in chunks:
            h.update(chunk)
            out.write(chunk)
        out.close()
        if h.hexdigest() != expected.digest:
            raise mismatch(what, expected, h.hexdigest())


def deliver(cached: Path, dest: str | Path) -> None:
    """Copy a verified cache entry to a stage output, atomically."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(cached, tmp)
