"""The texts of a prepared split (data/prepared/<split>.parquet), a batch at
a time: a stage that reads them holds one batch, not the corpus, whatever
the size of your data (tokenizer.fit_and_encode_chunks takes them so)."""

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 50_000  # texts at a time


def text_batches(path: str | Path, batch: int = BATCH) -> Iterator[list[str]]:
    """The texts of the Parquet file at `path`, in order, `batch` at a time."""
    for part in pq.ParquetFile(path).iter_batches(batch_size=batch, columns=["text"]):
        yield part.column(0).to_pylist()
    # Arrow's allocator keeps what the batches used for its own reuse (400 MB
    # after 400,000 reviews): the reader's next steps are numpy's, hand it back.
    pa.default_memory_pool().release_unused()
