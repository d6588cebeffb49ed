"""Stage prepare: the reviews of `dataset.path` into one Parquet file per
split (train, test, unsup): the aclImdb archive read straight from it and
checked against imdb.content_sha256, or your own file or folder, its bad
rows left out and counted (imdb_embeddings/dataset/).

    python -m stages.prepare data/prepared      # the source: dataset.path, from params.yaml
"""

import argparse
import logging
from collections.abc import Iterator
from pathlib import Path

from imdb_embeddings.archives.reviews import read_reviews, without_test_copies, write_split, write_splits
from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import Checksum, write_json
from imdb_embeddings.core.progress import Progress
from imdb_embeddings.dataset.formats import Columns, Record, has_split_folders, read_records
from imdb_embeddings.dataset.own_reviews import Rules, check_splits, kept_rows, report_lines, summary, survey

log = logging.getLogger("prepare")
PARAMS = ("imdb.content_sha256", "dataset")
# DVC clears a stage's outputs before it runs the stage: after a failure there, say so and how to undo it.
EMPTIED = "{} is empty now (DVC cleared it before prepare ran); `dvc checkout prepare` brings back the last good one"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the folder of <split>.parquet")
    args = parser.parse_args()
    content_sha256, dataset = params.load(*PARAMS)
    # dataset.path comes from params, never the command line: no value of it
    # becomes part of a shell command.
    source = dataset.path
    try:
        if dataset.format != "aclimdb":
            prepare_own(source, dataset, args.out)
            return
        splits = read_aclimdb(source, Checksum(content_sha256, "imdb.content_sha256"))
    except PipelineError as exc:
        emptied = not Path(args.out).is_dir() or not any(Path(args.out).iterdir())
        raise PipelineError(str(exc), note=EMPTIED.format(args.out) if emptied else "") from None
    splits, dropped, kept = without_test_copies(splits)
    log.info("%s: left out %d unlabelled reviews that are word for word test reviews", source, dropped)
    log.info(
        "%s: %d training reviews are word for word test reviews: kept in the labelled split, as every published "
        "figure keeps them; no stage that learns without labels reads them",
        source,
        kept,
    )
    for split, rows in splits.items():
        write_split(rows, f"{args.out}/{split}.parquet")
        log.info("%s/%s.parquet: %d reviews", args.out, split, len(rows))


def read_aclimdb(archive: str, expected: Checksum) -> dict:
    splits, content = read_reviews(archive)
    if content != expected.digest:
        raise PipelineError(
            f"{archive}: its reviews are not the pinned dataset: imdb.content_sha256 is {expected}, "
            f"the archive's content digest is sha256:{content}"
        )
    log.info("%s: review content matches imdb.content_sha256", archive)
    return splits


def prepare_own(source: str, dataset: params.Dataset, out: str) -> None:
    """Your data: a first pass judges and counts every row, a second writes
    the kept ones (imdb_embeddings/dataset/own_reviews.py)."""
    columns = Columns(dataset.text_column, dataset.label_column, dataset.split_column)
    # A folder layout with train/ and test/ gives its split, as a split column does.
    given = bool(dataset.split_column) or (dataset.format == "folders" and has_split_folders(source))
    rules = Rules(dataset.positive, dataset.negative, given, dataset.test_fraction, dataset.seed)
    surveyed = survey(counted(read_records(source, dataset.format, columns), source, "1 of 2, judging"), rules)
    for line in report_lines(surveyed, source):
        log.warning("%s", line)
    check_splits(surveyed, source, rules)
    if dataset.content_sha256:
        expected = Checksum(dataset.content_sha256, "dataset.content_sha256")
        if surveyed.content != expected.digest:
            raise PipelineError(
                f"{source}: its rows are not the pinned data: dataset.content_sha256 is {expected}, "
                f"the rows kept give sha256:{surveyed.content}"
            )
        log.info("%s: content matches dataset.content_sha256", source)
    else:
        log.info("%s: content sha256:%s (set dataset.content_sha256 to it to pin the data)", source, surveyed.content)
    records = counted(read_records(source, dataset.format, columns), source, "2 of 2, writing the kept")
    write_splits(kept_rows(records, rules, surveyed, source), out)
    write_json(f"{out}/dataset.json", summary(surveyed, dataset.format))
    for split, counts in surveyed.counts.items():
        log.info("%s/%s.parquet: %d reviews", out, split, counts["reviews"])


def counted(records: Iterator[Record], source: str, what: str) -> Iterator[Record]:
    """The records, with a log line every few seconds on a big file."""
    progress = Progress(log, f"{source}: pass {what} rows", unit=" rows")
    for record in records:
        progress.advance()
        yield record
    progress.finish()


if __name__ == "__main__":
    run_stage(main)
