"""Stage curve (`curve_<source>@<n>`, `curve_<source>_draw@<n>-<k>`): a
learning-curve point, the curve's family on one embedding source trained on
`n` labelled reviews (label draw k: seeded train.seed + k), and its P(positive)
of each test review (imdb_embeddings/modeling/training.py).

    python -m stages.curve <source> <n> [--draw <k>] data/tokenized [--matrix ...] --point ... --predictions ...
"""

import argparse

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.modeling.training import curve_point
from imdb_embeddings.text.sequences import load_sequences

# Exactly the keys a point reads: not learning_curve.sizes (adding a size adds
# a point and reruns no other), nor train.epochs or train.optimizer (the
# curve has its own), so neither reruns the grid.
PARAMS = (
    "learning_curve.validation_samples",
    "learning_curve.model",
    "learning_curve.maxlen",
    "learning_curve.embedding_dim",
    "learning_curve.trainable",
    "learning_curve.hidden_units",
    "learning_curve.dropout",
    "learning_curve.learning_rate",
    "learning_curve.optimizer",
    "learning_curve.epochs",
    "learning_curve.early_stopping",
    "train.seed",
    "train.batch_size",
    "train.distribute",
    "train.cpu_devices",
    "tokenize.max_words",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", choices=params.EMBEDDINGS)
    parser.add_argument("n", type=int, help="labelled training reviews")
    parser.add_argument("--draw", type=int, default=0, help="a label draw k (seed train.seed + k); 0: the point")
    parser.add_argument("sequences", help="the folder of train.npz and test.npz (stage tokenize)")
    parser.add_argument("--matrix", help="the pre-trained embedding matrix (.npy): glove and word2vec only")
    parser.add_argument("--point", required=True, help="the point's fit (.json)")
    parser.add_argument("--predictions", required=True, help="P(positive) of each test review (.npy, float32)")
    args = parser.parse_args()
    if not 0 <= args.draw <= params.MAX_DRAWS:
        raise PipelineError(f"curve point {args.n}, draw {args.draw}: draws go from 0 to {params.MAX_DRAWS}")
    if (args.matrix is None) != (args.source == "learned"):
        parser.error("--matrix goes with the glove or word2vec source, and only with one")
    values = dict(zip(PARAMS, params.load(*PARAMS), strict=True))
    section = {key.partition(".")[0]: {} for key in PARAMS}
    for key, value in values.items():
        group, _, field = key.partition(".")
        section[group][field] = value
    experiment = params.curve_experiment(section["learning_curve"], section["train"], args.source, args.n, args.draw)
    matrix = None if args.matrix is None else np.load(args.matrix)
    train, test = (load_sequences(f"{args.sequences}/{split}.npz") for split in ("train", "test"))
    point = curve_point(experiment, values["tokenize.max_words"], train, test, matrix)
    with atomic_path(args.predictions, suffix=".npy") as tmp:
        np.save(tmp, point.probabilities)
    write_json(args.point, {**point.fit, "draw": args.draw})
    timings.record(f"curve_{args.source}@{args.n}-{args.draw}", train_seconds=point.seconds)
    print(f"{args.source} @ {args.n}, draw {args.draw}: fitted in {point.seconds:.1f} s")


if __name__ == "__main__":
    run_stage(main, quick_exit=True)
