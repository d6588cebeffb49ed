"""Stage check_params: the whole of params.yaml checked (imdb_embeddings/core/params.py),
first, whenever its bytes change.

Every other stage depends on this stage's output, so DVC runs it before any
of them; DVC removes a stage's outputs and runs its command, both of which
hold experiment names, only after the check has passed. A name such as
`../../x` or `x;rm -rf ~` therefore fails here, with one line, and DVC stops
before it touches anything. The output's bytes never change: a change to
params.yaml reruns this check, and only the stages that read the changed
keys after it.

    python -m stages.check_params params.yaml data/params.checked
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
    parser.add_argument("params", help="the params file")
    parser.add_argument("out", help="written when every check passes; its bytes never change")
    args = parser.parse_args()
    p = params.load(args.params, families=FAMILIES)  # model names too
    # Your own data's path as it is on disk: a link out of the project, or a
    # named pipe (DVC would hang hashing it), is refused before prepare's turn.
    if p.dataset.format != "aclimdb" and (Path(p.dataset.path).is_symlink() or Path(p.dataset.path).exists()):
        check_source(Path(p.dataset.path), p.dataset.format)
    with atomic_path(args.out) as tmp:
        tmp.write_text("params.yaml passed the checks of imdb_embeddings/core/params.py\n", encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
