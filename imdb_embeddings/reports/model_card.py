"""A model card for each trained model (Mitchell et al. 2019, in brief):
what it is, what it learned from (labels in all, and every unlabelled or
outside text), how well it does on the test reviews with the spread over
label draws and its comparisons, how calibrated its probabilities are, what
it is for and not for, and how to get or rebuild it. Written from the
experiment's params, the model file (its md5, as dvc.lock records it) and
the metrics the pipeline measured: nothing in a card is typed by hand."""

import zipfile
from pathlib import Path
from typing import Any, NamedTuple

from imdb_embeddings.core.files import file_digest

# What each group's models read besides their labelled reviews.
UNLABELLED = {
    "learned": "none: the embedding is learned from the labelled reviews alone",
    "glove": (
        "GloVe 6B vectors ({glove_dim}-d), trained by Stanford on Wikipedia 2014 and Gigaword 5 "
        "(6 billion tokens of encyclopaedia and news, not reviews)"
    ),
    "word2vec": (
        "in-domain word2vec vectors ({word2vec_dim}-d) trained on the texts of the unlabelled and the "
        "training reviews, without their labels"
    ),
    "labelled": "the texts of all the training reviews, without labels, to count which n-grams are kept (min_df)",
    "pseudo_labelled": (
        "the texts of the other training reviews, without their labels, which the teacher labels; in-domain "
        "word2vec vectors ({word2vec_dim}-d) trained on the unlabelled and the training texts"
    ),
    "doc_taught": (
        "the texts of the other training reviews, without their labels, which the teacher labels; PV-DBOW "
        "document vectors (`{vectors}`) trained on the unlabelled and the training texts, never the test ones"
    ),
}
METHOD = {
    "learned": "Keras: an Embedding layer learned from scratch, {model} model, {maxlen} words a review",
    "glove": "Keras: the GloVe matrix as its Embedding layer ({frozen}), {model} model, {maxlen} words a review",
    "word2vec": "Keras: in-domain word2vec vectors as its Embedding layer ({frozen}), {model} model, {maxlen} words",
    "labelled": "NBSVM: naive-Bayes-weighted logistic regression on word 1- to {ngrams}-grams (no TensorFlow)",
    "pseudo_labelled": (
        "self-training: a teacher (logistic regression on the mean of each review's word2vec vectors) fitted "
        "on the labelled reviews labels the other training texts; NBSVM on word 1- to {ngrams}-grams learns "
        "from the labelled reviews and the teacher's most confident texts of each class ({pseudo_labels})"
    ),
    "doc_taught": (
        "self-training: a teacher (logistic regression on each review's inferred document vector) fitted "
        "on the labelled reviews labels the other training texts; NBSVM on word 1- to {ngrams}-grams learns "
        "from the labelled reviews and the teacher's most confident texts of each class ({pseudo_labels})"
    ),
}
LIMITS = [
    "English movie reviews like IMDB's: long (about 230 words) and polarised (4 stars of 10 or fewer, "
    "or 7 or more; aclImdb has no neutral reviews). Other domains, languages or neutral text are untested.",
    "Two classes, with the 0.5 threshold of balanced ones (the test set is 50/50): on skewed data, "
    "recalibrate or move the threshold.",
    "Sarcasm, negation over long spans and mixed reviews are where such models fail most.",
]
SELF_TRAINING_LIMIT = (
    "Self-training assumes balanced classes: it takes as many pseudo-labels of each class, so unlabelled text "
    "that is mostly of one class would teach it wrong labels."
)


class CardInputs(NamedTuple):
    name: str
    group: str  # learned, glove, word2vec (Keras); labelled, pseudo_labelled, doc_taught (NBSVM)
    settings: dict[str, Any]  # the experiment's params
    metrics: dict[str, Any]  # metrics/<name>.json's figures
    comparisons: dict[str, dict[str, Any]]  # the paired comparisons naming it
    model: Path
    sources: dict[str, int]  # glove_dim, word2vec_dim
    dataset: str = ""  # "": aclImdb; else your data's dataset.path (docs/own-data.md)


def data(c: CardInputs) -> str:
    return f"the `{c.dataset}`" if c.dataset else "the aclImdb"


def limits(c: CardInputs) -> list[str]:
    """What the card warns of; the first, about the domain, as the data was."""
    domain = [f"Texts like those of `{c.dataset}`: other domains, languages or neutral text are untested."]
    found = (domain + LIMITS[1:]) if c.dataset else LIMITS
    return found + ([SELF_TRAINING_LIMIT] if c.group in ("pseudo_labelled", "doc_taught") else [])


def runs_in(model: Path) -> str:
    """What serves the model: numpy, or Keras for a family numpy cannot run
    (its file carries the `.keras` model: modeling/inference.py)."""
    with zipfile.ZipFile(model) as archive:
        keras = "keras.npy" in archive.namelist()
    return "through Keras (TensorFlow loads on first use)" if keras else "numpy only"


def card(c: CardInputs) -> str:
    """The card's Markdown."""
    m, s = c.metrics, c.settings
    fields = {
        "model": s.get("model", "flatten"),
        "maxlen": s.get("maxlen"),
        "frozen": "trainable" if s.get("trainable") else "frozen",
        **s,
        **c.sources,
    }
    if "pseudo_labels" in s:
        fields["pseudo_labels"] = among(s["pseudo_labels"], "a class")
    lines = [
        f"# Model card: {c.name}",
        "",
        f"*Written by the pipeline (stage `model_cards`) from params.yaml, `{c.model}` and "
        f"`data/evaluation/{c.name}.json`.*",
        "",
        "## What it is",
        f"- **Method**: {METHOD[c.group].format(**fields)}.",
        f"- **File**: `{c.model}` (md5 `{file_digest(c.model, 'md5')}`, as dvc.lock records it), "
        f"self-contained: raw text in, P(positive) out, {runs_in(c.model)}.",
        "",
        "## What it learned from",
        f"- **Labelled reviews in all: {m['labels_total']:,}** ({m['train_samples']:,} fitted on, "
        f"{m['validation_samples']:,} held out for validation), from {data(c)} training reviews.",
        f"- **Unlabelled or outside text**: {UNLABELLED[c.group].format(**fields)}.",
        "- **Never read**: any test review, for training or for choosing a setting.",
        "",
        "## How well",
        f"- **Test accuracy** ({data(c)} test reviews{'' if c.dataset else ', half of them positive'}): "
        f"**{m['test_accuracy']:.4f}**, "
        f"log-loss {m['test_loss']:.4f}.",
    ]
    lines += how_well(c)
    lines += [
        "",
        "## What it is for, and not",
        "- Sorting English movie reviews into positive and negative; a baseline or teaching example for "
        "embeddings and label budgets. Not for decisions about people.",
        *(f"- {limit}" for limit in limits(c)),
        "",
        "## Settings (params.yaml)",
        "",
        "| key | value |",
        "|---|---|",
        *(f"| `{key}` | `{value}` |" for key, value in s.items()),
        "",
        "## Get it, use it, rebuild it",
        "```bash",
        f"dvc artifacts get <this repository> {c.name.replace('_', '-')}   # the model file, from the DVC remote",
        f'imdb-embeddings predict --model {c.model} "A moving, beautifully shot film."',
        "dvc repro   # rebuilds it (and only what changed) from the archives, byte for byte",
        "```",
        "",
    ]
    return "\n".join(lines)


def among(value: int | list, unit: str) -> str:
    """A setting as a card says it: one value, or the candidates each draw's
    cross-validation within its labelled reviews chose among."""
    if not isinstance(value, list):
        return f"{value:,} {unit}"
    return f"{' or '.join(f'{v:,}' for v in value)} {unit}, chosen by cross-validation within the labelled reviews"


def how_well(c: CardInputs) -> list[str]:
    """Test figures: the draws' spread, the comparisons, calibration."""
    m, s = c.metrics, c.settings
    lines = []
    if "draws" in m:
        d = m["draws"]
        lines.append(
            f"- **Over {d['draws']} label draws** (its labelled reviews drawn anew, seeds {s['seed']} to "
            f"{s['seed'] + d['draws'] - 1}): mean **{d['mean']:.4f}**, std {d['std']:.4f}, 95% interval of the "
            f"mean {d['ci95_low']:.4f} to {d['ci95_high']:.4f} (each: "
            f"{', '.join(f'{a:.3f}' for a in d['test_accuracies'])})."
        )
    else:
        lines.append("- One label draw (seed {}); its spread over draws is not measured.".format(s.get("seed", "?")))
    if "validation_accuracy" in m:
        lines.append(f"- Validation accuracy: {m['validation_accuracy']:.4f}.")
    for pair, r in sorted(c.comparisons.items()):
        lines.append(
            f"- Against {r['b'] if r['a'] == c.name else r['a']} (`{pair}`, same test reviews): "
            f"{r['a']} minus {r['b']} = {r['difference']:+.4f}, paired bootstrap 95% interval "
            f"{r['low']:+.4f} to {r['high']:+.4f}, McNemar's exact p {_p(r['p_value'])}."
        )
    lines.append(
        f"- **Calibration**: ECE {m['ece']:.4f} (15 equal-width bins), Brier score {m['brier']:.4f}; "
        f"reliability table `plots/reliability/{c.name}.csv` (`dvc plots show`)."
    )
    return lines


def _p(value: float) -> str:
    return f"= {value:.2g}" if value else "< 1e-300"  # 0: below the float range
