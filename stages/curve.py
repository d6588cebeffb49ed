"""Stage curve (`curve_learned@<n>`, `curve_glove@<n>`, `curve_word2vec@<n>`):
one point of the learning curve, the test accuracy of the curve's model
family on one embedding source trained on `n` labelled reviews
(imdb_embeddings/modeling/curve_point.py), and each test review's
P(positive) for stage compare_curve. With `--draw` (`curve_<source>_draw@<n>-<k>`),
label draw k of the point: its reviews drawn with the seed train.seed + k.

    DVC_STAGE=curve_<source>@<n> python -m stages.curve <source> --train data/tokenized/train.npz \
        --test data/tokenized/test.npz [--matrix data/embedding/<source>.npy] \
        --point data/curve/<source>-{n}.json [--predictions data/curve/<source>-{n}.npy]

n (and k) come from DVC_STAGE, which `dvc repro` sets, and fill each `{n}`
and `{k}` (imdb_embeddings/core/stage_item.py): no value reaches a shell.
"""

import argparse

import numpy as np

from imdb_embeddings.core import params, timings
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import atomic_path, write_json
from imdb_embeddings.core.settings import curve_experiment
from imdb_embeddings.core.stage_item import fill_paths, stage_item
from imdb_embeddings.modeling.curve_point import curve_point
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
    parser.add_argument("--train", required=True, help="the training reviews' sequences (.npz)")
    parser.add_argument("--test", required=True, help="the test reviews' sequences (.npz)")
    parser.add_argument("--matrix", help="the pre-trained embedding matrix (.npy): glove and word2vec only")
    parser.add_argument(
        "--draw", action="store_true", help="a label draw: DVC_STAGE ends in -<k> (seed train.seed + k)"
    )
    parser.add_argument("--point", required=True, help="the point (.json)")
    parser.add_argument("--predictions", help="P(positive) of each test review (.npy, float32)")
    args = parser.parse_args()
    item = {"k": 0, **stage_item(("n", "k") if args.draw else ("n",))}  # k 0: the point itself
    args.n, args.draw = item["n"], item["k"]
    if not 0 <= args.draw <= params.MAX_DRAWS:
        raise PipelineError(f"curve point {args.n}, draw {args.draw}: draws go from 0 to {params.MAX_DRAWS}")
    fill_paths(args, item)
    if (args.matrix is None) != (args.source == "learned"):
        parser.error("--matrix goes with the glove or word2vec source, and only with one")
    p = params.load(keys=PARAMS)
    experiment = curve_experiment(p.learning_curve, p.train, args.source, args.n, args.draw)
    matrix = None if args.matrix is None else np.load(args.matrix)
    train_seqs, test_seqs = load_sequences(args.train), load_sequences(args.test)
    point = curve_point(experiment, p.tokenize.max_words, train_seqs, test_seqs, matrix)
    if args.predictions:
        with atomic_path(args.predictions, suffix=".npy") as tmp:
            np.save(tmp, point.probabilities)
    write_json(args.point, {**point.metrics, "draw": args.draw})
    timings.record(f"curve_{args.source}@{args.n}-{args.draw}", train_seconds=point.seconds)
    accuracy = point.metrics["test_accuracy"]
    print(f"{args.source} @ {args.n}, draw {args.draw}: test accuracy {accuracy:.4f} (fitted in {point.seconds:.1f} s)")


if __name__ == "__main__":
    run_stage(main, quick_exit=True)
