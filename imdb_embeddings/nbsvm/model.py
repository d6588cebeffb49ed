"""A trained n-gram model as one self-contained `.npz`: the words it knows,
the tokenizer's text rules, the kept n-grams (sorted keys, features.py) and
one weight each (the logistic regression's coefficient times the n-gram's
NB log-count ratio, so prediction is a sum), and the bias. Raw text in,
probability out, numpy only: `evaluate_nbsvm` and `imdb-embeddings predict`
both run it."""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.core.metrics import probability
from imdb_embeddings.nbsvm.features import ngram_keys, present
from imdb_embeddings.text.tokenizer import RULES, encode

KIND = "nbsvm"


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
        path = Path(path)
        try:
            with np.load(path) as data:
                if not is_ngram_model(data):
                    raise PipelineError(f"{path} is not an n-gram model")
                if json.loads(str(data["tokenizer"])) != RULES:
                    raise PipelineError(
                        f"{path} was trained with other tokenizer rules than this version uses; retrain it"
                    )
                vocabulary = json.loads(str(data["vocabulary"]))
                spec = json.loads(str(data["input_spec"]))
                model = cls(vocabulary, spec["ngrams"], data["ngram_keys"], data["weights"], float(data["bias"]), path)
        except FileNotFoundError:
            raise PipelineError(f"{path} does not exist: train the model first (dvc repro)") from None
        except (KeyError, ValueError, OSError, EOFError) as exc:
            raise PipelineError(f"{path} is not an exported n-gram model ({str(exc).splitlines()[0][:80]})") from None
        if len(model.keys) != len(model.weights):
            raise PipelineError(f"{path}: {len(model.keys)} n-grams but {len(model.weights)} weights")
        return model


def is_ngram_model(data: np.lib.npyio.NpzFile) -> bool:
    return "kind" in data.files and str(data["kind"]) == KIND
