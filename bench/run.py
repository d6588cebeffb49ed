"""The benchmark: every stage of the pipeline beside the reference approach
on the same real input (PIPELINE_MIRROR, e.g. ../shared/mirror), on this
machine, in this run. Prints one table and saves it to bench/results.json.

    make bench        # or: PIPELINE_MIRROR=../shared/mirror python -m bench.run
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

from bench.predict import measure as predict_speed
from imdb_embeddings.devtools.project import copy_project, edit_params

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def probe(task, *args):
    out = subprocess.run(
        [sys.executable, "-m", "bench.probe", task, *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"bench.probe {task} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def runs(n, task, *args):
    """n runs of a task: the median time, the largest peak, the last result."""
    results = [probe(task, *args) for _ in range(n)]
    last = dict(results[-1])
    last["seconds"] = statistics.median(r["seconds"] for r in results)
    last["peak_extra_bytes"] = max(r["peak_extra_bytes"] for r in results)
    last["runs"] = n
    return last


def timed(cmd, cwd, env):
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return seconds, out.stdout


def machine():
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 2**20
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB memory, Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short-runs", type=int, default=3, help="runs of each short figure (median)")
    parser.add_argument("--rerun-epochs", type=int, default=5, help="epochs after the change")
    parser.add_argument("--rerun-repeats", type=int, default=3, help="runs of the rerun, ours and the reference's")
    args = parser.parse_args()
    mirror = os.environ.get("PIPELINE_MIRROR")
    if not mirror or not Path(mirror).is_dir():
        raise SystemExit("set PIPELINE_MIRROR to the folder with the real archives, e.g. ../shared/mirror")
    mirror = Path(mirror).resolve()
    archive = mirror / "aclImdb_v1.tar.gz"
    n = args.short_runs
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        glove_zip = next(mirror.glob("glove.6B.*d.zip"), None) or mirror / "glove.6B.zip"
        with zipfile.ZipFile(glove_zip) as zf:
            member = next(m for m in zf.namelist() if m.endswith("d.txt"))
            zf.extract(member, tmp)
        glove_txt = tmp / member
        dim = int(re.search(r"(\d+)d\.txt$", member).group(1))

        print("1/6 GloVe parse ...", file=sys.stderr)
        (tmp / "glove").mkdir()
        ours = runs(n, "glove_ours", glove_txt, tmp / "glove")
        ref = runs(1, "glove_reference", glove_txt, tmp / "glove")
        figures["glove_parse"] = {"ours": ours, "reference": ref}
        figures["glove_parse_speedup"] = ref["seconds"] / ours["seconds"]
        figures["glove_parse_peak_ratio"] = ours["peak_extra_bytes"] / ours["output_bytes"]
        figures["glove_parse_reference_peak_ratio"] = ref["peak_extra_bytes"] / ours["output_bytes"]

        print("2/6 reading the reviews ...", file=sys.stderr)
        (tmp / "prepared").mkdir()
        ours = runs(n, "reviews_ours", archive, tmp / "prepared")
        ref = runs(1, "reviews_reference", archive, tmp / "prepared")
        figures["reviews"] = {"ours": ours, "reference": ref}
        figures["reviews_speedup"] = ref["seconds"] / ours["seconds"]

        print("3/6 tokenizing ...", file=sys.stderr)
        ours = runs(n, "tokenize_ours", tmp / "prepared", 10000)
        ref = runs(1, "tokenize_reference", tmp / "prepared", 10000)
        figures["tokenize"] = {"ours": ours, "reference": ref, "identical": ours["digest"] == ref["digest"]}
        figures["tokenize_speedup"] = ref["seconds"] / ours["seconds"]

        print("4/6 end to end (dvc repro vs the reference script) ...", file=sys.stderr)
        project = tmp / "project"
        copy_project(project)
        edit_params(project, lambda p: (p["glove"].update(dim=dim), p["experiments"].update(word2vec={})))
        env = {
            **os.environ,
            "PIPELINE_MIRROR": str(mirror),
            "PIPELINE_CACHE_DIR": str(tmp / "cache"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        timed(["dvc", "repro", "download_imdb", "download_glove"], project, env)  # archives already here
        # The book's three experiments, as the reference script runs them: no
        # word2vec stage or experiments (they have no counterpart there).
        book = ["dvc", "repro", "evaluate_learned", "evaluate_glove"]
        cold, _ = timed(book, project, env)
        ref_cmd = [
            sys.executable,
            "-m",
            "bench.reference",
            str(archive),
            str(glove_txt),
            "--params",
            str(project / "params.yaml"),
        ]
        ref_env = {**env, "PYTHONPATH": str(ROOT)}
        ref_cold, ref_out = timed(ref_cmd, ROOT, ref_env)
        # The rerun, repeated (ours and the reference in turn): both vary by a
        # few seconds from run to run, so the figure is the median with its range.
        epochs = yaml.safe_load((project / "params.yaml").read_text())["train"]["epochs"]
        runs_dir = project / ".dvc" / "cache" / "runs"
        reruns, ref_reruns = [], []
        for repeat in range(args.rerun_repeats):
            if repeat:  # back to the first epochs: DVC restores those from its run cache
                edit_params(project, lambda p: p["train"].update(epochs=epochs))
                timed(book, project, env)
            before = set(runs_dir.rglob("*"))
            edit_params(project, lambda p: p["train"].update(epochs=args.rerun_epochs))
            rerun, out = timed(book, project, env)
            for entry in sorted(set(runs_dir.rglob("*")) - before, reverse=True):  # the rerun runs again next time
                entry.unlink() if entry.is_file() else entry.rmdir()
            reruns.append(rerun)
            ref_reruns.append(timed(ref_cmd + ["--epochs", str(args.rerun_epochs)], ROOT, ref_env)[0])
        rerun_stages = sorted(re.findall(r"^Running stage '([^']+)'", out, re.MULTILINE))
        rerun, ref_rerun = statistics.median(reruns), statistics.median(ref_reruns)
        noop = statistics.median(timed(book, project, env)[0] for _ in range(n))
        figures.update(
            {
                "cold_repro_s": cold,
                "reference_cold_s": ref_cold,
                "cold_speedup": ref_cold / cold,
                "rerun_s": rerun,
                "reference_rerun_s": ref_rerun,
                "reruns_s": reruns,
                "reference_reruns_s": ref_reruns,
                "rerun_speedup": ref_rerun / rerun,
                "rerun_stages": rerun_stages,
                "noop_repro_s": noop,
                "reference_results": json.loads(ref_out.strip().splitlines()[-1])["results"],
            }
        )

        print("5/6 training throughput ...", file=sys.stderr)
        figures["throughput"] = probe("throughput", project)["samples_per_second"]

        print("6/6 imdb-embeddings predict ...", file=sys.stderr)
        # The book's models, and the best of "beyond the book" (NBSVM, all labels).
        timed(["dvc", "repro", "studies/nbsvm/dvc.yaml:evaluate_nbsvm@full_data"], project, env)
        figures["predict"] = predict_speed(project)

    figures["machine"] = machine()
    figures["date"] = time.strftime("%Y-%m-%d")
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "scaling" in kept:  # bench.scaling's figures: measured by their own command
        figures["scaling"] = kept["scaling"]
    RESULTS.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    write_table(print_table(figures, n, args.rerun_epochs))


def spread(values):
    """A repeated figure's range, for the table: "of 3: 18.2-20.1 s"."""
    return f"of {len(values)}: {min(values):.1f}-{max(values):.1f} s"


def print_table(f, n, rerun_epochs):
    mb = 1e6
    g, r, t = f["glove_parse"], f["reviews"], f["tokenize"]
    rows = [
        (
            "GloVe parse (400,000 x 50)",
            f"{g['ours']['seconds']:.2f} s, peak +{g['ours']['peak_extra_bytes'] / mb:.0f} MB",
            f"{g['reference']['seconds']:.2f} s, peak +{g['reference']['peak_extra_bytes'] / mb:.0f} MB",
            f"{f['glove_parse_speedup']:.1f}x; peak {f['glove_parse_peak_ratio']:.2f}x the matrix"
            f"{'' if g['reference']['identical'] else ' (VALUES DIFFER)'}",
            ">= 8x; <= 1.5x",
        ),
        (
            "Reading the reviews (100k / 50k files)",
            f"{r['ours']['seconds']:.2f} s",
            f"{r['reference']['seconds']:.2f} s",
            f"{f['reviews_speedup']:.1f}x{'' if r['reference']['identical'] else ' (TEXTS DIFFER)'}",
            "",
        ),
        (
            "Tokenizing 25k + 25k reviews",
            f"{t['ours']['seconds']:.2f} s",
            f"{t['reference']['seconds']:.2f} s",
            f"{f['tokenize_speedup']:.1f}x, {'same' if t['identical'] else 'DIFFERENT'} vocabulary and sequences",
            ">= 3x",
        ),
        (
            "Cold run, 3 experiments (archives here)",
            f"{f['cold_repro_s']:.1f} s",
            f"{f['reference_cold_s']:.1f} s",
            f"{f['cold_speedup']:.1f}x",
            "",
        ),
        (
            f"After epochs 10 -> {rerun_epochs}",
            f"{f['rerun_s']:.1f} s ({spread(f['reruns_s'])})",
            f"{f['reference_rerun_s']:.1f} s ({spread(f['reference_reruns_s'])})",
            f"{f['rerun_speedup']:.1f}x ({len(f['rerun_stages'])} stages rerun)",
            ">= 3x",
        ),
        ("No-op dvc repro", f"{f['noop_repro_s']:.2f} s", "", "", "< 2 s"),
    ]
    rows += [
        (f"Training throughput, {name}", f"{sps:,.0f} samples/s", "", "", "") for name, sps in f["throughput"].items()
    ]
    lines = [f"Benchmark, {f['date']}, {f['machine']}; medians of {n} runs for the pipeline's short figures"]
    widths = [
        max(len(str(row[i])) for row in rows + [("figure", "pipeline", "reference", "ratio", "goal")]) for i in range(5)
    ]
    for name, figure in f.get("predict", {}).items():
        rows.append((f"predict start-up, {name}", f"{figure['start_up_s']:.2f} s", "", "", ""))
        rows.append((f"predict 10,000 reviews, {name}", f"{figure['reviews_per_second']:,.0f} reviews/s", "", "", ""))
    for row in [("figure", "pipeline", "reference", "ratio", "goal")] + rows:
        lines.append(" | ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    print("\n".join(lines))
    return "\n".join(lines)


# The document whose latest table `make bench` writes (between the markers).
DOC = ROOT / "docs/benchmark.md"
MARKERS = ("<!-- benchmark table: written by `make bench` -->\n```\n", "```\n<!-- end of benchmark table -->")


def write_table(table, markers=MARKERS):
    """`table` into docs/benchmark.md between `markers` (this bench's, or bench.scaling's)."""
    text = DOC.read_text()
    start, end = markers
    if start not in text or end not in text:
        raise SystemExit(f"{DOC} has no markers {start.splitlines()[0]!r}")
    before, rest = text.split(start, 1)
    DOC.write_text(f"{before}{start}{table}\n{end}{rest.split(end, 1)[1]}")
    print(f"wrote the table into {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
