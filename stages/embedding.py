"""Stage embedding: the `max_words x dim` GloVe matrix of the vocabulary
(imdb_embeddings/vectors/matrix.py), and how much of the vocabulary GloVe covers."""

import json
import logging

import numpy as np

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.vectors.matrix import save_vocabulary_matrix

log = logging.getLogger("embedding")
PARAMS = ("tokenize.max_words",)
VOCAB = "data/tokenized/vocab.json"
GLOVE_VECTORS = "data/glove/vectors.npy"
GLOVE_WORDS = "data/glove/words.json"
OUT = "data/embedding/glove.npy"
METRICS = "metrics/embedding.json"


def main() -> None:
    max_words = params.load(keys=PARAMS)["tokenize"]["max_words"]
    with open(GLOVE_WORDS, encoding="utf-8") as f:
        glove_words = json.load(f)
    glove_vectors = np.load(GLOVE_VECTORS, mmap_mode="r")
    m = save_vocabulary_matrix(VOCAB, glove_words, glove_vectors, max_words, OUT, METRICS)
    log.info(
        "%s: GloVe covers %d of %d vocabulary words (%.1f%%)",
        OUT,
        m["words_found"],
        m["vocabulary_words"],
        100 * m["coverage"],
    )


if __name__ == "__main__":
    run_stage(main)
