"""Stage compare (`compare@<name>`): one model against its baseline on the
same 25,000 test reviews, review by review (imdb_embeddings/core/paired.py):
the accuracy difference with a paired bootstrap 95% interval and McNemar's
exact p-value, in `metrics/compare/<name>.json`.

    python -m stages.compare <name> --a data/predictions/<a>.npy --b data/predictions/<b>.npy \\
        --test data/prepared/test.parquet --out metrics/compare/<name>.json
"""

import argparse
import logging
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import PipelineError, run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import correct
from imdb_embeddings.core.paired import compare

log = logging.getLogger("compare")
PARAMS = ("compare.seed", "compare.resamples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the comparison, a key of compare.pairs")
    parser.add_argument("--a", required=True, help="the model's P(positive) of each test review (.npy)")
    parser.add_argument("--b", required=True, help="its baseline's (.npy)")
    parser.add_argument("--test", required=True, help="the test reviews (.parquet): their labels")
    parser.add_argument("--out", required=True, help="the comparison (.json)")
    args = parser.parse_args()
    settings = params.load(keys=PARAMS)["compare"]
    labels = pq.read_table(args.test, columns=["label"]).column("label").to_numpy()
    right = {}
    for side in ("a", "b"):
        p = np.load(getattr(args, side))
        if p.shape != labels.shape:
            raise PipelineError(f"{getattr(args, side)}: {p.shape[0]} predictions for {len(labels)} test reviews")
        right[side] = correct(labels, p)
    result = compare(right["a"], right["b"], settings["seed"], settings["resamples"])
    a, b = Path(args.a).stem, Path(args.b).stem
    figures = {k: round(v, 6) if isinstance(v, float) else v for k, v in result._asdict().items()}
    figures["p_value"] = float(f"{result.p_value:.6g}")  # significant digits: it may be 1e-61
    summary = {"a": a, "b": b, **figures}
    write_json(args.out, {args.name: summary})
    log.info(
        "%s - %s: %+.4f accuracy (95%% interval %+.4f to %+.4f), McNemar p = %.2g",
        a,
        b,
        result.difference,
        result.low,
        result.high,
        result.p_value,
    )


if __name__ == "__main__":
    run_stage(main)
