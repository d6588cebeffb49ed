"""`make run`'s filter of DVC's output: one line in place of a warning per
output on a first run.

`dvc exp run` restores the outputs dvc.lock records before it runs. A fresh
clone has no dvc.lock (a run is specific to a machine: README, "Why main
holds no run"), so DVC warns "No file hash info found for '<path>'. It
won't be created." once per output: 86 yellow lines that mean nothing is
wrong. This passes every other line through as it comes, and counts those
into one line at the end.

    dvc exp run ... 2>&1 | python -m imdb_embeddings.first_run
"""

import re
import sys

NO_HASH = re.compile(r"WARNING: No file hash info found for '[^']*'\. It won't be created\.")


def main() -> None:
    skipped = 0
    for line in sys.stdin:
        if NO_HASH.search(line):
            skipped += 1
            continue
        sys.stdout.write(line)
        sys.stdout.flush()
    if skipped:
        print(f"make run: DVC had nothing to restore for {skipped} outputs (no dvc.lock yet): it makes them now")


if __name__ == "__main__":
    main()
