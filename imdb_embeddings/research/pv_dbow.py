"""Document vectors: gensim's Doc2Vec in PV-DBOW mode, a vector per review
learned by predicting its words, and its word n-grams as extra words
(Li et al. 2015, "Learning document embeddings by predicting n-grams").

Trained on texts without labels (the training and unlabelled reviews, less
any that is word for word a test review: the caller drops them) in a seeded
shuffle: a corpus sorted by label (train.parquet is) lets the learning
rate's schedule tell the classes apart. A classifier
is fitted on *inferred* vectors of its reviews, as a test review's are, not
on the vectors stored during training (validation 0.86 against 0.76 in
issue 31's measurement).

Inference is a function of the text and the model alone. gensim's
`infer_vector` seeds a review's starting vector with Python's `hash`, which
changes with every process, and draws negative samples from the model's
generator, which earlier reviews advance. `infer_one` runs the same
updates from a start and a generator both seeded by a stable hash of the
text. So a review gets the same vector in any order, in any process.
"""

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from imdb_embeddings.core.params import DocVectors
from imdb_embeddings.core.progress import Progress
from imdb_embeddings.vectors.in_domain import epoch_log, sentences, stable_hash

log = logging.getLogger("doc_vectors")


def with_ngrams(words: list[str], ngrams: int) -> list[str]:
    """A review's words, then each of its 2..`ngrams`-grams as one token ("a_b")."""
    tokens = list(words)
    for n in range(2, ngrams + 1):
        tokens += ["_".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return tokens


def documents(texts: Sequence[str], ngrams: int) -> list[list[str]]:
    """Each text as the tokens its vector is learned or inferred from."""
    return [with_ngrams(words, ngrams) for words in sentences(texts)]


def train_doc_vectors(texts: Sequence[str], settings: DocVectors) -> Any:
    """A PV-DBOW model (gensim Doc2Vec) of `texts`, seen in a seeded shuffle.
    `settings`: dim, epochs, ngrams, min_count, negative, seed, workers (1:
    the same model every run; more are faster, not byte-identical)."""
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    callback = epoch_log(log, settings.epochs)
    order = np.random.default_rng(settings.seed).permutation(len(texts))
    docs = documents([texts[i] for i in order], settings.ngrams)
    corpus = [TaggedDocument(tokens, [i]) for i, tokens in enumerate(docs)]
    grams, epochs = settings.ngrams, settings.epochs
    log.info("%d texts, %d-grams: counting the vocabulary, then %d epochs", len(texts), grams, epochs)
    model = Doc2Vec(
        corpus,
        dm=0,  # PV-DBOW: the document's vector predicts its tokens
        vector_size=settings.dim,
        min_count=settings.min_count,
        negative=settings.negative,
        hs=0,
        epochs=settings.epochs,
        seed=settings.seed,
        workers=settings.workers,
        hashfxn=stable_hash,
        callbacks=[callback],
    )
    log.info("%d tokens x %d dims from %d texts", len(model.wv), settings.dim, len(texts))
    return model


def infer(model: Any, texts: Sequence[str], ngrams: int, what: str = "texts") -> np.ndarray:
    """Each text's inferred vector (float32), each a function of the text and the model alone."""
    vectors = np.zeros((len(texts), model.vector_size), dtype=np.float32)
    progress = Progress(log, f"inferring the vectors of {what}", total=len(texts), unit=" texts")
    for i, (text, tokens) in enumerate(zip(texts, documents(texts, ngrams), strict=True)):
        vectors[i] = infer_one(model, tokens, stable_hash(text))
        progress.advance()
    progress.finish()
    return vectors


def infer_one(model: Any, tokens: list[str], seed: int) -> np.ndarray:
    """gensim's PV-DBOW inference (Doc2Vec.infer_vector's loop: the model's
    epochs, its learning rate falling linearly), seeded by `seed` alone."""
    from gensim.models.doc2vec_inner import train_document_dbow

    size = model.dv.vector_size
    model.random = np.random.RandomState(seed)  # the negative samples
    start = np.random.Generator(np.random.SFC64(seed)).random(size)
    vector = ((start.astype(np.float32) - 0.5) / size).reshape(1, size)  # as gensim's weak random start
    lockf, work = np.ones(1, dtype=np.float32), np.zeros(model.layer1_size, dtype=np.float32)
    alpha, step = model.alpha, (model.alpha - model.min_alpha) / max(model.epochs - 1, 1)
    for _ in range(model.epochs):
        train_document_dbow(
            model, tokens, [0], alpha, work, learn_words=False, learn_hidden=False,
            doctag_vectors=vector, doctags_lockf=lockf,
        )  # fmt: skip
        alpha -= step
    return vector[0]
