"""Your own reviews as the dataset: a CSV/TSV, Parquet or JSON Lines file, or
a folder per label, read into the same prepared splits as aclImdb's."""
