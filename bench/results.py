"""The README's results table, reproduced: the book's pipeline, then every
study, on the real data (`dvc exp run -S glove.dim=50`: the offline mirror has
only the 50-d GloVe member) in a fresh copy of the project, each timed; then
every configuration's labelled reviews, test accuracy (with the mean and 95%
interval over its label draws where it has several) and fitting time, the
paired comparisons and calibration (docs/results.md), and the goals of
"beyond the book" checked (few_labels: a mean >= 0.82 over its label draws
with 200 labels in all; full_data >= 0.915 in <= 300 s of fitting). It
prints each pipeline's stages and seconds: the README's costs. About 14
minutes on 2 cores.

    make results      # or: PIPELINE_MIRROR=../shared/mirror python -m bench.results
    RESULTS_KEEP=../real make results   # the same, in ../real/project, kept
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imdb_embeddings.core import timings
from imdb_embeddings.devtools.project import ROOT, copy_project

# name: (the least test accuracy: the mean over its draws where it has them, labelled reviews in all)
GOALS = {"few_labels": (0.82, 200), "full_data": (0.915, 25_000)}
# The documents whose results table this command writes (between MARKERS).
WRITES = ("README.md", "docs/results.md")
MARKERS = ("<!-- results table: written by `make results` -->", "<!-- end of results table -->")
MAX_FIT_S = 300


def main() -> None:
    mirror = os.environ.get("PIPELINE_MIRROR")
    if not mirror:
        raise SystemExit("set PIPELINE_MIRROR to the folder with the real archives (e.g. ../shared/mirror)")
    # RESULTS_KEEP=<folder>: run there and keep it (its cards and picture, to commit).
    keep = os.environ.get("RESULTS_KEEP")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(keep).resolve() if keep else Path(scratch)
        project = tmp / "project"
        copy_project(project)
        env = {
            **os.environ,
            "PIPELINE_MIRROR": str(Path(mirror).resolve()),
            "PIPELINE_CACHE_DIR": str(Path(tmp) / "cache"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        seconds, started = {}, time.time()
        for what, extra_args in (("book", []), ("studies", ["--all-pipelines"])):
            print(f"dvc exp run -S glove.dim=50 {' '.join(extra_args)} ({what}) ...", file=sys.stderr)
            start = time.perf_counter()
            command = ["dvc", "exp", "run", "-S", "glove.dim=50", *extra_args]
            run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
            seconds[what] = time.perf_counter() - start
            if run.returncode != 0:
                raise SystemExit(f"the pipeline failed:\n{(run.stdout + run.stderr)[-3000:]}")
        metrics, rows = results(project)
        extra = comparisons_and_calibration(project, metrics)
        spent_by_pipeline = pipeline_seconds(project, started)
    print(f"The book: {seconds['book']:.0f} s; the studies after it: {seconds['studies']:.0f} s")
    for pipeline, spent in spent_by_pipeline.items():  # the README's cost of each study
        print(f"  {pipeline}: {spent['stages']} stages, {spent['seconds']:.0f} s")
    print(f"{'configuration':<28} | {'labelled (+ validation)':<24} | test accuracy | fitting")
    for name, labelled, accuracy, fit in rows:
        print(f"{name:<28} | {labelled:<24} | {accuracy} | {fit}")
    for doc in WRITES:  # the README: the models; docs/results.md: the comparisons and calibration too
        write_between_markers(ROOT / doc, markdown_table(rows, seconds, extra if doc != WRITES[0] else []))
        print(f"wrote the table into {doc}", file=sys.stderr)
    failed = []
    for name, (goal, labelled) in GOALS.items():
        m, fit_s = metrics[name], metrics[name]["train_seconds"]
        accuracy, what = (
            (m["draws"]["mean"], f"mean over {m['draws']['draws']} draws")
            if "draws" in m
            else (
                m["test_accuracy"],
                "test accuracy",
            )
        )
        met = accuracy >= goal and m["labels_total"] == labelled and fit_s <= MAX_FIT_S
        print(
            f"goal {name}: {what} {accuracy:.4f} >= {goal}, {m['labels_total']:,} labels in all, "
            f"fitted in {fit_s:.1f} s <= {MAX_FIT_S} s: {'met' if met else 'NOT MET'}"
        )
        failed += [] if met else [name]
    if failed:
        raise SystemExit(f"goals not met: {', '.join(failed)}")


def pipeline_seconds(project: Path, started: float) -> dict[str, dict[str, float]]:
    """{dvc.yaml: its stages and seconds} of a finished serial run begun at
    `started`. A stage ends when its last output is written; it took the time
    since the stage that ended before it."""
    import yaml

    ends = []
    for lock in [project / "dvc.lock", *sorted(project.glob("studies/*/dvc.lock"))]:
        pipeline = str(lock.relative_to(project).with_name("dvc.yaml"))
        for stage in yaml.safe_load(lock.read_text())["stages"].values():
            times = [
                p.stat().st_mtime
                for out in stage.get("outs", [])
                for p in ([project / out["path"]] + list((project / out["path"]).rglob("*")))
                if p.is_file()
            ]
            if times:
                ends.append((max(times), pipeline))
    ends.sort()
    spent: dict[str, dict[str, float]] = {}
    for (before, _), (end, pipeline) in zip([(started, "")] + ends[:-1], ends, strict=True):
        entry = spent.setdefault(pipeline, {"stages": 0, "seconds": 0.0})
        entry["stages"] += 1
        entry["seconds"] += end - before
    return spent


def results(project: Path) -> tuple[dict[str, dict], list[tuple[str, str, str, str]]]:
    """({experiment: its metrics and fitting time}, rows of (configuration,
    labelled reviews, test accuracy, fitting time)) for every experiment and
    curve point; the times from this run's timings/ (core/timings.py)."""
    import yaml

    from imdb_embeddings.core.params import EMBEDDINGS
    from imdb_embeddings.reports.curve_plot import Expected, read_points
    from imdb_embeddings.text.columns import read_labels

    params = yaml.safe_load((project / "params.yaml").read_text())
    metrics, rows = {}, []
    for section in ("nbsvm", "experiments"):
        for named in params[section].values():
            for name in named:
                m = metrics[name] = json.loads((project / "data/evaluation" / f"{name}.json").read_text())[name]
                m["train_seconds"] = timings.read(f"train@{name}", project)["train_seconds"]
                fit = f"{m['train_seconds']:.1f} s"
                labelled = f"{m['train_samples']:,} (+ {m['validation_samples']:,})"
                rows.append((name, labelled, accuracy_cell(m), fit))
    draws = params["draws"]
    expected = Expected(EMBEDDINGS, params["learning_curve"]["sizes"], draws["curve"], draws["curve_sizes"])
    labels = read_labels(project / "data/prepared/test.parquet")
    for source, points in read_points(project / "data/curve", expected, labels).items():
        for m in points:
            labelled = f"{m['train_samples']:,} (+ {m['validation_samples']:,})"
            fit_s = timings.read(f"curve_{source}@{m['train_samples']}-0", project)["train_seconds"]
            accuracy = f"{m['test_accuracy']:.3f}"
            if m["draws"] > 1:
                accuracy += f" ({m['low']:.3f}-{m['high']:.3f})"
            rows.append((f"curve, mean, {source}", labelled, accuracy, f"{fit_s:.1f} s"))
    return metrics, rows


def accuracy_cell(m: dict) -> str:
    """The test accuracy; with label draws, their mean and 95% interval too."""
    if "draws" not in m:
        return f"{m['test_accuracy']:.4f}"
    d = m["draws"]
    return (
        f"{m['test_accuracy']:.4f}; **{d['mean']:.4f}** mean of {d['draws']} label draws "
        f"[{d['ci95_low']:.4f}, {d['ci95_high']:.4f}], std {d['std']:.4f}"
    )


def comparisons_and_calibration(project: Path, metrics: dict[str, dict]) -> list[str]:
    """Markdown: each paired comparison (metrics/compare/), then each model's calibration."""
    lines = [
        "",
        "| model against baseline (same 25,000 test reviews) | accuracy difference [paired bootstrap 95%] "
        "| right only with the model / only with the baseline | McNemar exact p |",
        "|---|---|---|---|",
    ]
    compared = [
        c
        for path in sorted((project / "metrics/compare").rglob("*.json"))
        for c in json.loads(path.read_text()).values()
    ]
    for c in compared:
        p_value = f"{c['p_value']:.2g}" if c["p_value"] else "< 1e-300"  # 0: below the float range
        lines.append(
            f"| `{c['a']}` against `{c['b']}` | {c['difference']:+.4f} [{c['low']:+.4f}, {c['high']:+.4f}] "
            f"| {c['only_a']:,} / {c['only_b']:,} | {p_value} |"
        )
    lines += ["", "| model | ECE (15 bins) | Brier score |", "|---|---|---|"]
    lines += [f"| `{name}` | {m['ece']:.4f} | {m['brier']:.4f} |" for name, m in metrics.items()]
    return lines


def markdown_table(rows: list[tuple[str, str, str, str]], seconds: dict[str, float], extra: list[str]) -> str:
    """The rows as the documents show them: each model with its artifact's
    description (the dvc.yaml files), the curve points of a source on one line."""
    import yaml

    described = {
        Path(artifact["path"]).stem: artifact["desc"]
        for path in [ROOT / "dvc.yaml", *sorted(ROOT.glob("studies/*/dvc.yaml"))]
        for artifact in (yaml.safe_load(path.read_text()).get("artifacts") or {}).values()
    }
    lines = [
        "| configuration | labelled reviews: fitted (+ validation) | test accuracy (label draws: mean [95%]) "
        "| fitting time |",
        "|---|---|---|---|",
    ]
    curves: dict[str, list[tuple[str, str, str]]] = {}
    for name, labelled, accuracy, fit in rows:
        if name.startswith("curve, "):
            curves.setdefault(name.split(", ")[-1], []).append((labelled, accuracy, fit))
        else:
            lines.append(f"| `{name}`: {described.get(name, '')} | {labelled} | {accuracy} | {fit} |")
    for source, points in curves.items():
        sizes = " / ".join(labelled.split(" (")[0] for labelled, _, _ in points)
        validation = points[0][0].split(" (")[1].rstrip(")")
        accuracies = " / ".join(accuracy for _, accuracy, _ in points)
        fits = " / ".join(fit.removesuffix(" s") for _, _, fit in points) + " s"
        lines.append(f"| learning curve, `mean` model, {source} | {sizes} ({validation}) | {accuracies} | {fits} |")
    when = time.strftime("%Y-%m-%d")
    note = (
        f"`make results` on {when}, {os.cpu_count()} CPU cores: the book in {seconds['book'] / 60:.1f} minutes, "
        f"the studies after it in {seconds['studies'] / 60:.1f}. A curve point with label draws shows their mean "
        "(lowest-highest)."
    )
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
