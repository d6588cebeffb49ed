"""Stage prepare: the reviews straight from the aclImdb archive into one
Parquet file per split (train, test, unsup) with columns id, rating, label
and text. The archive is streamed once and never extracted, so no 100,000
small files end up on disk or in DVC's cache."""
import logging
import re

import pyarrow as pa
import pyarrow.parquet as pq

from stages import cli
from stages.archives import iter_tar_files
from stages.cli import PipelineError
from stages.files import atomic_path

log = logging.getLogger("prepare")
IN = "data/raw/aclImdb_v1.tar.gz"
OUT_DIR = "data/prepared"
SPLITS = ("train", "test", "unsup")
LABELS = {"neg": 0, "pos": 1, "unsup": -1}
# aclImdb/<split>/<pos|neg|unsup>/<id>_<rating>.txt; unsup reviews have rating 0.
REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
SCHEMA = pa.schema([("id", pa.int32()), ("rating", pa.int8()), ("label", pa.int8()), ("text", pa.string())])


def read_reviews(archive):
    """{split: list of (label, id, rating, text)}, sorted by label then id so
    the output does not depend on the order of members in the archive."""
    splits = {name: [] for name in SPLITS}
    for name, data in iter_tar_files(archive):
        match = REVIEW.match(name)
        if not match:
            continue
        split, polarity, review_id, rating = match.groups()
        if polarity == "unsup":
            if split != "train":
                continue
            split = "unsup"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PipelineError(f"{archive}: member {name} is not UTF-8 text ({exc})") from exc
        splits[split].append((LABELS[polarity], int(review_id), int(rating), text))
    for split in ("train", "test"):
        if not splits[split]:
            raise PipelineError(f"{archive}: no reviews under aclImdb/{split}/pos or neg; is it the aclImdb archive?")
    for rows in splits.values():
        rows.sort(key=lambda row: row[:2])
    return splits


def write_split(rows, dest):
    label, ids, rating, text = zip(*rows) if rows else ((), (), (), ())
    table = pa.table({"id": ids, "rating": rating, "label": label, "text": text}, schema=SCHEMA)
    with atomic_path(dest) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def main():
    splits = read_reviews(IN)
    for split, rows in splits.items():
        write_split(rows, f"{OUT_DIR}/{split}.parquet")
        log.info("%s/%s.parquet: %d reviews", OUT_DIR, split, len(rows))


if __name__ == "__main__":
    cli.run(main)
