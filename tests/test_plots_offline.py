"""`dvc plots show` with no network: the page DVC writes from our template
(.dvc/offline.html, Vega inline) draws every chart in a real headless
browser, with marks, no console message and no request beyond the page's
own file. Debian's chromium is the browser (.ci/run installs it); without
it the test is skipped, except under CI=true, where that is a failure."""

import json
import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import run_tool

pytestmark = pytest.mark.slow(seconds=8)
CHROMIUM = shutil.which("chromium")
# Chromium's own background services: never the page's, but logged alike.
BROWSER_HOSTS = re.compile(r"https?://[^/]*(google\.com|googleapis\.com|gvt1\.com)/")
CHARTS = ("forest", "reliability", "training", "learning_curve")


@pytest.fixture
def page(reproduced_project, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("no chromium (Debian: apt-get install chromium)")
    source, env = reproduced_project
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    run_tool(project, "dvc", "plots", "show", env=env)
    return project / "dvc_plots" / "index.html"


def browse(page, tmp_path):
    """The page in headless chromium, every network host unresolvable: (its
    DOM once the charts are drawn, its console lines, the URLs requested)."""
    net = tmp_path / "net.json"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--log-net-log={net}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=60000",
        "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    urls = set(re.findall(r'"url":"([^"]+)"', net.read_text())) if net.exists() else set()
    return result.stdout, console, urls


def test_every_chart_draws_offline_and_names_what_it_shows(page, tmp_path):
    """Every chart draws offline, one per thing shown (none repeating
    another), each legend in words."""
    html = page.read_text()
    charts = html.count("vegaEmbed('#")
    assert "cdn.jsdelivr" not in html and "{scripts}" not in html
    assert all(name in html for name in CHARTS), [name for name in CHARTS if name not in html]
    models = len(list((page.parent.parent / "data/evaluation").glob("*.json")))
    keras = len(list((page.parent.parent / "plots/training").glob("*.csv")))
    assert charts == 2 + models + keras  # the curve, the forest, a reliability diagram a model, a training chart
    dom, console, urls = browse(page, tmp_path)
    assert f"<title>rendered {charts}</title>" in dom, (re.findall(r"<title>[^<]*</title>", dom), console)
    drawn = [svg for svg in dom.split("<svg")[1:] if 'class="marks"' in svg.split(">")[0]]  # Vega's, not icons
    assert len(drawn) == charts and all('class="mark-' in svg for svg in drawn)
    assert dom.count('class="mark-line') + dom.count('class="mark-symbol') >= charts
    assert console == [], console
    requested = {url for url in urls if not url.startswith(("file:", "data:")) and not BROWSER_HOSTS.match(url)}
    assert requested == set(), requested
    labels = set(re.findall(r"<text[^>]*>([^<]+)</text>", dom))
    words = {"learned from scratch", "GloVe (frozen)", "word2vec (frozen)", "training", "validation"}
    words |= {"early stopping", "the epoch cap: a floor", "embedding source", "chance (a coin toss)"}
    assert words <= labels, sorted(words - labels)
    assert not [label for label in labels if "undefined" in label or label.endswith((".csv", ".tsv"))], labels


def test_the_page_says_when_a_chart_fails(page, tmp_path):
    """The check is not blind: a chart Vega cannot draw turns the title into its error."""
    broken = page.with_name("broken.html")
    spec = json.dumps({"mark": "nonsense-mark", "data": {"values": [{"a": 1}]}})
    html = page.read_text()
    cut = html.index("<div id")
    broken.write_text(html[:cut] + f"<div id=\"x\"><script>vegaEmbed('#x', {spec});</script></div></body></html>")
    dom, console, _ = browse(broken, tmp_path)
    assert "<title>error:" in dom, re.findall(r"<title>[^<]*</title>", dom)
    assert console, "the error reaches the console too"
