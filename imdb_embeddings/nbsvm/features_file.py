"""The n-gram features of an experiment's reviews as files, so that the
stages that fit the same n-grams again (a `pseudo_labelled` experiment and
each of its label draws) read them instead of tokenizing and counting the
25,000 training texts again (about 6 s each): `train.npz` holds the training
vocabulary, every training review's word ids (for the teacher) and its
binary n-gram matrix; `test.npz` the test reviews' matrix over the same
n-grams (for the draws' test accuracy). Stage ngram_features writes them."""

import contextlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.nbsvm.exact_ngrams import ngram_keys, present
from imdb_embeddings.nbsvm.fit import Features


class TrainingText(NamedTuple):
    """The training reviews as the n-gram models see them."""

    vocabulary: list[str]  # every training word, by count
    ids: np.ndarray | None  # word ids of `vocabulary` (from 1), review after review (None: dropped)
    offsets: np.ndarray | None  # where each review's ids begin, and the end
    features: Features  # the binary n-gram matrix and its kept n-grams
    test_copies: np.ndarray | None = None  # which reviews are word for word a test review: no pool takes them


def matrix_of(features: Features, ids: np.ndarray, offsets: np.ndarray) -> sp.csr_matrix:
    """The binary matrix of reviews (word ids of the features' vocabulary, 0:
    unknown) over the features' kept n-grams."""
    keys, reviews = ngram_keys(ids, offsets, features.ngrams, len(features.vocabulary))
    rows, columns = present(keys, reviews, features.keys)
    values = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((values, (rows, columns)), shape=(len(offsets) - 1, len(features.keys)))


def save_training(text: TrainingText, dest: str | Path) -> None:
    f = text.features
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(
            tmp,
            vocabulary=np.array(json.dumps(text.vocabulary, ensure_ascii=False)),
            ids=text.ids,
            offsets=text.offsets,
            ngrams=np.array(f.ngrams),
            keys=f.keys,
            indptr=f.indptr,
            indices=f.indices,
            test_copies=text.test_copies if text.test_copies is not None else np.zeros(len(text.offsets) - 1, bool),
        )


def save_matrix(matrix: sp.csr_matrix, dest: str | Path) -> None:
    with atomic_path(dest, suffix=".npz") as tmp:
        np.savez(tmp, indptr=matrix.indptr, indices=matrix.indices, columns=np.array(matrix.shape[1]))


def load_training(path: str | Path) -> TrainingText:
    """The training text and features stage ngram_features wrote; a broken file is one line."""
    with _unreadable_named(path), _opened(path, TRAINING_MEMBERS) as z:
        vocabulary = json.loads(str(z["vocabulary"]))
        keys, indptr, indices = z["keys"], z["indptr"], z["indices"]
        matrix = _binary(indptr, indices, len(keys), path)
        features = Features.restored(keys, matrix, vocabulary, int(z["ngrams"]))
        ids, offsets, copies = z["ids"], z["offsets"], z["test_copies"]
    if len(offsets) != matrix.shape[0] + 1 or offsets[-1] != len(ids) or copies.shape != (matrix.shape[0],):
        raise PipelineError(f"{path}: its word ids do not match its {matrix.shape[0]} reviews; rerun ngram_features")
    return TrainingText(vocabulary, ids, offsets, features, copies.astype(bool))


def load_matrix(path: str | Path, columns: int) -> sp.csr_matrix:
    """The test reviews' matrix over `columns` n-grams; a broken file is one line."""
    with _unreadable_named(path), _opened(path, MATRIX_MEMBERS) as z:
        if int(z["columns"]) != columns:
            raise PipelineError(f"{path}: {int(z['columns'])} n-gram columns, but the training features have {columns}")
        return _binary(z["indptr"], z["indices"], columns, path)


TRAINING_MEMBERS = {"vocabulary", "ids", "offsets", "ngrams", "keys", "indptr", "indices", "test_copies"}
MATRIX_MEMBERS = {"indptr", "indices", "columns"}


def _binary(indptr: np.ndarray, indices: np.ndarray, columns: int, path: str | Path) -> sp.csr_matrix:
    if len(indptr) < 1 or indptr[-1] != len(indices) or (len(indices) and indices.max() >= columns):
        raise PipelineError(f"{path}: not a consistent n-gram matrix; rerun its stage (dvc repro -f -s ...)")
    values = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((values, indices, indptr), shape=(len(indptr) - 1, columns))


UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile)


@contextlib.contextmanager
def _unreadable_named(path: str | Path) -> Iterator[None]:
    """A member cut short or garbled (found only when read) as one line naming the file."""
    try:
        yield
    except UNREADABLE as exc:
        raise PipelineError(f"{path}: not an n-gram features file ({exc})") from None


def _opened(path: str | Path, members: set[str]):  # noqa: ANN202 (numpy's NpzFile, a context manager)
    """The file opened (inside `_unreadable_named`, which names a file numpy cannot read), its members there."""
    z = np.load(path, allow_pickle=False)
    missing = members - set(getattr(z, "files", ()))
    if missing:
        raise PipelineError(f"{path}: not an n-gram features file (no {', '.join(sorted(missing))})")
    return z
