"""Stage tokenize: a vocabulary fitted on the training reviews only, and
every train and test review as a sequence of word indices (unpadded: each
experiment pads to its own length in `train`). The tokenizer is
imdb_embeddings/text/tokenizer.py."""

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
IN_DIR = "data/prepared"
OUT_DIR = "data/tokenized"


def main() -> None:
    max_words = params.load(keys=PARAMS)["tokenize"]["max_words"]
    train = pq.read_table(f"{IN_DIR}/train.parquet", columns=["text", "label"]).to_pydict()
    # The training reviews are split once, for both the vocabulary and their sequences.
    vocabulary, *train_sequences = fit_and_encode(train["text"], max_words)
    log.info("vocabulary: %d words (max_words %d, index 0 is padding)", len(vocabulary), max_words)
    test = pq.read_table(f"{IN_DIR}/test.parquet", columns=["text", "label"]).to_pydict()
    for split, data, (tokens, offsets) in (
        ("train", train, train_sequences),
        ("test", test, encode(test["text"], vocabulary)),
    ):
        save_sequences(f"{OUT_DIR}/{split}.npz", tokens, offsets, data["label"])
        log.info("%s: %d reviews, %d tokens", split, len(data["label"]), len(tokens))
    with atomic_path(f"{OUT_DIR}/vocab.json") as tmp:
        tmp.write_text(json.dumps(vocabulary, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
