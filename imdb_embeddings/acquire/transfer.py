"""HTTP transfers that survive bad networks.

A transfer is a byte range of a URL written to part files in the download
cache; each part file is a prefix of its segment, so after a dropped
connection, Ctrl-C or a killed process the next attempt asks only for the
bytes it lacks. Large ranges are split over several connections (setting
PIPELINE_CONNECTIONS, default 4) when the server honours `Range`. Timeouts,
connection resets and 5xx answers are retried with exponential backoff and
jitter; 404 and 403 are not.
"""

import http.client
import json
import logging
import os
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from imdb_embeddings.acquire import cache
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("transfer")
T = TypeVar("T")
TIMEOUT_S = float(os.environ.get("PIPELINE_TIMEOUT_S", 30))
RETRIES = int(os.environ.get("PIPELINE_RETRIES", 5))
BACKOFF_S = float(os.environ.get("PIPELINE_BACKOFF_S", 1.0))
MAX_BACKOFF_S = 60.0
MIN_SEGMENT_BYTES = 1 << 20
READ_BYTES = 64 << 10
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
TRANSIENT = (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException, urllib.error.URLError)


def connections() -> int:
    value = os.environ.get("PIPELINE_CONNECTIONS", "4")
    if not value.isdigit() or int(value) < 1:
        raise PipelineError(f"PIPELINE_CONNECTIONS={value}: expected a whole number of at least 1")
    return int(value)


class HTTPFailure(PipelineError):
    """The server answered, and retrying will not change its answer."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        super().__init__(f"{url}: HTTP {status} {reason}")
        self.status = status


class RangeIgnored(Exception):
    """The server sent the whole file to a ranged request."""


def backoff(attempt: int) -> float:
    return min(BACKOFF_S * 2 ** (attempt - 1), MAX_BACKOFF_S) * random.uniform(0.5, 1.5)


def open_url(url: str, start: int | None = None, end: int | None = None):
    headers = {"User-Agent": "imdb-embeddings", "Accept-Encoding": "identity"}
    if start is not None:
        headers["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in RETRYABLE_STATUS:
            raise ConnectionError(f"HTTP {exc.code} {exc.reason}") from exc
        raise HTTPFailure(url, exc.code, exc.reason) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, socket.gaierror):
            # No such host, or no network at all: waiting will not help.
            raise PipelineError(f"{url}: cannot resolve the host ({exc.reason.strerror})") from exc
        raise


def retrying(what: str, attempt_once: Callable[[], T]):
    """Call `attempt_once()` until it returns, retrying transient failures.
    It returns (done, progressed); progress resets the retry budget."""
    failures = 0
    while True:
        try:
            return attempt_once()
        except TRANSIENT as exc:
            progressed = getattr(exc, "progressed", False)
            failures = 1 if progressed else failures + 1
            if failures > RETRIES:
                raise PipelineError(f"{what}: giving up after {RETRIES} retries ({exc})") from exc
            delay = backoff(failures)
            log.warning("%s: %s; retry %d of %d in %.1f s", what, exc, failures, RETRIES, delay)
            time.sleep(delay)


def probe(url: str) -> tuple[int | None, bool]:
    """(size, honours_range) of `url`, from a one-byte ranged request."""

    def attempt():
        with open_url(url, 0, 1) as response:
            if response.status == 206:
                match = re.search(r"/(\d+)$", response.headers.get("Content-Range", ""))
                return (int(match.group(1)) if match else None), bool(match)
            length = response.headers.get("Content-Length")
            return (int(length) if length else None), False

    return retrying(url, attempt)


def read_range(url: str, start: int, end: int) -> bytes:
    """Bytes [start, end) of `url`, in memory: for small reads (zip headers)."""

    def attempt():
        with open_url(url, start, end) as response:
            if response.status != 206:
                raise RangeIgnored(url)
            data = response.read()
        if len(data) != end - start:
            raise ConnectionError(f"got {len(data)} of {end - start} bytes")
        return data

    return retrying(url, attempt)


def _fetch_segment(
    url: str, part: Path, start: int, end: int, progress: Progress, stop: threading.Event, ranged: bool = True
):
    """Append bytes to `part` until it holds [start, end) of `url`."""
    want = end - start

    def attempt():
        have = part.stat().st_size if part.exists() else 0
        if have > want or (have and not ranged):
            part.unlink()  # longer than the segment, or unresumable: start over
            have = 0
        if have == want:
            return
        got = 0
        try:
            with open_url(url, start + have if ranged else None, end if ranged else None) as response:
                if ranged and response.status != 206:
                    raise RangeIgnored(url)
                with open(part, "ab") as out:
                    # read1: whatever has arrived, so the part file grows as bytes come in.
                    while chunk := response.read1(min(READ_BYTES, want - have - got) or 1):
                        if stop.is_set():
                            raise KeyboardInterrupt
                        out.write(chunk[: want - have - got])
                        got += len(chunk)
                        progress.advance(len(chunk))
                        if have + got >= want:
                            break
        except TRANSIENT as exc:
            exc.progressed = got > 0
            raise
        if have + got < want:
            error = ConnectionError(f"connection closed after {have + got} of {want} bytes")
            error.progressed = got > 0
            raise error

    retrying(url, attempt)


def plan_segments(folder: Path, url: str, start: int, end: int, ranged: bool):
    """Segment boundaries, saved so that a resumed transfer reuses them even
    if PIPELINE_CONNECTIONS changed in between."""
    plan_file = folder / "plan.json"
    if plan_file.exists():
        plan = json.loads(plan_file.read_text())
        if plan.get("range") == [start, end]:
            return plan["segments"]
        cache.discard(folder)
        folder.mkdir(parents=True)
    count = max(1, min(connections(), (end - start) // MIN_SEGMENT_BYTES)) if ranged else 1
    step = -(-(end - start) // count)
    segments = [[s, min(s + step, end)] for s in range(start, end, step)] or [[start, end]]
    plan_file.write_text(json.dumps({"url": url, "range": [start, end], "segments": segments}))
    return segments


def fetch_range(
    url: str, start: int, end: int, ranged: bool = True, label: str | None = None
) -> tuple[Path, list[Path]]:
    """Fetch bytes [start, end) of `url` into the download cache, resuming
    whatever an earlier attempt left. Returns the part files, in order.
    With `ranged=False` the server ignores Range: one plain GET of [0, end)."""
    folder = cache.partial_dir(url, start, end, ranged)
    segments = plan_segments(folder, url, start, end, ranged)
    parts = [folder / f"part-{i}" for i in range(len(segments))]
    already = sum(p.stat().st_size for p in parts if p.exists()) if ranged else 0
    progress = Progress(log, label or url.rsplit("/", 1)[-1], end - start, unit="B")
    if already:
        log.info("resuming %s: %d of %d bytes already here", url, already, end - start)
        progress.advance(already)
    stop = threading.Event()
    errors = []

    def worker(part: Path, s: int, e: int):
        try:
            _fetch_segment(url, part, s, e, progress, stop, ranged)
        except BaseException as exc:  # handed to the main thread below
            errors.append(exc)
            stop.set()

    # Daemon threads, joined in short waits: Ctrl-C reaches the main thread at
    # once, and a worker stuck in a slow read cannot hold the process open.
    threads = [threading.Thread(target=worker, args=(part, s, e), daemon=True) for part, (s, e) in zip(parts, segments)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except BaseException:
        stop.set()
        raise
    if errors:
        failure = next((e for e in errors if not isinstance(e, KeyboardInterrupt)), errors[0])
        raise failure
    progress.finish()
    return folder, parts


def read_parts(parts: list[Path]) -> Iterator[bytes]:
    """The part files' bytes in order, chunk by chunk."""
    for part in parts:
        with open(part, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


def fetch_url(url: str, label: str | None = None) -> tuple[Path, list[Path]]:
    """The whole of `url` in the download cache: (folder, parts)."""
    size, ranged = probe(url)
    if size is None:
        raise PipelineError(f"{url}: the server does not say how large the file is")
    if not ranged:
        log.info("%s ignores Range: one connection, and no resuming", url)
    return fetch_range(url, 0, size, ranged=ranged, label=label)


__all__ = ["HTTPFailure", "RangeIgnored", "fetch_range", "fetch_url", "probe", "read_parts", "read_range"]
