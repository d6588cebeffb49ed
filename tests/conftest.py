import os
import socket
import subprocess
from pathlib import Path

import pytest

from imdb_embeddings.archives.reviews import REVIEW, content_digest
from imdb_embeddings.devtools.http_faults import FaultServer
from tests import fixtures, reproduced
from tests.project import ROOT, copy_project, edit_params, git, project_params, readme_line, readme_make_run  # noqa: F401  (the test modules import them from here)
from tests.reproduced import tool_env  # noqa: F401  (the test modules import it from here)


@pytest.fixture
def http_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    server = FaultServer(root)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def private_download_cache(tmp_path, monkeypatch):
    """Each test its own download cache, and quick retries."""
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "download-cache"))
    monkeypatch.setenv("PIPELINE_BACKOFF_S", "0.01")
    return tmp_path / "download-cache"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder, with no mirror set, as a stage would."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_MIRROR", raising=False)
    return tmp_path


def free_ports(n):
    """n TCP ports free on 127.0.0.1 just now, for servers a test starts."""
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run_tool(cwd, *args, env=None, check=True, timeout=None):
    result = subprocess.run(list(args), cwd=cwd, env=env or tool_env(), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def fixture_mirror(tmp_path_factory):
    """A mirror folder holding the fixture archives, as ../shared/mirror does
    the real ones: an aclImdb archive that is not the official one (accepted
    by its review content, see fixture_params), GloVe as the full zip."""
    mirror = tmp_path_factory.mktemp("mirror")
    fixtures.write_tar(mirror / "aclImdb_v1.tar.gz", fixtures.imdb_members())
    members = fixtures.write_glove_zip(mirror / "glove.6B.zip")
    return mirror, members


def experiments(p):
    """{name: settings} of every experiment, whatever its group."""
    return {name: spec for group in p["experiments"].values() for name, spec in group.items()}


def fixture_content_sha256(members=None):
    """The content digest of the fixture aclImdb archive's reviews."""
    members = fixtures.imdb_members() if members is None else members
    return content_digest((n, t.encode()) for n, t in members.items() if REVIEW.match(n))


def fixture_params(p, members):
    """The pipeline scaled down to the fixture data: small vocabulary, few epochs."""
    p["imdb"]["content_sha256"] = f"sha256:{fixture_content_sha256()}"
    p["glove"]["dim"] = 50
    p["glove"]["members"] = {dim: f"sha256:{digest}" for dim, digest in members.items()}
    p["tokenize"]["max_words"] = 60
    p["word2vec"].update(dim=16, epochs=2, min_count=1)
    p["learning_curve"].update(sizes=[20, 60], validation_samples=40, maxlen=30, epochs=3, embedding_dim=8)
    p["train"]["epochs"] = 2
    # Every experiment scaled by one rule, so that one added to params.yaml runs here unedited.
    for spec in experiments(p).values():
        train, validation = (80, 40) if spec["train_samples"] > 1000 else (20, 60)
        spec.update(train_samples=train, validation_samples=validation)
        if spec.get("embedding_dim", 0) > 16:
            spec["embedding_dim"] = 16
    for spec in p["nbsvm"]["labelled"].values():
        spec.update(train_samples=120 if spec["train_samples"] > 1000 else 20)
    for group in ("pseudo_labelled", "doc_taught"):
        for spec in p["nbsvm"][group].values():
            spec.update(train_samples=20, pseudo_labels=[10, 20])
    p["draws"].update(nbsvm_pseudo=[1], curve=[1], curve_sizes=[20])


def shared_folder(config: pytest.Config) -> Path:
    """Where the reproduced project is built once for every worker of this run
    (the run's base temporary folder; a worker's own is inside it)."""
    base = config._tmp_path_factory.getbasetemp()  # pytest's own TempPathFactory, made before collection
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reproduced-shared"


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config, items):
    # Start building the shared project as soon as a collected test needs it:
    # it builds in its own process while the workers run the other test files,
    # which go first, their slow ones (the real data's) first of all. A file
    # stays whole: `--dist loadfile` gives it to one worker, and
    # `--no-loadscope-reorder` (Makefile) keeps this order.
    users = {item.path for item in items if "reproduced_project" in getattr(item, "fixturenames", ())}
    if users and not config.option.collectonly:
        reproduced.start(shared_folder(config))
    # Longest first (the slow marker's rough seconds, a file's wall time here on
    # two workers), so that the short files fill in at the end instead of one
    # long file running alone on a worker while the other has nothing left.
    seconds = {item.path: slow_seconds(item) for item in items}
    items.sort(key=lambda item: (item.path in users, -seconds[item.path]))  # stable: files stay in order


def slow_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("slow")
    return 0.0 if marker is None else float(marker.kwargs.get("seconds", 1))


def pytest_unconfigure(config):
    reproduced.finish()  # a build this process started has ended (and is reaped)


@pytest.fixture(scope="session")
def reproduced_project(request, tmp_path_factory):
    """The whole pipeline run once on the fixture data and committed, as a
    teammate's repository would be (tests/reproduced.py, built once a test
    run): (this worker's copy of the project, the environment it ran in)."""
    shared = shared_folder(request.config)
    reproduced.start(shared)  # when no collected test asked for it (it is built once all the same)
    reproduced.wait(shared)
    mine = tmp_path_factory.mktemp("reproduced")
    for name in ("project", "cold-repro.log", "book.log"):
        subprocess.run(["cp", "-a", str(shared / name), str(mine / name)], check=True)
    (mine / "download-cache").mkdir()  # the build's stays empty: the mirror serves every file
    return mine / "project", reproduced.environment(shared, mine / "download-cache")
