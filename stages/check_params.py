"""Stage check_params: the whole of params.yaml checked (core/params.py),
first. Every stage waits for its output, so a bad name fails here before
DVC removes or runs anything. With no argument it only checks: the first
command of each stage whose command holds a value of params.yaml.

    python -m stages.check_params [data/params.checked]
"""

import argparse
from pathlib import Path

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.dataset.formats import check_source
from imdb_embeddings.modeling.families import FAMILIES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="written when every check passes; its bytes never change")
    args = parser.parse_args()
    p = params.load(families=FAMILIES)  # model names too
    # Your own data's path as it is on disk: a link out of the project, or a
    # named pipe (DVC would hang hashing it), is refused before prepare's turn.
    if p.dataset.format != "aclimdb" and (Path(p.dataset.path).is_symlink() or Path(p.dataset.path).exists()):
        check_source(Path(p.dataset.path), p.dataset.format)
    if args.out:
        with atomic_path(args.out) as tmp:
            tmp.write_text("params.yaml passed the checks of imdb_embeddings/core/params.py\n", encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
