import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from tests import fixtures

ROOT = Path(__file__).resolve().parent.parent
# What a copy of the project needs to run: the code and the pipeline, no data.
PROJECT_FILES = ("dvc.yaml", "params.yaml", "stages", ".dvc/config", ".dvc/.gitignore", ".dvcignore")


class Server:
    """A real HTTP server on 127.0.0.1 serving a folder, counting requests."""

    def __init__(self, root):
        self.root, self.requests = Path(root), []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(server.root), **kwargs)

            def do_GET(self):
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    server = Server(root)
    yield server
    server.close()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder, with no mirror set, as a stage would."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPELINE_MIRROR", raising=False)
    return tmp_path


def copy_project(dest):
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / name)
    git(dest, "init", "-q")
    return dest


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def tool_env(**extra):
    """The environment a stage sees: this venv's `python` and `dvc` first."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), **extra}
    env.pop("PIPELINE_LOG_LEVEL", None)
    return env


def run_tool(cwd, *args, env=None, check=True):
    result = subprocess.run(list(args), cwd=cwd, env=env or tool_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def edit_params(project, change):
    path = Path(project) / "params.yaml"
    params = yaml.safe_load(path.read_text())
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return params


@pytest.fixture(scope="session")
def fixture_mirror(tmp_path_factory):
    """A mirror folder holding the fixture archives, as ../shared/mirror does
    the real ones: aclImdb vouched for by SHA256SUMS, GloVe as the full zip."""
    mirror = tmp_path_factory.mktemp("mirror")
    fixtures.write_tar(mirror / "aclImdb_v1.tar.gz", fixtures.imdb_members())
    members = fixtures.write_glove_zip(mirror / "glove.6B.zip")
    (mirror / "SHA256SUMS").write_text(f"{fixtures.sha256(mirror / 'aclImdb_v1.tar.gz')}  aclImdb_v1.tar.gz\n")
    return mirror, members
