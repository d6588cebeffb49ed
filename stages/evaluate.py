"""Stage evaluate (one per experiment): the trained model on the 25,000 test
reviews, reported together with its last-epoch training and validation
figures in `metrics/<experiment>.json`. It trains nothing, so it runs the
model's forward pass in numpy (`stages/inference.py`), without TensorFlow."""
import logging

from stages import cli
from stages.files import write_json
from stages.inference import binary_metrics, load_weights, predict_logits
from stages.padding import pad_sequences
from stages.tokenize import load_sequences
from stages.train import experiment_from_args, history_path, read_history, weights_path

log = logging.getLogger("evaluate")
SEQUENCES = "data/tokenized/test.npz"


def metrics_path(name):
    return f"metrics/{name}.json"


def main():
    _, name, experiment = experiment_from_args()
    last_epoch = read_history(history_path(name))[-1]
    tokens, offsets, labels = load_sequences(SEQUENCES)
    layers, weights = load_weights(weights_path(name))
    x_test = pad_sequences(tokens, offsets, experiment["maxlen"])
    test_loss, test_accuracy = binary_metrics(labels, predict_logits(layers, weights, x_test))
    metrics = {
        "train_accuracy": float(last_epoch["accuracy"]),
        "train_loss": float(last_epoch["loss"]),
        "val_accuracy": float(last_epoch["val_accuracy"]),
        "val_loss": float(last_epoch["val_loss"]),
        "test_accuracy": round(float(test_accuracy), 6),
        "test_loss": round(float(test_loss), 6),
        "epochs": int(last_epoch["epoch"]),
    }
    write_json(metrics_path(name), metrics)
    log.info("%s: test accuracy %.4f, test loss %.4f", name, test_accuracy, test_loss)


if __name__ == "__main__":
    cli.run(main)
