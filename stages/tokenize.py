"""Stage tokenize: a vocabulary fitted on the training reviews only, and
every train and test review as a sequence of word indices (unpadded: each
experiment pads to its own length in `train`). The tokenizer is
imdb_embeddings/text/tokenizer.py.

    python -m stages.tokenize data/prepared/train.parquet data/prepared/test.parquet data/tokenized
"""

import argparse
import json
import logging

import pyarrow.parquet as pq

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.text.sequences import save_sequences
from imdb_embeddings.text.tokenizer import encode, fit_and_encode

log = logging.getLogger("tokenize")
PARAMS = ("tokenize.max_words",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", help="the training reviews (.parquet): the vocabulary is fitted on these")
    parser.add_argument("test", help="the test reviews (.parquet)")
    parser.add_argument("out", help="the folder of vocab.json, train.npz and test.npz")
    args = parser.parse_args()
    max_words = params.load(keys=PARAMS)["tokenize"]["max_words"]
    train = pq.read_table(args.train, columns=["text", "label"]).to_pydict()
    # The training reviews are split once, for both the vocabulary and their sequences.
    vocabulary, *train_sequences = fit_and_encode(train["text"], max_words)
    log.info("vocabulary: %d words (max_words %d, index 0 is padding)", len(vocabulary), max_words)
    test = pq.read_table(args.test, columns=["text", "label"]).to_pydict()
    for split, data, (tokens, offsets) in (
        ("train", train, train_sequences),
        ("test", test, encode(test["text"], vocabulary)),
    ):
        save_sequences(f"{args.out}/{split}.npz", tokens, offsets, data["label"])
        log.info("%s: %d reviews, %d tokens", split, len(data["label"]), len(tokens))
    with atomic_path(f"{args.out}/vocab.json") as tmp:
        tmp.write_text(json.dumps(vocabulary, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
