"""Downloads against a misbehaving server on 127.0.0.1: what each fault
costs, counted in bytes at the server."""

import hashlib
import random
import signal
import subprocess
import time
import zipfile

import pytest
import yaml

from imdb_embeddings.acquire.glove_member import get_member
from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum
from imdb_embeddings.core.params import Glove
from tests import fixtures
from tests.conftest import ROOT, tool_env
from tests.project import stage_argv

SIZE = 3 << 20
DATA = random.Random(1).randbytes(SIZE)
EXPECTED = Checksum(hashlib.sha256(DATA).hexdigest())


@pytest.fixture
def served(http_server, in_tmp):
    (http_server.root / "data.bin").write_bytes(DATA)
    return http_server, f"{http_server.url}/data.bin"


@pytest.fixture
def one_connection(monkeypatch):
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "1")


def test_dropped_connection_resumes_with_only_the_missing_bytes(served, one_connection, in_tmp):
    server, url = served
    server.configure(drop_after=1 << 20, drops=2)
    fetch(url, "out.bin", EXPECTED)
    assert (in_tmp / "out.bin").read_bytes() == DATA
    ranges = [r for _, r in server.requests]
    assert ranges == ["bytes=0-0", f"bytes=0-{SIZE - 1}", f"bytes={1 << 20}-{SIZE - 1}", f"bytes={2 << 20}-{SIZE - 1}"]
    assert server.bytes_sent == SIZE + 1  # the one probe byte, and no byte twice


def test_next_run_resumes_where_the_last_one_stopped(served, one_connection, in_tmp, monkeypatch):
    server, url = served
    monkeypatch.setenv("PIPELINE_RETRIES", "0")
    server.configure(drop_after=1 << 20, drops=1)
    with pytest.raises(PipelineError, match="giving up after 0 retries"):
        fetch(url, "out.bin", EXPECTED)
    assert not (in_tmp / "out.bin").exists()
    server.configure()
    fetch(url, "out.bin", EXPECTED)
    assert (in_tmp / "out.bin").read_bytes() == DATA
    assert server.bytes_sent == SIZE + 2  # two probes


def test_server_errors_are_retried(served, in_tmp):
    server, url = served
    server.configure(fail_first=2)
    fetch(url, "out.bin", EXPECTED)
    assert (in_tmp / "out.bin").read_bytes() == DATA
    assert len(server.requests) >= 3


def test_retry_after_is_honoured(served, in_tmp):
    """A 503 asking for a second's pause gets it (the first retry would
    otherwise go at once); an unreadable Retry-After is ignored."""
    server, url = served
    server.configure(fail_first=1, fail_status=503, retry_after="1")
    start = time.monotonic()
    fetch(url, "out.bin", EXPECTED)
    assert time.monotonic() - start >= 1
    assert (in_tmp / "out.bin").read_bytes() == DATA
    server.configure(fail_first=1, fail_status=429, retry_after="soon")
    fetch(url, "out2.bin", EXPECTED)
    assert (in_tmp / "out2.bin").read_bytes() == DATA


def test_persistent_server_errors_give_up_with_the_url(served, in_tmp, monkeypatch):
    server, url = served
    monkeypatch.setenv("PIPELINE_RETRIES", "2")
    server.configure(fail_first=100)
    with pytest.raises(PipelineError, match=r"(?s)data.bin: giving up after 2 retries \(HTTP 500"):
        fetch(url, "out.bin", EXPECTED)
    assert len(server.requests) == 3


def test_server_ignoring_range_gets_one_full_download(served, in_tmp):
    server, url = served
    server.configure(ignore_range=True, drop_after=1 << 20, drops=1)
    fetch(url, "out.bin", EXPECTED)
    assert (in_tmp / "out.bin").read_bytes() == DATA
    assert all(status is None for _, status in server.requests[1:])  # no ranged GETs after the probe


def test_corrupt_bytes_fail_with_both_digests_and_leave_nothing(served, in_tmp, private_download_cache):
    server, url = served
    server.configure(corrupt=True)
    with pytest.raises(PipelineError) as err:
        fetch(url, "out.bin", EXPECTED)
    assert f"expected {EXPECTED}" in str(err.value) and "got sha256:" in str(err.value)
    assert not (in_tmp / "out.bin").exists()
    assert [p for p in private_download_cache.rglob("*") if p.is_file() and p.parent.name != "locks"] == []


def test_parallel_connections_fetch_disjoint_ranges(served, in_tmp, monkeypatch):
    server, url = served
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "3")
    server.configure(rate=4 << 20)
    fetch(url, "out.bin", EXPECTED)
    assert (in_tmp / "out.bin").read_bytes() == DATA
    ranges = sorted(r for _, r in server.requests[1:])
    assert ranges == [f"bytes=0-{(1 << 20) - 1}", f"bytes={1 << 20}-{(2 << 20) - 1}", f"bytes={2 << 20}-{SIZE - 1}"]
    assert server.bytes_sent == SIZE + 1


def test_a_cached_file_needs_no_network(served, in_tmp):
    server, url = served
    fetch(url, "a/out.bin", EXPECTED)
    server.reset_counts()
    fetch(url, "b/out.bin", EXPECTED)  # another clone, another experiment
    assert (in_tmp / "b/out.bin").read_bytes() == DATA
    assert server.requests == []


def test_next_source_when_the_first_fails(served, in_tmp, caplog):
    server, url = served
    caplog.set_level("INFO")
    fetch(f"{server.url}/gone/data.bin", "out.bin", EXPECTED, mirrors=[f"{server.url}/"])
    assert (in_tmp / "out.bin").read_bytes() == DATA
    assert f"got data.bin from {url}" in caplog.text


def test_http_base_url_in_pipeline_mirror(served, in_tmp, monkeypatch, caplog):
    server, url = served
    monkeypatch.setenv("PIPELINE_MIRROR", server.url)
    caplog.set_level("INFO")
    fetch("http://no-such-host.invalid/data.bin", "out.bin", EXPECTED)
    assert f"got data.bin from {url}" in caplog.text


def big_glove_zip(path):
    """Four members large enough that fetching one is clearly not fetching all."""
    words = [f"w{i}" for i in range(3000)]
    digests = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for dim in fixtures.DIMS:
            data = fixtures.glove_text(dim, words).encode()
            zf.writestr(f"glove.6B.{dim}d.txt", data)
            digests[dim] = hashlib.sha256(data).hexdigest()
    return digests


def glove_params(url, digests, dim, zip_sha256="0" * 64):
    return Glove(
        url=url,
        sha256=zip_sha256,
        dim=dim,
        mirrors=[],
        members={d: f"sha256:{h}" for d, h in digests.items()},
    )


def test_member_only_fetch_moves_little_more_than_the_member(http_server, in_tmp):
    digests = big_glove_zip(http_server.root / "glove.6B.zip")
    with zipfile.ZipFile(http_server.root / "glove.6B.zip") as zf:
        compressed = zf.getinfo("glove.6B.100d.txt").compress_size
    whole = (http_server.root / "glove.6B.zip").stat().st_size
    get_member(glove_params(f"{http_server.url}/glove.6B.zip", digests, 100), in_tmp / "glove.txt", None)
    assert hashlib.sha256((in_tmp / "glove.txt").read_bytes()).hexdigest() == digests[100]
    assert compressed < whole / 4
    assert compressed <= http_server.bytes_sent <= compressed + 70_000, (compressed, http_server.bytes_sent, whole)


def test_member_from_server_ignoring_range(http_server, in_tmp):
    digests = big_glove_zip(http_server.root / "glove.6B.zip")
    zip_sha = fixtures.sha256(http_server.root / "glove.6B.zip")
    http_server.configure(ignore_range=True)
    get_member(glove_params(f"{http_server.url}/glove.6B.zip", digests, 50, zip_sha), in_tmp / "glove.txt", None)
    assert hashlib.sha256((in_tmp / "glove.txt").read_bytes()).hexdigest() == digests[50]
    # The whole official zip was kept: another dim needs no network.
    http_server.reset_counts()
    get_member(glove_params(f"{http_server.url}/glove.6B.zip", digests, 300, zip_sha), in_tmp / "g300.txt", None)
    assert http_server.requests == []
    assert hashlib.sha256((in_tmp / "g300.txt").read_bytes()).hexdigest() == digests[300]


def test_corrupt_member_bytes_are_refused(http_server, in_tmp, private_download_cache):
    digests = big_glove_zip(http_server.root / "glove.6B.zip")
    digests[100] = "1" * 64
    with pytest.raises(PipelineError, match=f"(?s)checksum mismatch for glove.6B.100d.txt.*expected sha256:{'1' * 64}"):
        get_member(glove_params(f"{http_server.url}/glove.6B.zip", digests, 100), in_tmp / "glove.txt", None)
    assert not (in_tmp / "glove.txt").exists()
    assert [p for p in private_download_cache.rglob("*") if p.is_file() and p.parent.name != "locks"] == []


def stage_project(tmp_path, url, sha256):
    project = tmp_path / "project"
    project.mkdir()
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["imdb"].update(url=url, sha256=sha256)
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    return project


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_stage_leaves_no_output_and_resumes(http_server, tmp_path, private_download_cache, how):
    (http_server.root / "aclImdb_v1.tar.gz").write_bytes(DATA)
    project = stage_project(tmp_path, f"{http_server.url}/aclImdb_v1.tar.gz", EXPECTED.digest)
    env = tool_env(PIPELINE_CACHE_DIR=str(private_download_cache), PYTHONPATH=str(ROOT))
    env.pop("PIPELINE_MIRROR", None)
    http_server.configure(rate=1 << 20)  # 1 MB/s per connection: about a second in
    stage = subprocess.Popen(
        stage_argv(ROOT, "download_imdb"),
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C's own disposition, as in a terminal: a shell's background job
        # (`make test &`) ignores SIGINT, and Python then never raises KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 20
    while http_server.bytes_sent < SIZE // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stage.send_signal(how)
    _, err = stage.communicate(timeout=20)
    assert stage.returncode == (130 if how == signal.SIGINT else -signal.SIGKILL), err
    assert not (project / "data/raw/aclImdb_v1.tar.gz").exists()
    assert list(private_download_cache.glob("files/*/*")) == []
    kept = sum(p.stat().st_size for p in private_download_cache.glob("partial/*/part-*"))
    assert 0 < kept < SIZE

    http_server.configure()
    http_server.reset_counts()
    done = subprocess.run(stage_argv(ROOT, "download_imdb"), cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"resuming {http_server.url}/aclImdb_v1.tar.gz: {kept} of {SIZE} bytes already here" in done.stderr
    assert (project / "data/raw/aclImdb_v1.tar.gz").read_bytes() == DATA
    assert http_server.bytes_sent == SIZE - kept + 1  # only the missing bytes, and the probe byte
    assert list(private_download_cache.glob("partial/*/part-*")) == []


def test_unknown_host_is_not_retried(in_tmp, monkeypatch):
    waits = []
    monkeypatch.setattr("imdb_embeddings.acquire.transfer.time.sleep", waits.append)
    with pytest.raises(PipelineError, match=r"(?s)no-such-host.invalid/data.bin: cannot resolve the host"):
        fetch("http://no-such-host.invalid/data.bin", "out.bin", EXPECTED)
    assert waits == []


def test_keeping_the_whole_zip_is_atomic(http_server, in_tmp, private_download_cache, monkeypatch):
    """The no-Range path keeps the official zip in the cache: a copy cut off
    half-way (a kill, a full disk) must leave no entry under its name."""
    from imdb_embeddings.acquire import cache, glove_member
    from imdb_embeddings.core.files import Checksum

    digests = big_glove_zip(http_server.root / "glove.6B.zip")
    zip_sha = fixtures.sha256(http_server.root / "glove.6B.zip")
    http_server.configure(ignore_range=True)

    def half_a_copy(src, dest):
        data = open(src, "rb").read()
        open(dest, "wb").write(data[: len(data) // 2])
        raise OSError(28, "No space left on device", str(dest))

    monkeypatch.setattr(glove_member.shutil, "copyfile", half_a_copy)
    with pytest.raises(OSError, match="No space left"):
        get_member(glove_params(f"{http_server.url}/glove.6B.zip", digests, 50, zip_sha), in_tmp / "g.txt", None)
    assert not cache.entry(Checksum(zip_sha), "glove.6B.zip").exists()
    assert not [p for p in private_download_cache.rglob("*") if ".partial" in p.name]
