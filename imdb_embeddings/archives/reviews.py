"""The aclImdb reviews, read straight from the archive, as rows (label, id,
rating, text) per split, and written as one Parquet file per split. The
archive is streamed once and never extracted, so no 100,000 small files end
up on disk or in DVC's cache."""

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from imdb_embeddings.archives.members import iter_tar_files
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path

SPLITS = ("train", "test", "unsup")
LABELS = {"neg": 0, "pos": 1, "unsup": -1}
# aclImdb/<split>/<pos|neg|unsup>/<id>_<rating>.txt; unsup reviews have rating 0.
REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
SCHEMA = pa.schema([("id", pa.int32()), ("rating", pa.int8()), ("label", pa.int8()), ("text", pa.string())])

Row = tuple[int, int, int, str]


def read_reviews(archive: str | Path) -> dict[str, list[Row]]:
    """{split: list of (label, id, rating, text)}, sorted by label then id so
    the output does not depend on the order of members in the archive."""
    splits: dict[str, list[Row]] = {name: [] for name in SPLITS}
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


def write_split(rows: list[Row], dest: str | Path) -> None:
    label, ids, rating, text = zip(*rows) if rows else ((), (), (), ())
    table = pa.table({"id": ids, "rating": rating, "label": label, "text": text}, schema=SCHEMA)
    with atomic_path(dest) as tmp:
        pq.write_table(table, tmp, compression="zstd")
