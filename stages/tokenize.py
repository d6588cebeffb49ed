"""Stage tokenize: a vocabulary fitted on the training reviews only, and
every train and test review as a sequence of word indices (unpadded: each
experiment pads to its own length in `train`). The tokenizer is
imdb_embeddings/text/tokenizer.py.

    python -m stages.tokenize data/prepared/train.parquet data/prepared/test.parquet data/tokenized
"""

import argparse
import json
import logging

from imdb_embeddings.core import params
from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import atomic_path
from imdb_embeddings.text.batches import text_batches
from imdb_embeddings.text.columns import read_labels
from imdb_embeddings.text.sequences import save_sequences
from imdb_embeddings.text.tokenizer import encode_chunks, fit_and_encode_chunks

log = logging.getLogger("tokenize")
PARAMS = ("tokenize.max_words",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", help="the training reviews (.parquet): the vocabulary is fitted on these")
    parser.add_argument("test", help="the test reviews (.parquet)")
    parser.add_argument("out", help="the folder of vocab.json, train.npz and test.npz")
    args = parser.parse_args()
    max_words = params.load(*PARAMS)
    # The training reviews are split once, for both the vocabulary and their
    # sequences, a batch of texts at a time: memory does not grow with the corpus's text.
    vocabulary, *train_sequences = fit_and_encode_chunks(text_batches(args.train), max_words)
    log.info("vocabulary: %d words (max_words %d, index 0 is padding)", len(vocabulary), max_words)
    for split, path, (tokens, offsets) in (
        ("train", args.train, train_sequences),
        ("test", args.test, encode_chunks(text_batches(args.test), vocabulary)),
    ):
        labels = read_labels(path)
        save_sequences(f"{args.out}/{split}.npz", tokens, offsets, labels)
        log.info("%s: %d reviews, %d tokens", split, len(labels), len(tokens))
    with atomic_path(f"{args.out}/vocab.json") as tmp:
        tmp.write_text(json.dumps(vocabulary, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    run_stage(main)
