"""Stage evaluate (`evaluate_learned@<name>`, `evaluate_glove@<name>`): the
trained model on the 25,000 test reviews, in `metrics/<name>.json`. It
trains nothing, so it runs the model's forward pass in numpy
(imdb_embeddings/modeling/inference.py), without TensorFlow, and reads no
params: the input spec (length, n-grams) comes with the exported model.

    python -m stages.evaluate <name>
"""

import argparse
import logging

from imdb_embeddings.core.errors import run_stage
from imdb_embeddings.core.files import write_json
from imdb_embeddings.core.metrics import binary_metrics
from imdb_embeddings.modeling.inference import predict_logits, read_exported
from imdb_embeddings.text.model_input import model_input
from imdb_embeddings.text.sequences import load_sequences

log = logging.getLogger("evaluate")
SEQUENCES = "data/tokenized/test.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the experiment")
    name = parser.parse_args().name
    weights = f"data/models/{name}.npz"
    model = read_exported(weights)  # checked: members, shapes, spec
    tokens, offsets, labels = load_sequences(SEQUENCES)
    x_test = model_input(tokens, offsets, model.spec)
    test_loss, test_accuracy = binary_metrics(labels, predict_logits(model.layers, model.weights, x_test))
    write_json(f"metrics/{name}.json", {"test_accuracy": round(test_accuracy, 6), "test_loss": round(test_loss, 6)})
    log.info("%s: test accuracy %.4f, test loss %.4f", name, test_accuracy, test_loss)


if __name__ == "__main__":
    run_stage(main)
