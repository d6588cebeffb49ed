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


def copied_from_test(texts: list[str], test_texts: list[str]) -> np.ndarray:
    """Which of `texts` are, word for word, a test review's text: what no
    stage that learns without labels may read (docs/pipeline.md)."""
    test = set(test_texts)
    return np.fromiter((text in test for text in texts), dtype=bool, count=len(texts))


def without_test_texts(texts: list[str], test_texts: list[str]) -> tuple[list[str], int]:
    """(the `texts` that are no test review's text, how many were left out)."""
    copies = copied_from_test(texts, test_texts)
    return [text for text, copy in zip(texts, copies, strict=True) if not copy], int(copies.sum())


def unlabelled_texts(paths: list[str], test: str) -> tuple[list[str], int]:
    """(the texts of `paths` that are no test review's text, how many were left out)."""
    return without_test_texts([text for path in paths for text in read_texts(path)], read_texts(test))
