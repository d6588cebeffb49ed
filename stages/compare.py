"""Stage compare (`compare@<name>`): one model against its baseline on the
same 25,000 test reviews, review by review (imdb_embeddings/core/paired.py):
the accuracy difference with a paired bootstrap 95% interval and McNemar's
exact p-value, in `metrics/compare/<name>.json`.

    DVC_STAGE=compare@<name> python -m stages.compare --a data/predictions/{a}.npy \\
        --b data/predictions/{b}.npy --test data/prepared/test.parquet --out metrics/compare/{name}.json

The pair's name comes from DVC_STAGE, which `dvc repro` sets, and its a and b
from compare.pairs.<name>; they fill each `{name}`, `{a}` and `{b}`
(imdb_embeddings/core/stage_item.py): no name reaches a shell.
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.columns import read_labels
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.paired import SUMMARY_LINE, load_predictions, paired_summary
from imdb_embeddings.core.stage_item import fill_paths, stage_item

log = logging.getLogger("compare")
PARAMS = ("compare.seed", "compare.resamples", "compare.pairs.{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="the model's P(positive) of each test review (.npy)")
    parser.add_argument("--b", required=True, help="its baseline's (.npy)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--out", required=True, help="the comparison (.json)")
    args = parser.parse_args()
    name = str(stage_item(("name",))["name"])  # a key of compare.pairs
    settings = params.load(keys=[key.format(name=name) for key in PARAMS]).compare
    pair = settings.pairs[name]
    fill_paths(args, {"name": name, "a": pair["a"], "b": pair["b"]})
    labels = read_labels(args.test)
    p = {side: load_predictions(getattr(args, side), len(labels)) for side in ("a", "b")}
    a, b = Path(args.a).stem, Path(args.b).stem
    summary = paired_summary(a, b, p["a"], p["b"], labels, settings.seed, settings.resamples)
    write_json(args.out, {name: summary})
    log.info(SUMMARY_LINE, a, b, summary["difference"], summary["low"], summary["high"], summary["p_value"])


if __name__ == "__main__":
    run_stage(main)
