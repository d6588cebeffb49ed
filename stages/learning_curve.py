"""Stage learning_curve: the curve points as one CSV per embedding source
(for `dvc plots`) and the picture in the README
(imdb_embeddings/reports/curve_plot.py)."""

import logging

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.reports.curve_plot import draw, read_points, write_tables

log = logging.getLogger("learning_curve")
PARAMS = ("learning_curve.model",)
POINTS = "metrics/curve"
TABLES = "plots/learning_curve"
PICTURE = "plots/learning_curve.png"


def main() -> None:
    family = params.load(keys=PARAMS)["learning_curve"]["model"]
    curves = read_points(POINTS)
    write_tables(curves, TABLES)
    draw(curves, PICTURE, family)
    for source, points in curves.items():
        log.info("%s: %s", source, ", ".join(f"{p['train_samples']}: {p['test_accuracy']:.3f}" for p in points))


if __name__ == "__main__":
    run_stage(main)
