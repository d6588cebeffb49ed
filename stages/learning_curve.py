"""Stage learning_curve: each curve point's test accuracy, in one table
for `dvc plots` and the picture in the README (imdb_embeddings/reports/curve_plot.py).

    python -m stages.learning_curve data/curve data/prepared/test.parquet plots/learning_curve.csv \
        plots/learning_curve.png
"""

import argparse
import logging

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.reports.curve_plot import Expected, draw, read_points, write_table
from imdb_embeddings.text.columns import read_labels

log = logging.getLogger("learning_curve")
# The model's name for the title; which points (and draws) make the curve.
PARAMS = ("learning_curve.model", "learning_curve.sizes", "draws.curve", "draws.curve_sizes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("points", help="the folder of curve points, <source>-<n>[-draw<k>].json and .npy")
    parser.add_argument("test", help="the test reviews (.parquet): their labels")
    parser.add_argument("table", help="every point of every source (.csv)")
    parser.add_argument("picture", help="the .png")
    args = parser.parse_args()
    model, sizes, draws, draw_sizes = params.load(*PARAMS)
    curves = read_points(args.points, Expected(params.EMBEDDINGS, sizes, draws, draw_sizes), read_labels(args.test))
    write_table(curves, args.table)
    draw(curves, args.picture, model)
    for source, points in curves.items():
        log.info("%s: %s", source, ", ".join(f"{p['train_samples']}: {p['test_accuracy']:.3f}" for p in points))


if __name__ == "__main__":
    run_stage(main)
