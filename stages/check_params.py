"""Stage check_params: the whole of params.yaml checked (imdb_embeddings/core/params.py),
first, whenever its bytes change.

Every other stage depends on this stage's output, so DVC runs it before any
of them; DVC removes a stage's outputs and runs its command, both of which
hold experiment names, only after the check has passed. A name such as
`../../x` or `x;rm -rf ~` therefore fails here, with one line, and DVC stops
before it touches anything. The output's bytes never change: a change to
params.yaml reruns this check, and only the stages that read the changed
keys after it.
"""

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path

IN = "params.yaml"
OUT = "data/params.checked"


def main() -> None:
    params.load(IN)
    with atomic_path(OUT) as tmp:
        tmp.write_text("params.yaml passed the checks of imdb_embeddings/core/params.py\n", encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
