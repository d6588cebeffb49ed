import hashlib
import zipfile

import pytest
import yaml

from imdb_embeddings.acquire.glove_member import get_member
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.params import Glove
from tests import fixtures
from tests.project import project_params

PARAMS = yaml.safe_load(project_params())


def glove_params(digests, dim, url="http://no-such-host.invalid/glove.6B.zip", zip_sha256=None):
    return Glove(
        **{
            **PARAMS["glove"],
            "url": url,
            "dim": dim,
            "sha256": zip_sha256 or PARAMS["glove"]["sha256"],
            "members": {d: f"sha256:{h}" for d, h in digests.items()},
        }
    )


@pytest.fixture
def digests():
    return {d: hashlib.sha256(fixtures.glove_text(d).encode()).hexdigest() for d in fixtures.DIMS}


def test_from_full_zip_in_mirror(tmp_path, digests, caplog):
    fixtures.write_glove_zip(tmp_path / "glove.6B.zip")
    caplog.set_level("INFO")
    get_member(glove_params(digests, 200), tmp_path / "out.txt", tmp_path)
    assert (tmp_path / "out.txt").read_text() == fixtures.glove_text(200)
    assert "verified against its official checksum" in caplog.text


def test_from_single_member_zip_in_mirror(tmp_path, digests):
    fixtures.write_glove_zip(tmp_path / "glove.6B.50d.zip", dims=(50,))
    get_member(glove_params(digests, 50), tmp_path / "out.txt", tmp_path)
    assert (tmp_path / "out.txt").read_text() == fixtures.glove_text(50)


def test_from_bare_member_in_mirror(tmp_path, digests):
    (tmp_path / "glove.6B.300d.txt").write_text(fixtures.glove_text(300))
    get_member(glove_params(digests, 300), tmp_path / "out.txt", tmp_path)
    assert (tmp_path / "out.txt").read_text() == fixtures.glove_text(300)


def test_member_is_always_checked_against_its_official_checksum(tmp_path, digests):
    # The zip is vouched for by SHA256SUMS, but its member is not the official one.
    with zipfile.ZipFile(tmp_path / "glove.6B.50d.zip", "w") as zf:
        zf.writestr("glove.6B.50d.txt", "<unk> " + " ".join(["0.1"] * 50) + "\n" + fixtures.glove_text(50))
    (tmp_path / "SHA256SUMS").write_text(f"{fixtures.sha256(tmp_path / 'glove.6B.50d.zip')}  glove.6B.50d.zip\n")
    with pytest.raises(PipelineError, match=f"checksum mismatch for glove.6B.50d.txt.*expected sha256:{digests[50]}"):
        get_member(glove_params(digests, 50), tmp_path / "out.txt", tmp_path)
    assert not (tmp_path / "out.txt").exists()


def test_missing_member_in_mirror_lists_contents(tmp_path, digests):
    fixtures.write_glove_zip(tmp_path / "glove.6B.50d.zip", dims=(50,))
    with pytest.raises(
        PipelineError,
        match=r"has no glove.6B.100d.txt or glove.6B.100d.zip or glove.6B.zip; "
        r"it holds: glove.6B.50d.zip",
    ):
        get_member(glove_params(digests, 100), tmp_path / "out.txt", tmp_path)


def test_from_http_server(http_server, tmp_path, digests):
    fixtures.write_glove_zip(http_server.root / "glove.6B.zip")
    params = glove_params(
        digests,
        100,
        url=f"{http_server.url}/glove.6B.zip",
        zip_sha256=fixtures.sha256(http_server.root / "glove.6B.zip"),
    )
    out = tmp_path / "out" / "glove.txt"
    out.parent.mkdir()
    get_member(params, out, mirror=None)
    assert out.read_text() == fixtures.glove_text(100)
    assert sorted(p.name for p in out.parent.iterdir()) == ["glove.txt"]  # no zip left behind


def test_mirror_with_another_dim_says_which_and_how(tmp_path, digests):
    """The shared mirror holds only 50-d: asking for 100-d names what it has
    and the exact command that uses it."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    fixtures.write_glove_zip(mirror / "glove.6B.50d.zip", dims=(50,))
    with pytest.raises(PipelineError) as err:
        get_member(glove_params(digests, 100), tmp_path / "out.txt", mirror)
    message = str(err.value)
    assert "has no glove.6B.100d.txt or glove.6B.100d.zip or glove.6B.zip" in message
    assert "It has glove.6B dim 50: run `dvc exp run -S glove.dim=50`" in message
    assert not (tmp_path / "out.txt").exists()


def crafted_zip(path, patch):
    """The fixture glove zip (stored, so offsets are easy) with `patch(bytes)` applied."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for dim in fixtures.DIMS:
            zf.writestr(f"glove.6B.{dim}d.txt", fixtures.glove_text(dim))
    data = bytearray(path.read_bytes())
    patch(data)
    path.write_bytes(bytes(data))


def local_name_differs(data):
    at = data.index(b"glove.6B.100d.txt")  # the first occurrence: the local header's
    data[at : at + 17] = b"glove.6B.999d.txt"


def declared_size_too_large(data):
    at = data.index(b"glove.6B.100d.txt", data.index(b"PK\x01\x02")) - 46 + 20  # compressed size
    size = int.from_bytes(data[at : at + 4], "little")
    data[at : at + 4] = (size + (64 << 20)).to_bytes(4, "little")


@pytest.mark.parametrize(
    "patch, named",
    [
        (local_name_differs, "the central directory and the local header differ"),
        (declared_size_too_large, "past the central directory"),
    ],
)
def test_crafted_zips_are_refused_alike_locally_and_remotely(http_server, tmp_path, digests, patch, named):
    crafted_zip(http_server.root / "glove.6B.zip", patch)
    params = glove_params(
        digests,
        100,
        url=f"{http_server.url}/glove.6B.zip",
        zip_sha256=fixtures.sha256(http_server.root / "glove.6B.zip"),
    )
    http_server.reset_counts()
    with pytest.raises(PipelineError, match=named):
        get_member(params, tmp_path / "out.txt", mirror=None)
    # Refused from the zip's directory and the member's header: none of its data moved.
    assert http_server.bytes_sent < len(fixtures.glove_text(100))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "glove.6B.zip").write_bytes((http_server.root / "glove.6B.zip").read_bytes())
    with pytest.raises(PipelineError):  # the local path refuses it too
        get_member(glove_params(digests, 100), tmp_path / "out.txt", mirror)
    assert not (tmp_path / "out.txt").exists()
