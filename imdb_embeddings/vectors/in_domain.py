"""In-domain word vectors: gensim's word2vec trained on review texts with no
labels (the 50,000 unlabelled reviews and the training texts), the words
split exactly as the tokenizer splits them.

Reproducible: one worker thread and a seed, and a stable hash for gensim's
per-word initial vectors (its default is Python's `hash`, which changes with
every process), so the same texts and settings give the same vectors. More
workers train faster but not byte-identically (gensim's threads race).
"""

import logging
import time
import zlib
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.params import Word2Vec
from imdb_embeddings.text.tokenizer import Corpus

log = logging.getLogger("word2vec")


def stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def sentences(texts: Sequence[str]) -> list[list[str]]:
    """Each text as its list of words, by the tokenizer's rules."""
    corpus = Corpus(texts)
    words = corpus.words.to_pylist()
    bounds = corpus.first_word.tolist()
    return [words[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


class WordVectors(NamedTuple):
    words: list[str]
    vectors: np.ndarray  # float32, a row a word


def epoch_log(to: logging.Logger, epochs: int) -> Any:
    """A gensim callback logging one line an epoch to `to` (gensim's own
    lines, which come every second, are silenced)."""
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochLog(CallbackAny2Vec):
        def __init__(self) -> None:
            self.epoch, self.start = 0, time.monotonic()

        def on_epoch_end(self, model: Any) -> None:
            self.epoch += 1
            to.info("epoch %d of %d done in %.0f s", self.epoch, epochs, time.monotonic() - self.start)

    logging.getLogger("gensim").setLevel(logging.WARNING)
    return EpochLog()


def train_word2vec(texts: Sequence[str], settings: Word2Vec) -> WordVectors:
    """(words, vectors) of a word2vec model trained on `texts`.
    `settings`: dim, epochs, window, min_count, seed, workers, sg (0: CBOW, 1: skip-gram)."""
    from gensim.models import Word2Vec

    callback = epoch_log(log, settings.epochs)
    # gensim counts the vocabulary before the first epoch: most of a minute on the real data.
    log.info("%d texts: counting the vocabulary, then %d epochs", len(texts), settings.epochs)
    # A seeded shuffle: the files are sorted by label, and read in that order the
    # learning rate's fall would weigh one class's reviews above the other's.
    order = np.random.default_rng(settings.seed).permutation(len(texts))
    model = Word2Vec(
        sentences([texts[i] for i in order]),
        vector_size=settings.dim,
        window=settings.window,
        min_count=settings.min_count,
        epochs=settings.epochs,
        sg=settings.sg,
        seed=settings.seed,
        workers=settings.workers,
        hashfxn=stable_hash,
        callbacks=[callback],
    )
    log.info("%d words x %d dims from %d texts", len(model.wv), settings.dim, len(texts))
    return WordVectors(list(model.wv.index_to_key), model.wv.vectors.astype(np.float32))
