"""The learning curve from its points (`<source>-<n>.json` and `.npy`, and
its label draws `<source>-<n>-draw<k>.*` in the points' folder): each
point's test accuracy, one table for `dvc plots` (.dvc/plots/curve.json)
and a PNG for the README, each source named and coloured alike in both.
Where a point has several draws, the curve goes through their mean and a
band spans the lowest to the highest."""

import csv
import io
import json
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.evaluation.metrics import correct

# test_accuracy: the mean over the point's draws; low, high: the lowest and highest draw.
COLUMNS = ("source", "train_samples", "test_accuracy", "low", "high", "draws", "epochs", "ended")
# Each source's name and colour, in the chart's template (.dvc/plots/curve.json) and the PNG alike.
NAMES = {"learned": "learned from scratch", "glove": "GloVe (frozen)", "word2vec": "word2vec (frozen)"}
COLORS = {"learned": "#1f77b4", "glove": "#ff7f0e", "word2vec": "#2ca02c"}
ENDED = ("early stopping", "the epoch cap: a floor")  # how a point's fit ended
CHANCE = 0.5  # the test set is balanced: 12,500 positive, 12,500 negative


class Expected(NamedTuple):
    """The points the curve is made of (params: learning_curve.sizes, draws)."""

    sources: tuple[str, ...]
    sizes: list[int]
    draws: list[int]  # the draws k beyond draw 0 ...
    draw_sizes: list[int]  # ... at these sizes


def read_points(folder: str | Path, expected: Expected, labels: np.ndarray) -> dict[str, list[dict[str, Any]]]:
    """{source: points sorted by train_samples}, each point its draws'
    summary, each draw's test accuracy from its predictions and the test
    `labels`. Only the expected files are read: a point or draw dropped from
    params.yaml leaves its files behind (DVC keeps them), and it is not counted."""
    curves: dict[str, list[dict[str, Any]]] = {}
    for source in expected.sources:
        for n in expected.sizes:
            names = [f"{source}-{n}.json"]
            if n in expected.draw_sizes:
                names += [f"{source}-{n}-draw{k}.json" for k in expected.draws]
            draws = [_point(Path(folder) / name, labels) for name in names]
            curves.setdefault(source, []).append(_summary(draws))
    return {source: sorted(points, key=lambda p: p["train_samples"]) for source, points in curves.items()}


def _point(path: Path, labels: np.ndarray) -> dict[str, Any]:
    try:
        point = json.loads(path.read_text(encoding="utf-8"))
        p = np.load(path.with_suffix(".npy"))
        if p.shape != labels.shape:
            raise ValueError(f"{p.size} predictions for {len(labels)} test reviews")
        point["test_accuracy"] = round(float(np.mean(correct(labels, p))), 6)
        return point
    except FileNotFoundError:
        raise PipelineError(f"{path}: missing; `dvc repro` runs the curve_* stages that write it") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"{path}: not a learning-curve point ({exc})") from None


def _summary(draws: list[dict[str, Any]]) -> dict[str, Any]:
    """Draw 0's point with the test accuracy of the draws' mean, their range and count."""
    accuracies = [d["test_accuracy"] for d in draws]
    return {
        **draws[0],
        "test_accuracy": round(sum(accuracies) / len(accuracies), 6),
        "low": min(accuracies),
        "high": max(accuracies),
        "draws": len(accuracies),
    }


def at_cap(point: dict[str, Any]) -> bool:
    """Whether the point trained for every epoch (early stopping never stopped it): a floor."""
    return bool(point.get("max_epochs")) and point["epochs"] >= point["max_epochs"]


def write_table(curves: dict[str, list[dict[str, Any]]], dest: str | Path) -> None:
    """Every point of every source, one row each, its source in words."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for source, points in curves.items():
        for p in points:
            row = {**p, "source": NAMES.get(source, source), "ended": ENDED[at_cap(p)]}
            writer.writerow(row[c] for c in COLUMNS)
    with atomic_path(dest, suffix=".csv") as tmp:
        tmp.write_text(buf.getvalue(), encoding="utf-8")


def draw(curves: dict[str, list[dict[str, Any]]], dest: str | Path, family: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.6), dpi=100)
    capped, most = False, 1
    for source, points in curves.items():
        x, y = [p["train_samples"] for p in points], [p["test_accuracy"] for p in points]
        color = COLORS.get(source)
        (line,) = axes.plot(
            x, y, marker="o", color=color, label=f"{NAMES.get(source, source)}, {points[0].get('dim', '?')}-d"
        )
        spread = [p for p in points if p["draws"] > 1]
        if spread:  # lowest to highest draw, where a point has several
            axes.fill_between(
                [p["train_samples"] for p in spread],
                [p["low"] for p in spread],
                [p["high"] for p in spread],
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
            most = max(most, max(p["draws"] for p in spread))
        # A triangle: the point trained to the epoch cap (early stopping never stopped it), as in the chart.
        floors = [p for p in points if at_cap(p)]
        capped |= bool(floors)
        axes.plot(
            [p["train_samples"] for p in floors],
            [p["test_accuracy"] for p in floors],
            linestyle="none",
            marker="^",
            markersize=8,
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
    notes = []
    if most > 1:
        notes.append(f"where a band: the mean of {most} label draws, the band from the lowest to the highest")
    if capped:
        cap = max(p.get("max_epochs") or 0 for points in curves.values() for p in points)
        notes.append(f"a triangle: its fit ran to the epoch cap ({cap}) before early stopping: a floor")
    for row, note in enumerate(reversed(notes)):
        figure.text(0.01, 0.01 + 0.035 * row, note, fontsize=8, color="dimgrey")
    figure.tight_layout(rect=(0, 0.035 * len(notes), 1, 1))
    with atomic_path(dest, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(figure)
