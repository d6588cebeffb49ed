"""Stage embedding: the `max_words x dim` matrix whose row i is the GloVe
vector of vocabulary word i (zeros for padding and for words GloVe lacks),
and how much of the vocabulary GloVe covers."""
import json
import logging

import numpy as np

from stages import cli, params
from stages.files import atomic_path, write_json

log = logging.getLogger("embedding")
VOCAB = "data/tokenized/vocab.json"
GLOVE_VECTORS = "data/glove/vectors.npy"
GLOVE_WORDS = "data/glove/words.json"
OUT = "data/embedding/matrix.npy"
METRICS = "metrics/embedding.json"


def embedding_matrix(vocabulary, glove_words, glove_vectors, max_words):
    """Returns (matrix, number of vocabulary words found in GloVe)."""
    row_of = {word: i for i, word in enumerate(glove_words)}
    matrix = np.zeros((max_words, glove_vectors.shape[1]), dtype=np.float32)
    pairs = [(i, row_of[w]) for i, w in enumerate(vocabulary, 1) if w in row_of]
    if pairs:
        ours, theirs = np.array(pairs).T
        matrix[ours] = glove_vectors[theirs]
    return matrix, len(pairs)


def main():
    max_words = params.load()["tokenize"]["max_words"]
    vocabulary = json.loads(open(VOCAB, encoding="utf-8").read())
    glove_words = json.loads(open(GLOVE_WORDS, encoding="utf-8").read())
    glove_vectors = np.load(GLOVE_VECTORS, mmap_mode="r")
    matrix, found = embedding_matrix(vocabulary, glove_words, glove_vectors, max_words)
    with atomic_path(OUT, suffix=".npy") as tmp:
        np.save(tmp, matrix)
    coverage = found / len(vocabulary) if vocabulary else 0.0
    write_json(METRICS, {"coverage": round(coverage, 6), "words_found": found,
                         "vocabulary_words": len(vocabulary), "dim": int(matrix.shape[1])})
    log.info("%s: %s; GloVe covers %d of %d vocabulary words (%.1f%%)",
             OUT, matrix.shape, found, len(vocabulary), 100 * coverage)


if __name__ == "__main__":
    cli.run(main)
