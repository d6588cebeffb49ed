"""Stage download_glove: only the GloVe member that `glove.dim` asks for,
verified against its official checksum (imdb_embeddings/acquire/glove_member.py)."""

from imdb_embeddings.acquire.glove_member import get_member
from imdb_embeddings.acquire.sources import mirror_dir
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage

PARAMS = ("glove",)
OUT = "data/raw/glove.txt"


def main() -> None:
    glove = params.section(params.load(keys=PARAMS), params.Glove)
    get_member(glove, OUT, mirror_dir())


if __name__ == "__main__":
    run_stage(main)
