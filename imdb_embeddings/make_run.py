"""What `make run` and `make studies` do around DVC: first the plan, then
DVC's output passed through a filter.

`plan` checks params.yaml itself (stage check_params), so that a mistake is
named before DVC reads the file, then counts the stages out of date. With
none, it says so and DVC is not run: a `dvc exp run` with nothing to do
would still make an experiment. `filter` passes DVC's lines through, but
sums up in one line the warning DVC prints per output on a first run (no
dvc.lock yet: a run is specific to a machine, so this repository has none).

    python -m imdb_embeddings.make_run plan run|studies [GLOVE_DIM]   # exit 0: run; 1: nothing to run
    dvc exp run ... 2>&1 | python -m imdb_embeddings.make_run filter run|studies
"""

import json
import re
import subprocess
import sys

NO_HASH = re.compile(r"WARNING: No file hash info found for '[^']*'\. It won't be created\.")


def plan(target: str, glove_dim: str = "") -> int:
    """0 when DVC has work (it says how much), 1 when not, 2 when params.yaml is wrong."""
    checked = subprocess.run([sys.executable, "-m", "stages.check_params"])
    if checked.returncode != 0:
        print(f"make {target}: params.yaml is not valid (above); DVC was not run", file=sys.stderr)
        return 2
    status = subprocess.run(
        ["dvc", "status", "--json", *([] if target == "studies" else ["dvc.yaml"])], capture_output=True, text=True
    )
    stages = len(json.loads(status.stdout or "{}")) if status.returncode == 0 else None
    if stages == 0 and glove_dim and not _params_say(glove_dim):
        print(f"make {target}: glove.dim becomes {glove_dim}; the stages that read it will run")
        return 0
    if stages == 0:
        print(f"make {target}: nothing to run (every stage is up to date)")
        return 1
    print(f"make {target}: {'some' if stages is None else stages} stages to run")
    return 0


def _params_say(glove_dim: str) -> bool:
    """Whether params.yaml (checked just before) already has this glove.dim."""
    from imdb_embeddings.core.params_file import read

    return str(read("params.yaml")["glove"]["dim"]) == glove_dim


def filter_output(target: str = "run") -> None:
    skipped = 0
    for line in sys.stdin:
        if NO_HASH.search(line):
            skipped += 1
            continue
        sys.stdout.write(line)
        sys.stdout.flush()
    if skipped:
        print(f"make {target}: DVC had nothing to restore for {skipped} outputs (no dvc.lock yet): it makes them now")


def main() -> None:
    if sys.argv[1:2] == ["plan"]:
        sys.exit(plan(*sys.argv[2:4]))
    filter_output(*sys.argv[2:3])


if __name__ == "__main__":
    main()
