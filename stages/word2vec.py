"""Stage word2vec: in-domain word vectors trained on the unlabelled reviews
and the training texts, no labels (imdb_embeddings/vectors/in_domain.py),
laid out as the vocabulary's embedding matrix like GloVe's, and how much of
the vocabulary they cover."""

import logging
import time

import pyarrow.parquet as pq

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.vectors.in_domain import train_word2vec
from imdb_embeddings.vectors.matrix import save_vocabulary_matrix

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
    words, vectors = train_word2vec(texts, params.section(p, params.Word2Vec))
    seconds = time.perf_counter() - start
    m = save_vocabulary_matrix(VOCAB, words, vectors, p["tokenize"]["max_words"], OUT, METRICS, texts=len(texts))
    log.info(
        "%s: %d texts in %.0f s; covers %d of %d vocabulary words",
        OUT,
        len(texts),
        seconds,
        m["words_found"],
        m["vocabulary_words"],
    )


if __name__ == "__main__":
    run_stage(main)
