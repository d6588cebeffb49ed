"""Stage parse_glove: GloVe text -> a float32 matrix (.npy) and its word list.

pyarrow's C++ CSV reader parses the 400,000 lines in blocks, and each block
goes straight into a memory-mapped output: no Python loop over lines, and
peak memory stays near one block rather than a dict of 400,000 arrays.
"""
import json
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from stages import cli
from stages.cli import PipelineError, Progress
from stages.files import CHUNK, atomic_path

log = logging.getLogger("parse_glove")
IN = "data/raw/glove.txt"
VECTORS = "data/glove/vectors.npy"
WORDS = "data/glove/words.json"
BLOCK_BYTES = 8 << 20


def count_lines(path):
    lines, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK * 8):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def first_line_width(path):
    with open(path, "rb") as f:
        line = f.readline().rstrip(b"\n")
    if not line:
        raise PipelineError(f"{path}: empty file, expected GloVe lines '<word> <v1> ... <vN>'")
    return len(line.split(b" ")) - 1


def find_bad_line(path, dim):
    """Locate the first malformed line for the error message (slow path,
    run only after the fast reader has refused the file)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split(" ")
            if len(fields) != dim + 1:
                return (f"{path}, line {number}: expected a word and {dim} values, "
                        f"got {len(fields) - 1} values ({line[:60]!r}...)")
            for value in fields[1:]:
                try:
                    float(value)
                except ValueError:
                    return f"{path}, line {number}: {value!r} is not a number ({line[:60]!r}...)"
    return None


def parse_glove(path, vectors_out, words_out):
    """Returns (number of words, dim)."""
    path = Path(path)
    dim = first_line_width(path)
    if dim < 1:
        raise PipelineError(f"{path}, line 1: expected a word and its vector values")
    rows = count_lines(path)
    columns = ["word"] + [f"v{i}" for i in range(dim)]
    reader_options = dict(
        read_options=pacsv.ReadOptions(column_names=columns, block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types={"word": pa.string(), **{c: pa.float32() for c in columns[1:]}},
            strings_can_be_null=False,
            null_values=[],
        ),
    )
    words = []
    progress = Progress(log, f"parsing {path}", rows, unit=" lines")
    with atomic_path(vectors_out, suffix=".npy") as tmp:
        matrix = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(rows, dim))
        try:
            for batch in pacsv.open_csv(path, **reader_options):
                start, n = len(words), batch.num_rows
                if start + n > rows:
                    raise PipelineError(f"{path}: more lines than counted; was it changed while being read?")
                for j in range(dim):
                    matrix[start:start + n, j] = batch.column(j + 1).to_numpy()
                words.extend(batch.column(0).to_pylist())
                progress.advance(n)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise PipelineError(find_bad_line(path, dim) or f"{path}: not a GloVe text file ({exc})") from exc
        if len(words) != rows:
            raise PipelineError(f"{path}: read {len(words)} vectors but the file has {rows} lines (empty lines?)")
        matrix.flush()
        del matrix
        with atomic_path(words_out) as wtmp:
            wtmp.write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    progress.finish()
    return rows, dim


def main():
    rows, dim = parse_glove(IN, VECTORS, WORDS)
    log.info("%s: %d words x %d dims", VECTORS, rows, dim)


if __name__ == "__main__":
    cli.run(main)
