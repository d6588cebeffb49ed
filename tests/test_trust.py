"""Trust in the data: a mirror folder cannot vouch for itself. The aclImdb
archive is accepted if it is the pinned archive or carries the pinned reviews
(`imdb.content_sha256`); anything else is refused, whatever the folder's
SHA256SUMS says, and `prepare` checks the content of every archive it reads."""

import hashlib
import re
import subprocess

import pytest

from tests import fixtures
from tests.conftest import copy_project, edit_params, fixture_content_sha256, tool_env
from tests.project import stage_argv


@pytest.fixture
def project(tmp_path):
    project = copy_project(tmp_path / "project")
    edit_params(project, lambda p: p["imdb"].update(content_sha256=f"sha256:{fixture_content_sha256()}"))
    return project


def run_stage(project, name, mirror):
    env = tool_env(PIPELINE_MIRROR=str(mirror), PIPELINE_CACHE_DIR=str(project.parent / "cache"))
    return subprocess.run(stage_argv(project, name), cwd=project, env=env, capture_output=True, text=True, timeout=120)


def mirror_with(tmp_path, members, vouch=True):
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    archive = fixtures.write_tar(mirror / "aclImdb_v1.tar.gz", members)
    if vouch:  # the folder vouching for its own archive, as ../shared/mirror does
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        (mirror / "SHA256SUMS").write_text(f"{digest}  aclImdb_v1.tar.gz\n")
    return mirror


def test_a_faithful_repack_is_accepted_loudly(project, tmp_path):
    mirror = mirror_with(tmp_path, dict(reversed(list(fixtures.imdb_members().items()))))  # other order, other bytes
    result = run_stage(project, "download_imdb", mirror)
    assert result.returncode == 0, result.stderr
    assert re.search(r"WARNING: \S+: \S+ is NOT the archive pinned in params.yaml", result.stderr), result.stderr
    assert "its review content matches imdb.content_sha256" in result.stderr
    assert (project / "data/raw/aclImdb_v1.tar.gz").is_file()
    prepared = run_stage(project, "prepare", mirror)
    assert prepared.returncode == 0, prepared.stderr
    assert "review content matches imdb.content_sha256" in prepared.stderr


@pytest.mark.parametrize("change", ["one review edited", "one review added", "one review removed"])
def test_other_reviews_are_refused_even_when_sha256sums_vouches(project, tmp_path, change):
    members = fixtures.imdb_members()
    if change == "one review edited":
        members[next(n for n in members if "/train/pos/" in n)] += " (swapped)"
    elif change == "one review added":
        members["aclImdb/test/neg/999_1.txt"] = "An extra review."
    else:
        members.pop(next(n for n in members if "/test/neg/" in n))
    mirror = mirror_with(tmp_path, members)
    result = run_stage(project, "download_imdb", mirror)
    assert result.returncode == 1
    assert "its reviews are not the pinned dataset" in result.stderr and "refusing it" in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {mirror / 'aclImdb_v1.tar.gz'}: its reviews")
    assert ".partial" not in errors[0]
    assert "Traceback" not in result.stderr
    assert not (project / "data/raw").exists() or not any((project / "data/raw").iterdir())


def test_prepare_checks_the_content_of_any_archive_it_reads(project, tmp_path):
    """An archive put in place by other means (or a params change) is still checked."""
    members = fixtures.imdb_members()
    members["aclImdb/test/neg/999_1.txt"] = "An extra review."
    (project / "data/raw").mkdir(parents=True)
    fixtures.write_tar(project / "data/raw/aclImdb_v1.tar.gz", members)
    result = run_stage(project, "prepare", tmp_path)
    assert result.returncode == 1
    assert "its reviews are not the pinned dataset" in result.stderr
    assert "note: data/prepared is empty now" in result.stderr and "`dvc checkout prepare`" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
    assert not (project / "data/prepared").exists()


def test_a_failed_prepare_says_the_folder_is_empty_only_when_it_is(project, tmp_path):
    """Run by hand (as dvc.yaml's command), `prepare` leaves its folder as it was:
    no note that it is empty, one error line, the earlier files untouched."""
    members = fixtures.imdb_members()
    members["aclImdb/test/neg/999_1.txt"] = "An extra review."
    (project / "data/raw").mkdir(parents=True)
    fixtures.write_tar(project / "data/raw/aclImdb_v1.tar.gz", members)
    (project / "data/prepared").mkdir(parents=True)
    (project / "data/prepared/train.parquet").write_bytes(b"an earlier run's file")
    result = run_stage(project, "prepare", tmp_path)
    assert result.returncode == 1 and "is empty now" not in result.stderr, result.stderr
    assert [line.startswith("error:") for line in result.stderr.splitlines() if "error" in line] == [True]
    assert (project / "data/prepared/train.parquet").read_bytes() == b"an earlier run's file"
