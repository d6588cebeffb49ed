"""Where each source file comes from, and where it is verified.

Order of sources: a verified copy in the download cache (no network); else
`PIPELINE_MIRROR` if it is a folder (and then nothing else: air-gapped
runs never touch the network); else, in turn, `PIPELINE_MIRROR` if it is an
http(s) base URL, the official URL, and the base URLs in the params'
`mirrors` list. The first source that answers and verifies wins, and the log
names it. A file from a mirror folder is accepted when its sha256 equals the
one in params.yaml or the one the folder's `SHA256SUMS` lists for it.
"""
import logging
import os
import shutil
from pathlib import Path

from stages import cache
from stages.cli import PipelineError
from stages.download import HTTPFailure, fetch_url, read_parts
from stages.files import CHUNK, Checksum, atomic_path, file_digest, mismatch

log = logging.getLogger("fetch")
MIRROR_ENV = "PIPELINE_MIRROR"
SUMS_FILE = "SHA256SUMS"


def is_url(value):
    return value.startswith(("http://", "https://"))


def mirror_dir():
    """The mirror folder from the environment, or None."""
    value = os.environ.get(MIRROR_ENV)
    if not value or is_url(value):
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise PipelineError(f"{MIRROR_ENV}={value}: no such folder (or give an http(s):// base URL)")
    return path


def source_urls(official, names, mirrors=()):
    """Candidate URLs in the order they are tried: the environment's URL
    mirror, the official URL, then the params' mirrors; each mirror is asked
    for each of `names`."""
    env = os.environ.get(MIRROR_ENV, "")
    bases = ([env] if is_url(env) else [])
    urls = [f"{base.rstrip('/')}/{name}" for base in bases for name in names]
    urls.append(official)
    urls += [f"{base.rstrip('/')}/{name}" for base in mirrors for name in names]
    return urls


def name_of(url):
    return url.rstrip("/").rsplit("/", 1)[-1]


def find_in_mirror(mirror, names):
    """The first of `names` that the mirror holds; an error listing what it holds otherwise."""
    for name in names:
        if (mirror / name).is_file():
            return mirror / name
    held = sorted(p.name for p in mirror.iterdir() if p.is_file()) or ["nothing"]
    raise PipelineError(f"mirror {mirror} has no {' or '.join(names)}; it holds: {', '.join(held)}")


def listed_sha256(mirror, name):
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


def verify_mirror_file(path, expected, required=True):
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


def copy_verified(src, dest, expected, what):
    """Copy a readable binary stream to `dest`, hashing as it goes; `dest`
    appears only if the digest matches."""
    write_verified(iter(lambda: src.read(CHUNK), b""), dest, expected, what)


def write_verified(chunks, dest, expected, what):
    h = expected.hasher()
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        for chunk in chunks:
            h.update(chunk)
            out.write(chunk)
        out.close()
        if h.hexdigest() != expected.digest:
            raise mismatch(what, expected, h.hexdigest())


def deliver(cached, dest):
    """Copy a verified cache entry to a stage output, atomically."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(cached, tmp)


def download_verified(url, expected, name):
    """Download `url` into the cache as `name`, verified; returns the entry.
    Bytes that fail the check are thrown away, so a retry starts clean."""
    folder, parts = fetch_url(url, label=name)
    entry = cache.entry(expected, name)
    try:
        write_verified(read_parts(parts), entry, expected, url)
    finally:
        cache.discard(folder)
    return entry


def try_sources(urls, attempt, what):
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
        f"could not get {what} from any source:\n  " + "\n  ".join(failures)
        + f"\nSet {MIRROR_ENV} to a folder or http(s):// base URL that holds it, or add one to the params' mirrors."
    )


def fetch(url, dest, expected, mirrors=()):
    """Put the file that `url` names at `dest`, verified against `expected`."""
    name = name_of(url)
    mirror = mirror_dir()
    if mirror is not None:
        src = find_in_mirror(mirror, [name])
        log.info("using mirror file %s", src)
        verify_mirror_file(src, expected)
        deliver(src, dest)
        return
    cached = cache.lookup(expected, name)
    if cached is None:
        cached = try_sources(source_urls(url, [name], mirrors),
                             lambda u: download_verified(u, expected, name), name)
    deliver(cached, dest)
