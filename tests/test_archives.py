import tarfile
import zipfile

import pytest

from imdb_embeddings.acquire.verify import extract_zip_member
from imdb_embeddings.archives.members import iter_tar_files
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum
from tests import fixtures


def test_reads_tar_members_without_extracting(tmp_path):
    members = {"aclImdb/train/pos/0_9.txt": "good", "aclImdb/test/neg/1_2.txt": "bad"}
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", members)
    assert dict(iter_tar_files(archive)) == {k: v.encode() for k, v in members.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz"]


def member(name, kind=tarfile.REGTYPE, size=1, target=""):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, size if kind == tarfile.REGTYPE else 0, target
    return info


@pytest.mark.parametrize(
    "bad, message",
    [
        (member("aclImdb/../../evil.txt"), "unsafe member 'aclImdb/../../evil.txt'"),
        (member("/etc/evil.txt"), "unsafe member '/etc/evil.txt'"),
        (member("aclImdb/train/pos/2_9.txt", tarfile.SYMTYPE, target="/etc/passwd"), "is a link or device"),
        (member("aclImdb/train/pos/3_9.txt", tarfile.LNKTYPE, target="aclImdb/README"), "is a link or device"),
        (member("aclImdb/dev", tarfile.CHRTYPE), "is a link or device"),
    ],
)
def test_unsafe_tar_members_are_refused(tmp_path, bad, message):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", {"aclImdb/README": "x"}, extra=[bad])
    with pytest.raises(PipelineError, match=message):
        list(iter_tar_files(archive))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar.gz"]


def test_truncated_tar_is_a_clear_error(tmp_path):
    archive = fixtures.write_tar(tmp_path / "a.tar.gz", fixtures.imdb_members())
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(PipelineError, match=r"a.tar.gz: corrupt or truncated archive"):
        list(iter_tar_files(archive))


def test_zip_member_extracted_and_verified(tmp_path):
    digests = fixtures.write_glove_zip(tmp_path / "g.zip", dims=(50, 100))
    extract_zip_member(tmp_path / "g.zip", "glove.6B.100d.txt", tmp_path / "out.txt", Checksum(digests[100]))
    assert (tmp_path / "out.txt").read_text() == fixtures.glove_text(100)


def test_zip_member_mismatch_leaves_nothing(tmp_path):
    fixtures.write_glove_zip(tmp_path / "g.zip", dims=(50,))
    wrong = Checksum("md5:" + "1" * 32)
    mismatch = r"checksum mismatch for glove.6B.50d.txt in .*expected md5:1{32}, got md5:"
    with pytest.raises(PipelineError, match=mismatch):
        extract_zip_member(tmp_path / "g.zip", "glove.6B.50d.txt", tmp_path / "out.txt", wrong)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.zip"]


def test_missing_zip_member_lists_members(tmp_path):
    fixtures.write_glove_zip(tmp_path / "g.zip", dims=(50,))
    with pytest.raises(PipelineError, match="has no member 'glove.6B.300d.txt'; it holds: glove.6B.50d.txt"):
        extract_zip_member(tmp_path / "g.zip", "glove.6B.300d.txt", tmp_path / "out.txt", Checksum("0" * 64))


def test_corrupt_zip_is_a_clear_error(tmp_path):
    (tmp_path / "g.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PipelineError, match="g.zip: corrupt zip archive"):
        extract_zip_member(tmp_path / "g.zip", "glove.6B.50d.txt", tmp_path / "out.txt", Checksum("0" * 64))


def test_unsafe_zip_member_name_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "g.zip", "w") as zf:
        zf.writestr("../glove.6B.50d.txt", "x 1\n")
    with pytest.raises(PipelineError, match="unsafe member '../glove.6B.50d.txt'"):
        extract_zip_member(tmp_path / "g.zip", "../glove.6B.50d.txt", tmp_path / "out.txt", Checksum("0" * 64))
    assert not (tmp_path.parent / "glove.6B.50d.txt").exists()


def test_zip_symlink_member_is_refused(tmp_path):
    info = zipfile.ZipInfo("glove.6B.50d.txt")
    info.external_attr = 0o120777 << 16  # a symbolic link
    with zipfile.ZipFile(tmp_path / "g.zip", "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(PipelineError, match="'glove.6B.50d.txt' is a link or folder"):
        extract_zip_member(tmp_path / "g.zip", "glove.6B.50d.txt", tmp_path / "out.txt", Checksum("0" * 64))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.zip"]
