"""The reference approach, as the Keras demos do it (Chollet, Deep Learning
with Python, 6.1), on the same inputs as the pipeline: extract the archive,
read the reviews with os.listdir + open, Keras' Tokenizer (tf_keras), the
line-by-line GloVe loop into a dict, then train and evaluate the three
experiments. Everything runs every time: this is what the pipeline caches.

    python -m bench.reference ARCHIVE GLOVE_TXT --epochs 10 [--workdir DIR]

The pieces are functions so that the benchmark can time them one by one.
"""

import argparse
import json
import os
import re
import tarfile
import tempfile
import time

import numpy as np
import yaml

# The pipeline turns HTML line breaks into spaces; the reference gets the same text.
MARKUP = re.compile(r"<br\s*/?>", re.IGNORECASE)


def without_markup(texts):
    return [MARKUP.sub(" ", t) for t in texts]


def extract(archive, into):
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return os.path.join(into, "aclImdb")


def read_split(imdb_dir, split):
    texts, labels = [], []
    for label_type in ["neg", "pos"]:
        dir_name = os.path.join(imdb_dir, split, label_type)
        for fname in os.listdir(dir_name):
            if fname[-4:] == ".txt":
                with open(os.path.join(dir_name, fname), encoding="utf-8") as f:
                    texts.append(f.read())
                labels.append(0 if label_type == "neg" else 1)
    return texts, labels


def parse_glove(path):
    embeddings_index = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            values = line.split()
            word = values[0]
            coefs = np.asarray(values[1:], dtype="float32")
            embeddings_index[word] = coefs
    return embeddings_index


def tokenizer(texts, max_words):
    from tf_keras.preprocessing.text import Tokenizer

    tok = Tokenizer(num_words=max_words)
    tok.fit_on_texts(texts)
    return tok


def embedding_matrix(word_index, embeddings_index, max_words, dim):
    matrix = np.zeros((max_words, dim))
    for word, i in word_index.items():
        if i < max_words:
            vector = embeddings_index.get(word)
            if vector is not None:
                matrix[i] = vector
    return matrix


def run(archive, glove_txt, params, workdir):
    import keras
    from keras import layers
    from keras.utils import pad_sequences

    max_words = params["tokenize"]["max_words"]
    imdb_dir = extract(archive, workdir)
    texts, labels = read_split(imdb_dir, "train")
    texts = without_markup(texts)
    tok = tokenizer(texts, max_words)
    sequences = tok.texts_to_sequences(texts)
    test_texts, test_labels = read_split(imdb_dir, "test")
    test_sequences = tok.texts_to_sequences(without_markup(test_texts))
    embeddings_index = parse_glove(glove_txt)
    dim = len(next(iter(embeddings_index.values())))
    glove_matrix = embedding_matrix(tok.word_index, embeddings_index, max_words, dim)
    labels, test_labels = np.asarray(labels), np.asarray(test_labels)
    results = {}
    experiments = [
        (group, name, spec) for group, named in params["experiments"].items() for name, spec in named.items()
    ]
    for group, name, exp in experiments:
        exp = {**params["train"], **exp, "embedding": group}
        keras.utils.set_random_seed(exp["seed"])
        data = pad_sequences(sequences, maxlen=exp["maxlen"])
        indices = np.arange(data.shape[0])
        np.random.shuffle(indices)
        data, y = data[indices], labels[indices]
        n, v = exp["train_samples"], exp["validation_samples"]
        model = keras.Sequential([keras.Input(shape=(exp["maxlen"],))])
        if exp["embedding"] == "glove":
            model.add(layers.Embedding(max_words, dim, trainable=False))
        else:
            model.add(layers.Embedding(max_words, exp["embedding_dim"]))
        model.add(layers.Flatten())
        if exp["hidden_units"]:
            model.add(layers.Dense(exp["hidden_units"], activation="relu"))
        model.add(layers.Dense(1, activation="sigmoid"))
        if exp["embedding"] == "glove":
            model.layers[0].set_weights([glove_matrix])
        model.compile(optimizer=exp["optimizer"], loss="binary_crossentropy", metrics=["acc"])
        history = model.fit(
            data[:n],
            y[:n],
            epochs=exp["epochs"],
            batch_size=exp["batch_size"],
            validation_data=(data[n : n + v], y[n : n + v]),
            verbose=0,
        )
        x_test = pad_sequences(test_sequences, maxlen=exp["maxlen"])
        loss, acc = model.evaluate(x_test, test_labels, verbose=0)
        results[name] = {"val_accuracy": history.history["val_acc"][-1], "test_accuracy": acc}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive")
    parser.add_argument("glove_txt")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--epochs", type=int)
    args = parser.parse_args()
    params = yaml.safe_load(open(args.params))
    if args.epochs:
        params["train"]["epochs"] = args.epochs
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        results = run(args.archive, args.glove_txt, params, workdir)
    print(json.dumps({"seconds": time.perf_counter() - start, "results": results}))


if __name__ == "__main__":
    main()
