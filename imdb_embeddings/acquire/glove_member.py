"""Only the GloVe member that `glove.dim` asks for, always verified against
that member's official checksum.

A mirror may hold the member itself, a zip of just that member, or the full
glove.6B.zip. From a server that honours Range only the member's bytes are
fetched (see remote_zip.py); from one that does not, the whole zip is
streamed into the download cache and only the member is extracted.
"""

import logging
import re
import shutil
from pathlib import Path

from imdb_embeddings.acquire import cache
from imdb_embeddings.acquire.remote_zip import fetch_member
from imdb_embeddings.acquire.sources import download_verified, find_in_mirror, name_of, source_urls, try_sources
from imdb_embeddings.acquire.transfer import check_settings, fetch_range, probe, read_parts
from imdb_embeddings.acquire.verify import copy_verified, deliver, extract_zip_member, is_intact
from imdb_embeddings.core.files import Checksum, atomic_path
from imdb_embeddings.core.params import Glove

log = logging.getLogger("glove_member")
OTHER_DIM = re.compile(r"^glove\.6B\.(\d+)d\.(?:txt|zip)$")


def member_name(dim: int) -> str:
    return f"glove.6B.{dim}d.txt"


def other_dims_hint(mirror: Path) -> str:
    """When the mirror holds other dims than the one asked for: which, and
    the command that uses one."""
    dims = sorted({int(m.group(1)) for p in mirror.iterdir() if (m := OTHER_DIM.match(p.name))})
    if not dims:
        return ""
    return (
        f". It has glove.6B dim {', '.join(map(str, dims))}: run `dvc exp run -S glove.dim={dims[0]}` "
        f"(or set glove.dim: {dims[0]} in params.yaml)"
    )


def from_mirror_folder(glove: Glove, dest: str | Path, mirror: Path, member: str, expected: Checksum) -> None:
    full_zip = name_of(glove.url)
    src = find_in_mirror(mirror, [member, f"glove.6B.{glove.dim}d.zip", full_zip], other_dims_hint(mirror))
    log.info("using mirror file %s for %s", src, member)
    if src.name == member:
        with open(src, "rb") as f:
            copy_verified(f, dest, expected, str(src))
        return
    # Whatever zip it is, the member itself is verified as it is extracted.
    extract_zip_member(src, member, dest, expected)
    log.info("%s verified against its official checksum %s", member, expected)


def member_from_zip_url(url: str, member: str, expected: Checksum, full_zip_checksum: Checksum | None) -> Path:
    """The member, into the cache, from a zip at `url`: by Range if the
    server allows it, else by streaming the whole zip."""
    entry = cache.entry(expected, member)
    size, ranged = probe(url)
    if ranged:
        fetch_member(url, size, member, entry, expected)
        return entry
    log.info("%s ignores Range: streaming the whole zip, extracting only %s", url, member)
    folder, parts = fetch_range(url, 0, size, ranged=False, label=name_of(url))
    try:
        with atomic_path(folder / "whole.zip") as tmp:
            with open(tmp, "wb") as out:
                for chunk in read_parts(parts):
                    out.write(chunk)
            if full_zip_checksum and is_intact(tmp, full_zip_checksum):
                # The official zip, whole: keep it, every other dim comes from it for free.
                with atomic_path(cache.entry(full_zip_checksum, name_of(url))) as zip_tmp:
                    shutil.copyfile(tmp, zip_tmp)
            extract_zip_member(tmp, member, entry, expected)
    finally:
        cache.discard(folder)
    return entry


def get_member(glove: Glove, dest: str | Path, mirror: Path | None) -> None:
    """Write the member `glove.dim` asks for to `dest`, verified, from the
    mirror folder if one is set, else from the cache or the network."""
    check_settings()
    dim = glove.dim
    member = member_name(dim)
    expected = Checksum(glove.members[dim], f"glove.members.{dim}")
    if mirror is not None:
        from_mirror_folder(glove, dest, mirror, member, expected)
        return
    full_zip_checksum = Checksum(glove.sha256, "glove.sha256")
    full_zip = name_of(glove.url)
    with cache.locked(cache.entry(expected, member)):
        cached = cache.lookup(expected, member)
        if cached is None and (whole := cache.lookup(full_zip_checksum, full_zip)) is not None:
            extract_zip_member(whole, member, cache.entry(expected, member), expected)
            cached = cache.entry(expected, member)
        if cached is None:

            def attempt(url: str) -> Path:
                if url.endswith(".txt"):
                    return download_verified(url, expected, member)
                return member_from_zip_url(
                    url, member, expected, full_zip_checksum if name_of(url) == full_zip else None
                )

            names = [member, f"glove.6B.{dim}d.zip", full_zip]
            cached = try_sources(source_urls(glove.url, names, glove.mirrors), attempt, member)
    deliver(cached, dest)
    log.info("%s verified against its official checksum %s", member, expected)
