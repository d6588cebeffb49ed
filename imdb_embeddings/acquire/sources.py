"""Where each source file comes from.

Order of sources: `PIPELINE_MIRROR` if it is a folder (and then nothing
else: air-gapped runs never touch the network, nor the download cache);
else a verified copy in the download cache (no network); else, in turn,
`PIPELINE_MIRROR` if it is an http(s) base URL, the official URL, and the
base URLs in the params' `mirrors` list. The first source that answers and
verifies wins, and the log names it. Verification is in `verify.py`.
"""

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from imdb_embeddings.acquire import cache
from imdb_embeddings.acquire.transfer import HTTPFailure, check_settings, fetch_url, read_parts
from imdb_embeddings.acquire.verify import copy_from_mirror, deliver, write_verified
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum

log = logging.getLogger("fetch")
MIRROR_ENV = "PIPELINE_MIRROR"
T = TypeVar("T")


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def mirror_dir() -> Path | None:
    """The mirror folder from the environment, or None."""
    value = os.environ.get(MIRROR_ENV)
    if not value or is_url(value):
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise PipelineError(f"{MIRROR_ENV}={value}: no such folder (or give an http(s):// base URL)")
    return path


def source_urls(official: str, names: Sequence[str], mirrors: Sequence[str] = ()) -> list[str]:
    """Candidate URLs in the order they are tried: the environment's URL
    mirror, the official URL, then the params' mirrors; each mirror is asked
    for each of `names`."""
    env = os.environ.get(MIRROR_ENV, "")
    bases = [env] if is_url(env) else []
    urls = [f"{base.rstrip('/')}/{name}" for base in bases for name in names]
    urls.append(official)
    urls += [f"{base.rstrip('/')}/{name}" for base in mirrors for name in names]
    return urls


def name_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def find_in_mirror(mirror: Path, names: Sequence[str], hint: str = "") -> Path:
    """The first of `names` that the mirror holds; an error listing what it holds otherwise."""
    for name in names:
        if (mirror / name).is_file():
            return mirror / name
    held = sorted(p.name for p in mirror.iterdir() if p.is_file()) or ["nothing"]
    raise PipelineError(f"mirror {mirror} has no {' or '.join(names)}; it holds: {', '.join(held)}{hint}")


def download_verified(url: str, expected: Checksum, name: str) -> Path:
    """Download `url` into the cache as `name`, verified; returns the entry.
    Bytes that fail the check are thrown away, so a retry starts clean."""
    folder, parts = fetch_url(url, label=name)
    entry = cache.entry(expected, name)
    try:
        write_verified(read_parts(parts), entry, expected, url)
    finally:
        cache.discard(folder)
    return entry


def try_sources(urls: Sequence[str], attempt: Callable[[str], T], what: str) -> T:
    """Run `attempt(url)` on each URL until one succeeds; the error, if none
    does, lists why each failed."""
    failures = []
    for url in urls:
        try:
            result = attempt(url)
        except HTTPFailure as exc:
            failures.append(str(exc))
            log.info("%s", exc)
            continue
        except PipelineError as exc:
            failures.append(str(exc))
            log.warning("%s; trying the next source", exc)
            continue
        log.info("got %s from %s", what, url)
        return result
    raise PipelineError(
        f"could not get {what} from any source:\n  "
        + "\n  ".join(failures)
        + f"\nSet {MIRROR_ENV} to a folder or http(s):// base URL that holds it, or add one to the params' mirrors."
    )


def fetch(
    url: str,
    dest: str | Path,
    expected: Checksum,
    mirrors: Sequence[str] = (),
    vouch: Callable[[Path], str] | None = None,
) -> None:
    """Put the file that `url` names at `dest`, verified against `expected`;
    from a mirror folder, a file that does not match is accepted only if
    `vouch` accepts it (see verify.copy_from_mirror)."""
    check_settings()
    name = name_of(url)
    mirror = mirror_dir()
    if mirror is not None:
        src = find_in_mirror(mirror, [name])
        log.info("using mirror file %s", src)
        copy_from_mirror(src, dest, expected, vouch)
        return
    with cache.locked(cache.entry(expected, name)):
        cached = cache.lookup(expected, name)
        if cached is None:
            cached = try_sources(
                source_urls(url, [name], mirrors), lambda u: download_verified(u, expected, name), name
            )
    deliver(cached, dest)
