"""Turning ragged sequences into the fixed-length matrix a model takes, with
the reference's `pad_sequences` defaults: zeros in front of short sequences,
and long ones cut from the front, so each review keeps its *last* `maxlen`
words."""

import numpy as np


def pad_sequences(tokens: np.ndarray, offsets: np.ndarray, maxlen: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Rows `rows` (default: all) of the ragged (tokens, offsets) as an
    int32 matrix of shape (len(rows), maxlen)."""
    ends = offsets[1:] if rows is None else offsets[1:][rows]
    starts = offsets[:-1] if rows is None else offsets[:-1][rows]
    lengths = np.minimum(ends - starts, maxlen)
    out = np.zeros((len(lengths), maxlen), dtype=np.int32)
    # Position of each kept token inside its own (kept) sequence.
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    row = np.repeat(np.arange(len(lengths)), lengths)
    out[row, maxlen - lengths[row] + within] = tokens[np.repeat(ends - lengths, lengths) + within]
    return out
