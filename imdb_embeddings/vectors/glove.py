"""GloVe text -> a float32 matrix (.npy) and its word list.

The file is cut into pieces at line ends; a pool of threads (one per core)
parses the pieces with pyarrow's C++ CSV reader, which releases the GIL, and
the main thread appends each piece's rows to the .npy, and its words to the
JSON list, in file order. No Python loop over lines, and memory stays at a
few pieces: the matrix is written through the page cache, never held whole
(the reference's dict of 400,000 arrays takes twice the matrix).
"""

import collections
import json
import logging
import os
import struct
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.core.progress import Progress

log = logging.getLogger("glove")
PIECE_BYTES = 2 << 20  # measured: smaller pieces cost overhead, larger ones cache misses
# Room for the .npy header, written last once the row count is known: 128
# bytes hold the header of any (rows, dim) up to 10**15 rows.
HEADER_BYTES = 128


def npy_header(rows: int, dim: int) -> bytes:
    """A version 1.0 .npy header for a C-order float32 (rows, dim) array,
    padded with spaces to HEADER_BYTES as the format allows."""
    text = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}"
    body = HEADER_BYTES - 10  # magic (6) + version (2) + length (2)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", body) + (text.ljust(body - 1) + "\n").encode("latin1")


def first_line_width(path: Path) -> int:
    with open(path, "rb") as f:
        line = f.readline().rstrip(b"\n")
    if not line:
        raise PipelineError(f"{path}: empty file, expected GloVe lines '<word> <v1> ... <vN>'")
    return len(line.split(b" ")) - 1


def find_bad_line(path: Path, dim: int) -> str | None:
    """Locate the first malformed line for the error message (slow path,
    run only after the fast reader has refused the file)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split(" ")
            if len(fields) != dim + 1:
                return (
                    f"{path}, line {number}: expected a word and {dim} values, "
                    f"got {len(fields) - 1} values ({line[:60]!r}...)"
                )
            for value in fields[1:]:
                try:
                    float(value)
                except ValueError:
                    return f"{path}, line {number}: {value!r} is not a number ({line[:60]!r}...)"
    return None


def pieces(fd: int, size: int, piece_bytes: int) -> Iterator[tuple[int, int]]:
    """(start, end) byte ranges of about piece_bytes that end at a line end."""
    start = 0
    while start < size:
        end = min(start + piece_bytes, size)
        while end < size:
            window = os.pread(fd, 64 << 10, end)
            newline = window.find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end += len(window)
        yield start, end
        start = end


class PieceParser:
    def __init__(self, fd: int, dim: int) -> None:
        self.fd, self.dim = fd, dim
        columns = ["word"] + [f"v{i}" for i in range(dim)]
        self.options = dict(
            parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={"word": pa.string(), **{c: pa.float32() for c in columns[1:]}},
                strings_can_be_null=False,
                null_values=[],
            ),
        )
        self.columns = columns

    def __call__(self, span: tuple[int, int]) -> tuple[np.ndarray | None, pa.ChunkedArray | None, Any]:
        """(vectors, words, lines) of one piece, or the reader's error."""
        start, end = span
        data = os.pread(self.fd, end - start, start)
        lines = data.count(b"\n") + (not data.endswith(b"\n"))
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=self.columns, use_threads=False, block_size=len(data) + 1),
                **self.options,
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            return None, None, exc
        # Arrow lays the columns out row-major in C++ (one copy, no GIL).
        numbers = table.drop_columns(["word"]).combine_chunks().to_batches()
        vectors = (
            np.asarray(numbers[0].to_tensor(row_major=True)) if numbers else np.empty((0, self.dim), dtype=np.float32)
        )
        return vectors, table.column(0), lines


class Shape(NamedTuple):
    rows: int  # words
    dim: int


def parse_glove(path: str | Path, vectors_out: str | Path, words_out: str | Path) -> Shape:
    """Write the vectors (.npy) and the words (JSON list); returns (number of words, dim)."""
    path = Path(path)
    dim = first_line_width(path)
    if dim < 1:
        raise PipelineError(f"{path}, line 1: expected a word and its vector values")
    size = path.stat().st_size
    workers = os.cpu_count() or 1
    rows = 0
    progress = Progress(log, f"parsing {path}", size, unit="B")
    with (
        open(path, "rb") as src,
        atomic_path(vectors_out, suffix=".npy") as tmp,
        atomic_path(words_out) as words_tmp,
        open(tmp, "wb") as out,
        open(words_tmp, "w", encoding="utf-8") as words,
        ThreadPoolExecutor(workers) as pool,
    ):
        parse = PieceParser(src.fileno(), dim)
        out.seek(HEADER_BYTES)
        words.write("[")
        # A bounded window of pieces in flight keeps memory at a few pieces;
        # the main thread writes one piece while the pool parses the next.
        in_flight = collections.deque()
        for span in pieces(src.fileno(), size, PIECE_BYTES):
            in_flight.append((span, pool.submit(parse, span)))
            if len(in_flight) > workers:
                rows += _write_piece(path, dim, *in_flight.popleft(), out, words, rows, progress)
        while in_flight:
            rows += _write_piece(path, dim, *in_flight.popleft(), out, words, rows, progress)
        words.write("]")
        out.seek(0)
        out.write(npy_header(rows, dim))
    progress.finish()
    return Shape(rows, dim)


def _write_piece(
    path: Path,
    dim: int,
    span: tuple[int, int],
    future: Future,
    out: BinaryIO,
    words: TextIO,
    rows_before: int,
    progress: Progress,
):
    vectors, piece_words, lines = future.result()
    if vectors is None:
        raise PipelineError(find_bad_line(path, dim) or f"{path}: not a GloVe text file ({lines})")
    if len(vectors) != lines:
        raise PipelineError(
            f"{path}: read {len(vectors)} vectors from {lines} lines near byte {span[0]} (empty lines?)"
        )
    out.write(vectors)
    # One JSON list for the whole file, written a piece at a time.
    if len(vectors):
        words.write((", " if rows_before else "") + json.dumps(piece_words.to_pylist(), ensure_ascii=False)[1:-1])
    progress.advance(span[1] - span[0])
    return len(vectors)
