"""Sharing through DVC remotes, for real: `dvc push --run-cache` from a
teammate's repository, then `git clone` + `dvc pull --run-cache` elsewhere
restores every output and `dvc repro` runs nothing. Once with a folder
remote, once over SSH to an sshd this test starts on 127.0.0.1."""

import getpass
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import free_ports, run_tool

pytestmark = pytest.mark.slow(seconds=18)
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def metrics(project):
    return {p.name: json.loads(p.read_text()) for p in sorted((project / "metrics").glob("*.json"))}


def push(project, env, name, url, *options):
    run_tool(project, "dvc", "remote", "add", "-f", "--local", name, url, env=env)
    for key, value in options:
        run_tool(project, "dvc", "remote", "modify", "--local", name, key, value, env=env)
    run_tool(project, "dvc", "push", "--run-cache", "-r", name, env=env)


def clone(project, dest, env, name, url, *options):
    """A teammate's fresh clone, configured for the remote (config.local is
    not in git: each user keeps credentials to themselves)."""
    subprocess.run(["git", "clone", "-q", str(project), str(dest)], check=True)
    run_tool(dest, "dvc", "remote", "add", "-d", "--local", name, url, env=env)
    for key, value in options:
        run_tool(dest, "dvc", "remote", "modify", "--local", name, key, value, env=env)
    return dest


def assert_round_trip(project, dest, env):
    """After pull: every output back, nothing to rerun, the pusher's metrics."""
    run_tool(dest, "dvc", "pull", "--run-cache", env=env)
    assert (dest / "data/models/glove_frozen.npz").is_file()
    assert (dest / "data/glove/vectors.npy").is_file()
    result = run_tool(dest, "dvc", "repro", "--all-pipelines", env=env)
    assert "Running stage" not in result.stdout, result.stdout
    status = run_tool(dest, "dvc", "status", "--json", env=env)
    assert json.loads(status.stdout) == {}
    assert metrics(dest) == metrics(project)


def test_folder_remote_round_trip(reproduced_project, tmp_path):
    project, env = reproduced_project
    remote = tmp_path / "remote"
    push(project, env, "shared", str(remote))
    dest = clone(project, tmp_path / "teammate", env, "shared", str(remote))
    assert_round_trip(project, dest, env)


def test_pull_only_one_stage(reproduced_project, tmp_path):
    project, env = reproduced_project
    remote = tmp_path / "remote"
    push(project, env, "shared", str(remote))
    dest = clone(project, tmp_path / "teammate", env, "shared", str(remote))
    run_tool(dest, "dvc", "pull", "train_glove@glove_frozen", env=env)
    assert (dest / "data/models/glove_frozen.npz").is_file()
    assert not (dest / "data/raw/aclImdb_v1.tar.gz").exists()
    assert not (dest / "data/models/learned_small.npz").exists()


def test_missing_object_is_dvcs_clear_error(reproduced_project, tmp_path):
    project, env = reproduced_project
    remote = tmp_path / "remote"
    push(project, env, "shared", str(remote))
    # Remove the object of one output from the remote.
    lock = (project / "dvc.lock").read_text()
    md5 = lock.split("path: data/raw/glove.txt", 1)[1].split("md5: ", 1)[1].split()[0]
    obj = next(remote.rglob(md5[2:]))
    obj.unlink()
    dest = clone(project, tmp_path / "teammate", env, "shared", str(remote))
    result = run_tool(dest, "dvc", "pull", env=env, check=False)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "data/raw/glove.txt" in out and "Traceback" not in out, out


@pytest.fixture
def sshd(tmp_path):
    """An OpenSSH server on 127.0.0.1 that accepts one key made here, and a
    known_hosts entry for it in a private HOME (asyncssh checks host keys)."""
    if not os.path.exists(SSHD):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the SSH remote test: install openssh-server (.ci/run does)")
        pytest.skip("needs sshd (Debian: apt-get install openssh-server)")
    ssh_dir = tmp_path / "ssh"
    ssh_dir.mkdir(mode=0o700)
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh_dir / key)], check=True)
    (ssh_dir / "authorized_keys").write_text((ssh_dir / "client_key.pub").read_text())
    os.chmod(ssh_dir / "authorized_keys", 0o600)
    port = free_ports(1)[0]
    config = ssh_dir / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {ssh_dir / 'host_key'}\n"
        f"AuthorizedKeysFile {ssh_dir / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n"
        f"PidFile {ssh_dir / 'sshd.pid'}\nSubsystem sftp internal-sftp\nStrictModes no\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    host_pub = (ssh_dir / "host_key.pub").read_text().split()[:2]
    (home / ".ssh/known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_pub)}\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"sshd did not start: {server.stderr.read()}")
            time.sleep(0.1)
    yield {"port": port, "key": str(ssh_dir / "client_key"), "home": str(home), "user": getpass.getuser()}
    server.terminate()
    server.wait(timeout=10)


def test_ssh_remote_round_trip(reproduced_project, tmp_path, sshd):
    project, env = reproduced_project
    env = {**env, "HOME": sshd["home"]}
    url = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}{tmp_path / 'ssh-remote'}"
    options = [("keyfile", sshd["key"])]
    push(project, env, "team-ssh", url, *options)
    assert any((tmp_path / "ssh-remote").rglob("*")), "nothing arrived over SSH"
    dest = clone(project, tmp_path / "teammate", env, "team-ssh", url, *options)
    assert_round_trip(project, dest, env)
