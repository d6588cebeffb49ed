"""One column of a prepared split (`data/prepared/<split>.parquet`): every
review's label, or its text, in file order."""

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


def read_labels(path: str | Path) -> np.ndarray:
    """Each review's label (1 positive, 0 negative), as stored (int8)."""
    return pq.read_table(path, columns=["label"]).column("label").to_numpy()


def read_texts(path: str | Path) -> list[str]:
    """Each review's text."""
    return pq.read_table(path, columns=["text"]).column("text").to_pylist()
