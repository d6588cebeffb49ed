"""Files of ragged sequences: every review as word indices, unpadded
(`tokens`, `offsets`: review i is tokens[offsets[i]:offsets[i+1]]), with its
label. Each experiment pads them to its own length."""

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path


def save_sequences(dest: str | Path, tokens: np.ndarray, offsets: np.ndarray, labels: Sequence[int]) -> None:
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(tmp, tokens=tokens, offsets=offsets, labels=np.asarray(labels, dtype=np.int8))


class Sequences(NamedTuple):
    tokens: np.ndarray  # every review's word ids, back to back
    offsets: np.ndarray  # review i is tokens[offsets[i]:offsets[i + 1]]
    labels: np.ndarray


def load_sequences(path: str | Path) -> Sequences:
    """(tokens, offsets, labels) of a file written by `save_sequences`."""
    try:
        with np.load(path) as data:
            return Sequences(data["tokens"], data["offsets"], data["labels"])
    except FileNotFoundError:
        raise PipelineError(f"{path} does not exist: run `dvc repro tokenize` first") from None
