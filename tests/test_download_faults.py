"""The download layer against servers that lie, stall or change their mind,
against a broken transfer plan, bad settings, and two processes sharing the
download cache at once: every case ends in the right bytes or one clear
error, never a traceback, a hang or a corrupt cache entry."""

import hashlib
import json
import random
import subprocess
import sys
import time

import pytest

from imdb_embeddings.acquire import cache, verify
from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.acquire.transfer import setting
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import Checksum
from imdb_embeddings.core.params import Glove
from imdb_embeddings.devtools.http_faults import FaultServer
from tests.conftest import ROOT, copy_project, tool_env
from tests.project import stage_argv

SIZE = 3 << 20
DATA = random.Random(2).randbytes(SIZE)
EXPECTED = Checksum(hashlib.sha256(DATA).hexdigest())


@pytest.fixture
def served(http_server, in_tmp):
    (http_server.root / "data.bin").write_bytes(DATA)
    return http_server, f"{http_server.url}/data.bin"


def entries(download_cache):
    return [p for p in (download_cache / "files").rglob("*") if p.is_file()] if download_cache.exists() else []


@pytest.mark.parametrize("honoured", [1, 2])
def test_server_that_stops_honouring_range_still_gives_the_file(served, honoured, caplog):
    server, url = served
    server.configure(honour_ranges=honoured)  # the probe (and maybe one segment), then whole files
    caplog.set_level("INFO")
    fetch(url, "out.bin", EXPECTED)
    assert open("out.bin", "rb").read() == DATA
    assert "stopped honouring Range" in caplog.text


def test_range_ignored_part_way_tries_the_next_source(in_tmp, tmp_path, caplog):
    """The member-only GloVe path cannot fall back inside one source: it goes on to the next."""
    from imdb_embeddings.acquire.glove_member import get_member
    from tests import fixtures

    bad, good = FaultServer(tmp_path / "bad"), FaultServer(tmp_path / "good")
    try:
        for server in (bad, good):
            server.root.mkdir(exist_ok=True)
            digests = fixtures.write_glove_zip(server.root / "glove.6B.zip")
        bad.configure(honour_ranges=1)
        glove = Glove(
            **{
                "url": f"{bad.url}/glove.6B.zip",
                "sha256": "0" * 64,
                "dim": 100,
                "members": {d: f"sha256:{h}" for d, h in digests.items()},
                "mirrors": [good.url],
            }
        )
        caplog.set_level("INFO")
        get_member(glove, "glove.txt", None)
        assert open("glove.txt").read() == fixtures.glove_text(100)
        assert "answered a ranged request with the whole file; trying the next source" in caplog.text
    finally:
        bad.close()
        good.close()


@pytest.mark.parametrize("shift", [1, 4096])
def test_a_206_from_the_wrong_offset_is_refused(served, shift):
    server, url = served
    server.configure(shift_range=shift)
    with pytest.raises(PipelineError) as err:
        fetch(url, "out.bin", EXPECTED)
    assert "the server answered Content-Range 'bytes " in str(err.value) and "refusing its bytes" in str(err.value)
    assert "Traceback" not in str(err.value)


@pytest.mark.parametrize("plan", ['{"url": "x", "range": [0, ', "", "[1, 2]", '{"range": [0, 5], "segments": 3}'])
def test_a_broken_transfer_plan_is_started_afresh(served, private_download_cache, plan, caplog):
    """A plan cut off by a kill mid-write (or any garbage) does not fail every later run."""
    server, url = served
    folder = cache.partial_dir(url, 0, SIZE, True)
    folder.mkdir(parents=True)
    (folder / "plan.json").write_text(plan)
    caplog.set_level("INFO")
    fetch(url, "out.bin", EXPECTED)
    assert open("out.bin", "rb").read() == DATA
    assert not folder.exists()


def test_a_trickling_server_is_given_up_on(served, monkeypatch):
    """One byte per connection, then a drop: each attempt 'progresses', but
    too little to renew the retry budget."""
    server, url = served
    server.configure(drop_after=1, drops=10**6)
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "1")
    start = time.monotonic()
    with pytest.raises(PipelineError, match="giving up after 5 retries"):
        fetch(url, "out.bin", EXPECTED)
    assert time.monotonic() - start < 30
    assert len(server.requests) <= 1 + 6 + 1  # probe, 6 attempts (and nothing more)


def test_all_attempts_are_capped(served, monkeypatch):
    """Each connection brings 80 KiB and drops: real progress, but no end in sight."""
    server, url = served
    server.configure(drop_after=80 << 10, drops=10**6)
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "1")
    monkeypatch.setenv("PIPELINE_MAX_ATTEMPTS", "4")
    with pytest.raises(PipelineError, match="giving up after 4 attempts in all"):
        fetch(url, "out.bin", EXPECTED)


def test_time_without_progress_is_capped(served, monkeypatch):
    server, url = served
    server.configure(drop_after=1, drops=10**6)
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "1")
    monkeypatch.setenv("PIPELINE_RETRIES", "1000")
    monkeypatch.setenv("PIPELINE_STALL_S", "0.2")
    with pytest.raises(PipelineError, match="giving up, no progress in 0 s"):
        fetch(url, "out.bin", EXPECTED)


def test_a_failed_segment_does_not_wait_out_the_others_backoff(served, monkeypatch):
    """Of three segments, the second gets a 503 and backs off for 20 s, the
    third a 404: the transfer fails at once, not after the backoff."""
    server, url = served
    monkeypatch.setenv("PIPELINE_CONNECTIONS", "3")
    monkeypatch.setenv("PIPELINE_BACKOFF_S", "20")
    step = -(-SIZE // 3)
    server.configure(status_for_start={step: 503, 2 * step: 404})
    start = time.monotonic()
    with pytest.raises(PipelineError, match="HTTP 404"):
        fetch(url, "out.bin", EXPECTED)
    assert time.monotonic() - start < 8


def test_a_mirror_file_is_read_once(in_tmp, tmp_path, monkeypatch):
    """Hashed while it is copied: the bytes checked are the bytes kept."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "data.bin").write_bytes(DATA)
    monkeypatch.setenv("PIPELINE_MIRROR", str(mirror))
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(verify, "open", counting_open, raising=False)
    fetch("http://no-such-host.invalid/data.bin", "out.bin", EXPECTED)
    assert opened.count(str(mirror / "data.bin")) == 1
    assert open("out.bin", "rb").read() == DATA


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("PIPELINE_RETRIES", "five", "PIPELINE_RETRIES='five': expected a whole number of at least 0"),
        ("PIPELINE_TIMEOUT_S", "-3", "PIPELINE_TIMEOUT_S='-3': expected a number of at least 0.001"),
        ("PIPELINE_CONNECTIONS", "0", "PIPELINE_CONNECTIONS='0': expected a whole number of at least 1"),
        ("PIPELINE_BACKOFF_S", "nan", "PIPELINE_BACKOFF_S='nan': expected a number of at least 0"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path, name, value, message):
    """Read when used, not at import: the stage reports them like any bad input."""
    project = copy_project(tmp_path / "project")
    env = tool_env(**{name: value, "PIPELINE_MIRROR": "", "PIPELINE_CACHE_DIR": str(tmp_path / "cache")})
    for name in ("download_imdb", "download_glove"):
        stage = subprocess.run(
            stage_argv(project, name), cwd=project, env=env, capture_output=True, text=True, timeout=60
        )
        assert stage.returncode == 1
        assert stage.stderr.strip().splitlines() == [f"error: {message}"]
    assert "Traceback" not in stage.stderr


def test_setting_defaults_and_values(monkeypatch):
    monkeypatch.delenv("PIPELINE_RETRIES", raising=False)
    assert setting("PIPELINE_RETRIES", 5) == 5
    monkeypatch.setenv("PIPELINE_RETRIES", " 7 ")
    assert setting("PIPELINE_RETRIES", 5) == 7


FETCH_ONE = """
import logging
import sys
logging.basicConfig(level="INFO")
from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.core.files import Checksum
fetch(sys.argv[1], sys.argv[2], Checksum(sys.argv[3]))
"""


def test_two_processes_fetching_the_same_file_at_once(served, tmp_path, private_download_cache):
    """A throttled server, two fetches of one file into one download cache at
    the same moment: both succeed, the entry is whole, bytes move once or twice."""
    server, url = served
    server.configure(rate=2 << 20)  # 2 MB/s a connection: the transfers overlap
    env = tool_env(PIPELINE_CACHE_DIR=str(private_download_cache), PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", FETCH_ONE, url, str(tmp_path / f"out{i}.bin"), f"sha256:{EXPECTED.digest}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    for i in range(2):
        assert (tmp_path / f"out{i}.bin").read_bytes() == DATA
    [entry] = entries(private_download_cache)
    assert hashlib.sha256(entry.read_bytes()).hexdigest() == EXPECTED.digest
    assert SIZE <= server.bytes_sent <= 2 * SIZE + 2
    assert not list((private_download_cache / "partial").glob("*/part-*"))
    assert not [p for p in private_download_cache.rglob("*.partial*")]
    # Either one waited for the other's entry (the bytes moved once), or both fetched.
    assert any("waiting for another process" in out for out in outputs) or server.bytes_sent > SIZE + 2
    assert "Traceback" not in "".join(outputs)


def test_plan_file_is_written_whole(served, private_download_cache, monkeypatch):
    """The plan goes through a temporary file and a rename, like every output."""
    server, url = served
    written = []
    import imdb_embeddings.acquire.transfer as transfer

    real = transfer.write_json
    monkeypatch.setattr(transfer, "write_json", lambda path, data: (written.append(path), real(path, data)))
    fetch(url, "out.bin", EXPECTED)
    assert written and written[0].name == "plan.json"
    json.dumps({})
