"""Stage forest: every paired comparison as one table, which `dvc plots show`
draws as a forest plot: the accuracy difference and its 95% interval per
pair, and the zero line (imdb_embeddings/reports/comparison_table.py).

    python -m stages.forest metrics/compare plots/comparisons.csv
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
    parser.add_argument("comparisons", help="the folder of comparisons (.json)")
    parser.add_argument("out", help="the table (.csv)")
    args = parser.parse_args()
    rows = comparison_rows(Path(args.comparisons))
    if not rows:
        raise PipelineError(f"{args.comparisons}: no comparison; `dvc repro` writes them before this stage")
    with atomic_path(args.out, suffix=".csv") as tmp:
        tmp.write_text(as_csv(rows), encoding="utf-8")
    log.info("%s: %d comparisons", args.out, len(rows))


if __name__ == "__main__":
    run_stage(main)
