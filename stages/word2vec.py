"""Stage word2vec: in-domain word vectors trained on the unlabelled reviews
and the training texts, no labels (imdb_embeddings/vectors/word2vec.py),
laid out as the vocabulary's embedding matrix like GloVe's, and how much of
the vocabulary they cover."""

import json
import logging
import time

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.vectors.matrix import embedding_matrix
from imdb_embeddings.vectors.word2vec import train_word2vec

log = logging.getLogger("word2vec")
PARAMS = ("word2vec", "tokenize.max_words")
TEXTS = ("data/prepared/unsup.parquet", "data/prepared/train.parquet")
VOCAB = "data/tokenized/vocab.json"
OUT = "data/embedding/word2vec.npy"
METRICS = "metrics/word2vec.json"


def main() -> None:
    p = params.load(keys=PARAMS)
    texts = [text for path in TEXTS for text in pq.read_table(path, columns=["text"]).column("text").to_pylist()]
    start = time.perf_counter()
    words, vectors = train_word2vec(texts, p["word2vec"])
    seconds = time.perf_counter() - start
    with open(VOCAB, encoding="utf-8") as f:
        vocabulary = json.load(f)
    matrix, found = embedding_matrix(vocabulary, words, vectors, p["tokenize"]["max_words"])
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
            "texts": len(texts),
        },
    )
    log.info(
        "%s: %s from %d texts in %.0f s; covers %d of %d vocabulary words",
        OUT,
        matrix.shape,
        len(texts),
        seconds,
        found,
        len(vocabulary),
    )


if __name__ == "__main__":
    run_stage(main)
