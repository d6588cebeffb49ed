"""Stage download_glove: only the GloVe member that `glove.dim` asks for,
verified against its official checksum (imdb_embeddings/acquire/glove_member.py).

    python -m stages.download_glove data/raw/glove.txt
"""

import argparse

from imdb_embeddings.acquire.glove_member import get_member
from imdb_embeddings.acquire.sources import mirror_dir
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage

PARAMS = ("glove",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the GloVe text of glove.dim")
    out = parser.parse_args().out
    glove = params.load(*PARAMS)
    get_member(glove, out, mirror_dir())


if __name__ == "__main__":
    run_stage(main)
