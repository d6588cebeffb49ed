"""`imdb-embeddings predict` speed on a workspace whose models are trained:
start-up (one short review, median of 5 runs, the whole process) and
reviews per second on 10,000 test reviews (one process, start-up included).

    python -m bench.predict [PROJECT]      # default: this folder
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import yaml

COMMAND = str(Path(sys.executable).parent / "imdb-embeddings")
REVIEWS = 10_000


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(project: Path) -> dict[str, dict[str, float]]:
    params = yaml.safe_load((project / "params.yaml").read_text())
    names = [name for section in ("experiments", "nbsvm") for named in params[section].values() for name in named]
    texts = pq.read_table(project / "data/prepared/test.parquet", columns=["text"]).column("text").to_pylist()
    with tempfile.TemporaryDirectory() as tmp:
        reviews = Path(tmp) / "reviews.txt"
        reviews.write_text("\n".join(t.replace("\n", " ") for t in texts[:REVIEWS]) + "\n", encoding="utf-8")
        figures = {}
        for name in names:
            if not (project / "data/models" / f"{name}.npz").is_file():
                continue
            base = [COMMAND, "predict", "--model", name]
            start_up = statistics.median(timed(base + ["A fine film."], project) for _ in range(5))
            seconds = timed(base + ["--file", str(reviews)], project)
            figures[name] = {"start_up_s": start_up, "reviews_per_second": REVIEWS / seconds}
    return figures


def main() -> None:
    project = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    print(f"{'model':<20} | start-up | reviews/s ({REVIEWS:,} test reviews, start-up included)")
    for name, f in measure(project).items():
        print(f"{name:<20} | {f['start_up_s']:.2f} s   | {f['reviews_per_second']:,.0f}")


if __name__ == "__main__":
    main()
