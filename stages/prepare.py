"""Stage prepare: the reviews straight from the aclImdb archive into one
Parquet file per split (train, test, unsup) with columns id, rating, label
and text (imdb_embeddings/archives/reviews.py)."""

import logging

from imdb_embeddings.archives.reviews import read_reviews, write_split
from imdb_embeddings.core.errors import run_stage

log = logging.getLogger("prepare")
IN = "data/raw/aclImdb_v1.tar.gz"
OUT_DIR = "data/prepared"


def main() -> None:
    splits = read_reviews(IN)
    for split, rows in splits.items():
        write_split(rows, f"{OUT_DIR}/{split}.parquet")
        log.info("%s/%s.parquet: %d reviews", OUT_DIR, split, len(rows))


if __name__ == "__main__":
    run_stage(main)
