"""The learning curve from its points (`data/curve/<source>-<n>.json`):
one CSV per embedding source for `dvc plots` and a PNG for the README, test
accuracy against labelled training reviews on a log scale."""

import csv
import io
import json
from pathlib import Path
from typing import Any

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path

COLUMNS = ("train_samples", "test_accuracy", "epochs")
LABELS = {
    "learned": "learned from scratch, {dim}-d",
    "glove": "GloVe 6B, {dim}-d (frozen)",
    "word2vec": "in-domain word2vec, {dim}-d (frozen)",
}
CHANCE = 0.5  # the test set is balanced: 12,500 positive, 12,500 negative


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

    figure, axes = plt.subplots(figsize=(7, 4.6), dpi=100)
    capped = False
    for source, points in curves.items():
        x, y = [p["train_samples"] for p in points], [p["test_accuracy"] for p in points]
        (line,) = axes.plot(x, y, marker="o", label=LABELS.get(source, source).format(dim=points[0].get("dim", "?")))
        # Hollow: the point trained to the epoch cap (early stopping never stopped it).
        at_cap = [p for p in points if p.get("max_epochs") and p["epochs"] >= p["max_epochs"]]
        capped |= bool(at_cap)
        axes.plot(
            [p["train_samples"] for p in at_cap],
            [p["test_accuracy"] for p in at_cap],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            color=line.get_color(),
        )
    axes.axhline(CHANCE, color="grey", linestyle="--", linewidth=1, label="chance (balanced test set)")
    sizes = sorted({p["train_samples"] for points in curves.values() for p in points})
    axes.set_xscale("log")
    axes.set_xticks(sizes, [f"{n:,}" for n in sizes])
    axes.minorticks_off()
    axes.set_ylim(0.45, 1.0)
    axes.set_xlabel("labelled training reviews (log scale)")
    axes.set_ylabel("test accuracy (25,000 reviews)")
    axes.set_title(f"Learning curve: the {family} model, per embedding source")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", fontsize=9)
    if capped:
        cap = max(p.get("max_epochs") or 0 for points in curves.values() for p in points)
        figure.text(
            0.01,
            0.01,
            f"hollow: trained for all {cap} epochs without early stopping, so that point is a floor",
            fontsize=8,
            color="dimgrey",
        )
    figure.tight_layout(rect=(0, 0.04 if capped else 0, 1, 1))
    with atomic_path(dest, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(figure)
