import json

import numpy as np
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.vectors.glove import parse_glove
from tests import fixtures


def reference_parse(path):
    """The reference script's loop, for comparison."""
    index = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            values = line.split()
            index[values[0]] = np.asarray(values[1:], dtype="float32")
    return index


@pytest.mark.parametrize("dim", [50, 300])
def test_matches_reference_parse(tmp_path, dim):
    src = tmp_path / "glove.txt"
    src.write_text(fixtures.glove_text(dim))
    assert parse_glove(src, tmp_path / "v.npy", tmp_path / "w.json") == (len(reference_parse(src)), dim)
    words = json.loads((tmp_path / "w.json").read_text())
    vectors = np.load(tmp_path / "v.npy")
    assert vectors.dtype == np.float32 and vectors.shape == (len(words), dim)
    expected = reference_parse(src)
    assert words == list(expected)  # "null" and "nan" stay words
    np.testing.assert_array_equal(vectors, np.stack([expected[w] for w in words]))


def test_small_pieces_give_the_same_result(tmp_path, monkeypatch):
    src = tmp_path / "glove.txt"
    src.write_text(fixtures.glove_text(100) * 20)
    parse_glove(src, tmp_path / "a.npy", tmp_path / "a.json")
    monkeypatch.setattr("imdb_embeddings.vectors.glove.PIECE_BYTES", 4096)
    parse_glove(src, tmp_path / "b.npy", tmp_path / "b.json")
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("broken 0.1 0.2", "line 5: expected a word and 50 values, got 2 values"),
        ("broken " + " ".join(["0.5"] * 51), "line 5: expected a word and 50 values, got 51 values"),
        ("broken " + " ".join(["0.5"] * 49 + ["zero"]), "line 5: 'zero' is not a number"),
    ],
)
def test_malformed_line_is_named(tmp_path, bad_line, message):
    lines = fixtures.glove_text(50).splitlines()
    lines.insert(4, bad_line)
    src = tmp_path / "glove.txt"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(PipelineError, match=message):
        parse_glove(src, tmp_path / "v.npy", tmp_path / "w.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["glove.txt"]
