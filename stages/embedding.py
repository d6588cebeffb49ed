"""Stage embedding: the `max_words x dim` GloVe matrix of the vocabulary
(imdb_embeddings/vectors/matrix.py), and how much of the vocabulary GloVe covers."""

import json
import logging

import numpy as np

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.vectors.matrix import embedding_matrix

log = logging.getLogger("embedding")
PARAMS = ("tokenize.max_words",)
VOCAB = "data/tokenized/vocab.json"
GLOVE_VECTORS = "data/glove/vectors.npy"
GLOVE_WORDS = "data/glove/words.json"
OUT = "data/embedding/glove.npy"
METRICS = "metrics/embedding.json"


def main() -> None:
    max_words = params.load(keys=PARAMS)["tokenize"]["max_words"]
    with open(VOCAB, encoding="utf-8") as f:
        vocabulary = json.load(f)
    with open(GLOVE_WORDS, encoding="utf-8") as f:
        glove_words = json.load(f)
    glove_vectors = np.load(GLOVE_VECTORS, mmap_mode="r")
    matrix, found = embedding_matrix(vocabulary, glove_words, glove_vectors, max_words)
    with atomic_path(OUT, suffix=".npy") as tmp:
        np.save(tmp, matrix)
    coverage = found / len(vocabulary) if vocabulary else 0.0
    write_json(
        METRICS,
        {
            "coverage": round(coverage, 6),
            "words_found": found,
            "vocabulary_words": len(vocabulary),
            "dim": int(matrix.shape[1]),
        },
    )
    log.info(
        "%s: %s; GloVe covers %d of %d vocabulary words (%.1f%%)",
        OUT,
        matrix.shape,
        found,
        len(vocabulary),
        100 * coverage,
    )


if __name__ == "__main__":
    run_stage(main)
