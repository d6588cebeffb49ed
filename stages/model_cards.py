"""Stage model_cards: a model card for every experiment's model, in
`cards/<name>.md` (imdb_embeddings/reports/model_card.py), from its params,
its model file and the metrics the pipeline measured.

    python -m stages.model_cards data/models data/evaluation metrics/compare cards
"""

import argparse
import json
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.reports.model_card import CardInputs, card

log = logging.getLogger("model_cards")
# Every experiment (one card each), the comparisons that name them, the vectors and data the cards describe.
PARAMS = (
    "experiments",
    "train",
    "nbsvm",
    "compare.pairs",
    "glove.dim",
    "word2vec.dim",
    "dataset.path",
    "dataset.format",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", help="the folder of models, <name>.npz")
    parser.add_argument("details", help="the folder of every model's figures, <name>.json")
    parser.add_argument("comparisons", help="the folder of the paired comparisons, <pair>.json")
    parser.add_argument("cards", help="the folder the cards go to, <name>.md")
    args = parser.parse_args()
    keras, _, nbsvm, compared, glove_dim, word2vec_dim, dataset_path, dataset_format = params.load(*PARAMS)
    sources = {"glove_dim": glove_dim, "word2vec_dim": word2vec_dim}
    pairs = {pair: read(Path(args.comparisons) / f"{pair}.json")[pair] for pair in compared}
    for group, name, settings in experiments(keras, nbsvm):
        inputs = CardInputs(
            name=name,
            group=group,
            settings=settings,
            metrics=read(Path(args.details) / f"{name}.json")[name],
            comparisons={k: r for k, r in pairs.items() if name in (r["a"], r["b"])},
            model=Path(args.models) / f"{name}.npz",
            sources=sources,
            dataset="" if dataset_format == "aclimdb" else dataset_path,
        )
        with atomic_path(Path(args.cards) / f"{name}.md") as tmp:
            tmp.write_text(card(inputs), encoding="utf-8")
        log.info("%s: %s", name, Path(args.cards) / f"{name}.md")


def experiments(keras: params.Experiments, nbsvm: params.Nbsvm) -> list[tuple[str, str, dict]]:
    """(group, name, settings) of every experiment; a Keras experiment's
    settings whole, with the `train` defaults it takes."""
    found = []
    for group in params.EMBEDDINGS:
        for name, settings in getattr(keras, group).items():
            found.append(
                (group, name, {k: v for k, v in settings.model_dump().items() if k != "embedding" and v is not None})
            )
    for group in params.NBSVM_GROUPS:
        found += [
            (group, name, settings.model_dump(exclude_unset=True)) for name, settings in getattr(nbsvm, group).items()
        ]
    return found


def read(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise PipelineError(f"{path}: missing; `dvc repro` writes it before the cards") from None


if __name__ == "__main__":
    run_stage(main)
