"""Where every source file is verified: against the checksum pinned in
params.yaml (for the aclImdb archive from a mirror folder, also its review
content digest); bytes are hashed as they are written, and a file appears at
its destination only once it matches."""

import logging
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, Checksum, atomic_path, mismatch

log = logging.getLogger("verify")


def copy_from_mirror(
    src: Path, dest: str | Path, expected: Checksum, vouch: Callable[[Path], str] | None = None
) -> None:
    """Copy a mirror folder's file to `dest`, hashing while copying, so the
    bytes checked are the bytes kept. It appears at `dest` when its digest is
    `expected` (pinned in params.yaml); else only if `vouch(copy)` accepts
    the copy and says why (e.g. the aclImdb review content digest), which
    is logged as a warning; else nothing is written. Nothing in the mirror
    folder itself (a SHA256SUMS file, say) vouches for anything: whoever can
    write the folder can write that too."""
    h = expected.hasher()
    with atomic_path(dest) as tmp:
        with open(src, "rb") as f, open(tmp, "wb") as out:
            while chunk := f.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() == expected.digest:
            log.info("%s matches the checksum pinned in params.yaml (%s)", src, expected)
            return
        if vouch is None:
            raise mismatch(str(src), expected, h.hexdigest())
        try:
            why = vouch(tmp)
        except PipelineError as exc:  # name the mirror's file, not the temporary copy
            raise PipelineError(str(exc).replace(str(tmp), str(src))) from None
        log.warning(
            "%s is NOT the archive pinned in params.yaml (%s; it is %s:%s). Accepted because %s",
            src,
            expected,
            expected.algo,
            h.hexdigest(),
            why,
        )


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
