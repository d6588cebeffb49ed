"""Where every source file is verified: against the checksum pinned in
params.yaml (for the aclImdb archive from a mirror folder, also its review
content digest); bytes are hashed as they are written, and a file appears at
its destination only once it matches."""

import logging
import lzma
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from imdb_embeddings.archives.members import zip_member
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, Checksum, atomic_path, file_digest, mismatch
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("verify")


def write_verified(
    chunks: Iterable[bytes],
    dest: str | Path,
    expected: Checksum,
    what: str,
    limit: int | None = None,
    vouch: Callable[[Path], str] | None = None,
) -> bool:
    """The one place a download is verified: write `chunks` to a temporary
    file beside `dest`, hashing each as it is written (so the bytes checked
    are the bytes kept), and rename it to `dest` only if the digest is
    `expected`. More than `limit` bytes is an error as soon as it happens.
    A digest that differs fails, unless `vouch(copy)` accepts the copy and
    says why (the aclImdb review content digest, for a mirror's repack),
    which is logged as a warning. Every source goes through here: a mirror
    folder's file, an HTTP download, a zip member (local or by Range).
    Returns True if the digest matched, False if `vouch` accepted the copy."""
    h, written = expected.hasher(), 0
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if limit is not None and written > limit:
                    raise PipelineError(f"{what} is larger than the {limit:,} bytes it declares")
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() == expected.digest:
            return True
        if vouch is None:
            raise mismatch(what, expected, h.hexdigest())
        try:
            why = vouch(tmp)
        except PipelineError as exc:  # name the source, not the temporary copy
            raise PipelineError(str(exc).replace(str(tmp), what)) from None
        log.warning(
            "%s is NOT the archive pinned in params.yaml (pinned %s:%s..., this one %s...); accepted: %s",
            what,
            expected.algo,
            expected.digest[:12],
            h.hexdigest()[:12],
            why,
        )
        return False


def is_intact(path: Path, expected: Checksum) -> bool:
    """Whether a file kept earlier (a download-cache entry) still has its digest."""
    return file_digest(path, expected.algo) == expected.digest


def copy_from_mirror(
    src: Path, dest: str | Path, expected: Checksum, vouch: Callable[[Path], str] | None = None
) -> None:
    """Copy a mirror folder's file to `dest`, verified (`write_verified`);
    a file that is not the pinned one only if `vouch` accepts it. Nothing in
    the mirror folder itself (a SHA256SUMS file, say) vouches for anything:
    whoever can write the folder can write that too."""
    with open(src, "rb") as f:
        if copy_verified(f, dest, expected, str(src), vouch):
            log.info("%s matches the checksum pinned in params.yaml (%s)", src, expected)


def copy_verified(
    src: BinaryIO, dest: str | Path, expected: Checksum, what: str, vouch: Callable[[Path], str] | None = None
) -> bool:
    """Copy a readable binary stream to `dest`, verified (`write_verified`)."""
    return write_verified(iter(lambda: src.read(CHUNK), b""), dest, expected, what, vouch=vouch)


def extract_zip_member(path: str | Path, member: str, dest: str | Path, expected: Checksum) -> None:
    """Write one member of a zip to `dest`, verified against `expected`."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zip_member(zf, path, member)
            progress = Progress(log, f"extracting {member}", info.file_size, unit="B")

            def chunks(src: BinaryIO) -> Iterator[bytes]:
                while chunk := src.read(CHUNK):
                    progress.advance(len(chunk))
                    yield chunk

            with zf.open(info) as src:
                write_verified(chunks(src), dest, expected, f"{member} in {path}", limit=info.file_size)
            progress.finish()
    except FileNotFoundError:
        raise PipelineError(f"{path} does not exist") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError, NotImplementedError, RuntimeError) as exc:
        raise PipelineError(f"{path}: corrupt zip archive ({exc})") from exc


def deliver(cached: Path, dest: str | Path) -> None:
    """Copy a verified cache entry to a stage output, atomically."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(cached, tmp)
