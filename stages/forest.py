"""Stage forest: every paired comparison (<metrics>/compare/) as one table,
`plots/comparisons.csv`, which `dvc plots show` draws as a forest plot: the
accuracy difference and its 95% interval per pair, and the zero line
(imdb_embeddings/reports/comparison_table.py; template .dvc/plots/forest.json).

    python -m stages.forest metrics plots/comparisons.csv
"""

import argparse
import logging
from pathlib import Path

from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.reports.comparison_table import as_csv, comparison_rows

log = logging.getLogger("forest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", help="the metrics folder: its compare/ holds the comparisons (.json)")
    parser.add_argument("out", help="the table (.csv)")
    args = parser.parse_args()
    rows = comparison_rows(Path(args.metrics) / "compare")
    if not rows:
        raise PipelineError(f"{args.metrics}/compare: no comparison; `dvc repro` writes them before this stage")
    with atomic_path(args.out, suffix=".csv") as tmp:
        tmp.write_text(as_csv(rows), encoding="utf-8")
    log.info("%s: %d comparisons", args.out, len(rows))


if __name__ == "__main__":
    run_stage(main)
