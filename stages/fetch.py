"""Getting a source file, from the network or from a mirror folder, and
verifying it: the one place where downloads are checked.

`PIPELINE_MIRROR=<folder>` replaces the network entirely. A file from a
mirror is accepted when its sha256 equals the one in params.yaml or the one
the mirror's own `SHA256SUMS` lists for it (the mirror in ../shared holds a
repacked aclImdb archive, so only its SHA256SUMS vouches for it).
"""
import logging
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from stages.cli import PipelineError, Progress
from stages.files import CHUNK, Checksum, atomic_path, file_digest, mismatch

log = logging.getLogger("fetch")
MIRROR_ENV = "PIPELINE_MIRROR"
SUMS_FILE = "SHA256SUMS"
TIMEOUT_S = 60


def mirror_dir():
    """The mirror folder from the environment, or None for the network."""
    value = os.environ.get(MIRROR_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise PipelineError(f"{MIRROR_ENV}={value}: no such folder")
    return path


def find_in_mirror(mirror, names):
    """The first of `names` that the mirror holds; an error listing what it holds otherwise."""
    for name in names:
        if (mirror / name).is_file():
            return mirror / name
    held = sorted(p.name for p in mirror.iterdir() if p.is_file()) or ["nothing"]
    raise PipelineError(
        f"mirror {mirror} has no {' or '.join(names)}; it holds: {', '.join(held)}"
    )


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
    h = expected.hasher()
    with atomic_path(dest) as tmp, open(tmp, "wb") as out:
        while chunk := src.read(CHUNK):
            h.update(chunk)
            out.write(chunk)
        out.close()
        if h.hexdigest() != expected.digest:
            raise mismatch(what, expected, h.hexdigest())


def download(url, dest, expected=None):
    """Stream `url` into `dest` (atomically), checking `expected` if given."""
    log.info("downloading %s", url)
    request = urllib.request.Request(url, headers={"User-Agent": "imdb-embeddings"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            progress = Progress(log, Path(dest).name, total, unit="B")
            h = (expected or Checksum("0" * 64)).hasher()
            with atomic_path(dest) as tmp, open(tmp, "wb") as out:
                while chunk := response.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                    progress.advance(len(chunk))
                out.close()
                if total is not None and progress.done != total:
                    raise PipelineError(f"{url}: connection closed after {progress.done} of {total} bytes")
                if expected is not None and h.hexdigest() != expected.digest:
                    raise mismatch(url, expected, h.hexdigest())
            progress.finish()
    except urllib.error.HTTPError as exc:
        raise PipelineError(
            f"{url}: HTTP {exc.code} {exc.reason}; set {MIRROR_ENV} to a folder holding the file"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PipelineError(f"{url}: {reason}; set {MIRROR_ENV} to a folder holding the file") from exc


def fetch(url, dest, expected):
    """Put the file that `url` names at `dest`, verified against `expected`,
    from the mirror if one is set, else from the network."""
    mirror = mirror_dir()
    if mirror is None:
        download(url, dest, expected)
        return
    src = find_in_mirror(mirror, [url.rstrip("/").rsplit("/", 1)[-1]])
    log.info("using mirror file %s", src)
    verify_mirror_file(src, expected)
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
