"""One measured task in a fresh process, so that its time and peak memory
are its own: prints JSON with `seconds`, `peak_extra_bytes` (peak resident
memory above what the process held after its imports) and task results.

    python -m bench.probe TASK ARGS...
"""

import json
import os
import sys
import time

import numpy as np


def rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def glove_ours(glove_txt, out_dir):
    from imdb_embeddings.vectors.glove import parse_glove

    rows, dim = parse_glove(glove_txt, f"{out_dir}/vectors.npy", f"{out_dir}/words.json")
    return {"rows": rows, "dim": dim, "output_bytes": rows * dim * 4}


def glove_reference(glove_txt, out_dir):
    from bench.reference import parse_glove

    index = parse_glove(glove_txt)
    return {"rows": len(index), "_check": (index, out_dir)}


def check_glove(index, out_dir):
    """Our matrix and word list against the reference's dict, value for value."""
    words = json.load(open(f"{out_dir}/words.json", encoding="utf-8"))
    vectors = np.load(f"{out_dir}/vectors.npy", mmap_mode="r")
    same = len(words) == len(index) and all(np.array_equal(vectors[i], index[w]) for i, w in enumerate(words))
    return {"identical": bool(same)}


def reviews_ours(archive, out_dir):
    from imdb_embeddings.archives.reviews import read_reviews, write_split

    splits, _ = read_reviews(archive)
    for split, rows in splits.items():
        write_split(rows, f"{out_dir}/{split}.parquet")
    return {"reviews": sum(len(r) for r in splits.values())}


def reviews_reference(archive, out_dir):
    from bench.reference import extract, read_split

    imdb_dir = extract(archive, out_dir + "/extracted")
    train, test = read_split(imdb_dir, "train"), read_split(imdb_dir, "test")
    return {"reviews": len(train[0]) + len(test[0]), "_check": (train, test, out_dir)}


def check_reviews(train, test, out_dir):
    import pyarrow.parquet as pq

    same = True
    for (texts, labels), split in ((train, "train"), (test, "test")):
        table = pq.read_table(f"{out_dir}/{split}.parquet", columns=["text", "label"]).to_pydict()
        same &= sorted(zip(labels, texts)) == sorted(zip(table["label"], table["text"]))
    return {"identical": bool(same)}


def texts(prepared_dir):
    import pyarrow.parquet as pq

    from bench.reference import without_markup

    out = []
    for split in ("train", "test"):
        column = pq.read_table(f"{prepared_dir}/{split}.parquet", columns=["text"]).column(0).to_pylist()
        out.append(without_markup(column))  # text without markup, for both
    return out


def tokenize_ours(train, test, max_words):
    from imdb_embeddings.text.tokenizer import encode, fit_and_encode

    vocabulary, *train_encoded = fit_and_encode(train, max_words)
    encoded = [tuple(train_encoded), encode(test, vocabulary)]
    return {"_check": (vocabulary, encoded)}


def tokenize_reference(train, test, max_words):
    from bench.reference import tokenizer

    tok = tokenizer(train, max_words)
    sequences = tok.texts_to_sequences(train) + tok.texts_to_sequences(test)
    vocabulary = [w for w, i in sorted(tok.word_index.items(), key=lambda x: x[1]) if i < max_words]
    return {"_check": (vocabulary, sequences)}


def throughput(project):
    """Samples per second of each experiment's model.fit on its real data
    (3 epochs, after a one-epoch warm-up that builds the graph)."""
    os.chdir(project)
    import keras

    from imdb_embeddings.core import params as params_module
    from imdb_embeddings.modeling.model import build_model
    from imdb_embeddings.splits import split_indices
    from imdb_embeddings.text.padding import pad_sequences
    from imdb_embeddings.text.sequences import load_sequences

    p = params_module.load()
    tokens, offsets, labels = load_sequences("data/tokenized/train.npz")
    out = {}
    for group, name in ((g, n) for g in params_module.EMBEDDINGS for n in getattr(p.experiments, g)):
        exp = getattr(p.experiments, group)[name]
        rows, _ = split_indices(len(labels), exp, name)
        x, y = pad_sequences(tokens, offsets, exp.maxlen, rows), labels[rows]
        weights = None if group == "learned" else np.load(f"data/embedding/{group}.npy")
        keras.utils.set_random_seed(exp.seed)
        model = build_model(exp, p.tokenize.max_words, exp.maxlen, weights)
        model.fit(x, y, epochs=1, batch_size=exp.batch_size, verbose=0)
        start = time.perf_counter()
        model.fit(x, y, epochs=3, batch_size=exp.batch_size, verbose=0)
        out[name] = 3 * len(x) / (time.perf_counter() - start)
    return {"samples_per_second": out}


def tokens_digest(vocabulary, encoded):
    """One hash of the vocabulary and every sequence, to compare the two
    tokenizers without writing 10 million tokens to disk."""
    import hashlib

    if isinstance(encoded[0], tuple):  # ours: [(tokens, offsets) per split]
        flat = np.concatenate([t for t, _ in encoded])
        lengths = np.concatenate([np.diff(o) for _, o in encoded])
    else:  # the reference: one list per text
        flat = np.fromiter((i for seq in encoded for i in seq), dtype=np.int32)
        lengths = np.array([len(seq) for seq in encoded], dtype=np.int64)
    h = hashlib.sha256(json.dumps(vocabulary).encode())
    h.update(flat.astype(np.int32).tobytes())
    h.update(lengths.astype(np.int64).tobytes())
    return h.hexdigest()


def main():
    task, args = sys.argv[1], sys.argv[2:]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if task.startswith("tokenize"):
        train, test = texts(args[0])
        args = [train, test, int(args[1])]
    if task == "tokenize_reference":
        import tf_keras.preprocessing.text  # noqa: F401  (imports are not timed; ours imports no TensorFlow)
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    baseline = rss_kb("VmRSS")
    start = time.perf_counter()
    result = globals()[task](*args)
    seconds = time.perf_counter() - start
    peak = rss_kb("VmHWM")
    check = result.pop("_check", None)
    if task == "glove_reference":
        result.update(check_glove(*check))
    elif task == "reviews_reference":
        result.update(check_reviews(*check))
    elif task.startswith("tokenize"):
        result["digest"] = tokens_digest(*check)
    print(json.dumps({"seconds": seconds, "peak_extra_bytes": max(peak - baseline, 0) * 1024, **result}))


if __name__ == "__main__":
    main()
