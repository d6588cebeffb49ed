"""Stage compare (`compare@<name>`): one model against its baseline on the
same 25,000 test reviews, review by review (imdb_embeddings/core/paired.py):
the accuracy difference with a paired bootstrap 95% interval and McNemar's
exact p-value, in `metrics/compare/<name>.json`.

    python -m stages.compare <name> --a data/predictions/<a>.npy --b data/predictions/<b>.npy \\
        --test data/prepared/test.parquet --out metrics/compare/<name>.json
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.columns import read_labels
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.paired import SUMMARY_LINE, load_predictions, paired_summary

log = logging.getLogger("compare")
PARAMS = ("compare.seed", "compare.resamples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the comparison, a key of compare.pairs")
    parser.add_argument("--a", required=True, help="the model's P(positive) of each test review (.npy)")
    parser.add_argument("--b", required=True, help="its baseline's (.npy)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--out", required=True, help="the comparison (.json)")
    args = parser.parse_args()
    settings = params.load(keys=PARAMS).compare
    labels = read_labels(args.test)
    p = {side: load_predictions(getattr(args, side), len(labels)) for side in ("a", "b")}
    a, b = Path(args.a).stem, Path(args.b).stem
    summary = paired_summary(a, b, p["a"], p["b"], labels, settings.seed, settings.resamples)
    write_json(args.out, {args.name: summary})
    log.info(SUMMARY_LINE, a, b, summary["difference"], summary["low"], summary["high"], summary["p_value"])


if __name__ == "__main__":
    run_stage(main)
