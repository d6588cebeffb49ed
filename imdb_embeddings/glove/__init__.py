"""GloVe: the text file parsed into a matrix, and the vocabulary's embedding matrix."""
