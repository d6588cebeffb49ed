"""`make report`: the charts of `dvc plots show` drawn to SVG with no browser
and no network (vl-convert), on one page with each model's results and a
link to its card: `report/index.html`, and `report/<chart>.svg` for the
README. DVC fills the charts' specs (`dvc plots show --json`), so the
report shows exactly what the page of `dvc plots show` shows.

    python -m imdb_embeddings.reports.report [PROJECT] [OUT]
"""

import html
import json
import subprocess
import sys
from pathlib import Path

from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path

# The charts worth a look; DVCLive's one-file-a-metric charts stay on the page of `dvc plots show`.
SKIPPED = ("dvclive/",)


def filled_specs(project: Path) -> dict[str, dict]:
    """{plot id: its Vega-Lite spec, data filled in} of every Vega chart."""
    result = subprocess.run(["dvc", "plots", "show", "--json"], cwd=project, capture_output=True, text=True)
    if result.returncode != 0:
        raise PipelineError(f"dvc plots show failed in {project}: {result.stderr.strip()[-300:]}")
    plots = json.loads(result.stdout)["data"]
    return {
        plot_id: renders[0]["content"]
        for plot_id, renders in plots.items()
        if renders and renders[0].get("type") == "vega" and not plot_id.startswith(SKIPPED)
    }


def svg_name(plot_id: str) -> str:
    """`plots/reliability/few_labels.csv` -> `reliability-few_labels.svg`."""
    return plot_id.removeprefix("plots/").rsplit(".", 1)[0].replace("/", "-") + ".svg"


def model_rows(project: Path) -> list[dict]:
    """Each model's figures (data/evaluation/<name>.json), best first."""
    rows = []
    for path in sorted((project / "data/evaluation").glob("*.json")):
        rows += [{"name": name, **figures} for name, figures in json.loads(path.read_text()).items()]
    return sorted(rows, key=lambda row: -row["test_accuracy"])


def page(rows: list[dict], charts: list[tuple[str, str]]) -> str:
    """The report's HTML: the results table, then every chart."""
    cells = []
    for r in rows:
        draws = r.get("draws")
        spread = f"{draws['mean']:.4f} [{draws['ci95_low']:.4f}, {draws['ci95_high']:.4f}]" if draws else ""
        card = f'<a href="../cards/{html.escape(r["name"])}.md">{html.escape(r["name"])}</a>'
        cells.append(
            f"<tr><td>{card}</td><td>{r['labels_total']:,}</td><td>{r['test_accuracy']:.4f}</td>"
            f"<td>{spread}</td><td>{r['ece']:.4f}</td><td>{r['brier']:.4f}</td></tr>"
        )
    figures = [f'<figure><img src="{name}" alt="{html.escape(title)}"></figure>' for title, name in charts]
    return "\n".join(
        [
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n<title>imdb-embeddings: results</title>',
            "<style>body{font-family:sans-serif;margin:1em}td,th{padding:2px 10px;text-align:right}"
            "td:first-child{text-align:left}figure{display:inline-block;margin:0 1em 1em 0}</style>",
            "</head>\n<body>\n<h1>Results</h1>",
            "<p>Test accuracy on every test review. Labels: every labelled review a model used,"
            " validation included. Draws: the mean and 95% interval over label draws. The name links to the"
            " model card.</p>",
            "<table>\n<tr><th>model</th><th>labels</th><th>test accuracy</th><th>draws</th><th>ECE</th>"
            "<th>Brier</th></tr>",
            *cells,
            "</table>\n<h1>Charts</h1>",
            *figures,
            "</body>\n</html>\n",
        ]
    )


def write_report(project: str | Path = ".", out: str | Path = "report") -> list[Path]:
    """Every chart to `out`/<chart>.svg, and the page; returns the SVG files."""
    import vl_convert

    project, out = Path(project), Path(project, out)
    charts, written = [], []
    for plot_id, spec in filled_specs(project).items():
        spec = {key: value for key, value in spec.items() if key != "$schema"}  # the bundled Vega-Lite draws it
        name = svg_name(plot_id)
        with atomic_path(out / name, suffix=".svg") as tmp:
            Path(tmp).write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
        charts.append((plot_id, name))
        written.append(out / name)
    with atomic_path(out / "index.html", suffix=".html") as tmp:
        Path(tmp).write_text(page(model_rows(project), charts), encoding="utf-8")
    return written


def main() -> None:
    written = write_report(*sys.argv[1:3])
    print(f"report: {len(written)} charts and index.html in {written[0].parent if written else 'report'}")


if __name__ == "__main__":
    run_stage(main)
