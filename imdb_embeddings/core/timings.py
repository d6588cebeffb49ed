"""How long a stage's work took, on this machine, the last time it ran here.

A time differs between two runs of the same inputs, so it is never part of
an output DVC tracks (those are byte-identical for the same inputs, and
`dvc exp show` compares them): it goes to `timings/<name>.json`, which git
ignores and no stage depends on, and to the stage's log. A stage restored
from DVC's run cache did not run here and leaves its old file, or none.
`make results` reads these files for its "fitting time" column."""

import json
import time
from pathlib import Path

from imdb_embeddings.core.files import write_json

FOLDER = Path("timings")


def record(name: str, **seconds: float) -> None:
    """`timings/<name>.json`: {what: seconds}, with when it was measured."""
    figures = {what: round(value, 1) for what, value in seconds.items()}
    write_json(FOLDER / f"{name}.json", {**figures, "measured": time.strftime("%Y-%m-%dT%H:%M:%S")})


def read(name: str, root: str | Path = ".") -> dict[str, float]:
    """What `record` wrote for `name` under `root`, or {} if nothing ran there."""
    path = Path(root) / FOLDER / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
