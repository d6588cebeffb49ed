"""`make lint` passes in a workspace where the pipeline has run: its output
folders (dvclive/ above all, which ruff's import sorting would take for a
first-party package) change nothing."""

import pytest

from tests.conftest import run_tool

pytestmark = pytest.mark.slow(seconds=1)


def test_lint_passes_after_dvc_repro(reproduced_project):
    project, env = reproduced_project
    assert (project / "dvclive").is_dir()
    for command in (["ruff", "check", "--no-cache", "."], ["ruff", "format", "--check", "--no-cache", "."]):
        result = run_tool(project, *command, env=env, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
