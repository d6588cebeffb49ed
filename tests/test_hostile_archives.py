"""Archives built to crash, fool or exhaust the readers: each is refused with
one line naming the archive and member, and nothing is written."""

import gzip
import io
import struct
import tarfile
import zipfile

import pytest

from imdb_embeddings.acquire.verify import extract_zip_member
from imdb_embeddings.archives import reviews
from imdb_embeddings.archives.members import iter_tar_files
from imdb_embeddings.archives.reviews import read_reviews
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum
from tests import fixtures


def raw_tar(members, extra=()):
    """Uncompressed tar bytes of {name: text}, plus raw TarInfo `extra`, and
    the header offset of each member."""
    buf = io.BytesIO()
    offsets = {}
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            offsets[name] = buf.tell()
            tar.addfile(info, io.BytesIO(data))
        for info, data in extra:
            offsets[info.name] = buf.tell()
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue(), offsets


def gz(tmp_path, data, name="a.tar.gz"):
    path = tmp_path / name
    path.write_bytes(gzip.compress(data))
    return path


def reviews_with(**extra):
    members = fixtures.imdb_members(per_class=(3, 2), unsup=2)
    members.update(extra)
    return members


# --- names, ids and ratings -------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("aclImdb/train/pos/5_300.txt", "'aclImdb/train/pos/5_300.txt' is in a review folder but is not named"),
        ("aclImdb/train/pos/99999999999_9.txt", "'aclImdb/train/pos/99999999999_9.txt' is in a review folder"),
        ("aclImdb/train/pos/\u0661\u0662_9.txt", "is in a review folder but is not named <id>_<rating>.txt \\(ASCII"),
        ("aclImdb/test/neg/12_\u0663.txt", "is in a review folder but is not named"),
        ("aclImdb/train/neg/notes.md", "'aclImdb/train/neg/notes.md' is in a review folder"),
        ("aclImdb/train/pos/40_5.txt", "member aclImdb/train/pos/40_5.txt: rating 5 is out of range for pos reviews"),
        ("aclImdb/test/neg/40_0.txt", "rating 0 is out of range for neg reviews \\(expected 1-4\\)"),
        ("aclImdb/train/unsup/40_7.txt", "rating 7 is out of range for unsup reviews"),
    ],
)
def test_bad_review_names_are_named(tmp_path, name, message):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", reviews_with(**{name: "text"}))
    with pytest.raises(PipelineError, match=message):
        read_reviews(archive)


@pytest.mark.parametrize(
    "first, second",
    [
        ("aclImdb/train/pos/7_9.txt", "aclImdb/train/pos/007_9.txt"),
        ("aclImdb/test/neg/1_2.txt", "./aclImdb/test/neg/01_3.txt"),
    ],
)
def test_the_same_review_twice_is_refused(tmp_path, first, second):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", reviews_with(**{first: "one", second: "two"}))
    with pytest.raises(PipelineError, match="are the same review"):
        read_reviews(archive)


def test_the_same_member_name_twice_is_refused(tmp_path):
    name = "aclImdb/train/pos/93_8.txt"
    data, _ = raw_tar(reviews_with(), extra=[(tarinfo(name, 4), b"one!"), (tarinfo(name, 4), b"two!")])
    with pytest.raises(PipelineError, match=f"members {name} and {name} are the same review"):
        read_reviews(gz(tmp_path, data))


def tarinfo(name, size, **pax):
    info = tarfile.TarInfo(name)
    info.size = size
    info.pax_headers = {k: str(v) for k, v in pax.items()}
    return info


# --- archives that end early or lie about their end ---------------------------


@pytest.mark.parametrize("where", [0.25, 0.5, 0.9])
def test_cut_at_a_member_boundary_is_refused(tmp_path, where):
    data, offsets = raw_tar(reviews_with())
    cut = sorted(offsets.values())[int(len(offsets) * where)]
    with pytest.raises(PipelineError, match="corrupt or truncated archive \\(no end-of-archive blocks"):
        read_reviews(gz(tmp_path, data[:cut]))


def test_missing_end_blocks_after_the_last_member_is_refused(tmp_path):
    data, offsets = raw_tar(reviews_with())
    body = data.rstrip(b"\0")
    end_of_last = -(-len(body) // 512) * 512  # the last member's data, padded to a block
    with pytest.raises(PipelineError, match="no end-of-archive blocks"):
        list(iter_tar_files(gz(tmp_path, data[:end_of_last])))


@pytest.mark.parametrize("where", [0.3, 0.7])
def test_a_corrupt_header_part_way_is_refused(tmp_path, where):
    data, offsets = raw_tar(reviews_with())
    header = sorted(offsets.values())[int(len(offsets) * where)]
    corrupt = bytearray(data)
    corrupt[header + 148] ^= 0x55  # the header checksum field
    with pytest.raises(PipelineError, match="corrupt or truncated archive"):
        read_reviews(gz(tmp_path, bytes(corrupt)))


def test_a_whole_archive_still_reads(tmp_path):
    data, _ = raw_tar(reviews_with())
    splits, digest = read_reviews(gz(tmp_path, data))
    assert {k: len(v) for k, v in splits.items()} == {"train": 6, "test": 4, "unsup": 2} and len(digest) == 64


# --- sizes ------------------------------------------------------------------------


def test_a_review_larger_than_any_review_is_refused_unread(tmp_path):
    big = "x" * (reviews.MAX_REVIEW_BYTES + 1)
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", reviews_with(**{"aclImdb/train/pos/90_9.txt": big}))
    with pytest.raises(PipelineError, match="'aclImdb/train/pos/90_9.txt' is 1,048,577 bytes, over the limit"):
        read_reviews(archive)


def test_a_header_claiming_gigabytes_is_refused_before_reading(tmp_path):
    info = tarinfo("aclImdb/train/neg/91_2.txt", 3 << 30)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.addfile(info)  # a header only: the archive is tiny
    with pytest.raises(PipelineError, match="is 3,221,225,472 bytes, over the limit"):
        read_reviews(gz(tmp_path, buf.getvalue()))


@pytest.mark.parametrize("size", [2 << 30, 10 << 20])
def test_sparse_members_are_refused(tmp_path, size):
    sparse = tarinfo("aclImdb/train/pos/92_9.txt", 1, **{"GNU.sparse.map": "0,1", "GNU.sparse.size": size})
    data, _ = raw_tar(reviews_with(), extra=[(sparse, b"x")])
    with pytest.raises(PipelineError, match="'aclImdb/train/pos/92_9.txt' is a sparse file"):
        read_reviews(gz(tmp_path, data))


def test_the_total_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(reviews, "MAX_TOTAL_BYTES", 2000)
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", reviews_with())
    with pytest.raises(PipelineError, match="the members read come to more than 2,000 bytes"):
        read_reviews(archive)


# --- zip members zipfile cannot read, and missing files -----------------------------


def patched_zip(tmp_path, flag_bits=0, method=None):
    path = tmp_path / "g.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("glove.6B.50d.txt", fixtures.glove_text(50))
    data = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        old_flags, old_method = struct.unpack_from("<HH", data, at + flags_at)
        struct.pack_into("<HH", data, at + flags_at, old_flags | flag_bits, old_method if method is None else method)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"flag_bits": 0x1}, "'glove.6B.50d.txt' is encrypted"),
        ({"method": 9}, "'glove.6B.50d.txt' uses compression method 9; expected one of stored, deflate"),
        ({"method": 99}, "uses compression method 99"),
    ],
)
def test_zip_members_zipfile_cannot_read(tmp_path, kwargs, message):
    path = patched_zip(tmp_path, **kwargs)
    with pytest.raises(PipelineError, match=message):
        extract_zip_member(path, "glove.6B.50d.txt", tmp_path / "out.txt", Checksum("0" * 64))
    assert not (tmp_path / "out.txt").exists()


def test_missing_archives_are_named_as_missing(tmp_path):
    with pytest.raises(PipelineError, match=r"nope.tar.gz does not exist"):
        read_reviews(tmp_path / "nope.tar.gz")
    with pytest.raises(PipelineError, match=r"nope.zip does not exist"):
        extract_zip_member(tmp_path / "nope.zip", "glove.6B.50d.txt", tmp_path / "out.txt", Checksum("0" * 64))
