"""Reading members of tar and zip archives without extracting them, and
refusing members that could escape a folder or hide unbounded data."""

import logging
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, Checksum, atomic_path, mismatch
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("archives")
# The largest member we ever need is glove.6B.300d.txt, about 1.04 GB.
MAX_MEMBER_BYTES = 2 << 30


def check_member_name(archive: str | Path, name: str) -> None:
    # Backslashes and drive letters count too: the archive may come from Windows.
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise PipelineError(f"{archive}: unsafe member {name!r} (absolute path or '..')")


def check_zip_member(archive: str | Path, info: zipfile.ZipInfo) -> None:
    check_member_name(archive, info.filename)
    if stat.S_ISLNK(info.external_attr >> 16) or info.is_dir():
        raise PipelineError(f"{archive}: member {info.filename!r} is a link or folder, not a file")
    if info.file_size > MAX_MEMBER_BYTES:
        raise PipelineError(f"{archive}: member {info.filename!r} is {info.file_size} bytes, over the limit")


def zip_member(zf: zipfile.ZipFile, archive: str | Path, member: str) -> zipfile.ZipInfo:
    """The checked ZipInfo of `member` in an open ZipFile, or an error that
    lists what the archive holds."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        held = ", ".join(zf.namelist()[:10])
        raise PipelineError(f"{archive} has no member {member!r}; it holds: {held}") from None
    check_zip_member(archive, info)
    return info


def iter_tar_files(path: str | Path, progress_every: float = 5.0) -> Iterator[tuple[str, bytes]]:
    """Yield (name, bytes) for each regular file of a .tar.gz, streaming.

    A link, device or unsafe name anywhere in the archive is an error: the
    archive is not what it claims to be."""
    progress = Progress(log, f"reading {path}", unit=" files", every=progress_every)
    try:
        with tarfile.open(path, mode="r|*") as tar:
            for member in tar:
                check_member_name(path, member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise PipelineError(f"{path}: member {member.name!r} is a link or device, not a file")
                if member.size > MAX_MEMBER_BYTES:
                    raise PipelineError(f"{path}: member {member.name!r} is {member.size} bytes, over the limit")
                yield member.name, tar.extractfile(member).read()
                progress.advance()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise PipelineError(f"{path}: corrupt or truncated archive ({exc})") from exc
    progress.finish()


def extract_zip_member(path: str | Path, member: str, dest: str | Path, expected: Checksum) -> None:
    """Write one member of a zip to `dest`, verified against `expected`."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zip_member(zf, path, member)
            progress = Progress(log, f"extracting {member}", info.file_size, unit="B")
            h = expected.hasher()
            with zf.open(info) as src, atomic_path(dest) as tmp, open(tmp, "wb") as out:
                while chunk := src.read(CHUNK):
                    progress.advance(len(chunk))
                    if progress.done > info.file_size:
                        raise PipelineError(f"{path}: member {member!r} is larger than its header says")
                    h.update(chunk)
                    out.write(chunk)
                out.close()
                if h.hexdigest() != expected.digest:
                    raise mismatch(f"{member} in {path}", expected, h.hexdigest())
            progress.finish()
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PipelineError(f"{path}: corrupt zip archive ({exc})") from exc
