"""`imdb-embeddings verify`: a flipped byte in a DVC cache object, which
`dvc status`, `dvc checkout` and `dvc push` pass over, is found, named with
the stage that made it, removed on request and rebuilt by the command it
prints; predict on a model restored from such an object says to run it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from imdb_embeddings.core.params import read
from tests.conftest import run_tool

pytestmark = pytest.mark.slow(seconds=8)
COMMAND = str(Path(sys.executable).parent / "imdb-embeddings")


def cache_object(project, stage, path, lock="dvc.lock"):
    outs = read(project / lock)["stages"][stage]["outs"]
    md5 = next(out["md5"] for out in outs if out["path"] == path)
    return project / ".dvc/cache/files/md5" / md5[:2] / md5[2:]


def flip_byte(path, after):
    data = bytearray(path.read_bytes())
    at = data.index(after) + 200
    data[at] ^= 0x01
    os.chmod(path, 0o644)
    path.write_bytes(bytes(data))
    os.chmod(path, 0o444)  # as DVC left it: DVC re-hashes only objects it finds writable


def test_corrupt_cache_objects_are_found_and_rebuilt(reproduced_project, tmp_path):
    source, env = reproduced_project
    project = tmp_path / "project"
    subprocess.run(["cp", "-a", str(source), str(project)], check=True)

    clean = run_tool(project, COMMAND, "verify", env=env)
    assert "cache objects checked" in clean.stdout and "none bad" in clean.stdout

    model = cache_object(project, "train_nbsvm@full_data", "data/models/full_data.npz", "studies/nbsvm/dvc.lock")
    vectors = cache_object(project, "parse_glove", "data/glove/vectors.npy")
    flip_byte(model, b"weights.npy")
    flip_byte(vectors, b"\x93NUMPY")
    assert run_tool(project, "dvc", "status", "--json", env=env).stdout.strip() == "{}"  # DVC sees nothing

    found = run_tool(project, COMMAND, "verify", env=env, check=False)
    assert found.returncode == 1
    study = "studies/nbsvm/dvc.yaml:train_nbsvm@full_data"
    assert f"corrupt: data/models/full_data.npz (stage {study}): {model}" in found.stdout
    assert f"corrupt: data/glove/vectors.npy (stage parse_glove): {vectors}" in found.stdout
    assert "2 bad" in found.stdout and f"dvc repro -f -s parse_glove {study}" in found.stdout

    # A deleted model comes back from the corrupt object; predict says what to do.
    (project / "data/models/full_data.npz").unlink()
    run_tool(project, "dvc", "checkout", "data/models/full_data.npz", env=env)
    predicted = run_tool(project, COMMAND, "predict", "--model", "full_data", "good", env=env, check=False)
    assert predicted.returncode == 1 and predicted.stderr.count("\n") == 1
    assert "is corrupt (member weights fails its CRC-32 check): run `imdb-embeddings verify`" in predicted.stderr

    run_tool(project, COMMAND, "verify", "--remove", env=env, check=False)
    assert not model.exists() and not vectors.exists()
    run_tool(project, "dvc", "repro", "-f", "-s", "parse_glove", study, env=env)  # the command verify printed
    assert "none bad" in run_tool(project, COMMAND, "verify", env=env).stdout
    assert run_tool(project, COMMAND, "predict", "--model", "full_data", "good", env=env).returncode == 0


def test_verify_needs_a_dvc_lock(tmp_path):
    result = subprocess.run([COMMAND, "verify"], cwd=tmp_path, capture_output=True, text=True)
    assert (
        result.returncode == 1
        and result.stderr == f"error: no dvc.lock in {tmp_path}: run verify in the project's root, after `dvc repro`\n"
    )


def test_an_unreadable_cache_object_is_named(reproduced_project, tmp_path):
    """An object that cannot be read (no permission, or a folder in its place)
    is named with why, never taken for a failed write to standard output."""
    source, env = reproduced_project
    project = tmp_path / "project"
    subprocess.run(["cp", "-a", str(source), str(project)], check=True)
    vectors = cache_object(project, "parse_glove", "data/glove/vectors.npy")
    os.chmod(vectors, 0o644)
    vectors.unlink()
    vectors.mkdir()  # unreadable as a file, even for root
    found = run_tool(project, COMMAND, "verify", env=env, check=False)
    assert found.returncode == 1 and "standard output" not in found.stderr, found.stderr
    assert f"unreadable (Is a directory): data/glove/vectors.npy (stage parse_glove): {vectors}" in found.stdout
