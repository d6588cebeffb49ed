"""Reading your reviews, one record per row, whatever holds them: a CSV or
TSV file with a header row, a Parquet file, a JSON Lines file (one object a
line), or a folder of `.txt` files with one folder per label (optionally
under `train/` and `test/`, as the extracted aclImdb is laid out).

A record says what was there, unjudged: its text (None when missing), its
label and split as text ("" when empty), and a fault when the row itself
could not be read (bytes that are not UTF-8, a line that is not JSON, fewer
fields than the header, a text over 1 MiB, a link). own_reviews.py decides
what to keep. A fault in the file itself (no such column, not a Parquet
file, a broken CSV quote, a path that leads out of the project) is one line
naming the file and where, never a traceback. Every reader streams: memory
holds one row (a Parquet batch) at a time."""

import csv
import json
import math
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import other_encoding

# One review's text at most (the longest aclImdb review is 14 KB): a bound that
# stops one broken quote in a CSV from reading the rest of the file as one field.
MAX_TEXT_BYTES = 1 << 20
# A CSV field beyond this stops the file: only an unclosed quote makes one.
MAX_FIELD_BYTES = 64 << 20
PARQUET_BATCH = 65_536
SPLIT_FOLDERS = ("train", "test")


class Record(NamedTuple):
    where: str  # "row 17" (the 17th data row) or "pos/123.txt": for messages
    text: str | None  # None: missing
    label: str  # "" when empty
    split: str  # "" when empty or not given
    fault: str = ""  # why the row could not be read: own_reviews.FAULTS' keys


class Columns(NamedTuple):
    text: str
    label: str
    split: str  # "": the file has no split column


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, its links followed, stays within `root`."""
    real = path.resolve()
    return real == root or root in real.parents


def check_source(path: Path, fmt: str, root: Path | None = None) -> None:
    """dataset.path as it is on disk: inside the project (the current folder),
    links followed, and a regular file (a folder for `folders`); a named pipe
    or a device would hang or stream forever."""
    root = (root or Path.cwd()).resolve()
    if not path.exists() and not path.is_symlink():
        raise PipelineError(f"{path}: no such {'folder' if fmt == 'folders' else 'file'} (dataset.path, format {fmt})")
    if not inside(path, root):
        raise PipelineError(f"{path} leads to {path.resolve()}, outside the project; copy your data into it")
    if fmt == "folders":
        if not path.is_dir():
            raise PipelineError(f"{path}: dataset.format is folders, but this is not a folder")
        _check_folder(path)
    elif path.is_dir():
        raise PipelineError(f"{path} is a folder; dataset.format {fmt} reads one file (folders: format folders)")
    elif not path.is_file():
        raise PipelineError(f"{path} is not a regular file (a named pipe or a device?); give a file")


def _check_folder(folder: Path) -> None:
    """Every name in a folder layout, before DVC hashes the folder as a
    dependency: a named pipe or a device would hang it, and a file name that
    is not UTF-8 stops it with an encoding error that names no file."""
    for parent, folders, files in os.walk(folder):  # links are not followed
        for name in folders + files:
            entry = Path(parent, name)
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                shown = os.fsencode(name).decode("utf-8", "backslashreplace")
                raise PipelineError(f"{Path(parent) / shown}: a file name that is not UTF-8; rename it") from None
            mode = entry.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                kind = "a named pipe" if stat.S_ISFIFO(mode) else "not a regular file (a device or socket)"
                raise PipelineError(f"{entry} is {kind}: DVC would hang hashing {folder}; move it out")


def _encoding_fault(path: Path) -> None:
    """A file saved as UTF-16 or UTF-32 (a byte-order mark) is named as such."""
    with open(path, "rb") as f:
        name = other_encoding(f.read(4))
    if name:
        raise PipelineError(f"{path} is not UTF-8 ({name} byte-order mark); save it as UTF-8")


def read_records(path: str | Path, fmt: str, columns: Columns, root: Path | None = None) -> Iterator[Record]:
    """Every row of `path` in `fmt` (params.DATASET_FORMATS but aclimdb), in
    file order; `root`: the project (default the current folder)."""
    path = Path(path)
    check_source(path, fmt, root)
    if fmt == "folders":
        return read_folders(path, (root or Path.cwd()).resolve())
    if fmt != "parquet":
        _encoding_fault(path)
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
            return label_text(int(value))
    if isinstance(value, int) and value.bit_length() > 64:  # Python refuses to print over 4,300 digits
        return f"<a whole number of {value.bit_length()} bits>"
    return str(value).strip()


def _number_text(label: str) -> str:
    """A label written as a whole number in any form ("1.0", "1e0") as "1",
    as a Parquet or JSON label of that value reads; other text as it is."""
    try:
        value = float(label)
    except ValueError:
        return label
    return str(int(value)) if value.is_integer() and abs(value) < 2**63 else label


def _valid_utf8(text: str) -> bool:
    """False for text read with surrogateescape from bytes that are not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _column_index(header: list[str], columns: Columns, path: Path) -> list[int | None]:
    names = [name.strip() for name in header]
    twice = sorted({name for name in names if names.count(name) > 1 and name})
    if twice:
        raise PipelineError(f"{path}: the header names {', '.join(map(repr, twice[:3]))} twice; rename one")
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
    csv.field_size_limit(MAX_FIELD_BYTES)
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
                short = len(fields) <= max(i for i in (text_at, label_at, split_at) if i is not None)
                if max(map(len, fields)) > MAX_TEXT_BYTES:
                    if short:  # a quote left open swallowed the lines after it
                        raise csv.Error(f"a quote opened in row {n} is not closed before {MAX_TEXT_BYTES:,} bytes")
                    yield Record(where, None, "", "", "too_long")
                    continue
                extra = any(field.strip() for field in fields[len(header) :])
                if (short or extra) and any("\n" in field for field in fields):  # a quote left open swallowed lines
                    raise csv.Error(
                        f"a quote opened in row {n} runs to line {reader.line_num}, taking the rows between as text"
                    )
                if short:
                    yield Record(where, None, "", "", "short_row")
                    continue
                values = [fields[i] if i is not None else "" for i in (text_at, label_at, split_at)]
                if not all(map(_valid_utf8, values)):
                    yield Record(where, None, "", "", "undecodable")
                    continue
                if extra:  # an unquoted comma cut the text
                    yield Record(where, None, "", "", "extra_fields")
                    continue
                label = _number_text(values[1].strip())
                yield Record(where, values[0] if values[0].strip() else None, label, values[2].strip())
        except csv.Error as exc:
            raise PipelineError(f"{path}: line {reader.line_num} is not valid {fmt.upper()} ({exc})") from None


def read_jsonl(path: Path, columns: Columns, fmt: str) -> Iterator[Record]:
    """One JSON object a line, with the text and label columns as keys."""
    labelled = 0  # rows whose object has the label key at all
    with open(path, "rb") as f:
        for n, line in enumerate(f, start=1):
            line = line.removeprefix(b"\xef\xbb\xbf") if n == 1 else line  # a UTF-8 byte-order mark
            if not line.strip():
                continue
            where = f"row {n}"
            try:
                # A whole number too long for Python to read (4,300 digits) stays its text.
                obj = json.loads(
                    line.decode("utf-8"), parse_int=lambda digits: int(digits) if len(digits) < 100 else digits
                )
            except UnicodeDecodeError:
                yield Record(where, None, "", "", "undecodable")
                continue
            except (json.JSONDecodeError, RecursionError):
                yield Record(where, None, "", "", "not_json")
                continue
            if not isinstance(obj, dict):
                yield Record(where, None, "", "", "not_json")
                continue
            text = obj.get(columns.text)
            text = text if isinstance(text, str) and text.strip() else None
            split = label_text(obj.get(columns.split)) if columns.split else ""
            label = label_text(obj.get(columns.label))
            labelled += columns.label in obj
            if not all(map(_valid_utf8, (text or "", label, split))):  # a lone surrogate (\ud800) in the JSON
                yield Record(where, None, "", "", "undecodable")
                continue
            yield Record(where, text, label, split)
    if not labelled and columns.label:
        raise PipelineError(f"{path}: no row has the key {columns.label!r} (dataset.label_column)")


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
    if pa.types.is_dictionary(text_type):  # pandas' category: the values are what counts
        text_type = text_type.value_type
    if not (pa.types.is_string(text_type) or pa.types.is_large_string(text_type) or pa.types.is_binary(text_type)):
        raise PipelineError(f"{path}: column {columns.text!r} holds {text_type}; expected text")
    wanted = [name for name in columns if name]
    n = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=wanted):
            texts = _values(batch.column(columns.text))
            labels = _values(batch.column(columns.label))
            splits = _values(batch.column(columns.split)) if columns.split else [""] * len(texts)
            for text, label, split in zip(texts, labels, splits):
                n += 1
                try:
                    text, label, split = (
                        v.decode("utf-8") if isinstance(v, bytes) else v for v in (text, label, split)
                    )
                except UnicodeDecodeError:
                    yield Record(f"row {n}", None, "", "", "undecodable")
                    continue
                text = text if text and text.strip() else None
                yield Record(f"row {n}", text, label_text(label), label_text(split))
    except (pa.ArrowException, OSError) as exc:  # a corrupt page, a short file
        raise PipelineError(f"{path}: row {n + 1} cannot be read ({' '.join(str(exc).split())[:120]})") from None


def _values(column: Any) -> list:
    """A Parquet column's values; a string column holding bytes that are not
    UTF-8 (Arrow does not check on write) comes back as bytes, decoded per row."""
    import pyarrow as pa

    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        binary = pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary()
        return column.view(binary).to_pylist()


def has_split_folders(root: str | Path) -> bool:
    """Whether a folders layout gives its split: train/ and test/."""
    return all((Path(root) / name).is_dir() for name in SPLIT_FOLDERS)


def read_folders(root: Path, project: Path) -> Iterator[Record]:
    """root/<label>/*.txt, or root/train/<label>/*.txt and root/test/<label>/*.txt:
    the folder names are the labels (and splits); a folder named `unsup` holds
    unlabelled texts, as in aclImdb. Files are read in name order; a file that
    is not `.txt` is left alone, and a link (file or folder) is left out and
    counted: only the project's own files are read."""
    present = [name for name in SPLIT_FOLDERS if (root / name).is_dir()]
    if len(present) == 1:
        other = next(name for name in SPLIT_FOLDERS if name not in present)
        raise PipelineError(f"{root} has {present[0]}/ but no {other}/: give both (a split), or neither (labels only)")
    split_layout = len(present) == 2
    parents = [(root / name, name) for name in SPLIT_FOLDERS] if split_layout else [(root, "")]
    if split_layout:  # a folder beside train/ and test/ would be a label of neither: counted, not read
        for stray in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in SPLIT_FOLDERS):
            yield Record(str(stray.relative_to(root)), None, "", "", "stray_folder")
    for parent, split in parents:
        for folder in sorted(p for p in parent.iterdir() if p.is_dir()):
            if folder.is_symlink() or not inside(folder, project):
                yield Record(str(folder.relative_to(root)), None, "", "", "link")
                continue
            label = "" if folder.name == "unsup" else folder.name
            for file in sorted(folder.iterdir()):
                if file.suffix != ".txt":
                    continue
                where = str(file.relative_to(root))
                if file.is_symlink() or not file.is_file() or not inside(file, project):
                    yield Record(where, None, "", "", "link" if file.is_symlink() else "not_a_file")
                    continue
                if file.stat().st_size > MAX_TEXT_BYTES:
                    yield Record(where, None, "", "", "too_long")
                    continue
                try:
                    text = file.read_bytes().decode("utf-8")
                except UnicodeDecodeError:
                    yield Record(where, None, "", "", "undecodable")
                    continue
                yield Record(where, text if text.strip() else None, label, split)
