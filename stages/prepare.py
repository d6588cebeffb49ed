"""Stage prepare: the reviews straight from the aclImdb archive into one
Parquet file per split (train, test, unsup) with columns id, rating, label
and text (imdb_embeddings/archives/reviews.py), after checking that they are
the pinned dataset (`imdb.content_sha256`)."""

import logging

from imdb_embeddings.archives.reviews import read_reviews, write_split
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import Checksum

log = logging.getLogger("prepare")
PARAMS = ("imdb.content_sha256",)
IN = "data/raw/aclImdb_v1.tar.gz"
OUT_DIR = "data/prepared"


def main() -> None:
    expected = Checksum(params.load(keys=PARAMS)["imdb"]["content_sha256"], "imdb.content_sha256")
    splits, content = read_reviews(IN)
    if content != expected.digest:
        raise PipelineError(
            f"{IN}: its reviews are not the pinned dataset: imdb.content_sha256 is {expected}, "
            f"the archive's content digest is sha256:{content}; nothing was written"
        )
    log.info("%s: review content matches imdb.content_sha256", IN)
    for split, rows in splits.items():
        write_split(rows, f"{OUT_DIR}/{split}.parquet")
        log.info("%s/%s.parquet: %d reviews", OUT_DIR, split, len(rows))


if __name__ == "__main__":
    run_stage(main)
