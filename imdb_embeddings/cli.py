"""The `imdb-embeddings` command (installed by `make setup`).

    imdb-embeddings predict --model NAME|PATH [--json] [--file PATH] [TEXT ...]
    imdb-embeddings verify [--remove]

Reads the reviews from its arguments, else one review per line from --file
or standard input (lines end at \\n or \\r\\n only), and prints one line
per review, in order: the label and the probability of a positive review
(with --json, one JSON object per line with `label` and `probability`); a
blank review gets the row `empty` (probability null), so rows stay in step
with the input. --model is an experiment of this workspace's
params.yaml (its model in data/models/) or the path of an exported `.npz`.
Starts fast: no TensorFlow, only numpy and the tokenizer.
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from imdb_embeddings.core.errors import PipelineError, report
from imdb_embeddings.core.files import decode_utf8

MODELS = Path("data/models")


def what_it_is(path: Path) -> str:
    """What a path that is not a regular file is, in words."""
    import stat

    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror})"
    if stat.S_ISLNK(mode):
        try:
            mode = path.stat().st_mode
        except OSError as exc:  # a loop, or a target that is gone
            return f"is a link that leads nowhere ({exc.strerror})"
    kinds = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a named pipe", stat.S_ISCHR: "a device"}
    kinds |= {stat.S_ISBLK: "a device"}
    return "is " + next((kind for test, kind in kinds.items() if test(mode)), "not a regular file (a socket?)")


def resolve_model(value: str, workspace: Path = Path(".")) -> Path:
    """The exported model file for --model: a path, or an experiment name."""
    path = Path(value)
    if path.suffix == ".npz" or path.is_file() or "/" in value:
        if not path.is_file():
            raise PipelineError(f"{path} {what_it_is(path)}; expected a model file (.npz)")
        return path
    params_file = workspace / "params.yaml"
    if not params_file.is_file():
        raise PipelineError(
            f"no model named {value!r}: there is no params.yaml in {workspace.resolve()} to look it up in; "
            "run predict in the project's root or give the path of an exported .npz model"
        )
    stages = train_stages(params_file)
    if value not in stages:
        known = ", ".join(sorted(stages)) or "none"
        raise PipelineError(
            f"no model named {value!r}: expected an experiment of {params_file.resolve()} ({known}) "
            "or the path of an exported .npz model"
        )
    exported = workspace / MODELS / f"{value}.npz"
    if not exported.is_file():
        raise PipelineError(
            f"model {value} is not trained yet: run `dvc repro {stages[value]}` "
            f"(or, if the project has a DVC remote holding it, `dvc pull {stages[value]}`)"
        )
    return exported


# The train stage of each group, as `dvc repro` addresses it: the book's in dvc.yaml, a study's in its own.
TRAIN_STAGES = {
    "learned": "train_learned",
    "glove": "train_glove",
    "word2vec": "studies/word2vec/dvc.yaml:train_word2vec",
    "labelled": "studies/nbsvm/dvc.yaml:train_nbsvm",
    "pseudo_labelled": "studies/nbsvm/dvc.yaml:train_nbsvm_pseudo",
    "doc_taught": "studies/frontier/dvc.yaml:train_nbsvm_taught",
}


def train_stages(params_file: Path) -> dict[str, str]:
    """{experiment: the stage that trains it} of a params.yaml."""
    from imdb_embeddings.core import params as params_module

    params = params_module.read(params_file)
    if not isinstance(params, dict):
        raise PipelineError(f"{params_file} is not a mapping of sections")
    stages = {}
    for section, stage_of in (("experiments", TRAIN_STAGES.get), ("nbsvm", TRAIN_STAGES.get)):
        groups = params.get(section)
        for group, named in groups.items() if isinstance(groups, dict) else ():
            if isinstance(named, dict) and isinstance(group, str) and stage_of(group):
                stages.update({name: f"{stage_of(group)}@{name}" for name in named if isinstance(name, str)})
    return stages


# Input bounds: a review longer than any real one, or more input than fits in
# memory comfortably, is refused with the flag that raises the bound.
MAX_REVIEW_CHARS = 100_000  # the longest aclImdb review has 13,704 characters
MAX_INPUT_BYTES = 256 << 20


def read_texts(args: argparse.Namespace) -> list[str]:
    """The reviews, one per argument or per line (split on \\n and \\r\\n only,
    so that one line in is one prediction out); blank ones kept."""
    if args.texts and args.file is not None:
        raise PipelineError("give reviews as arguments or with --file, not both")
    if args.texts:
        texts = list(args.texts)
        for i, text in enumerate(texts, 1):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise PipelineError(f"argument {i} is not UTF-8 text") from None
        where = "the text arguments"
    else:
        where = args.file if args.file is not None else "standard input"
        texts = split_lines(read_bytes(args.file, args.max_input_bytes), where)
    if not any(text.strip() for text in texts):
        what = "are blank" if args.texts else ("is empty" if not texts else "is empty (blank lines only)")
        raise PipelineError(
            f"no reviews to predict: {where} {what}; give texts as arguments, --file PATH "
            "(one review a line) or lines on standard input"
        )
    for i, text in enumerate(texts, 1):
        if len(text) > args.max_review_chars:
            raise PipelineError(
                f"{where}: review {i} has {len(text):,} characters, more than --max-review-chars "
                f"({args.max_review_chars:,}); raise it to read such reviews"
            )
    return texts


def read_bytes(file: str | None, limit: int) -> bytes:
    """At most `limit` bytes of `file` (or standard input); more is an error."""
    where = file if file is not None else "standard input"
    try:
        if file is None:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(file, "rb") as f:
                data = f.read(limit + 1)
    except OSError as exc:
        raise PipelineError(f"cannot read {where}: {exc.strerror}") from None
    if len(data) > limit:
        raise PipelineError(f"{where} holds more than --max-input-bytes ({limit:,} bytes); raise it to read more")
    return data


def split_lines(data: bytes, where: str) -> list[str]:
    # A byte-order mark some editors write is not part of the first review.
    text = decode_utf8(data, f"cannot read {where}:").removeprefix("\ufeff")
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    return [line.removesuffix("\r") for line in lines]


def predict(args: argparse.Namespace) -> None:
    from imdb_embeddings.classifier import load_classifier
    from imdb_embeddings.serving.output import THRESHOLD  # as evaluate counts a prediction positive
    from imdb_embeddings.text.tokenizer import known_words

    model = load_classifier(resolve_model(args.model))
    texts = read_texts(args)
    words, known = known_words(texts, model.vocabulary)
    # A text with no word is empty; one with no word the model knows, unknown: neither gets a probability.
    readable = [i for i, text in enumerate(texts) if text.strip() and known[i]]
    probabilities = dict(zip(readable, model.probabilities([texts[i] for i in readable]).tolist(), strict=True))
    rows = []
    for i in range(len(texts)):
        share = round(float(known[i] / words[i]), 4) if words[i] and texts[i].strip() else None
        p = probabilities.get(i)
        label = "empty" if share is None else "unknown" if p is None else "positive" if p > THRESHOLD else "negative"
        if args.json:
            rows.append(json.dumps({"label": label, "probability": p, "known": share}))
        else:
            rows.append(f"{label}\t{'-' if p is None else f'{p:.4f}'}")
    sys.stdout.write("\n".join(rows) + "\n")
    sys.stdout.flush()


def verify(args: argparse.Namespace) -> int:
    """Re-hash the DVC cache objects of dvc.lock's outputs; list the bad ones
    with the stage that made them and how to rebuild them."""
    from imdb_embeddings import dvc_cache

    root = Path(".")
    if not (root / "dvc.lock").is_file():
        raise PipelineError(f"no dvc.lock in {root.resolve()}: run verify in the project's root, after `dvc repro`")
    cache = dvc_cache.cache_dir(root)
    checked, faults = dvc_cache.check(root, cache)
    for fault in faults:
        print(f"{fault.problem}: {fault.output} (stage {fault.stage}): {fault.object}")
        if args.remove and fault.problem == "corrupt":
            dvc_cache.remove(fault)
    print(f"{checked} cache objects checked in {cache}: {len(faults) or 'none'} bad")
    if not faults:
        return 0
    stages = " ".join(sorted({fault.stage for fault in faults}))
    if not args.remove and any(fault.problem == "corrupt" for fault in faults):
        print("remove the corrupt objects with `imdb-embeddings verify --remove`, then rebuild them:")
    print(f"rebuild them with `dvc repro -f -s {stages}` (or `dvc pull` from a remote that holds good copies)")
    return 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="imdb-embeddings", description="Sentiment of movie reviews.")
    commands = top.add_subparsers(dest="command", required=True)
    v = commands.add_parser(
        "verify",
        help="re-hash the DVC cache objects that dvc.lock names",
        description="Re-hash every DVC cache object that dvc.lock names and list the corrupt or missing "
        "ones with the stage that made them; exit 1 if there is any.",
    )
    v.add_argument("--remove", action="store_true", help="take corrupt objects out of the cache, to be rebuilt")
    p = commands.add_parser(
        "predict", help="label reviews with a trained model", description=__doc__.split("\n\n")[1].strip()
    )
    p.add_argument("--model", required=True, help="an experiment of params.yaml, or the path of an exported .npz")
    p.add_argument("--json", action="store_true", help="one JSON object per review")
    p.add_argument("--file", help="read one review per line from this file")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="reviews (default: --file, else standard input)")
    p.add_argument(
        "--max-review-chars",
        type=positive,
        default=MAX_REVIEW_CHARS,
        metavar="N",
        help=f"refuse a review longer than this (default {MAX_REVIEW_CHARS:,})",
    )
    p.add_argument(
        "--max-input-bytes",
        type=positive,
        default=MAX_INPUT_BYTES,
        metavar="N",
        help=f"refuse more input than this from --file or standard input (default {MAX_INPUT_BYTES:,})",
    )
    return top


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "verify":
            return verify(args)
        predict(args)
    except PipelineError as exc:
        report(exc)
        return 1
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        _silence_stdout()
        return 0
    except OSError as exc:  # a full disk, a closed terminal: both read what they read with their own errors
        _silence_stdout()
        what = "the predictions" if args.command == "predict" else "the report"
        print(f"error: cannot write {what} to standard output: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush
    of what could not be written does not print a traceback at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
