"""Stage guard: the first command of every stage whose command holds a value
of params.yaml. Each such value must be a name by the rule, or a whole number,
before the command that holds it reaches a shell, even under `dvc repro -s`,
which skips check_params (imdb_embeddings/core/params_file.py).

    python -m stages.check_names
"""

from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.params_file import read, unsafe_in_commands


def main() -> None:
    lines = unsafe_in_commands(read("params.yaml"))
    if lines:
        raise PipelineError("\n".join(f"params.yaml: {line}" for line in lines))


if __name__ == "__main__":
    run_stage(main)
