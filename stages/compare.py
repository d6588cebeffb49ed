"""Stage compare (`compare@<name>`): one model against its baseline on the
same 25,000 test reviews, review by review (imdb_embeddings/evaluation/paired.py):
the accuracy difference with a paired bootstrap 95% interval and McNemar's
exact p-value.

    python -m stages.compare <name> data/predictions/<a>.npy data/predictions/<b>.npy \
        data/prepared/test.parquet metrics/compare/<name>.json
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.evaluation.paired import SUMMARY_LINE, load_predictions, paired_summary
from imdb_embeddings.text.columns import read_labels

log = logging.getLogger("compare")
PARAMS = ("compare.seed", "compare.resamples", "compare.pairs.{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the pair, a key of compare.pairs")
    parser.add_argument("a", help="the model's P(positive) of each test review (.npy)")
    parser.add_argument("b", help="its baseline's (.npy)")
    parser.add_argument("test", help="the test reviews (.parquet): their labels")
    parser.add_argument("out", help="the comparison (.json)")
    args = parser.parse_args()
    seed, resamples, _ = params.load(*(key.format(name=args.name) for key in PARAMS))  # its a and b: the paths
    labels = read_labels(args.test)
    p = {side: load_predictions(getattr(args, side), len(labels)) for side in ("a", "b")}
    a, b = Path(args.a).stem, Path(args.b).stem
    summary = paired_summary(a, b, p["a"], p["b"], labels, seed, resamples)
    write_json(args.out, {args.name: summary})
    log.info(SUMMARY_LINE, a, b, summary["difference"], summary["low"], summary["high"], summary["p_value"])


if __name__ == "__main__":
    run_stage(main)
