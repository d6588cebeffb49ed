"""The aclImdb reviews, read straight from the archive, as rows (label, id,
rating, text) per split, and written as one Parquet file per split. The
archive is streamed once and never extracted, so no 100,000 small files end
up on disk or in DVC's cache.

The dataset's *content digest* identifies the reviews whatever archive
carries them: sha256 over every review member, sorted by name, of the line
"<name> <sha256 of its bytes>\n". The official archive and any faithful
repack share it; params.yaml pins it (`imdb.content_sha256`).
"""

import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from imdb_embeddings.archives.members import iter_tar_files
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum, atomic_path

SPLITS = ("train", "test", "unsup")
LABELS = {"neg": 0, "pos": 1, "unsup": -1}
# Every member of a review folder must be aclImdb/<split>/<pos|neg|unsup>/<id>_<rating>.txt,
# in ASCII digits (Python's \d takes any script's digits), with an id below 10**7.
REVIEW_FOLDER = re.compile(r"^(?:\./)?aclImdb/(?:train|test)/(?:pos|neg|unsup)/[^/]*$")
REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg|unsup)/([0-9]{1,7})_([0-9]{1,2})\.txt$")
# The dataset's own rules (its README): negative reviews are rated 1-4,
# positive 7-10, unlabelled ones 0.
RATINGS = {"neg": range(1, 5), "pos": range(7, 11), "unsup": range(0, 1)}
# Bounds far above the real data (the longest review is 14.3 KB, all 100,000
# come to 132 MB) that stop a hostile archive from filling memory.
MAX_REVIEW_BYTES = 1 << 20
MAX_TOTAL_BYTES = 1 << 30
SCHEMA = pa.schema([("id", pa.int32()), ("rating", pa.int8()), ("label", pa.int8()), ("text", pa.string())])

Row = tuple[int, int, int, str]


def review_members(archive: str | Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every review member, bounded (see iter_tar_files)."""
    for name, data in iter_tar_files(
        archive,
        lambda name: REVIEW_FOLDER.match(name) is not None,
        max_member_bytes=MAX_REVIEW_BYTES,
        max_total_bytes=MAX_TOTAL_BYTES,
    ):
        if not REVIEW.match(name):
            raise PipelineError(
                f"{archive}: member {name!r} is in a review folder but is not named "
                "<id>_<rating>.txt (ASCII digits, an id below 10,000,000, a rating of 0-10)"
            )
        yield name, data


def content_digest(members: Iterable[tuple[str, bytes]]) -> str:
    """The content digest (module docstring) of (name, bytes) review members."""
    return _digest_of_lines([_digest_line(name, data) for name, data in members])


def _digest_line(name: str, data: bytes) -> str:
    return f"{name.removeprefix('./')} {hashlib.sha256(data).hexdigest()}\n"


def _digest_of_lines(lines: list[str]) -> str:
    return hashlib.sha256("".join(sorted(lines)).encode("utf-8")).hexdigest()


def check_content(archive: str | Path, expected: Checksum) -> str:
    """Accept `archive` by its review content: a reason to log, or an error."""
    actual = content_digest(review_members(archive))
    if actual != expected.digest:
        raise PipelineError(
            f"{archive}: its reviews are not the pinned dataset: imdb.content_sha256 is "
            f"{expected}, the archive's content digest is sha256:{actual}; refusing it"
        )
    return f"its review content matches imdb.content_sha256 ({str(expected)[:19]}...)"


class Reviews(NamedTuple):
    splits: dict[str, list[Row]]  # train, test, unsup
    content: str  # the content digest (hex) of every review's name and bytes


def read_reviews(archive: str | Path) -> Reviews:
    """({split: list of (label, id, rating, text)}, the content digest).
    Rows are sorted by label then id, so the output does not depend on the
    order of members in the archive."""
    splits: dict[str, list[Row]] = {name: [] for name in SPLITS}
    seen: dict[tuple[str, str, int], str] = {}
    lines: list[str] = []
    for name, data in review_members(archive):
        lines.append(_digest_line(name, data))
        split, polarity, review_id, rating = REVIEW.match(name).groups()
        if int(rating) not in RATINGS[polarity]:
            raise PipelineError(
                f"{archive}: member {name}: rating {rating} is out of range for {polarity} "
                f"reviews (expected {RATINGS[polarity].start}-{RATINGS[polarity].stop - 1})"
            )
        if polarity == "unsup":
            if split != "train":
                continue
            split = "unsup"
        key = (split, polarity, int(review_id))
        if key in seen:
            raise PipelineError(
                f"{archive}: members {seen[key]} and {name} are the same review "
                f"({split}/{polarity} id {int(review_id)})"
            )
        seen[key] = name
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
    return Reviews(splits, _digest_of_lines(lines))


def without_test_copies(splits: dict[str, list[Row]]) -> tuple[dict[str, list[Row]], int, int]:
    """(the splits with every unlabelled review that is word for word a test
    review left out, how many were, how many training reviews are too). The
    training ones stay: every published figure on aclImdb trains on all
    25,000; the stages that learn without labels leave them out themselves."""
    test = {row[3] for row in splits["test"]}
    unsup = [row for row in splits["unsup"] if row[3] not in test]
    train_copies = sum(row[3] in test for row in splits["train"])
    return {**splits, "unsup": unsup}, len(splits["unsup"]) - len(unsup), train_copies


def write_split(rows: list[Row], dest: str | Path) -> None:
    with atomic_path(dest) as tmp:
        pq.write_table(_table(rows), tmp, compression="zstd")


WRITE_BATCH = 50_000  # rows held before they go to the file


def write_splits(rows: Iterable[tuple[str, Row]], out: str | Path) -> None:
    """(split, row) pairs streamed into `<out>/<split>.parquet` for each of
    SPLITS, WRITE_BATCH rows at a time; each file appears only when all are written."""
    with contextlib.ExitStack() as stack:
        writers, batches = {}, {split: [] for split in SPLITS}
        for split in SPLITS:
            tmp = stack.enter_context(atomic_path(Path(out) / f"{split}.parquet"))
            writers[split] = stack.enter_context(pq.ParquetWriter(tmp, SCHEMA, compression="zstd"))
        for split, row in rows:
            batch = batches[split]
            batch.append(row)
            if len(batch) >= WRITE_BATCH:
                writers[split].write_table(_table(batch))
                batch.clear()
        for split, batch in batches.items():
            writers[split].write_table(_table(batch))


def _table(rows: list[Row]) -> pa.Table:
    label, ids, rating, text = zip(*rows) if rows else ((), (), (), ())
    return pa.table({"id": ids, "rating": rating, "label": label, "text": text}, schema=SCHEMA)
