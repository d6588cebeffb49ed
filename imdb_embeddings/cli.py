"""The `imdb-embeddings` command (installed by `make setup`).

    imdb-embeddings predict --model NAME|PATH [--json] [--file PATH] [TEXT ...]

Reads the reviews from its arguments, else one review per line from --file
or standard input, and prints one line per review: the label and the
probability of a positive review (with --json, one JSON object per line with
`label` and `probability`). --model is an experiment of this workspace's
params.yaml (its model in data/models/) or the path of an exported `.npz`.
Starts fast: no TensorFlow, only numpy and the tokenizer.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from imdb_embeddings.core.errors import PipelineError

MODELS = Path("data/models")
THRESHOLD = 0.5  # as evaluate counts a prediction positive


def resolve_model(value: str, workspace: Path = Path(".")) -> Path:
    """The exported model file for --model: a path, or an experiment name."""
    path = Path(value)
    if path.suffix == ".npz" or path.is_file() or "/" in value:
        if not path.is_file():
            raise PipelineError(f"no model file {path}")
        return path
    stages = train_stages(workspace / "params.yaml")
    if value not in stages:
        known = ", ".join(sorted(stages)) or "none"
        raise PipelineError(
            f"no model named {value!r}: expected an experiment of params.yaml ({known}) "
            "or the path of an exported .npz model"
        )
    exported = workspace / MODELS / f"{value}.npz"
    if not exported.is_file():
        raise PipelineError(
            f"model {value} is not trained yet: run `dvc repro {stages[value]}` (or `dvc pull {stages[value]}`)"
        )
    return exported


# The train stage of each NBSVM group (dvc.yaml); Keras groups: train_<group>.
NBSVM_STAGES = {"labelled": "train_nbsvm", "pseudo_labelled": "train_nbsvm_pseudo"}


def train_stages(params_file: Path) -> dict[str, str]:
    """{experiment: the dvc.yaml stage that trains it} of a params.yaml, {} without one."""
    if not params_file.is_file():
        return {}
    import yaml

    try:
        params = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PipelineError(f"{params_file} is not valid YAML: {exc}") from exc
    stages = {}
    for section, stage_of in (("experiments", lambda g: f"train_{g}"), ("nbsvm", NBSVM_STAGES.get)):
        for group, named in (params.get(section) or {}).items():
            if isinstance(named, dict) and stage_of(group):
                stages.update({name: f"{stage_of(group)}@{name}" for name in named})
    return stages


def read_texts(texts: Sequence[str], file: str | None) -> list[str]:
    if texts:
        return list(texts)
    if file is not None:
        try:
            with open(file, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            raise PipelineError(f"cannot read {file}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise PipelineError(f"cannot read {file}: not UTF-8 text ({exc.reason})") from None
    else:
        lines = sys.stdin.read().splitlines()
    return [line for line in lines if line.strip()]


def predict(args: argparse.Namespace) -> None:
    from imdb_embeddings.modeling.exported import load_model

    model = load_model(resolve_model(args.model))
    texts = read_texts(args.texts, args.file)
    if not texts:
        where = args.file or "standard input"
        raise PipelineError(
            f"no reviews to predict: {where} is empty; give texts as arguments, --file PATH "
            "(one review a line) or lines on standard input"
        )
    out = sys.stdout
    for p in model.probabilities(texts).tolist():
        label = "positive" if p > THRESHOLD else "negative"
        out.write(json.dumps({"label": label, "probability": p}) + "\n" if args.json else f"{label}\t{p:.4f}\n")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="imdb-embeddings", description="Sentiment of movie reviews.")
    commands = top.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "predict", help="label reviews with a trained model", description=__doc__.split("\n\n")[1].strip()
    )
    p.add_argument("--model", required=True, help="an experiment of params.yaml, or the path of an exported .npz")
    p.add_argument("--json", action="store_true", help="one JSON object per review")
    p.add_argument("--file", help="read one review per line from this file")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="reviews (default: --file, else standard input)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        predict(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `| head`
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
