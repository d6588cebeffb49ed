"""The page `dvc plots show` writes, drawn with no network.

DVC fills an HTML template (`plots.html_template` in .dvc/config) with one
`vegaEmbed` call per chart, and by default adds script tags that load Vega,
Vega-Lite and Vega-Embed from a CDN: offline, a blank page. This template
carries the three inline, from vl-convert-python's JavaScript bundle, and
has no `{scripts}` placeholder, so DVC adds no CDN tag. `make setup` writes
it (it is 0.9 MB, and comes from the installed package, so git ignores it).

Every chart is drawn as SVG. When all are drawn the page title says how
many ("rendered 12"), or the first error: the browser test reads that.

    python -m imdb_embeddings.reports.offline_page [.dvc/offline.html]
"""

import sys
from pathlib import Path

from imdb_embeddings.core.files import atomic_path

TEMPLATE = Path(".dvc/offline.html")  # .dvc/config: plots.html_template = offline.html

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>DVC plots</title>
<style>
  body { font-family: sans-serif; margin: 1em; }
  body > div { display: inline-block; vertical-align: top; margin: 0 1.5em 1.5em 0; }
</style>
<script type="text/javascript">BUNDLE</script>
<script type="text/javascript">
  // DVC calls vegaEmbed(element, spec) once a chart: draw each as SVG, and
  // say in the title when every chart is drawn, or what went wrong. DVC's
  // specs name Vega-Lite 5 in $schema; the bundle's Vega-Lite draws them,
  // and without the name vega-embed does not warn of the version on each.
  const embed = window.vegaEmbed, drawn = [];
  window.vegaEmbed = (element, { $schema, ...spec }) => {
    const chart = embed(element, spec, { renderer: "svg", actions: false });
    drawn.push(chart);
    return chart;
  };
  window.addEventListener("load", () => Promise.all(drawn).then(
    (charts) => { document.title = `rendered ${charts.length}`; },
    (error) => { document.title = `error: ${error}`; console.error(error); }));
</script>
</head>
<body>
{plot_divs}
</body>
</html>
"""


def page(bundle: str) -> str:
    """The template around a JavaScript bundle that defines window.vegaEmbed."""
    return PAGE.replace("BUNDLE", bundle.replace("</script", "<\\/script"))


def main(dest: str | Path = TEMPLATE) -> None:
    import vl_convert

    with atomic_path(dest, suffix=".html") as tmp:
        Path(tmp).write_text(page(vl_convert.javascript_bundle()), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
