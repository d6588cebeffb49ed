"""One member of a zip on an HTTP server, without the rest of the zip.

Python's zipfile reads the central directory at the end of the archive
through a file object whose reads are HTTP Range requests (a few KB); then
only the member's compressed bytes are fetched, resumably and over several
connections, and decompressed from the download cache into the output while
its checksum is verified. For glove.6B.100d.txt that is about a sixth of
glove.6B.zip.
"""

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from imdb_embeddings.acquire import cache
from imdb_embeddings.acquire.transfer import fetch_range, read_parts, read_range
from imdb_embeddings.acquire.verify import write_verified
from imdb_embeddings.archives.members import zip_member
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, Checksum

log = logging.getLogger("remote_zip")
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


class RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, one Range request a read."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size, self.position = url, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: bytearray | memoryview) -> int:
        end = min(self.position + len(buffer), self.size)
        if end <= self.position:
            return 0
        data = read_range(self.url, self.position, end)
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def locate_member(url: str, size: int, member: str) -> tuple[zipfile.ZipInfo, int]:
    """(ZipInfo, offset of the member's data) from the remote central
    directory, checked as the local path's zipfile checks a file, and before
    any of the member's bytes move: `zip_member` (the declared compressed
    bytes end before the central directory), and the local header names the
    same member."""
    remote = io.BufferedReader(RangeFile(url, size), buffer_size=64 * 1024)
    try:
        with zipfile.ZipFile(remote) as zf:
            info = zip_member(zf, url, member)
    except zipfile.BadZipFile as exc:
        raise PipelineError(f"{url}: not a zip archive ({exc})") from exc
    name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    header = read_range(url, info.header_offset, info.header_offset + LOCAL_HEADER.size + len(name))
    fields = LOCAL_HEADER.unpack(header[: LOCAL_HEADER.size])
    if fields[0] != b"PK\x03\x04":
        raise PipelineError(f"{url}: no local header for {member!r} at offset {info.header_offset}")
    name_length, extra_length = fields[9], fields[10]
    if header[LOCAL_HEADER.size :] != name or name_length != len(name):
        local = header[LOCAL_HEADER.size : LOCAL_HEADER.size + name_length]
        raise PipelineError(
            f"{url}: the local header of {member!r} names {local.decode('cp437')!r}; "
            "the central directory and the local header differ, refusing the archive"
        )
    return info, info.header_offset + LOCAL_HEADER.size + name_length + extra_length


def unpack(chunks: Iterable[bytes], method: int) -> Iterator[bytes]:
    """Decompressed bytes in bounded pieces, whatever the compression ratio."""
    if method == zipfile.ZIP_STORED:
        yield from chunks
        return
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    for chunk in chunks:
        while chunk:
            yield inflate.decompress(chunk, CHUNK)
            chunk = inflate.unconsumed_tail
    yield inflate.flush()


def fetch_member(url: str, size: int, member: str, dest: str | Path, expected: Checksum) -> None:
    """Write `member` of the zip at `url` to `dest`, verified."""
    info, start = locate_member(url, size, member)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise PipelineError(
            f"{url}: {member!r} uses compression method {info.compress_type}, "
            "which only deflate and stored are supported"
        )
    log.info(
        "%s: fetching only %s (%.1f MB compressed, %.1f MB unpacked)",
        url,
        member,
        info.compress_size / 1e6,
        info.file_size / 1e6,
    )
    folder, parts = fetch_range(url, start, start + info.compress_size, label=member)
    try:
        write_verified(
            unpack(read_parts(parts), info.compress_type),
            dest,
            expected,
            f"{member} from {url}",
            limit=info.file_size,
        )
    except zlib.error as exc:
        cache.discard(folder)
        raise PipelineError(f"{url}: {member!r} is corrupt ({exc}); its bytes were discarded") from exc
    except PipelineError:
        cache.discard(folder)
        raise
    cache.discard(folder)
