"""train.distribute for real on this CPU machine: MirroredStrategy over two
logical CPU devices, and MultiWorkerMirroredStrategy with two worker
processes on 127.0.0.1 (the chief under `dvc repro`, the other started by
hand, as on a real cluster). Each must land near the single-device run."""

import json
import shutil
import subprocess

import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.modeling.distribute import cluster_spec, is_chief
from tests.conftest import edit_params, free_ports, run_tool
from tests.project import stage_argv

pytestmark = pytest.mark.slow(seconds=35)
NAME = "learned_maxlen20"
TOLERANCE = 0.05  # test accuracy, on 80 fixture test reviews (4 reviews)


def accuracy_of(project):
    return json.loads((project / "metrics" / f"{NAME}.json").read_text())["test_accuracy"]


def last_epoch(project):
    return json.loads((project / "dvclive" / NAME / "metrics.json").read_text())


@pytest.fixture(scope="module")
def project(reproduced_project, tmp_path_factory):
    """A copy with enough epochs to learn, and its single-device result."""
    source, env = reproduced_project
    project = tmp_path_factory.mktemp("distribute") / "project"
    shutil.copytree(source, project, symlinks=True)
    edit_params(project, lambda p: p["experiments"]["learned"][NAME].update(epochs=8))
    run_tool(project, "dvc", "repro", f"evaluate_learned@{NAME}", env=env)
    return project, env, accuracy_of(project)


def test_mirrored_on_two_logical_cpus(project):
    project, env, single = project
    edit_params(project, lambda p: p["train"].update(distribute="mirrored", cpu_devices=2))
    result = run_tool(project, "dvc", "repro", f"evaluate_learned@{NAME}", env=env)
    assert "2 replica(s) (distribute: mirrored)" in result.stdout + result.stderr
    print(f"test accuracy: {accuracy_of(project)} distributed, {single} single-device")
    assert abs(accuracy_of(project) - single) <= TOLERANCE, (accuracy_of(project), single)


def test_multi_worker_on_two_processes(project):
    project, env, single = project
    edit_params(project, lambda p: p["train"].update(distribute="multi_worker", cpu_devices=1))
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]

    def tf_config(index):
        return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})

    other = subprocess.Popen(
        stage_argv(project, f"train_learned@{NAME}"),
        cwd=project,
        env={**env, "TF_CONFIG": tf_config(1)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = run_tool(
            project, "dvc", "repro", f"evaluate_learned@{NAME}", env={**env, "TF_CONFIG": tf_config(0)}, timeout=300
        )
        out, _ = other.communicate(timeout=120)
    finally:
        other.kill()
    assert other.returncode == 0, out
    assert "not the chief worker" in out
    assert "2 replica(s) (distribute: multi_worker)" in result.stdout + result.stderr
    print(f"test accuracy: {accuracy_of(project)} distributed, {single} single-device")
    assert abs(accuracy_of(project) - single) <= TOLERANCE, (accuracy_of(project), single)


def test_tf_config_is_checked(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}')
    assert cluster_spec()["workers"] == 2 and not is_chief()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    with pytest.raises(PipelineError, match="task worker 3 is not in the cluster"):
        cluster_spec()
    monkeypatch.setenv("TF_CONFIG", "workers: a, b")
    with pytest.raises(PipelineError, match="TF_CONFIG is not a cluster description"):
        cluster_spec()
    monkeypatch.delenv("TF_CONFIG")
    assert cluster_spec() is None and is_chief()
