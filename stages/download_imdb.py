"""Stage download_imdb: the aclImdb archive, verified, kept whole (the
reviews are read straight from it by `prepare`). From a mirror folder, an
archive that is not the official one is accepted only if its reviews match
the pinned content digest (imdb_embeddings/archives/reviews.py).

    python -m stages.download_imdb data/raw/aclImdb_v1.tar.gz
"""

import argparse
from pathlib import Path

from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.archives.reviews import check_content
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import Checksum

PARAMS = ("imdb",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the archive")
    out = parser.parse_args().out
    imdb = params.load(*PARAMS)
    content = Checksum(imdb.content_sha256, "imdb.content_sha256")

    def by_content(copy: Path) -> str:
        return check_content(copy, content)

    fetch(imdb.url, out, Checksum(imdb.sha256, "imdb.sha256"), imdb.mirrors, vouch=by_content)


if __name__ == "__main__":
    run_stage(main)
