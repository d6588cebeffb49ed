"""Stage evaluate_nbsvm (`evaluate_nbsvm@<name>`, `evaluate_nbsvm_pseudo@<name>`):
a trained n-gram model on the 25,000 raw test reviews, as stage evaluate
does for a Keras model; with `--draws`, its label draws gathered (mean, std,
95% interval: imdb_embeddings/evaluation/spread.py).

    python -m stages.evaluate_nbsvm data/models/<name>.npz data/models/<name>.fit.json data/prepared/test.parquet \
        --metrics ... --details ... --predictions ... --reliability ... [--draws data/draws/<name>]
"""

import logging

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.evaluation.figures import arguments, measure, summary_line, with_draws, write
from imdb_embeddings.nbsvm.ngram_model import NgramModel

log = logging.getLogger("evaluate_nbsvm")
PARAMS = ()  # what turns text into the model's input comes with the model
OPTION_PARAMS = {"--draws": ("draws.nbsvm_pseudo",)}  # read only when the command passes the option


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--draws", help="the folder of the experiment's other label draws (<k>.npy)")
    args = parser.parse_args()
    figures = measure(NgramModel.load(args.model), args.test, args.fit)  # the file checked first
    if args.draws:
        with_draws(figures, args.draws, params.load(*OPTION_PARAMS["--draws"]))
    write(figures, args)
    log.info("%s", summary_line(args.model, figures.metrics))


if __name__ == "__main__":
    run_stage(main)
