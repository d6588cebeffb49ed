"""Stage download_imdb: the aclImdb archive, verified, kept whole (the
reviews are read straight from it by `prepare`)."""

from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import Checksum

PARAMS = ("imdb",)
OUT = "data/raw/aclImdb_v1.tar.gz"


def main() -> None:
    imdb = params.load(keys=PARAMS)["imdb"]
    fetch(imdb["url"], OUT, Checksum(imdb["sha256"], "imdb.sha256"), imdb["mirrors"])


if __name__ == "__main__":
    run_stage(main)
