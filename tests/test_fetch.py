import hashlib

import pytest

from imdb_embeddings.acquire import sources
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum

DATA = b"review archive bytes " * 5000


def digest(data):
    return Checksum(hashlib.sha256(data).hexdigest())


def test_download_from_http_server(http_server, in_tmp):
    (http_server.root / "a.tar.gz").write_bytes(DATA)
    sources.fetch(f"{http_server.url}/a.tar.gz", "out/a.tar.gz", digest(DATA))
    assert (in_tmp / "out/a.tar.gz").read_bytes() == DATA
    assert http_server.bytes_sent == len(DATA) + 1  # the file, and one byte to probe Range


def test_checksum_mismatch_names_both_digests_and_leaves_nothing(http_server, in_tmp, private_download_cache):
    (http_server.root / "a.tar.gz").write_bytes(DATA)
    wrong = digest(b"something else")
    with pytest.raises(PipelineError) as err:
        sources.fetch(f"{http_server.url}/a.tar.gz", "out/a.tar.gz", wrong)
    message = str(err.value)
    assert f"{http_server.url}/a.tar.gz" in message
    assert wrong.digest in message and hashlib.sha256(DATA).hexdigest() in message
    assert not (in_tmp / "out/a.tar.gz").exists()
    assert [p for p in private_download_cache.rglob("*") if p.is_file() and p.parent.name != "locks"] == []


def test_http_404_names_url_and_suggests_a_mirror(http_server, in_tmp):
    with pytest.raises(PipelineError, match=r"(?s)/missing.tar.gz: HTTP 404.*PIPELINE_MIRROR"):
        sources.fetch(f"{http_server.url}/missing.tar.gz", "out/a", digest(DATA))
    assert len(http_server.requests) == 1  # a 404 is final: no retries


def test_earlier_output_survives_a_failed_download(http_server, in_tmp):
    (in_tmp / "out").mkdir()
    (in_tmp / "out/a.tar.gz").write_bytes(b"earlier result")
    (http_server.root / "a.tar.gz").write_bytes(DATA)
    with pytest.raises(PipelineError):
        sources.fetch(f"{http_server.url}/a.tar.gz", "out/a.tar.gz", digest(b"other"))
    assert (in_tmp / "out/a.tar.gz").read_bytes() == b"earlier result"


@pytest.fixture
def mirror(tmp_path, monkeypatch, in_tmp):
    folder = tmp_path / "mirror"
    folder.mkdir()
    monkeypatch.setenv("PIPELINE_MIRROR", str(folder))
    return folder


# The mirror is used with no network at all: the URL's host does not exist.
URL = "http://no-such-host.invalid/data/a.tar.gz"


def test_mirror_file_matching_params_checksum(mirror, in_tmp, caplog):
    (mirror / "a.tar.gz").write_bytes(DATA)
    caplog.set_level("INFO")
    sources.fetch(URL, "out/a.tar.gz", digest(DATA))
    assert (in_tmp / "out/a.tar.gz").read_bytes() == DATA
    assert "matches the checksum pinned in params.yaml" in caplog.text


@pytest.mark.parametrize("listed", [True, False])
def test_sha256sums_in_the_mirror_vouches_for_nothing(mirror, in_tmp, listed):
    """Whoever can write the mirror folder can write its SHA256SUMS too."""
    (mirror / "a.tar.gz").write_bytes(DATA)
    if listed:
        (mirror / "SHA256SUMS").write_text(f"{hashlib.sha256(DATA).hexdigest()}  a.tar.gz\n")
    with pytest.raises(PipelineError, match=r"checksum mismatch for .*a.tar.gz"):
        sources.fetch(URL, "out/a.tar.gz", digest(b"the official archive"))
    assert not (in_tmp / "out").exists() or not any((in_tmp / "out").iterdir())


def test_a_vouch_accepts_another_file_loudly(mirror, in_tmp, caplog):
    (mirror / "a.tar.gz").write_bytes(DATA)
    seen = []

    def vouch(copy):
        seen.append(copy.read_bytes())
        return "its content is the pinned content"

    caplog.set_level("INFO")
    sources.fetch(URL, "out/a.tar.gz", digest(b"the official archive"), vouch=vouch)
    assert seen == [DATA] and (in_tmp / "out/a.tar.gz").read_bytes() == DATA
    warning = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warning) == 1 and "is NOT the archive pinned in params.yaml" in warning[0].getMessage()
    assert "accepted: its content is the pinned content" in warning[0].getMessage()


def test_a_vouch_that_refuses_leaves_nothing(mirror, in_tmp):
    (mirror / "a.tar.gz").write_bytes(DATA)

    def vouch(copy):
        raise PipelineError("not the pinned content")

    with pytest.raises(PipelineError, match="not the pinned content"):
        sources.fetch(URL, "out/a.tar.gz", digest(b"the official archive"), vouch=vouch)
    assert not any((in_tmp / "out").iterdir())


def test_missing_mirror_file_says_what_the_mirror_holds(mirror, in_tmp):
    (mirror / "other.zip").write_bytes(b"x")
    with pytest.raises(PipelineError, match=r"has no a.tar.gz; it holds: other.zip"):
        sources.fetch(URL, "out/a.tar.gz", digest(DATA))


def test_mirror_must_be_a_folder(tmp_path, monkeypatch, in_tmp):
    monkeypatch.setenv("PIPELINE_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(PipelineError, match="PIPELINE_MIRROR=.*nowhere: no such folder"):
        sources.fetch(URL, "out/a.tar.gz", digest(DATA))
