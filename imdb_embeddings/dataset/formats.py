"""Reading your reviews, one record per row, whatever holds them: a CSV or
TSV file with a header row, a Parquet file, a JSON Lines file (one object a
line), or a folder of `.txt` files with one folder per label (optionally
under `train/` and `test/`, as the extracted aclImdb is laid out).

A record says what was there, unjudged: its text (None when missing), its
label and split as text ("" when empty), and a fault when the row itself
could not be read (bytes that are not UTF-8, a line that is not JSON, fewer
fields than the header). own_reviews.py decides what to keep. A fault in the
file itself (no such column, not a Parquet file, a broken CSV quote) is one
line naming the file and where, never a traceback. Every reader streams:
memory holds one row (a Parquet batch) at a time."""

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from imdb_embeddings.core.errors import PipelineError

# One review's text at most (the longest aclImdb review is 14 KB): a bound that
# stops one broken quote in a CSV from reading the rest of the file as one field.
MAX_TEXT_BYTES = 1 << 20
PARQUET_BATCH = 65_536
SPLIT_FOLDERS = ("train", "test")


class Record(NamedTuple):
    where: str  # "row 17" (the 17th data row) or "pos/123.txt": for messages
    text: str | None  # None: missing
    label: str  # "" when empty
    split: str  # "" when empty or not given
    fault: str = ""  # "undecodable", "malformed": the row could not be read


class Columns(NamedTuple):
    text: str
    label: str
    split: str  # "": the file has no split column


def read_records(path: str | Path, fmt: str, columns: Columns) -> Iterator[Record]:
    """Every row of `path` in `fmt` (params.DATASET_FORMATS but aclimdb), in file order."""
    path = Path(path)
    if fmt == "folders":
        if not path.is_dir():
            raise PipelineError(f"{path}: dataset.format is folders, but this is not a folder")
        return read_folders(path)
    if not path.is_file():
        raise PipelineError(f"{path}: no such file (dataset.path, format {fmt})")
    readers = {"csv": read_delimited, "tsv": read_delimited, "parquet": read_parquet, "jsonl": read_jsonl}
    return readers[fmt](path, columns, fmt)


def label_text(value: Any) -> str:
    """A label as text, whatever type the file gave it: 1, 1.0 and "1" are
    "1"; true is "true"; None, NaN and blanks are "" (no label)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _valid_utf8(text: str) -> bool:
    """False for text read with surrogateescape from bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _column_index(header: list[str], columns: Columns, path: Path) -> list[int | None]:
    names = [name.strip() for name in header]
    index: list[int | None] = []
    for key, name in zip(("text_column", "label_column", "split_column"), columns):
        if not name:
            index.append(None)
        elif name in names:
            index.append(names.index(name))
        else:
            shown = ", ".join(repr(n[:40]) for n in names[:10])
            raise PipelineError(f"{path}: no column {name!r} (dataset.{key}); its header has {shown}")
    return index


def read_delimited(path: Path, columns: Columns, fmt: str) -> Iterator[Record]:
    """CSV (comma) or TSV (tab), quoted as Excel writes them, with a header."""
    csv.field_size_limit(MAX_TEXT_BYTES)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f, delimiter="\t" if fmt == "tsv" else ",")
        try:
            header = next(reader, None)
            if header is None:
                raise PipelineError(f"{path} is empty; expected a header row naming the columns")
            text_at, label_at, split_at = _column_index(header, columns, path)
            for n, fields in enumerate(reader, start=1):
                if not fields:
                    continue  # a blank line
                where = f"row {n}"
                if len(fields) <= max(i for i in (text_at, label_at, split_at) if i is not None):
                    yield Record(where, None, "", "", "malformed")
                    continue
                values = [fields[i] if i is not None else "" for i in (text_at, label_at, split_at)]
                if not all(map(_valid_utf8, values)):
                    yield Record(where, None, "", "", "undecodable")
                    continue
                yield Record(where, values[0] if values[0].strip() else None, values[1].strip(), values[2].strip())
        except csv.Error as exc:
            raise PipelineError(f"{path}: line {reader.line_num} is not valid {fmt.upper()} ({exc})") from None


def read_jsonl(path: Path, columns: Columns, fmt: str) -> Iterator[Record]:
    """One JSON object a line, with the text and label columns as keys."""
    with open(path, "rb") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"row {n}"
            try:
                obj = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield Record(where, None, "", "", "undecodable")
                continue
            except (json.JSONDecodeError, RecursionError):
                yield Record(where, None, "", "", "malformed")
                continue
            if not isinstance(obj, dict):
                yield Record(where, None, "", "", "malformed")
                continue
            text = obj.get(columns.text)
            text = text if isinstance(text, str) and text.strip() else None
            split = label_text(obj.get(columns.split)) if columns.split else ""
            yield Record(where, text, label_text(obj.get(columns.label)), split)


def read_parquet(path: Path, columns: Columns, fmt: str) -> Iterator[Record]:
    """A Parquet file's text, label (any type) and split columns, a batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise PipelineError(f"{path} is not a readable Parquet file ({' '.join(str(exc).split())[:120]})") from None
    _column_index(parquet.schema_arrow.names, columns, path)
    text_type = parquet.schema_arrow.field(columns.text).type
    if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or pa.types.is_binary(text_type)):
        raise PipelineError(f"{path}: column {columns.text!r} holds {text_type}; expected text")
    wanted = [name for name in columns if name]
    n = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=wanted):
            texts = batch.column(columns.text).to_pylist()
            labels = batch.column(columns.label).to_pylist()
            splits = batch.column(columns.split).to_pylist() if columns.split else [""] * len(texts)
            for text, label, split in zip(texts, labels, splits):
                n += 1
                if isinstance(text, bytes):
                    try:
                        text = text.decode("utf-8")
                    except UnicodeDecodeError:
                        yield Record(f"row {n}", None, "", "", "undecodable")
                        continue
                text = text if text and text.strip() else None
                yield Record(f"row {n}", text, label_text(label), label_text(split))
    except pa.ArrowException as exc:
        raise PipelineError(f"{path}: row {n + 1} cannot be read ({' '.join(str(exc).split())[:120]})") from None


def read_folders(root: Path) -> Iterator[Record]:
    """root/<label>/*.txt, or root/train/<label>/*.txt and root/test/<label>/*.txt:
    the folder names are the labels (and splits); a folder named `unsup` holds
    unlabelled texts, as in aclImdb. Files are read in name order; anything
    that is not a `.txt` file (links included) is left alone."""
    split_layout = all((root / name).is_dir() for name in SPLIT_FOLDERS)
    parents = [(root / name, name) for name in SPLIT_FOLDERS] if split_layout else [(root, "")]
    for parent, split in parents:
        for folder in sorted(p for p in parent.iterdir() if p.is_dir() and not p.is_symlink()):
            label = "" if folder.name == "unsup" else folder.name
            for file in sorted(folder.iterdir()):
                if file.suffix != ".txt" or file.is_symlink() or not file.is_file():
                    continue
                where = str(file.relative_to(root))
                if file.stat().st_size > MAX_TEXT_BYTES:
                    yield Record(where, None, "", "", "malformed")
                    continue
                try:
                    text = file.read_bytes().decode("utf-8")
                except UnicodeDecodeError:
                    yield Record(where, None, "", "", "undecodable")
                    continue
                yield Record(where, text if text.strip() else None, label, split)
