"""A trained n-gram model as one self-contained `.npz`: the words it knows,
the tokenizer's text rules, the kept n-grams (sorted keys, exact_ngrams.py) and
one weight each (the logistic regression's coefficient times the n-gram's
NB log-count ratio, so prediction is a sum), and the bias. Raw text in,
probability out, numpy only (serving/classifier.py): `evaluate_nbsvm` and
`imdb-embeddings predict` both run it."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.nbsvm.exact_ngrams import MAX_N, MAX_VOCABULARY, ngram_keys, present
from imdb_embeddings.serving.npz import check_vocabulary, read_npz, text_member
from imdb_embeddings.serving.output import probability
from imdb_embeddings.text.tokenizer import RULES, encode

if TYPE_CHECKING:
    import scipy.sparse as sp

KIND = "nbsvm"
MEMBERS = {"kind", "vocabulary", "tokenizer", "input_spec", "ngram_keys", "weights", "bias"}


class NgramModel:
    def __init__(
        self, vocabulary: list[str], ngrams: int, keys: np.ndarray, weights: np.ndarray, bias: float, path: Path | None
    ) -> None:
        self.vocabulary, self.ngrams, self.keys, self.weights, self.bias = vocabulary, ngrams, keys, weights, bias
        self.path = path

    def logits_of_ids(self, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Logits of reviews given as word ids of this model's vocabulary (0: unknown)."""
        keys, reviews = ngram_keys(ids, offsets, self.ngrams, len(self.vocabulary))
        rows, columns = present(keys, reviews, self.keys)
        sums = np.bincount(rows, weights=self.weights[columns].astype(np.float64), minlength=len(offsets) - 1)
        return sums + self.bias

    def logits_of_matrix(self, matrix: "sp.csr_matrix") -> np.ndarray:
        """Logits of reviews given as their binary matrix over this model's n-grams."""
        return matrix @ self.weights.astype(np.float64) + self.bias

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return self.logits_of_ids(*encode(texts, self.vocabulary, keep_unknown=True))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) of each text."""
        return probability(self.logits(texts))

    def save(self, dest: str | Path) -> None:
        with atomic_path(dest, suffix=".npz") as tmp:
            np.savez(
                tmp,
                kind=np.array(KIND),
                vocabulary=np.array(json.dumps(self.vocabulary, ensure_ascii=False)),
                tokenizer=np.array(json.dumps(RULES, sort_keys=True)),
                input_spec=np.array(json.dumps({"ngrams": self.ngrams, "features": "binary"}, sort_keys=True)),
                ngram_keys=self.keys,
                weights=self.weights,
                bias=np.array(self.bias, dtype=np.float64),
            )

    @classmethod
    def load(cls, path: str | Path) -> "NgramModel":
        """The model of `path`, every member checked against the others
        (core/npz.py reads the file without trusting it)."""
        path = Path(path)
        arrays = read_npz(path, MEMBERS)
        if arrays["kind"].dtype.kind != "U" or str(arrays["kind"]) != KIND:
            raise PipelineError(f"{path} is not an n-gram model (kind {str(arrays['kind'])[:20]!r})")
        if text_member(arrays, "tokenizer", path) != RULES:
            raise PipelineError(f"{path} was trained with other tokenizer rules than this version uses; retrain it")
        vocabulary = check_vocabulary(text_member(arrays, "vocabulary", path), path, MAX_VOCABULARY)
        spec = text_member(arrays, "input_spec", path)
        if (
            not isinstance(spec, dict)
            or spec.get("features") != "binary"
            or spec.get("ngrams") not in range(1, MAX_N + 1)
        ):
            raise PipelineError(f"{path}: input_spec {str(spec)[:60]} is not binary 1- to {MAX_N}-grams")
        keys, weights, bias = arrays["ngram_keys"], arrays["weights"], arrays["bias"]
        if keys.dtype != np.int64 or keys.ndim != 1:
            raise PipelineError(f"{path}: ngram_keys are {keys.dtype} of shape {keys.shape}, not a list of int64 keys")
        if weights.dtype.kind != "f" or weights.shape != keys.shape or not np.isfinite(weights).all():
            raise PipelineError(f"{path}: {len(keys)} n-grams but weights of shape {weights.shape} ({weights.dtype})")
        if bias.dtype.kind != "f" or bias.shape != () or not np.isfinite(bias):
            raise PipelineError(f"{path}: bias is not one finite number")
        # Keys are sorted (lookups bisect them) and within what the vocabulary can form.
        highest = (len(vocabulary) + 1) ** spec["ngrams"] * 4  # exact_ngrams.py: base V + 1, n - 1 in the low bits
        if len(keys) and (keys[0] < 0 or keys[-1] >= highest or not (np.diff(keys) > 0).all()):
            raise PipelineError(f"{path}: ngram_keys are not sorted keys of this vocabulary's n-grams")
        return cls(vocabulary, spec["ngrams"], keys, weights, float(bias), path)
