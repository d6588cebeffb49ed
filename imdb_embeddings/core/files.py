"""Writing outputs so that a failure or Ctrl-C never leaves half a file,
and checksums in the one notation the params use (``algo:hex``)."""

import contextlib
import glob
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imdb_embeddings.core.errors import PipelineError

CHUNK = 1 << 20
# How much later than its file's last write a process may seem to have
# started and still count as its writer (_running: file times are coarse).
START_SLACK_S = 0.05


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `dest`; it replaces `dest` only if the
    block finishes. `suffix` keeps an extension that a writer insists on.
    The temporary name is unique, so two processes writing the same `dest`
    (the shared download cache) never write into each other's file."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.partial{suffix}")
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale(dest: Path) -> None:
    """Delete the temporary files that a process killed while writing `dest`
    left beside it (a killed process cannot clean up; the next writer does).
    A file whose process still runs is another writer's: it is left alone."""
    pattern = re.compile(rf"\.{re.escape(dest.name)}\.(\d+)-[0-9a-f]{{8}}\.partial.*")
    for tmp in dest.parent.glob(f".{glob.escape(dest.name)}.*.partial*"):
        match = pattern.fullmatch(tmp.name)
        try:
            written = tmp.stat().st_mtime
        except OSError:
            continue  # its writer finished (renamed it) or cleaned up meanwhile
        if match and not _running(int(match.group(1)), written):
            tmp.unlink(missing_ok=True)


def _running(pid: int, written: float) -> bool:
    """Whether the process that wrote a file last modified at `written` still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return True
    # A killed process stays a zombie until its parent reaps it (in a container
    # whose first process reaps nothing, for good): it has exited all the same.
    if not fields or fields[0] == "Z":
        return False
    # Pids are reused (they wrap at 32768 by default, and every thread takes
    # one): a process that started after the file was last written is not its
    # writer. Its start, in clock ticks since boot, is placed on the wall
    # clock through the time since boot now, to a tick (/proc/stat's boot
    # time is in whole seconds: a second of slack let a process that got the
    # pid within it pass for the writer). The slack covers file times, which
    # the kernel takes from a clock a few milliseconds coarse.
    if len(fields) <= 19:
        return True
    age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return time.time() - age <= written + START_SLACK_S


def write_json(dest: str | os.PathLike, data: Any) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class Checksum:
    """An expected digest, written ``sha256:<hex>`` or ``md5:<hex>`` (a bare
    hex string is sha256): GloVe's 200d and 300d members are only published
    with md5 sums."""

    def __init__(self, spec: str, where: str = "checksum") -> None:
        algo, sep, digest = str(spec).partition(":")
        if not sep:
            algo, digest = "sha256", algo
        if algo not in ("sha256", "md5"):
            raise PipelineError(f"{where}: unknown checksum algorithm {algo!r} (expected sha256 or md5)")
        size = hashlib.new(algo).digest_size * 2
        if len(digest) != size or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise PipelineError(f"{where}: {spec!r} is not a {algo} digest ({size} hex digits)")
        self.algo, self.digest = algo, digest.lower()

    def hasher(self) -> "hashlib._Hash":
        return hashlib.new(self.algo)

    def __str__(self) -> str:
        return f"{self.algo}:{self.digest}"


def file_digest(path: str | os.PathLike, algo: str = "sha256") -> str:
    """The hex digest of a file's bytes."""
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


# Byte-order marks of the encodings a text editor may save in instead of UTF-8.
BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def other_encoding(start: bytes) -> str | None:
    """The encoding whose byte-order mark `start` begins with (UTF-16, UTF-32), if any."""
    return next((name for bom, name in BOMS.items() if start.startswith(bom)), None)


def decode_utf8(data: bytes, what: str, advice: str = "") -> str:
    """`data` as UTF-8 text, or one line that says where it is not:
    "<what> not UTF-8 text (byte 0xff on line 2)<advice>"."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PipelineError(f"{what} not UTF-8 text (byte {data[exc.start]:#04x} on line {line}){advice}") from None


def mismatch(what: str, expected: "Checksum", actual_hex: str) -> PipelineError:
    return PipelineError(
        f"checksum mismatch for {what}: expected {expected}, got {expected.algo}:{actual_hex}; nothing was written"
    )
