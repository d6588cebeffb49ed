"""The paired comparisons as one table for a forest plot: each comparison's
accuracy difference and its 95% interval (stage `compare` and
`compare_curve` wrote them, one JSON file each), a row a comparison."""

import csv
import io
import json
from pathlib import Path

COLUMNS = ("comparison", "difference", "low", "high", "p_value")


def comparison_rows(folder: str | Path) -> list[dict]:
    """Every comparison in the folder's JSON files: the named pairs first
    (files in name order), the learning curve's (curve.json) last."""
    files = sorted(Path(folder).glob("*.json"), key=lambda f: (f.name == "curve.json", f.name))
    rows = []
    for file in files:
        for summary in json.loads(file.read_text(encoding="utf-8")).values():
            rows.append({"comparison": f"{summary['a']} vs {summary['b']}", **{k: summary[k] for k in COLUMNS[1:]}})
    return rows


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
