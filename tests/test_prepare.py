import pyarrow.parquet as pq
import pytest

from imdb_embeddings.archives.reviews import read_reviews, write_split
from imdb_embeddings.core.errors import PipelineError
from tests import fixtures


def test_splits_labels_and_ratings(tmp_path):
    members = fixtures.imdb_members(per_class=(5, 3), unsup=4)
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", members)
    splits, _ = read_reviews(archive)
    assert {k: len(v) for k, v in splits.items()} == {"train": 10, "test": 6, "unsup": 4}
    for split, rows in splits.items():
        for label, review_id, rating, text in rows:
            polarity = {0: "neg", 1: "pos", -1: "unsup"}[label]
            folder = "train" if split == "unsup" else split
            assert members[f"aclImdb/{folder}/{polarity}/{review_id}_{rating}.txt"] == text
    assert [row[:2] for row in splits["train"]] == sorted(row[:2] for row in splits["train"])


def test_order_does_not_depend_on_the_archive(tmp_path):
    members = fixtures.imdb_members(per_class=(5, 3))
    a = fixtures.write_tar(tmp_path / "a.tar.gz", members)
    b = fixtures.write_tar(tmp_path / "b.tar.gz", dict(reversed(list(members.items()))))
    assert read_reviews(a) == read_reviews(b)


def test_parquet_round_trip(tmp_path):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", fixtures.imdb_members(per_class=(3, 2)))
    rows = read_reviews(archive)[0]["test"]
    write_split(rows, tmp_path / "test.parquet")
    table = pq.read_table(tmp_path / "test.parquet").to_pydict()
    assert list(table) == ["id", "rating", "label", "text"]
    assert list(zip(table["label"], table["id"], table["rating"], table["text"])) == rows


def test_archive_without_reviews(tmp_path):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", {"something/else.txt": "x"})
    with pytest.raises(PipelineError, match="no reviews under aclImdb/train"):
        read_reviews(archive)
