"""Stage parse_glove: the GloVe text as a float32 matrix (.npy) and its word
list (imdb_embeddings/vectors/glove.py).

    python -m stages.parse_glove data/raw/glove.txt data/glove/vectors.npy data/glove/words.json
"""

import argparse
import logging

from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.vectors.glove import parse_glove

log = logging.getLogger("parse_glove")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("glove", help="the GloVe text")
    parser.add_argument("vectors", help="the float32 matrix (.npy)")
    parser.add_argument("words", help="its words, in row order (.json)")
    args = parser.parse_args()
    rows, dim = parse_glove(args.glove, args.vectors, args.words)
    log.info("%s: %d words x %d dims", args.vectors, rows, dim)


if __name__ == "__main__":
    run_stage(main)
