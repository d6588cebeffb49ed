"""Stage prepare: the reviews straight from the aclImdb archive into one
Parquet file per split (train, test, unsup) with columns id, rating, label
and text (imdb_embeddings/archives/reviews.py), after checking that they are
the pinned dataset (`imdb.content_sha256`).

    python -m stages.prepare data/raw/aclImdb_v1.tar.gz data/prepared
"""

import argparse
import logging

from imdb_embeddings.archives.reviews import read_reviews, write_split
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import Checksum

log = logging.getLogger("prepare")
PARAMS = ("imdb.content_sha256",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", help="the aclImdb archive")
    parser.add_argument("out", help="the folder of <split>.parquet")
    args = parser.parse_args()
    expected = Checksum(params.load(keys=PARAMS)["imdb"]["content_sha256"], "imdb.content_sha256")
    splits, content = read_reviews(args.archive)
    if content != expected.digest:
        raise PipelineError(
            f"{args.archive}: its reviews are not the pinned dataset: imdb.content_sha256 is {expected}, "
            f"the archive's content digest is sha256:{content}; nothing was written"
        )
    log.info("%s: review content matches imdb.content_sha256", args.archive)
    for split, rows in splits.items():
        write_split(rows, f"{args.out}/{split}.parquet")
        log.info("%s/%s.parquet: %d reviews", args.out, split, len(rows))


if __name__ == "__main__":
    run_stage(main)
