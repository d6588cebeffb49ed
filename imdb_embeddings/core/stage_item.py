"""Which item of a foreach or matrix stage runs: read from DVC_STAGE, never
from the command line.

DVC sets DVC_STAGE to the running stage's address: `train_learned@learned_small`,
`draw_nbsvm_pseudo@few_labels-3`, `curve_glove_draw@1000-2`. dvc.yaml's
commands write `{name}`, `{n}` or `{k}` where the item goes, and the stage
fills them in here. So no value of params.yaml is ever part of a shell
command, even under `dvc repro -s <stage>`, which skips check_params.
"""

import argparse
import os
import re
from collections.abc import Mapping, Sequence

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import NAME, NAME_RULE

WHOLE = re.compile(r"[0-9]{1,9}")
# What each number of an address is (a `name` is an experiment's or a pair's).
NUMBERS = {"n": "a number of reviews", "k": "a draw"}


def parse(address: str | None, fields: Sequence[str]) -> dict[str, str | int]:
    """The item's fields from a stage address, each checked: names by the
    experiment-name rule, `n` and `k` as whole numbers (DVC joins a matrix
    item's values with `-`, which a name cannot hold)."""
    form = "<stage>@" + "-".join(f"<{field}>" for field in fields)
    if not address:
        raise PipelineError(f"DVC_STAGE is not set: run this stage with `dvc repro {form}`, or set DVC_STAGE so")
    _, at, key = address.partition("@")
    if not at:
        raise PipelineError(f"DVC_STAGE is {address!r}, which has no item after @; expected {form}")
    parts = key.split("-")
    if len(parts) != len(fields):
        raise PipelineError(f"DVC_STAGE is {address!r}; expected {form}")
    item: dict[str, str | int] = {}
    for field, part in zip(fields, parts, strict=True):
        if field == "name":
            if not NAME.fullmatch(part):
                raise PipelineError(f"DVC_STAGE is {address!r}: {part!r} is not a valid experiment name ({NAME_RULE})")
            item[field] = part
        elif WHOLE.fullmatch(part):
            item[field] = int(part)
        else:
            raise PipelineError(f"DVC_STAGE is {address!r}: {field} {part!r} is not a whole number ({NUMBERS[field]})")
    return item


def fill(template: str, item: Mapping[str, object]) -> str:
    """A path as dvc.yaml writes it (`data/models/{name}.npz`) with the item's values."""
    return template.format_map(item)


def stage_item(fields: Sequence[str]) -> dict[str, str | int]:
    """This stage's item, from DVC_STAGE (see `parse`)."""
    return parse(os.environ.get("DVC_STAGE"), fields)


def templated(args: argparse.Namespace) -> bool:
    """Whether any option is written as a template (`{name}`): a stage run
    by hand with plain paths needs no DVC_STAGE."""
    return any(isinstance(value, str) and "{" in value for value in vars(args).values())


def fill_paths(args: argparse.Namespace, values: Mapping[str, object]) -> None:
    """Every option of `args` written as a template, filled in with `values`."""
    for key, value in vars(args).items():
        if isinstance(value, str) and "{" in value:
            setattr(args, key, fill(value, values))
