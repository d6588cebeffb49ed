"""`imdb-embeddings predict` at its edges, on a small hand-built model (no
pipeline run needed): one line in is one prediction out, in order, whatever
characters a review holds; every input path treats bad bytes alike; input is
bounded; write errors, empty input and misplaced names are one line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from imdb_embeddings.classifier import load_classifier
from imdb_embeddings.nbsvm.ngram_model import NgramModel
from tests.conftest import tool_env

COMMAND = str(Path(sys.executable).parent / "imdb-embeddings")
VOCABULARY = ["good", "bad", "film", "great"]
# Characters that str.splitlines() takes for line ends, inside real reviews.
SEPARATORS = ["\x85", "\f", "\v", "\x1c", "\x1d", "\x1e", "\u2028", "\u2029", "\r"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder laid out as the project: params.yaml naming `tiny`, its model in data/models."""
    root = tmp_path_factory.mktemp("workspace")
    keys = np.arange(1, len(VOCABULARY) + 1, dtype=np.int64) * 4  # the 1-grams
    weights = np.array([1.5, -2.0, 0.1, 2.5], np.float32)
    (root / "data/models").mkdir(parents=True)
    NgramModel(VOCABULARY, 1, keys, weights, -0.2, None).save(root / "data/models/tiny.npz")
    (root / "params.yaml").write_text("nbsvm:\n  labelled:\n    tiny: {}\n")
    return root


def predict(cwd, *args, stdin=None, stdout=subprocess.PIPE):
    return subprocess.run(
        [COMMAND, "predict", *args],
        cwd=cwd,
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        env=tool_env(),
    )


def one_error(result):
    err = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b"", (result.returncode, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def test_one_line_in_one_prediction_out(workspace, tmp_path):
    texts = [f"a good{sep}bad film" for sep in SEPARATORS] + ["", "great", "   ", "bad film"]
    model = load_classifier(workspace / "data/models/tiny.npz")
    expected = model.probabilities(texts)
    for ending in ("\n", "\r\n"):
        data = ending.join(texts).encode() + ending.encode()
        (tmp_path / "r.txt").write_bytes(data)
        for args, stdin in ((["--file", str(tmp_path / "r.txt")], None), ([], data)):
            result = predict(workspace, "--model", "tiny", "--json", *args, stdin=stdin)
            assert result.returncode == 0, result.stderr
            rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
            assert len(rows) == len(texts)
            for text, row, p in zip(texts, rows, expected):
                if text.strip():
                    assert row["probability"] == pytest.approx(float(p), abs=1e-9)
                else:
                    assert row == {"label": "empty", "probability": None, "known": None}
    plain = predict(workspace, "--model", "tiny", "great", "", "bad").stdout.decode().splitlines()
    assert plain[1] == "empty\t-" and plain[0].startswith("positive\t") and plain[2].startswith("negative\t")


def test_a_text_the_model_cannot_read_is_said_so(workspace):
    """No word the model knows: `unknown`, not the bias as a guess; no word at all: `empty`;
    with --json, the share of a review's words that the model knows."""
    texts = ["xyzzy qwerty plugh", "日本語のレビューです", "!!!", "a good film, plugh"]
    plain = predict(workspace, "--model", "tiny", *texts).stdout.decode().splitlines()
    assert plain[:3] == ["unknown\t-", "unknown\t-", "empty\t-"] and plain[3].startswith("positive\t"), plain
    rows = [json.loads(line) for line in predict(workspace, "--model", "tiny", "--json", *texts).stdout.splitlines()]
    assert [(r["label"], r["probability"], r["known"]) for r in rows[:3]] == [
        ("unknown", None, 0.0),
        ("unknown", None, 0.0),
        ("empty", None, None),
    ]
    assert rows[3]["known"] == 0.5 and rows[3]["probability"] > 0.5  # good, film of a, good, film, plugh


def test_bad_bytes_are_refused_alike_on_every_path(workspace, tmp_path):
    data = b"good film\n\xff\xfe bad\n"
    (tmp_path / "bad.txt").write_bytes(data)
    from_file = one_error(predict(workspace, "--model", "tiny", "--file", str(tmp_path / "bad.txt")))
    from_stdin = one_error(predict(workspace, "--model", "tiny", stdin=data))
    assert "not UTF-8 text (byte 0xff on line 2)" in from_file and "not UTF-8 text (byte 0xff on line 2)" in from_stdin
    as_argument = one_error(predict(workspace, b"--model", b"tiny", b"ok", b"\xff bad"))
    assert "argument 2 is not UTF-8 text" in as_argument


def test_input_is_bounded(workspace, tmp_path):
    # /dev/zero never ends: read up to the bound, then refused.
    endless = one_error(predict(workspace, "--model", "tiny", "--file", "/dev/zero"))
    assert "holds more than --max-input-bytes (268,435,456 bytes)" in endless
    small = one_error(
        predict(workspace, "--model", "tiny", "--max-input-bytes", "10", stdin=b"good film, a great one\n")
    )
    assert "standard input holds more than --max-input-bytes (10 bytes); raise it" in small
    long_review = "good " * 20_001
    too_long = one_error(predict(workspace, "--model", "tiny", "short", long_review))
    assert "review 2 has 100,005 characters, more than --max-review-chars (100,000)" in too_long
    raised = predict(workspace, "--model", "tiny", "--max-review-chars", "200000", "short", long_review)
    assert raised.returncode == 0 and len(raised.stdout.splitlines()) == 2


def test_write_errors_are_one_line(workspace):
    with open("/dev/full", "wb") as full:
        result = predict(workspace, "--model", "tiny", "good film", stdout=full)
    err = result.stderr.decode()
    assert (
        result.returncode == 1
        and err == "error: cannot write the predictions to standard output: No space left on device\n"
    )
    # A reader that stops early (`| head -1`): quiet, no traceback.
    reviews = b"good film\n" * 200_000
    pipeline = subprocess.run(
        f"{COMMAND} predict --model tiny | head -1",
        shell=True,
        cwd=workspace,
        input=reviews,
        capture_output=True,
        env=tool_env(),
        timeout=60,
    )
    assert pipeline.stdout.decode().startswith("positive\t") and pipeline.stderr == b""


@pytest.mark.parametrize(
    "args, stdin, cwd, message",
    [
        (["--model", "tiny", ""], None, "workspace", "no reviews to predict: the text arguments are blank"),
        (["--model", "tiny"], b"", "workspace", "no reviews to predict: standard input is empty"),
        (["--model", "tiny"], b"\n \n", "workspace", "standard input is empty (blank lines only)"),
        (["--model", "tiny", "--file", "params.yaml", "x"], None, "workspace", "as arguments or with --file, not both"),
        (["--model", "tiny", "x"], None, "elsewhere", "there is no params.yaml in {elsewhere} to look it up in"),
        (["--model", "nope", "x"], None, "workspace", "expected an experiment of {workspace}/params.yaml (tiny)"),
        (["--model", "params.yaml", "x"], None, "workspace", "params.yaml is not a model file (not an .npz archive"),
        (["--model", "tiny", "x"], None, "latin1", "params.yaml is not UTF-8 text (byte 0xe9 on line 1)"),
        (["--model", "tiny", "x"], None, "broken", "params.yaml is not valid YAML"),
    ],
)
def test_mistakes_are_one_line(workspace, tmp_path, args, stdin, cwd, message):
    folders = {"workspace": workspace, "elsewhere": tmp_path}
    for name, content in (("latin1", b"# caf\xe9\n"), ("broken", b"nbsvm: [\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "params.yaml").write_bytes(content)
        folders[name] = tmp_path / name
    err = one_error(predict(folders[cwd], *args, stdin=stdin))
    assert message.format(**{k: v.resolve() for k, v in folders.items()}) in err, err


def test_a_model_path_that_is_no_file_says_what_it_is(workspace, tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    (tmp_path / "loop.npz").symlink_to(tmp_path / "loop.npz")
    cases = {
        str(tmp_path): "is a folder",
        str(tmp_path / "pipe.npz"): "is a named pipe",
        "/dev/zero": "is a device",
        str(tmp_path / "loop.npz"): "is a link that leads nowhere",
        str(tmp_path / "none.npz"): "does not exist",
    }
    for model, said in cases.items():
        err = one_error(predict(workspace, "--model", model, "good"))
        assert f"error: {model} {said}" in err and "expected a model file (.npz)" in err, err
