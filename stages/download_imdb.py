"""Stage download_imdb: the aclImdb archive, verified, kept whole (the
reviews are read straight from it by `prepare`)."""
from stages import cli, params
from stages.fetch import fetch
from stages.files import Checksum

OUT = "data/raw/aclImdb_v1.tar.gz"


def main():
    p = params.load()["imdb"]
    fetch(p["url"], OUT, Checksum(p["sha256"], "imdb.sha256"), p["mirrors"])


if __name__ == "__main__":
    cli.run(main)
