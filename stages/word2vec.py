"""Stage word2vec: in-domain word vectors trained on the unlabelled and
training texts, no labels and no text that is a test review's, in a seeded
shuffle (imdb_embeddings/vectors/in_domain.py); the vocabulary's matrix, and its coverage.

    python -m stages.word2vec --texts data/prepared/unsup.parquet data/prepared/train.parquet \
        --test data/prepared/test.parquet --vocabulary ... --out data/embedding/word2vec.npy --metrics ...
"""

import argparse
import logging
import time

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.text.columns import unlabelled_texts
from imdb_embeddings.vectors.in_domain import train_word2vec
from imdb_embeddings.vectors.matrix import save_vocabulary_matrix

log = logging.getLogger("word2vec")
PARAMS = ("word2vec", "tokenize.max_words")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", required=True, nargs="+", help="reviews (.parquet) whose texts are read, no labels")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their texts are never read")
    parser.add_argument("--vocabulary", required=True, help="the tokenizer's vocabulary (.json): the matrix's rows")
    parser.add_argument("--out", required=True, help="the vocabulary's matrix (.npy)")
    parser.add_argument("--metrics", required=True, help="the coverage (.json)")
    args = parser.parse_args()
    settings, max_words = params.load(*PARAMS)
    texts, copies = unlabelled_texts(args.texts, args.test)
    log.info("%d texts; %d left out, word for word test reviews", len(texts), copies)
    start = time.perf_counter()
    words, vectors = train_word2vec(texts, settings)
    seconds = time.perf_counter() - start
    timings.record("word2vec", train_seconds=seconds)
    m = save_vocabulary_matrix(args.vocabulary, words, vectors, max_words, args.out, args.metrics, texts=len(texts))
    log.info(
        "%s: %d texts in %.0f s; covers %d of %d vocabulary words",
        args.out,
        len(texts),
        seconds,
        m["words_found"],
        m["vocabulary_words"],
    )


if __name__ == "__main__":
    run_stage(main)
