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
  same digest in any format and order.

Two passes over the rows, so memory does not grow with the text: the first
(`survey`) judges every row and keeps 32 bytes of each (its text's digest),
enough for the copies, the counts and the content digest; the second
(`kept_rows`) reads the rows again and yields the kept ones, in the file's
order, each with its row number as id, for the writer to stream out. Both
passes digest the kept rows in file order (`order`): a row edited, added
or removed between them is named, and nothing is written.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from imdb_embeddings.archives.reviews import SPLITS
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.dataset.formats import Record

LABELS = {"positive": 1, "negative": 0}
# The split an unlabelled row may give: it joins unsup whichever it is.
UNLABELLED_SPLITS = ("train", "test", "unsup", "")
RATING = -1  # own reviews carry no star rating
SHOWN = 3  # rows named per kind of fault
FAULTS = {
    "missing_text": "rows without text",
    "undecodable": "rows that are not UTF-8 text",
    "short_row": "rows with fewer fields than the header",
    "not_json": "lines that are not a JSON object",
    "too_long": "rows whose text is over 1 MiB",
    "link": "links, to a file or a folder (only the project's own files are read)",
    "not_a_file": ".txt names that are not regular files",
    "extra_fields": "rows with more fields than the header (an unquoted comma or tab cut the text)",
    "stray_folder": "folders beside train/ and test/, not read (a label folder goes inside each)",
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


class Judged(NamedTuple):
    id: int  # the row's number in the file (for folders: its place in name order)
    split: str  # train, test or unsup
    label: int  # 1, 0, or -1 (unlabelled)
    digest: bytes  # sha256 of the text
    text: str


class Survey(NamedTuple):
    keep: bytearray  # per judged row, in order: 1 kept, 0 a copy left out
    content: str  # the content digest (hex)
    order: str  # sha256 of the kept rows' split, label and text digest, in file order (hex)
    counts: dict[str, dict[str, int]]  # split: {"reviews", "positive", "negative"}
    left_out: dict[str, int]  # fault: count (FAULTS' keys)
    examples: dict[str, list[str]]  # fault: the first SHOWN rows


def in_test(digest: bytes, seed: int, fraction: float) -> bool:
    """The made split: a hash of the text keyed by the seed, under `fraction`."""
    key = seed.to_bytes(8, "little")
    value = int.from_bytes(hashlib.blake2b(digest, key=key, digest_size=8).digest(), "little")
    return value < fraction * 2**64


def judge(records: Iterable[Record], rules: Rules, leave_out: Callable[[str, str], None]) -> Iterator[Judged]:
    """Every record that is a review of a known label and split; the others to `leave_out`."""
    labels = {rules.positive: 1, rules.negative: 0}
    for n, record in enumerate(records, start=1):
        if record.fault:
            leave_out(record.fault, record.where)
        elif record.text is None:
            leave_out("missing_text", record.where)
        elif record.label and record.label not in labels:
            leave_out("unknown_label", f"{record.where} ({record.label[:20]!r})")
        elif rules.split_given and record.split not in (("train", "test") if record.label else UNLABELLED_SPLITS):
            leave_out("unknown_split", f"{record.where} ({record.split[:20]!r})")
        else:
            digest = hashlib.sha256(record.text.encode("utf-8")).digest()
            if not record.label:
                split = "unsup"
            elif rules.split_given:
                split = record.split
            else:
                split = "test" if in_test(digest, rules.seed, rules.test_fraction) else "train"
            yield Judged(n, split, labels.get(record.label, -1), digest, record.text)


def survey(records: Iterable[Record], rules: Rules) -> Survey:
    """The first pass: what is kept, counted and digested; no text is held."""
    left_out: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)

    def leave_out(fault: str, where: str) -> None:
        left_out[fault] += 1
        if len(examples[fault]) < SHOWN:
            examples[fault].append(where)

    rows = [(row.split, row.label, row.digest, row.id) for row in judge(records, rules, leave_out)]
    # Copies: a text in train leaves test and unsup; one in test leaves unsup.
    seen: dict[str, set[bytes]] = {split: set() for split in SPLITS}
    for split, _, digest, _ in rows:
        seen[split].add(digest)
    earlier = {"train": set(), "test": seen["train"], "unsup": seen["train"] | seen["test"]}
    keep = bytearray(len(rows))
    lines, counts, order = [], {split: Counter() for split in SPLITS}, hashlib.sha256()
    names = {1: rules.positive, 0: rules.negative, -1: "-"}  # as the digest's lines write labels
    for i, (split, label, digest, n) in enumerate(rows):
        if digest in earlier[split]:
            leave_out("duplicate", f"{split} row {n}")
            continue
        keep[i] = 1
        order.update(_order_entry(split, label, digest))
        counts[split][label] += 1
        given = split if rules.split_given and split != "unsup" else "-"
        lines.append(f"{given} {names[label]} {digest.hex()}\n")
    lines.sort()
    content = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    tallies = {
        split: {"reviews": sum(c.values()), **{name: c[label] for name, label in LABELS.items()}}
        for split, c in counts.items()
    }
    return Survey(keep, content, order.hexdigest(), tallies, dict(left_out), dict(examples))


def _order_entry(split: str, label: int, digest: bytes) -> bytes:
    """A kept row as both passes digest it: its split, label and text's digest."""
    return f"{split} {label} ".encode() + digest


def kept_rows(
    records: Iterable[Record], rules: Rules, surveyed: Survey, source: str = "the data"
) -> Iterator[tuple[str, tuple]]:
    """The second pass over the same records: (split, (label, id, rating, text)) of each kept review.
    A file that gained, lost or changed rows since the first pass is named
    (after the last row, so the writer renames nothing into place)."""
    judged = judge(records, rules, lambda fault, where: None)
    flags, order = iter(surveyed.keep), hashlib.sha256()
    for row in judged:
        keep = next(flags, None)
        if keep is None:
            raise PipelineError(
                f"{source} changed while prepare read it (rows added after the first pass); run it again"
            )
        if keep:
            order.update(_order_entry(row.split, row.label, row.digest))
            yield row.split, (row.label, row.id, RATING, row.text)
    if next(flags, None) is not None:
        raise PipelineError(f"{source} changed while prepare read it (rows gone after the first pass); run it again")
    if order.hexdigest() != surveyed.order:
        raise PipelineError(
            f"{source} changed while prepare read it (a row's text, label or split differs from the first pass); "
            "run it again"
        )


def check_splits(surveyed: Survey, source: str, rules: Rules) -> None:
    """Both labels in train and in test, or one line saying what is missing."""
    for split in ("train", "test"):
        for name in LABELS:
            if not surveyed.counts[split][name]:
                value = rules.positive if name == "positive" else rules.negative
                how = "its split column" if rules.split_given else "dataset.test_fraction"
                kept = ", ".join(f"{s} {c['reviews']}" for s, c in surveyed.counts.items())
                raise PipelineError(
                    f"{source}: the {split} split has no {name} review (label {value!r}; split by {how}); kept: {kept}"
                )


def report_lines(surveyed: Survey, source: str) -> list[str]:
    """One line per kind of row left out: how many, and the first rows."""
    return [
        f"{source}: left out {count} {FAULTS[fault]} ({', '.join(surveyed.examples[fault])}"
        f"{', ...' if count > SHOWN else ''})"
        for fault, count in sorted(surveyed.left_out.items())
    ]


def summary(surveyed: Survey, fmt: str) -> dict:
    """What data/prepared/dataset.json records of the run."""
    return {
        "format": fmt,
        "content_sha256": f"sha256:{surveyed.content}",
        "splits": surveyed.counts,
        "left_out": {fault: surveyed.left_out.get(fault, 0) for fault in FAULTS},
    }
