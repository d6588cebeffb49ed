"""Text to sequences: the tokenizer, padding, and the ragged sequence files."""
