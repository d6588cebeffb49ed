"""`make report` on the reproduced project: every chart of `dvc plots show`
drawn to SVG (vl-convert: no browser, no network), and one page with each
model's results, linked to its card."""

import json
import shutil
import subprocess
import sys

import pytest

from imdb_embeddings.reports.report import svg_name

pytestmark = pytest.mark.slow(seconds=8)


def test_the_report_draws_every_chart_and_lists_every_model(reproduced_project, tmp_path):
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    result = subprocess.run(
        [sys.executable, "-m", "imdb_embeddings.reports.report"], cwd=project, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    report = project / "report"
    charts = sorted(p.name for p in report.glob("*.svg"))
    expected = ["comparisons.svg", "learning_curve.svg", "reliability-few_labels.svg", "training-glove_frozen.svg"]
    assert set(expected) <= set(charts), charts
    # The report is made, never kept in git: the tree stays clean after it (the README's steps).
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, capture_output=True)
    assert status.stdout == b"", status.stdout
    for name in charts:
        svg = (report / name).read_text()
        assert svg.startswith("<svg") and 'class="marks"' in svg and svg.count('class="mark-') >= 3, name
    forest = (report / "comparisons.svg").read_text()
    assert "few_labels vs nbsvm_200" in forest and "glove-20 vs learned-20" in forest
    page = (report / "index.html").read_text()
    assert all(f'<img src="{name}"' in page for name in charts) and "<script" not in page
    for path in (project / "data/evaluation").glob("*.json"):
        for name, figures in json.loads(path.read_text()).items():
            assert f'<a href="../cards/{name}.md">{name}</a>' in page and f"{figures['test_accuracy']:.4f}" in page
            assert (project / "cards" / f"{name}.md").exists()


def test_chart_files_are_named_for_their_plot():
    assert svg_name("plots/reliability/few_labels.csv") == "reliability-few_labels.svg"
    assert svg_name("learning_curve") == "learning_curve.svg"
