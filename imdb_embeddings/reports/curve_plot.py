"""The learning curve from its points (`metrics/curve/<source>-<n>.json`):
one CSV per embedding source for `dvc plots` and a PNG for the README, test
accuracy against labelled training reviews on a log scale."""

import csv
import io
import json
from pathlib import Path
from typing import Any

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path

COLUMNS = ("train_samples", "test_accuracy", "train_seconds", "epochs")
LABELS = {"learned": "learned from scratch", "glove": "GloVe (frozen)", "word2vec": "in-domain word2vec (frozen)"}


def read_points(folder: str | Path) -> dict[str, list[dict[str, Any]]]:
    """{source: points sorted by train_samples}."""
    curves: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            point = json.loads(path.read_text(encoding="utf-8"))
            curves.setdefault(point["source"], []).append(point)
        except (ValueError, KeyError) as exc:
            raise PipelineError(f"{path}: not a learning-curve point ({exc})") from None
    if not curves:
        raise PipelineError(f"{folder}: no learning-curve points; run `dvc repro` for the curve_* stages first")
    return {source: sorted(points, key=lambda p: p["train_samples"]) for source, points in curves.items()}


def write_tables(curves: dict[str, list[dict[str, Any]]], folder: str | Path) -> None:
    for source, points in curves.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([point[c] for c in COLUMNS] for point in points)
        with atomic_path(Path(folder) / f"{source}.csv") as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")


def draw(curves: dict[str, list[dict[str, Any]]], dest: str | Path, family: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=100)
    for source, points in curves.items():
        axes.plot(
            [p["train_samples"] for p in points],
            [p["test_accuracy"] for p in points],
            marker="o",
            label=LABELS.get(source, source),
        )
    axes.set_xscale("log")
    axes.set_xlabel("labelled training reviews (log scale)")
    axes.set_ylabel("test accuracy (25,000 reviews)")
    axes.set_title(f"Learning curve: the {family} model, per embedding source")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    with atomic_path(dest, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(figure)
