"""The vocabulary's embedding matrix: row i is the GloVe vector of
vocabulary word i, zeros for padding (row 0) and for words GloVe lacks."""

import json
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.files import atomic_path, write_json


def embedding_matrix(
    vocabulary: list[str], glove_words: list[str], glove_vectors: np.ndarray, max_words: int
) -> tuple[np.ndarray, int]:
    """Returns (matrix of shape (max_words, dim), number of vocabulary words found in GloVe)."""
    row_of = {word: i for i, word in enumerate(glove_words)}
    matrix = np.zeros((max_words, glove_vectors.shape[1]), dtype=np.float32)
    pairs = [(i, row_of[w]) for i, w in enumerate(vocabulary, 1) if w in row_of]
    if pairs:
        ours, theirs = np.array(pairs).T
        matrix[ours] = glove_vectors[theirs]
    return matrix, len(pairs)


def save_vocabulary_matrix(
    vocabulary_file: str | Path,
    words: list[str],
    vectors: np.ndarray,
    max_words: int,
    out: str | Path,
    metrics: str | Path,
    **extra: Any,
) -> dict[str, Any]:
    """The embedding matrix of the vocabulary in `vocabulary_file` from
    (words, vectors), saved to `out`, and its coverage (with `extra`) to
    `metrics`; returns the metrics."""
    with open(vocabulary_file, encoding="utf-8") as f:
        vocabulary = json.load(f)
    matrix, found = embedding_matrix(vocabulary, words, vectors, max_words)
    with atomic_path(out, suffix=".npy") as tmp:
        np.save(tmp, matrix)
    figures = {
        "coverage": round(found / len(vocabulary), 6) if vocabulary else 0.0,
        "words_found": found,
        "vocabulary_words": len(vocabulary),
        "dim": int(matrix.shape[1]),
        **extra,
    }
    # What `dvc exp show` compares: the coverage, and of how many words. The
    # rest (words found, dims, texts) is logged: the params say it already.
    write_json(metrics, {key: figures[key] for key in ("coverage", "vocabulary_words")})
    return figures
