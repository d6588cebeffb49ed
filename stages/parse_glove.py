"""Stage parse_glove: the GloVe text as a float32 matrix (.npy) and its word
list (imdb_embeddings/vectors/glove.py)."""

import logging

from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.vectors.glove import parse_glove

log = logging.getLogger("parse_glove")
IN = "data/raw/glove.txt"
VECTORS = "data/glove/vectors.npy"
WORDS = "data/glove/words.json"


def main() -> None:
    rows, dim = parse_glove(IN, VECTORS, WORDS)
    log.info("%s: %d words x %d dims", VECTORS, rows, dim)


if __name__ == "__main__":
    run_stage(main)
