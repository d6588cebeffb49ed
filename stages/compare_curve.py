"""Stage compare_curve: at every size of the learning curve, GloVe and
word2vec each against the embedding learned from scratch on the same test
reviews (draw 0), as stage compare does, in one file (`curve_<source>_vs_learned_<n>`).

    python -m stages.compare_curve data/curve data/prepared/test.parquet metrics/compare/curve.json
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.evaluation.paired import SUMMARY_LINE, load_predictions, paired_summary
from imdb_embeddings.text.columns import read_labels

log = logging.getLogger("compare_curve")
PARAMS = ("compare.seed", "compare.resamples", "learning_curve.sizes")
BASELINE = "learned"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", help="the folder of curve points and their predictions, <source>-<n>.npy")
    parser.add_argument("test", help="the test reviews (.parquet): their labels")
    parser.add_argument("out", help="the comparisons (.json)")
    args = parser.parse_args()
    seed, resamples, sizes = params.load(*PARAMS)
    labels = read_labels(args.test)
    comparisons = {}
    for n in sizes:
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
