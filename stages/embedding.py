"""Stage embedding: the `max_words x dim` GloVe matrix of the vocabulary
(imdb_embeddings/vectors/matrix.py), and how much of the vocabulary GloVe covers.

    python -m stages.embedding data/tokenized/vocab.json data/glove/vectors.npy data/glove/words.json \
        data/embedding/glove.npy metrics/embedding.json
"""

import argparse
import json
import logging

import numpy as np

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.vectors.matrix import save_vocabulary_matrix

log = logging.getLogger("embedding")
PARAMS = ("tokenize.max_words",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vocabulary", help="the tokenizer's vocabulary (.json)")
    parser.add_argument("vectors", help="the parsed GloVe matrix (.npy)")
    parser.add_argument("words", help="its words (.json)")
    parser.add_argument("out", help="the vocabulary's matrix (.npy)")
    parser.add_argument("metrics", help="the coverage (.json)")
    args = parser.parse_args()
    max_words = params.load(*PARAMS)
    with open(args.words, encoding="utf-8") as f:
        glove_words = json.load(f)
    glove_vectors = np.load(args.vectors, mmap_mode="r")
    m = save_vocabulary_matrix(args.vocabulary, glove_words, glove_vectors, max_words, args.out, args.metrics)
    log.info(
        "%s: GloVe covers %d of %d vocabulary words (%.1f%%)",
        args.out,
        m["words_found"],
        m["vocabulary_words"],
        100 * m["coverage"],
    )


if __name__ == "__main__":
    run_stage(main)
