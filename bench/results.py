"""The README's results table, reproduced: the whole default pipeline on the
real data (`dvc exp run -S glove.dim=50`: the offline mirror has only the
50-d GloVe member) in a fresh copy of the project, then every
configuration's labelled reviews, test accuracy and fitting time, and the
goals of "beyond the book" checked (few_labels >= 0.80 with 200 labels,
full_data >= 0.915 in <= 300 s of fitting). About 7 minutes on 2 cores.

    make results      # or: PIPELINE_MIRROR=../shared/mirror python -m bench.results
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imdb_embeddings.core import timings
from tests.project import ROOT, copy_project

GOALS = {"few_labels": (0.80, 200), "full_data": (0.915, 25_000)}
# The documents whose results table this command writes (between MARKERS).
WRITES = ("README.md", "docs/results.md")
MARKERS = ("<!-- results table: written by `make results` -->", "<!-- end of results table -->")
MAX_FIT_S = 300


def main() -> None:
    mirror = os.environ.get("PIPELINE_MIRROR")
    if not mirror:
        raise SystemExit("set PIPELINE_MIRROR to the folder with the real archives (e.g. ../shared/mirror)")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        copy_project(project)
        env = {
            **os.environ,
            "PIPELINE_MIRROR": str(Path(mirror).resolve()),
            "PIPELINE_CACHE_DIR": str(Path(tmp) / "cache"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        print("dvc exp run -S glove.dim=50 (the whole pipeline) ...", file=sys.stderr)
        start = time.perf_counter()
        run = subprocess.run(
            ["dvc", "exp", "run", "-S", "glove.dim=50"], cwd=project, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            raise SystemExit(f"the pipeline failed:\n{(run.stdout + run.stderr)[-3000:]}")
        metrics, rows = results(project)
        extra = comparisons_and_calibration(project, metrics)
    print(f"Whole pipeline: {seconds:.0f} s")
    print(f"{'configuration':<28} | {'labelled (+ validation)':<24} | test accuracy | fitting")
    for name, labelled, accuracy, fit in rows:
        print(f"{name:<28} | {labelled:<24} | {accuracy:<13.5f} | {fit}")
    table = markdown_table(rows, seconds, extra)
    for doc in WRITES:
        write_between_markers(ROOT / doc, table)
        print(f"wrote the table into {doc}", file=sys.stderr)
    failed = []
    for name, (goal, labelled) in GOALS.items():
        m, fit_s = metrics[name], metrics[name]["train_seconds"]
        met = m["test_accuracy"] >= goal and m["train_samples"] == labelled and fit_s <= MAX_FIT_S
        print(
            f"goal {name}: test accuracy {m['test_accuracy']:.4f} >= {goal}, {m['train_samples']:,} labelled, "
            f"fitted in {fit_s:.1f} s <= {MAX_FIT_S} s: {'met' if met else 'NOT MET'}"
        )
        failed += [] if met else [name]
    if failed:
        raise SystemExit(f"goals not met: {', '.join(failed)}")


def results(project: Path) -> tuple[dict[str, dict], list[tuple[str, str, float, str]]]:
    """({experiment: its metrics and fitting time}, rows of (configuration,
    labelled reviews, test accuracy, fitting time)) for every experiment and
    curve point; the times from this run's timings/ (core/timings.py)."""
    import yaml

    params = yaml.safe_load((project / "params.yaml").read_text())
    metrics, rows = {}, []
    for section in ("nbsvm", "experiments"):
        for named in params[section].values():
            for name, spec in named.items():
                m = metrics[name] = json.loads((project / "metrics" / f"{name}.json").read_text())[name]
                m["train_seconds"] = timings.read(f"train@{name}", project)["train_seconds"]
                fit = f"{m['train_seconds']:.1f} s"
                labelled = f"{spec['train_samples']:,} (+ {spec['validation_samples']:,})"
                rows.append((name, labelled, m["test_accuracy"], fit))
    points = [json.loads(p.read_text()) for p in (project / "data/curve").glob("*.json")]
    for m in sorted(points, key=lambda m: (m["source"], m["train_samples"])):
        labelled = f"{m['train_samples']:,} (+ {m['validation_samples']:,})"
        fit_s = timings.read(f"curve_{m['source']}@{m['train_samples']}", project)["train_seconds"]
        rows.append((f"curve, mean, {m['source']}", labelled, m["test_accuracy"], f"{fit_s:.1f} s"))
    return metrics, rows


def comparisons_and_calibration(project: Path, metrics: dict[str, dict]) -> list[str]:
    """Markdown: each paired comparison (metrics/compare/), then each model's calibration."""
    lines = [
        "",
        "| model against baseline (same 25,000 test reviews) | accuracy difference [paired bootstrap 95%] "
        "| right only with the model / only with the baseline | McNemar exact p |",
        "|---|---|---|---|",
    ]
    for path in sorted((project / "metrics/compare").glob("*.json")):
        ((_, c),) = json.loads(path.read_text()).items()
        p_value = f"{c['p_value']:.2g}" if c["p_value"] else "< 1e-300"  # 0: below the float range
        lines.append(
            f"| `{c['a']}` against `{c['b']}` | {c['difference']:+.4f} [{c['low']:+.4f}, {c['high']:+.4f}] "
            f"| {c['only_a']:,} / {c['only_b']:,} | {p_value} |"
        )
    lines += ["", "| model | ECE (15 bins) | Brier score |", "|---|---|---|"]
    lines += [f"| `{name}` | {m['ece']:.4f} | {m['brier']:.4f} |" for name, m in metrics.items()]
    return lines


def markdown_table(rows: list[tuple[str, str, float, str]], seconds: float, extra: list[str]) -> str:
    """The rows as the documents show them: each model with its artifact's
    description (dvc.yaml), the curve points of a source on one line."""
    import yaml

    described = {
        artifact["path"].removeprefix("data/models/").removesuffix(".npz"): artifact["desc"]
        for artifact in yaml.safe_load((ROOT / "dvc.yaml").read_text())["artifacts"].values()
    }
    lines = [
        "| configuration | labelled reviews: fitted (+ validation) | test accuracy | fitting time |",
        "|---|---|---|---|",
    ]
    curves: dict[str, list[tuple[str, float, str]]] = {}
    for name, labelled, accuracy, fit in rows:
        if name.startswith("curve, "):
            curves.setdefault(name.split(", ")[-1], []).append((labelled, accuracy, fit))
        else:
            lines.append(f"| `{name}`: {described.get(name, '')} | {labelled} | {accuracy:.4f} | {fit} |")
    for source, points in curves.items():
        sizes = " / ".join(labelled.split(" (")[0] for labelled, _, _ in points)
        validation = points[0][0].split(" (")[1].rstrip(")")
        accuracies = " / ".join(f"{accuracy:.3f}" for _, accuracy, _ in points)
        fits = " / ".join(fit.removesuffix(" s") for _, _, fit in points) + " s"
        lines.append(f"| learning curve, `mean` model, {source} | {sizes} ({validation}) | {accuracies} | {fits} |")
    when = time.strftime("%Y-%m-%d")
    note = f"`make results` on {when}: the whole pipeline in {seconds / 60:.1f} minutes, {os.cpu_count()} CPU cores."
    return "\n".join([*lines, *extra, "", note])


def write_between_markers(path: Path, table: str) -> None:
    text = path.read_text()
    start, end = MARKERS
    if start not in text or end not in text:
        raise SystemExit(f"{path} has no results-table markers ({start} ... {end})")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{start}\n{table}\n{end}{after}")


if __name__ == "__main__":
    main()
