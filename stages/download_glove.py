"""Stage download_glove: only the GloVe member that `glove.dim` asks for,
always verified against that member's official checksum.

A mirror may hold the member itself, a zip of just that member, or the full
glove.6B.zip; from the network it is the full zip.
"""
import logging
import tempfile
from pathlib import Path

from stages import cli, params
from stages.archives import extract_zip_member
from stages.fetch import copy_verified, download, find_in_mirror, mirror_dir, verify_mirror_file
from stages.files import Checksum

log = logging.getLogger("download_glove")
OUT = "data/raw/glove.txt"


def member_name(dim):
    return f"glove.6B.{dim}d.txt"


def get_member(glove, dest, mirror):
    dim = glove["dim"]
    member = member_name(dim)
    expected = Checksum(glove["members"][dim], f"glove.members.{dim}")
    full_zip = glove["url"].rstrip("/").rsplit("/", 1)[-1]
    if mirror is None:
        with tempfile.TemporaryDirectory(dir=Path(dest).parent, prefix=".glove-") as tmp:
            archive = Path(tmp) / full_zip
            download(glove["url"], archive, Checksum(glove["sha256"], "glove.sha256"))
            extract_zip_member(archive, member, dest, expected)
        return
    src = find_in_mirror(mirror, [member, f"glove.6B.{dim}d.zip", full_zip])
    log.info("using mirror file %s for %s", src, member)
    if src.name == member:
        with open(src, "rb") as f:
            copy_verified(f, dest, expected, str(src))
        return
    zip_checksum = Checksum(glove["sha256"], "glove.sha256") if src.name == full_zip else None
    verify_mirror_file(src, zip_checksum, required=False)
    extract_zip_member(src, member, dest, expected)
    log.info("%s verified against its official checksum %s", member, expected)


def main():
    glove = params.load()["glove"]
    Path(OUT).parent.mkdir(parents=True, exist_ok=True)
    get_member(glove, OUT, mirror_dir())


if __name__ == "__main__":
    cli.run(main)
