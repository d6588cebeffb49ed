"""The scaling benchmark: the pipeline's data stages on 1x, 4x and 16x the
100,000 aclImdb reviews, to see whether time grows linearly and memory stays
bounded (issue 21).

Each size is your-own-data input (docs/own-data.md), a Parquet file with a
split column, made from the real reviews in PIPELINE_MIRROR: every review
once as it is, and k - 1 perturbed copies of it in its own split (about 5%
of its words dropped and two pairs of neighbouring words swapped, seeded),
so a copy is never a test review seen in training. The stages, run by their
dvc.yaml commands in a copy of the project: prepare -> tokenize ->
train_nbsvm@full_data (every training review, `solver: lbfgs`) -> train_learned@learned_maxlen20
(its fixed 20,000 + 5,000 sample of the bigger pool). Each stage's seconds and
peak memory (its process's max RSS, from wait4), and the sums and maxima;
a stage whose memory passes --memory-cap-gib is stopped there and said so.
The figures go to bench/results.json (`scaling`) and docs/benchmark.md.

    PIPELINE_MIRROR=../shared/mirror python -m bench.scaling [--sizes 1 4 16]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from bench.run import write_table
from imdb_embeddings.devtools.project import ROOT, copy_project, edit_params, stage_argv

RESULTS = ROOT / "bench" / "results.json"
MARKERS = ("<!-- scaling table: written by `python -m bench.scaling` -->\n```\n", "```\n<!-- end of scaling table -->")
STAGES = ("check_params", "prepare", "tokenize", "train_nbsvm@full_data", "train_learned@learned_maxlen20")
DROP, SWAPS, SEED = 0.05, 2, 2026
NAMES = {1: "pos", 0: "neg", -1: ""}
# The NBSVM fit that does not hold a float64 copy of the matrix (nbsvm/lbfgs.py),
# at every size, so the sizes compare one fit (solver auto picks it at 16x only:
# liblinear's copies outgrow 4 GiB there).
FIT = {"solver": "lbfgs"}


def perturbed(text: str, rng: "np.random.Generator") -> str:
    words = text.split(" ")
    words = [w for w, drop in zip(words, rng.random(len(words)) < DROP) if not drop] or words[:1]
    for i in rng.integers(0, max(len(words) - 1, 1), SWAPS):
        if i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def write_scaled(splits: dict, factor: int, dest: Path) -> int:
    """The reviews and factor - 1 perturbed copies of each, as one Parquet file."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    schema = pa.schema([("text", pa.string()), ("label", pa.string()), ("split", pa.string())])
    n = 0
    with pq.ParquetWriter(dest, schema, compression="zstd") as writer:
        for split, rows in splits.items():
            for copy in range(factor):
                texts = [text if copy == 0 else perturbed(text, rng) for _, _, _, text in rows]
                labels = [NAMES[label] for label, _, _, _ in rows]
                name = "train" if split == "unsup" else split
                writer.write_table(pa.table({"text": texts, "label": labels, "split": [name] * len(rows)}, schema))
                n += len(rows)
    return n


def run_measured(argv: list[str], cwd: Path, cap_bytes: int) -> dict:
    """One stage's command: seconds, peak RSS (wait4), and whether the cap stopped it."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    capped = threading.Event()

    def guard() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while proc.returncode is None:
            try:
                rss = next(
                    int(line.split()[1]) * 1024 for line in status.read_text().splitlines() if line.startswith("VmRSS")
                )
            except (OSError, StopIteration, ValueError):
                return
            if rss > cap_bytes:
                capped.set()
                os.kill(proc.pid, signal.SIGKILL)
                return
            time.sleep(0.2)

    threading.Thread(target=guard, daemon=True).start()
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"seconds": round(time.perf_counter() - start, 2), "peak_bytes": usage.ru_maxrss * 1024}
    result["log"] = output.strip().splitlines()[-3:]  # the stage's own last lines (what took the time)
    if capped.is_set():
        result["stopped"] = f"memory over the {cap_bytes / 2**30:.0f} GiB cap"
    elif proc.returncode != 0:
        result["stopped"] = f"exit {proc.returncode}: {output.strip().splitlines()[-1][:200] if output.strip() else ''}"
    return result


# What each stage reads: one stopped, the stages after it that need it are not run.
NEEDS = {"prepare": "check_params", "tokenize": "prepare", "train_nbsvm@full_data": "prepare"}
NEEDS["train_learned@learned_maxlen20"] = "tokenize"


def measure(factor: int, mirror: Path, tmp: Path, cap_bytes: int) -> dict:
    project = copy_project(tmp / f"x{factor}" / "project")
    (project / "scaled").mkdir()
    started = time.perf_counter()
    # Made in a process of its own: a stage's peak memory (wait4) counts the
    # image it was forked from, so this process never holds the reviews.
    made = subprocess.run(
        [sys.executable, "-m", "bench.scaling", "--make-input", str(factor), str(mirror), str(project / "scaled")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    reviews = int(made.stdout.split()[-1])
    row = {"factor": factor, "reviews": reviews, "input_made_s": round(time.perf_counter() - started, 1)}
    dataset = {"path": "scaled/reviews.parquet", "format": "parquet", "split_column": "split"}
    edit_params(project, lambda p: p["dataset"].update(dataset))
    row["stages"] = stages = {}
    for stage in STAGES:
        if "stopped" in stages.get(NEEDS.get(stage, ""), {}):
            continue
        if stage == "train_nbsvm@full_data":  # every training review prepare kept
            kept = json.loads((project / "data" / "prepared" / "dataset.json").read_text())["splits"]["train"][
                "reviews"
            ]
            edit_params(project, lambda p, n=kept: p["nbsvm"]["labelled"]["full_data"].update(train_samples=n, **FIT))
        print(f"  {factor}x: {stage} ...", file=sys.stderr)
        stages[stage] = result = run_measured(stage_argv(project, stage), project, cap_bytes)
        print(f"  {factor}x: {stage}: {json.dumps(result)}", file=sys.stderr)
    row["seconds"] = round(sum(s["seconds"] for s in stages.values()), 2)
    row["peak_bytes"] = max(s["peak_bytes"] for s in stages.values())
    return row


def partial(row: dict) -> str:
    """A size where a stage was stopped has no whole time: say so beside it."""
    return " (not all ran)" if any("stopped" in s for s in row["stages"].values()) else ""


def table(rows: list[dict]) -> str:
    gib = 2**30
    lines = [f"Scaling, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; seconds / peak memory (GiB)"]
    header = ["stage", *(f"{r['factor']}x ({r['reviews']:,} reviews)" for r in rows)]
    body = []
    for stage in STAGES:
        cells = []
        for r in rows:
            s = r["stages"].get(stage)
            cells.append(
                "-"
                if s is None
                else f"{s['seconds']:.1f} s / {s['peak_bytes'] / gib:.2f}" + (" STOPPED" if "stopped" in s else "")
            )
        body.append([stage, *cells])
    body.append(["in all", *(f"{r['seconds']:.1f} s / {r['peak_bytes'] / gib:.2f}" + partial(r) for r in rows)])
    base = rows[0]["seconds"] / rows[0]["factor"]
    ratios = (f"{r['seconds'] / (base * r['factor']):.2f}" + partial(r) for r in rows)
    body.append(["time / (factor x 1x time)", *ratios])
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines += [" | ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [header, *body]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16], help="multiples of the 100,000 reviews")
    parser.add_argument("--memory-cap-gib", type=float, default=12, help="stop a stage whose memory passes this")
    parser.add_argument("--make-input", nargs=3, metavar=("FACTOR", "MIRROR", "DEST"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_input:
        from imdb_embeddings.archives.reviews import read_reviews

        factor, mirror, dest = args.make_input
        splits, _ = read_reviews(Path(mirror) / "aclImdb_v1.tar.gz")
        print(write_scaled(splits, int(factor), Path(dest) / "reviews.parquet"))
        return
    mirror = os.environ.get("PIPELINE_MIRROR")
    if not mirror or not (Path(mirror) / "aclImdb_v1.tar.gz").is_file():
        raise SystemExit("set PIPELINE_MIRROR to the folder with aclImdb_v1.tar.gz, e.g. ../shared/mirror")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.sizes:
            rows.append(measure(factor, Path(mirror).resolve(), Path(tmp), int(args.memory_cap_gib * 2**30)))
            shutil.rmtree(Path(tmp) / f"x{factor}", ignore_errors=True)  # the next size's room
    figures = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures["scaling"] = rows
    RESULTS.write_text(json.dumps(figures, indent=1) + "\n")
    text = table(rows)
    print(text)
    write_table(text, MARKERS)


if __name__ == "__main__":
    main()
