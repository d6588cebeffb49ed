"""Your reviews as the pipeline's splits (train, test, unsup), the same rows
as aclImdb's (label 1 positive, 0 negative, -1 unlabelled; id; text), and
what was left out, by kind.

- Labels: exactly two values count, `dataset.positive` and
  `dataset.negative` (sentiment is binary here: more classes are not
  supported); a row with an empty label is an unlabelled text (word2vec and
  the pseudo-labelling read those); any other label is left out and counted.
- Splits: the file's `dataset.split_column` (train or test), or made here:
  a review goes to test when a keyed hash of its text falls under
  `dataset.test_fraction`, so the split depends on the seed and the text
  only (not the file's order), and two copies of a text land together.
- Left out, each kind counted with its first rows named: no text, bytes that
  are not UTF-8, a row that could not be read, an unknown label or split,
  and a copy in test (or among the unlabelled texts) of a training text, or
  in the unlabelled texts of a test text: no test review is ever seen
  before it is scored.
- The content digest: sha256 over the kept rows' lines "<split given or
  -> <label> <sha256 of the text>", sorted, so the same reviews give the
  same digest in any format and order; rows are written in that order too.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import NamedTuple

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.dataset.formats import Record

LABELS = {"positive": 1, "negative": 0}
RATING = -1  # own reviews carry no star rating
SHOWN = 3  # rows named per kind of fault
FAULTS = {
    "missing_text": "rows without text",
    "undecodable": "rows that are not UTF-8 text",
    "malformed": "rows that could not be read (not JSON, too few fields, over 1 MiB)",
    "unknown_label": "rows with a label that is neither dataset.positive nor dataset.negative",
    "unknown_split": "rows whose split is neither train nor test",
    "duplicate": "copies of a text already in another split (train before test before unlabelled)",
}


class Rules(NamedTuple):
    positive: str
    negative: str
    split_given: bool  # dataset.split_column names a column
    test_fraction: float
    seed: int


class Kept(NamedTuple):
    label: int
    id: int
    text: str
    digest: bytes  # sha256 of the text
    line: str  # its line of the content digest


class OwnReviews(NamedTuple):
    splits: dict[str, list[tuple[int, int, int, str]]]  # (label, id, rating, text), as archives/reviews.py
    content: str  # the content digest (hex)
    left_out: dict[str, int]  # fault: count (FAULTS' keys)
    examples: dict[str, list[str]]  # fault: the first SHOWN rows


def in_test(digest: bytes, seed: int, fraction: float) -> bool:
    """The made split: a hash of the text keyed by the seed, under `fraction`."""
    key = seed.to_bytes(8, "little")
    value = int.from_bytes(hashlib.blake2b(digest, key=key, digest_size=8).digest(), "little")
    return value < fraction * 2**64


def sort_records(records: Iterable[Record], rules: Rules) -> OwnReviews:
    """Judge every record: kept rows by split, what was left out by kind."""
    kept: dict[str, list[Kept]] = {"train": [], "test": [], "unsup": []}
    left_out: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)

    def leave_out(fault: str, where: str) -> None:
        left_out[fault] += 1
        if len(examples[fault]) < SHOWN:
            examples[fault].append(where)

    labels = {rules.positive: 1, rules.negative: 0}
    for n, record in enumerate(records, start=1):
        if record.fault:
            leave_out(record.fault, record.where)
            continue
        if record.text is None:
            leave_out("missing_text", record.where)
            continue
        if record.label and record.label not in labels:
            leave_out("unknown_label", f"{record.where} ({record.label[:20]!r})")
            continue
        if rules.split_given and record.split not in ("train", "test"):
            leave_out("unknown_split", f"{record.where} ({record.split[:20]!r})")
            continue
        digest = hashlib.sha256(record.text.encode("utf-8")).digest()
        split = "unsup" if not record.label else record.split if rules.split_given else None
        if split is None:
            split = "test" if in_test(digest, rules.seed, rules.test_fraction) else "train"
        line = f"{record.split if rules.split_given else '-'} {record.label or '-'} {digest.hex()}\n"
        kept[split].append(Kept(labels.get(record.label, -1), n, record.text, digest, line))
    _drop_copies(kept, leave_out)
    lines = sorted(row.line for rows in kept.values() for row in rows)
    content = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    splits = {
        split: [(row.label, row.id, RATING, row.text) for row in sorted(rows, key=lambda r: (r.label, r.digest))]
        for split, rows in kept.items()
    }
    return OwnReviews(splits, content, dict(left_out), dict(examples))


def _drop_copies(kept: dict[str, list[Kept]], leave_out: Callable[[str, str], None]) -> None:
    """A text in train is dropped from test and unsup; one in test from unsup."""
    seen: set[bytes] = set()
    for split in ("train", "test", "unsup"):
        rows = kept[split]
        if split != "train":
            for row in rows:
                if row.digest in seen:
                    leave_out("duplicate", f"{split} row {row.id}")
            kept[split] = rows = [row for row in rows if row.digest not in seen]
        seen.update(row.digest for row in rows)


def check_splits(reviews: OwnReviews, source: str, rules: Rules) -> None:
    """Both labels in train and in test, or one line saying what is missing."""
    for split in ("train", "test"):
        present = {row[0] for row in reviews.splits[split]}
        for name, label in LABELS.items():
            if label not in present:
                value = rules.positive if label else rules.negative
                how = "its split column" if rules.split_given else "dataset.test_fraction"
                raise PipelineError(
                    f"{source}: the {split} split has no {name} review (label {value!r}; split by {how}); "
                    f"kept: {_counts(reviews)}; nothing was written"
                )


def _counts(reviews: OwnReviews) -> str:
    return ", ".join(f"{split} {len(rows)}" for split, rows in reviews.splits.items())


def report_lines(reviews: OwnReviews, source: str) -> list[str]:
    """One line per kind of row left out: how many, and the first rows."""
    return [
        f"{source}: left out {count} {FAULTS[fault]} ({', '.join(reviews.examples[fault])}"
        f"{', ...' if count > SHOWN else ''})"
        for fault, count in sorted(reviews.left_out.items())
    ]


def summary(reviews: OwnReviews, fmt: str) -> dict:
    """What data/prepared/dataset.json records of the run."""
    splits = {
        split: {"reviews": len(rows), **{name: sum(r[0] == label for r in rows) for name, label in LABELS.items()}}
        for split, rows in reviews.splits.items()
    }
    return {
        "format": fmt,
        "content_sha256": f"sha256:{reviews.content}",
        "splits": splits,
        "left_out": {fault: reviews.left_out.get(fault, 0) for fault in FAULTS},
    }
