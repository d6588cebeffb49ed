"""A model's output: the probability of a positive review from its logits,
computed as Keras computes it, and when a prediction counts as positive."""

import numpy as np

# A prediction is positive when its probability is above this, as Keras counts accuracy.
THRESHOLD = 0.5


def probability(logits: np.ndarray) -> np.ndarray:
    """P(positive) from the output layer's logits, in float32 as Keras computes it."""
    return 1 / (1 + np.exp(-logits.astype(np.float32)))
