"""Stage evaluate (`evaluate_<group>@<name>`): a trained Keras model on the
25,000 raw test reviews, through the same file `predict` runs
(serving/keras_model.py: no TensorFlow for the numpy families), with its
calibration; the outputs are imdb_embeddings/evaluation/figures.py's.

    python -m stages.evaluate data/models/<name>.npz data/models/<name>.fit.json data/prepared/test.parquet \
        --metrics metrics/<name>.json --details ... --predictions ... --reliability ...
"""

import logging

from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.evaluation.figures import arguments, measure, summary_line, write
from imdb_embeddings.serving.keras_model import ExportedModel

log = logging.getLogger("evaluate")
PARAMS = ()  # what turns text into the model's input comes with the model


def main() -> None:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    figures = measure(ExportedModel.load(args.model), args.test, args.fit)  # the file checked first
    write(figures, args)
    log.info("%s", summary_line(args.model, figures.metrics))


if __name__ == "__main__":
    run_stage(main)
