"""One NBSVM experiment from its training reviews to a fitted model: which
reviews are labelled (the experiment's seed), n-gram features of every
training text (counted here, or read from stage ngram_features' file), for
a `pseudo_labelled` experiment the teacher and its labels, and the fit.
Stage train_nbsvm runs it at the experiment's seed; stage draw at the seeds
of its label draws."""

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import NbsvmExperiment
from imdb_embeddings.nbsvm import fit as nbsvm
from imdb_embeddings.nbsvm.choice import choose
from imdb_embeddings.nbsvm.exact_ngrams import MAX_VOCABULARY
from imdb_embeddings.nbsvm.features_file import TrainingText
from imdb_embeddings.nbsvm.ngram_model import NgramModel
from imdb_embeddings.nbsvm.teacher import Training, pseudo_labelled, review_vectors
from imdb_embeddings.splits import split_indices
from imdb_embeddings.text.tokenizer import fit_and_encode_chunks

ALL_WORDS = MAX_VOCABULARY + 1  # every training word (~75,000): max_words counts the padding index


class TeacherInput(NamedTuple):
    """The teacher's input: in-domain word vectors (row i + 1 is words[i]),
    averaged over each review's distinct words (a pseudo_labelled experiment)."""

    words: list[str]
    vectors: np.ndarray


class DocumentTeacher(NamedTuple):
    """The teacher's input: a vector per training review, in row order
    (document vectors, stage doc_vectors: a doc_taught experiment)."""

    vectors: np.ndarray


def load_teacher(
    group: str, vectors: str | None, vocabulary: str | None, review_vectors: str | None
) -> TeacherInput | DocumentTeacher | None:
    """The teacher an NBSVM group has, from the files its stage passes:
    none (labelled), word vectors and their words (pseudo_labelled), or each
    training review's vector (doc_taught)."""
    if group == "doc_taught":
        return DocumentTeacher(np.load(review_vectors))
    if group == "pseudo_labelled":
        with open(vocabulary, encoding="utf-8") as f:
            return TeacherInput(json.load(f), np.load(vectors))
    return None


# The teacher files each group's command passes.
TEACHER_FILES = {"labelled": (), "pseudo_labelled": ("vectors", "vocabulary"), "doc_taught": ("review_vectors",)}


def teacher_files_problem(group: str, args: Any) -> str | None:
    """What is wrong with the teacher files a stage's command passes for
    `group` (`args`: its parsed options), or None (stages train_nbsvm and draw)."""
    wanted = set(TEACHER_FILES[group])
    options = {option for files in TEACHER_FILES.values() for option in files}
    if {option for option in options if getattr(args, option, None)} == wanted:
        return None
    return f"a {group} experiment's teacher takes {', '.join(sorted(wanted)) or 'no files'}"


def teacher_view(text: TrainingText, teacher: TeacherInput | DocumentTeacher, reviews: int, where: str) -> np.ndarray:
    """The teacher's features of every training review: its document vector,
    or the mean of its words' vectors."""
    if isinstance(teacher, TeacherInput):
        return review_vectors(text.ids, text.offsets, text.vocabulary, teacher.words, teacher.vectors)
    if teacher.vectors.shape[0] != reviews:
        raise PipelineError(
            f"{where}: the document vectors have {teacher.vectors.shape[0]} rows for {reviews} "
            "training reviews; rerun doc_vectors"
        )
    return teacher.vectors.astype(np.float64)


class FittedNbsvm(NamedTuple):
    model: NgramModel
    summary: dict[str, Any]  # what data/models/<name>.fit.json records
    seconds: float  # fitting: the teacher and the regression (n-grams counted before)


def training_text(chunks: Iterable[Sequence[str]], ngrams: int, min_df: int, keep_ids: bool = True) -> TrainingText:
    """The training texts (a chunk at a time: tokenizer.fit_and_encode_chunks)
    tokenized (every word) and their 1..`ngrams`-grams counted, those in fewer
    than `min_df` texts left out. Without `keep_ids` the word ids are dropped
    once counted (a `labelled` fit reads only the n-grams: 4 bytes a word)."""
    vocabulary, ids, offsets = fit_and_encode_chunks(chunks, ALL_WORDS)
    features = nbsvm.Features(ids, offsets, vocabulary, ngrams, min_df)
    if not keep_ids:
        ids = offsets = None
    return TrainingText(vocabulary, ids, offsets, features)


def fit_experiment(
    text: TrainingText,
    labels: np.ndarray,
    settings: NbsvmExperiment,
    teacher: TeacherInput | DocumentTeacher | None,
    where: str,
) -> FittedNbsvm:
    """NBSVM fitted as `settings` says on the training reviews (`text`, and
    their `labels`, of which only the labelled reviews' are read); a
    teacher makes it self-training (pseudo_labelled, doc_taught)."""
    if text.features.ngrams != settings.ngrams:
        raise PipelineError(f"{where}: the n-gram features are not of {settings.ngrams}-grams; rerun ngram_features")
    labelled, validation = split_indices(len(labels), settings, where)
    start = time.perf_counter()
    features = text.features
    training = Training(labelled, labels[labelled], {})
    x = teacher_view(text, teacher, len(labels), where) if teacher is not None else None
    chosen = choose(features, labels, labelled, settings, x, text.test_copies, where)  # within the labelled only
    if x is not None:
        training = pseudo_labelled(
            x, labels, labelled, validation, settings, where, text.test_copies, per_class=chosen.pseudo_labels
        )
    try:
        model = nbsvm.fit(features, training.rows, training.labels, chosen.c, settings.seed, settings.solver)
    except ValueError as exc:
        raise PipelineError(f"{where}: cannot fit on {len(training.rows)} reviews: {exc}") from None
    seconds = time.perf_counter() - start
    summary = dict(training.summary)
    if chosen.scores:  # what was chosen, and how each candidate scored on the held-out folds
        summary.update(c=chosen.c, cross_validated=chosen.scores)
    if len(validation):
        summary["validation_accuracy"] = nbsvm.accuracy(model, features, validation, labels[validation])
    summary = nbsvm.describe(
        train_samples=len(labelled),
        validation_samples=len(validation),
        # Labelled reviews read in all (fitted on, validated on, chosen with).
        labels_total=len(labelled) + len(validation),
        ngram_features=len(model.keys),
        **summary,
    )
    return FittedNbsvm(model, summary, seconds)
