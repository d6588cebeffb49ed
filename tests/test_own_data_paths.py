"""Your own data's path, and what is in it, as a hostile or careless hand
gives them: links out of the project, a named pipe, a folder for a file,
another encoding, a header naming a column twice, one very long review.
Each is one line naming the file (or counted with the rows left out), and a
failed prepare says that its output folder is now empty and how to get it back."""

import os
import subprocess

import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.dataset.formats import MAX_TEXT_BYTES, Columns, read_records
from tests.conftest import copy_project, edit_params, tool_env

COLUMNS = Columns("review", "sentiment", "")
CSV = "review,sentiment\nA fine film.,positive\nA dull film.,negative\n"


def records(path, fmt="csv", root=None):
    return list(read_records(path, fmt, COLUMNS, root))


@pytest.fixture
def layout(tmp_path):
    """A project folder and, beside it, a folder outside the project."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "reviews.csv").write_text(CSV)
    return project, outside


def test_a_link_out_of_the_project_is_refused(layout):
    project, outside = layout
    (project / "link.csv").symlink_to(outside / "reviews.csv")
    with pytest.raises(PipelineError, match="link.csv leads to .*outside/reviews.csv, outside the project") as error:
        records(project / "link.csv", root=project)
    assert "\n" not in str(error.value) and "fine film" not in str(error.value)
    (project / "inside.csv").write_text(CSV)
    (project / "alias.csv").symlink_to(project / "inside.csv")  # a link within the project is read
    assert len(records(project / "alias.csv", root=project)) == 2


def test_a_folder_that_links_out_is_refused_and_links_inside_are_counted(layout):
    project, outside = layout
    (outside / "pos").mkdir()
    (outside / "pos/1.txt").write_text("Outside text.")
    (project / "top").symlink_to(outside)
    with pytest.raises(PipelineError, match="top leads to .*, outside the project"):
        records(project / "top", "folders", root=project)
    data = project / "reviews"
    (data / "pos").mkdir(parents=True)
    (data / "neg").mkdir()
    (data / "pos/1.txt").write_text("Good.")
    (data / "neg/1.txt").write_text("Bad.")
    (data / "neg/2.txt").symlink_to(outside / "pos/1.txt")
    (data / "linked").symlink_to(outside / "pos")
    got = records(data, "folders", root=project)
    assert sorted((r.where, r.fault) for r in got) == [
        ("linked", "link"),
        ("neg/1.txt", ""),
        ("neg/2.txt", "link"),
        ("pos/1.txt", ""),
    ]
    assert all("Outside" not in (r.text or "") for r in got)


def test_a_named_pipe_is_refused_without_reading_it(layout):
    project, _ = layout
    os.mkfifo(project / "pipe.csv")
    with pytest.raises(PipelineError, match="pipe.csv is not a regular file"):
        records(project / "pipe.csv", root=project)  # would block for ever on open


@pytest.mark.parametrize(
    "make, fmt, message",
    [
        (lambda p: p.mkdir(), "csv", "data.csv is a folder; dataset.format csv reads one file"),
        (lambda p: p.write_bytes(CSV.encode("utf-16")), "csv", r"is not UTF-8 \(UTF-16 byte-order mark\)"),
        (lambda p: p.write_bytes(b'\xff\xfe{"a": 1}'), "jsonl", r"is not UTF-8 \(UTF-16 byte-order mark\)"),
        (lambda p: p.write_text("review,sentiment,review\nx,positive,y\n"), "csv", "the header names 'review' twice"),
        (lambda p: None, "csv", "data.csv: no such file"),
    ],
)
def test_misleading_inputs_get_the_right_message(layout, make, fmt, message):
    project, _ = layout
    path = project / "data.csv"
    make(path)
    with pytest.raises(PipelineError, match=message) as error:
        records(path, fmt, root=project)
    assert "\n" not in str(error.value)


def test_one_long_quoted_review_is_counted_not_fatal(layout):
    project, _ = layout
    long_text = "word " * (MAX_TEXT_BYTES // 5 + 10)
    (project / "data.csv").write_text(CSV + f'"{long_text}",positive\nThe last one.,negative\n')
    got = records(project / "data.csv", root=project)
    assert [r.fault for r in got] == ["", "", "too_long", ""]
    unclosed = project / "unclosed.csv"
    unclosed.write_text(CSV + '"an open quote,positive\n' + "more text\n" * (MAX_TEXT_BYTES // 8))
    with pytest.raises(PipelineError, match="line .* is not valid CSV .*quote opened in row 3 is not closed"):
        records(unclosed, root=project)


@pytest.fixture
def own_project(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "inputs").mkdir()
    (project / "inputs/reviews.csv").write_text(CSV)
    return project


def own_data(path):
    def change(p):
        p["dataset"].update(path=path, format="csv", text_column="review", label_column="sentiment")
        p["dataset"].update(positive="positive", negative="negative")

    return change


def dvc(project, *args, timeout=120):
    return subprocess.run(["dvc", *args], cwd=project, env=tool_env(), capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow(seconds=8)
def test_check_params_refuses_a_pipe_or_a_link_out_before_dvc_hashes_it(own_project, tmp_path):
    """DVC hashes a stage's deps when it reaches the stage: a named pipe as
    dataset.path would hang `dvc repro` there. check_params, first, refuses it."""
    os.mkfifo(own_project / "inputs/pipe.csv")
    edit_params(own_project, own_data("inputs/pipe.csv"))
    result = dvc(own_project, "repro", timeout=60)
    assert result.returncode != 0
    assert "error: inputs/pipe.csv is not a regular file" in result.stderr, result.stderr
    (tmp_path / "secret.csv").write_text(CSV)
    (own_project / "inputs/link.csv").symlink_to(tmp_path / "secret.csv")
    edit_params(own_project, own_data("inputs/link.csv"))
    result = dvc(own_project, "repro", timeout=60)
    assert "error: inputs/link.csv leads to" in result.stderr and "outside the project" in result.stderr
    assert not (own_project / "data/prepared").exists()


@pytest.mark.slow(seconds=6)
def test_a_path_never_becomes_a_command_even_for_one_stage(own_project, tmp_path):
    """`dvc repro -s prepare` skips check_params. dataset.path is read from
    params, never passed on the command line, so no value of it reaches a
    shell: the stage refuses it in one line, and nothing else runs."""
    hostile = "data_in/x.csv;touch${IFS}PWNED"
    (own_project / "data_in").mkdir()
    (own_project / "data_in/x.csv").write_text(CSV)
    (own_project / hostile).write_text(CSV)  # the file exists, under that very name
    edit_params(own_project, own_data("inputs/reviews.csv"))
    assert dvc(own_project, "repro", "check_params").returncode == 0  # passed once, as in a working project
    edit_params(own_project, own_data(hostile))
    result = dvc(own_project, "repro", "-s", "prepare")
    assert result.returncode != 0
    assert not list(tmp_path.rglob("PWNED*")), result.stdout + result.stderr
    assert "dataset.path is 'data_in/x.csv;touch${IFS}PWNED'; expected a relative path" in result.stderr
    assert not (own_project / "data/prepared").is_file()


def folder_layout(project):
    for label in ("positive", "negative"):
        (project / "inputs/folder" / label).mkdir(parents=True)
        for i in range(4):
            (project / "inputs/folder" / label / f"{i}.txt").write_text(f"A {label} review, number {i}.")

    def change(p):
        p["dataset"].update(path="inputs/folder", format="folders", positive="positive", negative="negative")

    edit_params(project, change)


@pytest.mark.slow(seconds=8)
def test_a_pipe_or_a_name_not_utf8_inside_a_folder_is_named_before_dvc_trips(own_project):
    """DVC hashes the folder at prepare's turn: a named pipe in it hung
    `dvc repro`, and a file name that is not UTF-8 ended it with DVC's codec
    error. check_params, first, names each in one line."""
    folder_layout(own_project)
    os.mkfifo(own_project / "inputs/folder/positive/pipe.txt")
    result = dvc(own_project, "repro", "prepare", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and errors == [
        "error: inputs/folder/positive/pipe.txt is a named pipe: DVC would hang hashing inputs/folder; move it out"
    ], result.stderr
    os.unlink(own_project / "inputs/folder/positive/pipe.txt")
    os.close(os.open(os.fsencode(own_project / "inputs/folder/negative") + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY))
    result = dvc(own_project, "repro", "prepare", timeout=60)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    said = "error: inputs/folder/negative/caf\\xe9.txt: a file name that is not UTF-8; rename it"
    assert errors == [said], result.stderr
    assert not (own_project / "data/prepared").exists()
