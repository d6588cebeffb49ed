"""Reading members of tar and zip archives without extracting them, and
refusing members that could escape a folder or hide unbounded data."""

import bz2
import gzip
import io
import logging
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("archives")
# The largest member we ever need is glove.6B.300d.txt, about 1.04 GB.
MAX_MEMBER_BYTES = 2 << 30
BLOCK = tarfile.BLOCKSIZE
# Compression methods zipfile reads (deflate64, for one, it does not).
ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}


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
    if info.flag_bits & 0x1:
        raise PipelineError(f"{archive}: member {info.filename!r} is encrypted; expected a plain zip member")
    if info.compress_type not in ZIP_METHODS:
        raise PipelineError(
            f"{archive}: member {info.filename!r} uses compression method {info.compress_type}; "
            f"expected one of {', '.join(ZIP_METHODS.values())}"
        )


def zip_member(zf: zipfile.ZipFile, archive: str | Path, member: str) -> zipfile.ZipInfo:
    """The checked ZipInfo of `member` in an open ZipFile, or an error that
    lists what the archive holds."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        held = ", ".join(zf.namelist()[:10])
        raise PipelineError(f"{archive} has no member {member!r}; it holds: {held}") from None
    check_zip_member(archive, info)
    # The member's data (after a local header of at least 30 bytes and its
    # name) must end before the central directory: a declared size past it is
    # a crafted or cut archive, refused before any of its bytes are read.
    least_start = info.header_offset + 30 + len(info.orig_filename.encode("utf-8"))
    if least_start + info.compress_size > zf.start_dir:
        raise PipelineError(
            f"{archive}: {member!r} declares {info.compress_size:,} compressed bytes from offset {least_start:,}, "
            f"past the central directory at {zf.start_dir:,}; refusing it"
        )
    return info


def open_decompressed(path: Path) -> BinaryIO:
    """`path` as a stream of tar bytes: gzip, bzip2 and xz by their magic
    bytes, else as it is. The decompressors check their own CRCs at the end."""
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    return open(path, "rb")


class _RecentBytes(io.RawIOBase):
    """A read-only stream that keeps the last bytes it gave out with their
    offsets: after tarfile stops, the header block it stopped at is looked up
    here, to tell a real end of the archive (blocks of zeros) from a corrupt
    header or a cut at a member boundary, which tarfile takes for the end too."""

    KEEP = 1 << 20

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.recent, self.start = raw, bytearray(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.recent += data
        if len(self.recent) > 2 * self.KEEP:
            self.start += len(self.recent) - self.KEEP
            del self.recent[: len(self.recent) - self.KEEP]
        return len(data)

    def from_offset(self, offset: int) -> bytes:
        """Every byte from `offset` to the end of the stream (b"" if `offset`
        is no longer kept)."""
        if offset < self.start:
            return b""
        return bytes(self.recent[offset - self.start :]) + self.raw.read()


def iter_tar_files(
    path: str | Path,
    wanted: Callable[[str], bool] = lambda name: True,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int | None = None,
    progress_every: float = 5.0,
) -> Iterator[tuple[str, bytes]]:
    """Yield (name, bytes) for each regular file of a tar archive whose name
    is `wanted`, streaming; other members are skipped unread.

    Refused, with an error naming the archive and member: a link, device,
    sparse member or unsafe name anywhere in the archive; a wanted member
    over `max_member_bytes`, or wanted members over `max_total_bytes` in all
    (a tiny archive must not make us hold gigabytes); and an archive that
    does not end with its end-of-archive blocks (cut at a member boundary,
    or a corrupt header part-way, which tarfile would take for the end)."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path} does not exist")
    progress = Progress(log, f"reading {path}", unit=" files", every=progress_every)
    total = 0
    try:
        with (
            open_decompressed(path) as raw,
            _RecentBytes(raw) as stream,
            tarfile.open(fileobj=stream, mode="r|") as tar,
        ):
            for member in tar:
                check_member_name(path, member.name)
                if member.isdir():
                    continue
                if not member.isfile() or member.issparse():
                    kind = "a sparse file" if member.isfile() else "a link or device"
                    raise PipelineError(f"{path}: member {member.name!r} is {kind}, not a plain file")
                if not wanted(member.name):
                    continue
                if member.size > max_member_bytes:
                    raise PipelineError(
                        f"{path}: member {member.name!r} is {member.size:,} bytes, "
                        f"over the limit of {max_member_bytes:,}"
                    )
                total += member.size
                if max_total_bytes is not None and total > max_total_bytes:
                    raise PipelineError(
                        f"{path}: the members read come to more than {max_total_bytes:,} bytes "
                        f"(at {member.name!r}); this is not the archive it claims to be"
                    )
                yield member.name, tar.extractfile(member).read()
                progress.advance()
            # tar.offset: where the block that ended the iteration starts.
            tail = stream.from_offset(tar.offset)
    except (tarfile.TarError, EOFError, zlib.error, OSError, lzma.LZMAError) as exc:
        raise PipelineError(f"{path}: corrupt or truncated archive ({exc})") from exc
    # A real end: two or more blocks of zeros, and nothing but zeros after them.
    if len(tail) < 2 * BLOCK or tail.count(0) != len(tail):
        raise PipelineError(
            f"{path}: corrupt or truncated archive (no end-of-archive blocks after "
            f"{progress.done:,} files read: cut short, or a corrupt member header)"
        )
    progress.finish()
