"""Stage compare_curve: at every size of the learning curve, GloVe and
word2vec each against the embedding learned from scratch, on the same test
reviews, as stage compare does for two models (imdb_embeddings/core/paired.py),
all in `metrics/compare/curve.json` (`curve_<source>_vs_learned_<n>`). Each
point's own draw (draw 0) is compared.

    python -m stages.compare_curve data/curve --test data/prepared/test.parquet \
        --out metrics/compare/curve.json
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.columns import read_labels
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.paired import SUMMARY_LINE, load_predictions, paired_summary

log = logging.getLogger("compare_curve")
PARAMS = ("compare.seed", "compare.resamples", "learning_curve.sizes")
BASELINE = "learned"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", help="the folder of curve points and their predictions, <source>-<n>.npy")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--out", required=True, help="the comparisons (.json)")
    args = parser.parse_args()
    p = params.load(keys=PARAMS)
    seed, resamples = p.compare.seed, p.compare.resamples
    labels = read_labels(args.test)
    comparisons = {}
    for n in p.learning_curve.sizes:
        learned = load_predictions(Path(args.points) / f"{BASELINE}-{n}.npy", len(labels))
        for source in params.EMBEDDINGS:
            if source == BASELINE:
                continue
            a, b = f"{source}-{n}", f"{BASELINE}-{n}"
            pa = load_predictions(Path(args.points) / f"{a}.npy", len(labels))
            summary = paired_summary(a, b, pa, learned, labels, seed, resamples)
            comparisons[f"curve_{source}_vs_{BASELINE}_{n}"] = summary
            log.info(SUMMARY_LINE, a, b, summary["difference"], summary["low"], summary["high"], summary["p_value"])
    write_json(args.out, comparisons)


if __name__ == "__main__":
    run_stage(main)
