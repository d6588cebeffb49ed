"""HTTP transfers that survive bad networks.

A transfer is a byte range of a URL written to part files in the download
cache; each part file is a prefix of its segment, so after a dropped
connection, Ctrl-C or a killed process the next attempt asks only for the
bytes it lacks. Large ranges are split over several connections (setting
PIPELINE_CONNECTIONS, default 4) when the server honours `Range`. Timeouts,
connection resets and 5xx answers are retried with exponential backoff and
jitter, and a 429 or 503's `Retry-After` is honoured (up to a minute); 404
and 403 are not retried. urllib3's `Retry` keeps the budget and computes the
waits; what it cannot do is ours: an attempt resumes where the last one
stopped, only real progress (64 KiB or more in an attempt) renews the
budget, all attempts are capped, and so is the time without such progress.

Settings come from the environment when a transfer starts (a bad value is a
one-line error naming it): PIPELINE_TIMEOUT_S (30), PIPELINE_RETRIES (5),
PIPELINE_BACKOFF_S (1.0), PIPELINE_MAX_ATTEMPTS (100), PIPELINE_STALL_S (600),
PIPELINE_CONNECTIONS (4).
"""

import http.client
import json
import logging
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple, TypeVar

from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from imdb_embeddings.acquire import cache
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import CHUNK, write_json
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("transfer")
T = TypeVar("T")
MAX_BACKOFF_S = 60.0
# An attempt that brings at least this much renews the retry budget.
PROGRESS_BYTES = 64 << 10
MIN_SEGMENT_BYTES = 1 << 20
READ_BYTES = 64 << 10
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
TRANSIENT = (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException, urllib.error.URLError)


def setting(name: str, default: float, kind: type = int, minimum: float = 0) -> float:
    """A number from the environment, checked: `name` unset or empty gives `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value != value or value < minimum:  # value != value: NaN
        what = "a whole number" if kind is int else "a number"
        raise PipelineError(f"{name}={raw!r}: expected {what} of at least {minimum}")
    return value


def check_settings() -> None:
    """Read every download setting once, so a bad one stops the stage before any work."""
    connections()
    timeout_s()
    setting("PIPELINE_BACKOFF_S", 1.0, float, 0)
    setting("PIPELINE_RETRIES", 5, int, 0)
    setting("PIPELINE_MAX_ATTEMPTS", 100, int, 1)
    setting("PIPELINE_STALL_S", 600.0, float, 0)


def connections() -> int:
    return setting("PIPELINE_CONNECTIONS", 4, int, 1)


def timeout_s() -> float:
    return setting("PIPELINE_TIMEOUT_S", 30.0, float, 0.001)


class HTTPFailure(PipelineError):
    """The server answered, and retrying will not change its answer."""

    def __init__(self, url: str, status: int, reason: str) -> None:
        super().__init__(f"{url}: HTTP {status} {reason}")
        self.status = status


class RangeIgnored(PipelineError):
    """The server sent the whole file to a ranged request."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: the server answered a ranged request with the whole file")


class Transfer(NamedTuple):
    folder: Path  # in the download cache
    parts: list[Path]  # the part files, in order: together, the bytes asked for


class Stopped(Exception):
    """Another segment of the same transfer failed: this one stops too."""


class Transient(ConnectionError):
    """A failure worth retrying; `retry_after` is the server's Retry-After header, if any."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_policy() -> Retry:
    """A fresh retry budget: PIPELINE_RETRIES retries, waits of
    PIPELINE_BACKOFF_S x 2^(n-1) plus up to PIPELINE_BACKOFF_S of jitter
    (urllib3 retries the first failure at once), at most a minute each."""
    base = setting("PIPELINE_BACKOFF_S", 1.0, float, 0)
    return Retry(
        total=setting("PIPELINE_RETRIES", 5, int, 0),
        backoff_factor=base,
        backoff_jitter=base,
        backoff_max=MAX_BACKOFF_S,
        status_forcelist=RETRYABLE_STATUS,
    )


def wait_before_retry(policy: Retry, exc: BaseException) -> float:
    """The backoff, or the server's Retry-After when it asks for longer (capped)."""
    delay = policy.get_backoff_time()
    asked = getattr(exc, "retry_after", None)
    if asked:
        try:
            delay = max(delay, min(policy.parse_retry_after(asked), MAX_BACKOFF_S))
        except Exception:  # an unreadable header: urllib3 raises InvalidHeader; keep the backoff
            pass
    return delay


def check_content_range(url: str, response: http.client.HTTPResponse, start: int) -> None:
    """A 206 answer must start where it was asked to."""
    header = response.headers.get("Content-Range", "")
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", header.strip())
    if not match or int(match.group(1)) != start:
        raise PipelineError(
            f"{url}: asked for bytes from {start}, the server answered Content-Range {header!r}; refusing its bytes"
        )


def open_url(url: str, start: int | None = None, end: int | None = None):
    headers = {"User-Agent": "imdb-embeddings", "Accept-Encoding": "identity"}
    if start is not None:
        headers["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout_s())
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in RETRYABLE_STATUS:
            raise Transient(f"HTTP {exc.code} {exc.reason}", exc.headers.get("Retry-After")) from exc
        raise HTTPFailure(url, exc.code, exc.reason) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, socket.gaierror):
            # No such host, or no network at all: waiting will not help.
            raise PipelineError(f"{url}: cannot resolve the host ({exc.reason.strerror})") from exc
        raise


def retrying(what: str, attempt_once: Callable[[], T], stop: threading.Event | None = None) -> T:
    """Call `attempt_once()` until it returns, retrying transient failures
    as `retry_policy()` allows. An attempt whose error carries `progressed`
    >= 64 KiB renews the budget; all attempts are capped, and so is the time
    without such progress. A set `stop` ends the wait between attempts."""
    max_attempts = setting("PIPELINE_MAX_ATTEMPTS", 100, int, 1)
    stall_s = setting("PIPELINE_STALL_S", 600.0, float, 0)
    policy, attempts, last_progress = retry_policy(), 0, time.monotonic()
    while True:
        attempts += 1
        try:
            return attempt_once()
        except TRANSIENT as exc:
            if getattr(exc, "progressed", 0) >= PROGRESS_BYTES:
                policy, last_progress = retry_policy(), time.monotonic()
            try:
                policy = policy.increment(method="GET", url=what, error=exc)
            except MaxRetryError:
                retries = len(policy.history)
                raise PipelineError(f"{what}: giving up after {retries} retries ({exc})") from exc
            if attempts >= max_attempts:
                raise PipelineError(f"{what}: giving up after {attempts} attempts in all ({exc})") from exc
            if time.monotonic() - last_progress > stall_s:
                raise PipelineError(f"{what}: giving up, no progress in {stall_s:.0f} s ({exc})") from exc
            delay = wait_before_retry(policy, exc)
            retries = len(policy.history) + policy.total
            log.warning("%s: %s; retry %d of %d in %.1f s", what, exc, len(policy.history), retries, delay)
            if stop is None:
                time.sleep(delay)
            elif stop.wait(delay):
                raise Stopped() from exc


class Probed(NamedTuple):
    size: int | None  # None: the server does not say
    ranged: bool  # whether it honours Range


def probe(url: str) -> Probed:
    """(size, honours_range) of `url`, from a one-byte ranged request."""

    def attempt():
        with open_url(url, 0, 1) as response:
            if response.status == 206:
                match = re.search(r"/(\d+)$", response.headers.get("Content-Range", ""))
                return Probed(int(match.group(1)) if match else None, bool(match))
            length = response.headers.get("Content-Length")
            return Probed(int(length) if length else None, False)

    return retrying(url, attempt)


def read_range(url: str, start: int, end: int) -> bytes:
    """Bytes [start, end) of `url`, in memory: for small reads (zip headers)."""

    def attempt():
        with open_url(url, start, end) as response:
            if response.status != 206:
                raise RangeIgnored(url)
            check_content_range(url, response, start)
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
                if ranged:
                    check_content_range(url, response, start + have)
                with open(part, "ab") as out:
                    # read1: whatever has arrived, so the part file grows as bytes come in.
                    while chunk := response.read1(min(READ_BYTES, want - have - got) or 1):
                        if stop.is_set():
                            raise Stopped()
                        out.write(chunk[: want - have - got])
                        got += len(chunk)
                        progress.advance(len(chunk))
                        if have + got >= want:
                            break
        except TRANSIENT as exc:
            exc.progressed = got
            raise
        if have + got < want:
            error = ConnectionError(f"connection closed after {have + got} of {want} bytes")
            error.progressed = got
            raise error

    retrying(url, attempt, stop)


def plan_segments(folder: Path, url: str, start: int, end: int, ranged: bool):
    """Segment boundaries, saved so that a resumed transfer reuses them even
    if PIPELINE_CONNECTIONS changed in between."""
    plan_file = folder / "plan.json"
    if plan_file.exists():
        try:
            plan = json.loads(plan_file.read_text())
            if plan.get("range") == [start, end]:
                return plan["segments"]
        except (ValueError, AttributeError):
            log.warning("%s is not a transfer plan; starting %s afresh", plan_file, url)
        cache.discard(folder)
        folder.mkdir(parents=True)
    count = max(1, min(connections(), (end - start) // MIN_SEGMENT_BYTES)) if ranged else 1
    step = -(-(end - start) // count)
    segments = [[s, min(s + step, end)] for s in range(start, end, step)] or [[start, end]]
    write_json(plan_file, {"url": url, "range": [start, end], "segments": segments})
    return segments


def fetch_range(url: str, start: int, end: int, ranged: bool = True, label: str | None = None) -> Transfer:
    """Fetch bytes [start, end) of `url` into the download cache, resuming
    whatever an earlier attempt left. Returns the part files, in order.
    With `ranged=False` the server ignores Range: one plain GET of [0, end)."""
    folder = cache.partial_dir(url, start, end, ranged)
    with cache.locked(folder):
        return _fetch_range(folder, url, start, end, ranged, label)


def _fetch_range(folder: Path, url: str, start: int, end: int, ranged: bool, label: str | None) -> Transfer:
    if not folder.is_dir():  # another process finished this transfer and discarded it
        folder.mkdir(parents=True)
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
        failure = next((e for e in errors if not isinstance(e, (KeyboardInterrupt, Stopped))), errors[0])
        raise KeyboardInterrupt if isinstance(failure, Stopped) else failure
    progress.finish()
    return Transfer(folder, parts)


def read_parts(parts: list[Path]) -> Iterator[bytes]:
    """The part files' bytes in order, chunk by chunk."""
    for part in parts:
        with open(part, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


def fetch_url(url: str, label: str | None = None) -> Transfer:
    """The whole of `url` in the download cache: (folder, parts)."""
    size, ranged = probe(url)
    if size is None:
        raise PipelineError(f"{url}: the server does not say how large the file is")
    if not ranged:
        log.info("%s ignores Range: one connection, and no resuming", url)
        return fetch_range(url, 0, size, ranged=False, label=label)
    try:
        return fetch_range(url, 0, size, ranged=True, label=label)
    except RangeIgnored:
        # It honoured Range when probed, then stopped: one plain GET instead.
        log.warning("%s stopped honouring Range: one connection, and no resuming", url)
        cache.discard(cache.partial_dir(url, 0, size, True))
        return fetch_range(url, 0, size, ranged=False, label=label)


__all__ = ["HTTPFailure", "RangeIgnored", "fetch_range", "fetch_url", "probe", "read_parts", "read_range", "setting"]
