"""Your own reviews through the pipeline: every format reads the same rows,
bad rows are left out and counted (one line a kind), a fault in the file is
one line, and `dvc repro` runs the same stages after `prepare` on a CSV
(and on Parquet, JSON Lines and folders, which prepare the same reviews)."""

import csv
import json
import random
import shlex
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.dataset.formats import Columns, read_records
from imdb_embeddings.dataset.own_reviews import (
    SPLITS,
    Rules,
    Survey,
    check_splits,
    in_test,
    kept_rows,
    report_lines,
    survey,
)
from tests import fixtures
from tests.conftest import ROOT, copy_project, edit_params, fixture_params, run_tool, tool_env

COLUMNS = Columns("review", "sentiment", "")
RULES = Rules("positive", "negative", False, 0.4, 7)


def own_rows(per_class=(60, 40), unsup=10, seed=0):
    """(text, label, split) of the fixture reviews, labelled as a CSV export
    would be: positive / negative, "" for the unlabelled ones."""
    rows = []
    for name, text in fixtures.imdb_members(per_class, unsup, seed).items():
        parts = name.split("/")
        if len(parts) == 4 and parts[3].endswith(".txt"):
            label = {"pos": "positive", "neg": "negative", "unsup": ""}[parts[2]]
            rows.append((text, label, parts[1]))
    random.Random(seed).shuffle(rows)
    return rows


def write_csv(path, rows, delimiter=",", header=("review", "sentiment", "split")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for text, label, split in rows:
            f.write(json.dumps({"review": text, "sentiment": label, "split": split, "stars": 3}) + "\n")
    return path


def write_parquet(path, rows):
    text, label, split = zip(*rows)
    pq.write_table(pa.table({"review": text, "sentiment": label, "split": split}), path)
    return path


def write_folders(root, rows, by_split=False):
    counts = Counter()
    for text, label, split in rows:
        folder = root / (split if by_split else "") / (label or "unsup")
        folder.mkdir(parents=True, exist_ok=True)
        counts[folder] += 1
        (folder / f"{counts[folder]:05d}.txt").write_text(text, encoding="utf-8")
    return root


class Prepared(NamedTuple):
    splits: dict  # split: [(label, id, rating, text)], as prepare writes them
    content: str
    left_out: dict
    surveyed: Survey


def kept(path, fmt, columns=COLUMNS, rules=RULES):
    """What prepare keeps of a file: its two passes, the rows collected."""
    root = Path(path).parent  # the project, for the reader's links check
    surveyed = survey(read_records(path, fmt, columns, root), rules)
    splits = {split: [] for split in SPLITS}
    for split, row in kept_rows(read_records(path, fmt, columns, root), rules, surveyed):
        splits[split].append(row)
    return Prepared(splits, surveyed.content, surveyed.left_out, surveyed)


def texts(reviews):
    return {split: sorted((label, text) for label, _, _, text in rows) for split, rows in reviews.splits.items()}


def test_every_format_reads_the_same_reviews(tmp_path):
    rows = own_rows()
    csv_reviews = kept(write_csv(tmp_path / "r.csv", rows), "csv")
    assert {k: len(v) for k, v in csv_reviews.splits.items()} == {
        "train": sum(r[1] != "" for r in rows) - len(csv_reviews.splits["test"]),
        "test": len(csv_reviews.splits["test"]),
        "unsup": 10,
    }
    assert 50 <= len(csv_reviews.splits["test"]) <= 110  # a 0.4 share of 200, hashed
    assert csv_reviews.left_out == {}
    others = {
        "tsv": write_csv(tmp_path / "r.tsv", rows, delimiter="\t"),
        "jsonl": write_jsonl(tmp_path / "r.jsonl", rows),
        "parquet": write_parquet(tmp_path / "r.parquet", rows),
        "folders": write_folders(tmp_path / "folders", rows),
    }
    for fmt, path in others.items():
        reviews = kept(path, fmt)
        assert reviews.content == csv_reviews.content, fmt
        assert texts(reviews) == texts(csv_reviews), fmt
    # The file's own order changes nothing: not the digest, not which rows are kept where.
    shuffled = kept(write_csv(tmp_path / "s.csv", list(reversed(rows))), "csv")
    assert shuffled.content == csv_reviews.content and texts(shuffled) == texts(csv_reviews)


def test_a_given_split_is_kept(tmp_path):
    rows = own_rows()
    columns = COLUMNS._replace(split="split")
    rules = RULES._replace(split_given=True)
    by_column = kept(write_csv(tmp_path / "r.csv", rows), "csv", columns, rules)
    by_folder = kept(write_folders(tmp_path / "f", rows, by_split=True), "folders", columns, rules)
    for reviews in (by_column, by_folder):
        assert {k: len(v) for k, v in reviews.splits.items()} == {"train": 120, "test": 80, "unsup": 10}
    assert by_column.content == by_folder.content
    # The given split is part of the content: the same rows split here differ.
    assert kept(tmp_path / "r.csv", "csv").content != by_column.content


def test_the_made_split_depends_on_seed_and_text_only():
    digests = [bytes([i, j]) * 16 for i in range(40) for j in range(50)]
    share = sum(in_test(d, 7, 0.25) for d in digests) / len(digests)
    assert 0.22 < share < 0.28
    assert [in_test(d, 7, 0.25) for d in digests] == [in_test(d, 7, 0.25) for d in digests]
    assert [in_test(d, 7, 0.25) for d in digests] != [in_test(d, 8, 0.25) for d in digests]


def test_bad_rows_are_left_out_and_counted(tmp_path):
    rows = own_rows()
    train_text = next(text for text, label, split in rows if label and split == "train")
    bad = [
        ("", "positive", "train"),  # no text
        ("   ", "negative", "test"),  # blank text
        ("A fine film.", "neutral", "train"),  # a third label
        ("A film.", "positive", "validation"),  # an unknown split
        (train_text, "positive", "test"),  # a training text again in test
        (train_text, "", "train"),  # and among the unlabelled
    ]
    path = write_csv(tmp_path / "bad.csv", rows + bad)
    with open(path, "ab") as f:
        f.write(b"Caf\xe9 latte, not UTF-8,positive,train\n")  # Latin-1 bytes
        f.write(b"only one field\n")
    columns = COLUMNS._replace(split="split")
    reviews = kept(path, "csv", columns, RULES._replace(split_given=True))
    assert reviews.left_out == {
        "missing_text": 2,
        "unknown_label": 1,
        "unknown_split": 1,
        "duplicate": 2,
        "undecodable": 1,
        "short_row": 1,
    }
    assert {k: len(v) for k, v in reviews.splits.items()} == {"train": 120, "test": 80, "unsup": 10}
    lines = report_lines(reviews.surveyed, "bad.csv")
    assert len(lines) == 6 and all(line.startswith("bad.csv: left out ") for line in lines)
    assert any("'neutral'" in line and "row 213" in line for line in lines), lines
    assert any("'validation'" in line for line in lines), lines


def test_labels_of_any_type(tmp_path):
    rows = own_rows()
    table = pa.table(
        {
            "review": [r[0] for r in rows],
            "sentiment": [None if not r[1] else (1 if r[1] == "positive" else 0) for r in rows],
        }
    )
    pq.write_table(table, tmp_path / "ints.parquet")
    reviews = kept(tmp_path / "ints.parquet", "parquet", rules=RULES._replace(positive="1", negative="0"))
    assert reviews.left_out == {} and len(reviews.splits["unsup"]) == 10
    assert texts(reviews) == texts(kept(write_csv(tmp_path / "r.csv", rows), "csv"))


@pytest.mark.parametrize(
    "fmt, content, message",
    [
        ("csv", "text,label\nhello,pos\n", "no column 'review' (dataset.text_column); its header has 'text', 'label'"),
        ("csv", "", "is empty; expected a header row"),
        ("csv", 'review,sentiment\n"unterminated,positive\n' + "x" * (1 << 20), "is not valid CSV"),
        ("parquet", "not parquet at all", "is not a readable Parquet file"),
        ("folders", "a file, not a folder", "dataset.format is folders, but this is not a folder"),
    ],
)
def test_a_fault_in_the_file_is_one_line(tmp_path, fmt, content, message):
    path = tmp_path / f"data.{fmt}"
    path.write_text(content)
    with pytest.raises(PipelineError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        kept(path, fmt)
    assert "\n" not in str(error.value)


def test_a_split_without_both_labels_is_refused(tmp_path):
    rows = [(text, "positive" if split == "test" else label, split) for text, label, split in own_rows()]
    reviews = kept(
        write_csv(tmp_path / "r.csv", rows), "csv", COLUMNS._replace(split="split"), RULES._replace(split_given=True)
    )
    with pytest.raises(PipelineError, match="the test split has no negative review \\(label 'negative'"):
        check_splits(reviews.surveyed, "r.csv", RULES._replace(split_given=True))


# End to end: the pipeline on a CSV, through dvc repro.


def own_params(p, members, **dataset):
    fixture_params(p, members)
    p["dataset"].update(
        path="reviews/reviews.csv",
        format="csv",
        text_column="review",
        label_column="sentiment",
        positive="positive",
        negative="negative",
        test_fraction=0.4,
        **dataset,
    )


MODELS = {"full_data": "nbsvm", "learned_maxlen20": "learned"}  # one of each kind: no TensorFlow, and Keras


@pytest.fixture(scope="module")
def own_project(tmp_path_factory, fixture_mirror):
    mirror, members = fixture_mirror
    project = copy_project(tmp_path_factory.mktemp("own") / "project")
    (project / "reviews").mkdir()
    rows = own_rows()
    bad = [("", "positive", "train"), ("Meh.", "mixed", "train")]
    write_csv(project / "reviews" / "reviews.csv", rows + bad)
    edit_params(project, lambda p: own_params(p, members))
    env = tool_env(PIPELINE_MIRROR=str(tmp_path_factory.mktemp("no-mirror")))  # nothing to download
    run_tool(project, "dvc", "freeze", "download_imdb", env=env)
    result = run_tool(
        project,
        "dvc",
        "repro",
        "studies/nbsvm/dvc.yaml:evaluate_nbsvm@full_data",
        "evaluate_learned@learned_maxlen20",
        env=env,
    )
    return project, env, rows, result.stdout + result.stderr


def test_dvc_repro_on_a_csv(own_project):
    project, env, rows, log = own_project
    assert "Running stage 'download_imdb'" not in log and not (project / "data" / "raw").exists()
    for stage in (
        "prepare",
        "tokenize",
        "studies/nbsvm/dvc.yaml:train_nbsvm@full_data",
        "train_learned@learned_maxlen20",
    ):
        assert f"Running stage '{stage}'" in log
    assert "left out 1 rows without text (row 211)" in log
    assert (
        "left out 1 rows with a label that is neither dataset.positive nor dataset.negative (row 212 ('mixed'))" in log
    )
    report = json.loads((project / "data" / "prepared" / "dataset.json").read_text())
    assert report["left_out"]["missing_text"] == 1 and report["left_out"]["unknown_label"] == 1
    assert report["splits"]["unsup"]["reviews"] == 10
    assert sum(report["splits"][s]["reviews"] for s in ("train", "test")) == 200
    metrics = {name: json.loads((project / "data/evaluation" / f"{name}.json").read_text())[name] for name in MODELS}
    assert metrics["full_data"]["test_accuracy"] > 0.8, metrics  # the fixture's cue words are easy for n-grams
    assert metrics["learned_maxlen20"]["train_samples"] == 80 and 0 <= metrics["learned_maxlen20"]["ece"] <= 1
    # What prepare printed pins the data; a wrong pin is one line, and the
    # prepared data of the last good run stays.
    digest = report["content_sha256"]
    assert f"content {digest} (set dataset.content_sha256" in log
    before = (project / "data" / "prepared" / "train.parquet").read_bytes()
    edit_params(project, lambda p: p["dataset"].update(content_sha256="sha256:" + "0" * 64))
    failed = run_tool(project, "dvc", "repro", "prepare", env=env, check=False)
    assert failed.returncode != 0
    assert "its rows are not the pinned data: dataset.content_sha256 is sha256:000" in failed.stderr
    # DVC removed the outputs before the run; the last good run's are in its cache and lock.
    run_tool(project, "dvc", "checkout", "prepare", env=env)
    assert (project / "data" / "prepared" / "train.parquet").read_bytes() == before
    edit_params(project, lambda p: p["dataset"].update(content_sha256=digest))
    run_tool(project, "dvc", "repro", "prepare", env=env)
    assert (project / "data" / "prepared" / "train.parquet").read_bytes() == before


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "folders"])
def test_other_formats_prepare_the_same_reviews(own_project, fmt):
    project, env, rows, _ = own_project
    with_csv = {split: pq.read_table(project / "data" / "prepared" / f"{split}.parquet") for split in ("train", "test")}
    path = Path("reviews") / ("folder" if fmt == "folders" else f"reviews.{fmt}")
    {"parquet": write_parquet, "jsonl": write_jsonl, "folders": write_folders}[fmt](project / path, rows)
    try:
        edit_params(project, lambda p: p["dataset"].update(path=str(path), format=fmt, content_sha256=""))
        result = run_tool(project, "dvc", "repro", "tokenize", env=env)
        assert "Running stage 'prepare'" in result.stdout
        for split, table in with_csv.items():
            now = pq.read_table(project / "data" / "prepared" / f"{split}.parquet")
            if fmt == "folders":  # in the folders' name order
                assert sorted(zip(*now.select(["label", "text"]).to_pydict().values())) == sorted(
                    zip(*table.select(["label", "text"]).to_pydict().values())
                ), (fmt, split)
            else:  # the same rows in the same order, numbered as in the CSV: the same files
                assert now == table, (fmt, split)
        if fmt != "folders":  # so tokenize's inputs did not change, and it did not rerun
            assert "Running stage 'tokenize'" not in result.stdout, result.stdout
    finally:
        edit_params(project, lambda p: p["dataset"].update(path="reviews/reviews.csv", format="csv"))


def test_a_missing_column_stops_prepare_with_one_line(own_project):
    project, env, _, _ = own_project
    edit_params(project, lambda p: p["dataset"].update(label_column="stars"))
    try:
        failed = run_tool(project, "dvc", "repro", "prepare", env=env, check=False)
        assert failed.returncode != 0
        expected = "reviews/reviews.csv: no column 'stars' (dataset.label_column); its header has 'review', "
        assert expected in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    finally:
        edit_params(project, lambda p: p["dataset"].update(label_column="sentiment"))


def test_a_model_card_names_your_data(tmp_path):
    from imdb_embeddings.reports.model_card import CardInputs, card

    model = tmp_path / "m.npz"
    np.savez(model, weights=np.zeros(3))
    metrics = {"labels_total": 120, "train_samples": 120, "validation_samples": 0, "test_accuracy": 0.9}
    metrics |= {"test_loss": 0.3, "ece": 0.05, "brier": 0.1}
    inputs = CardInputs("full_data", "labelled", {"ngrams": 3}, metrics, {}, model, {}, "reviews/reviews.csv")
    text = card(inputs)
    assert "from the `reviews/reviews.csv` training reviews" in text
    assert "Test accuracy** (the `reviews/reviews.csv` test reviews)" in text
    assert "aclImdb" not in text and "IMDB" not in text
    assert "aclImdb" in card(inputs._replace(dataset=""))


def test_the_worked_example_does_what_the_docs_say(tmp_path):
    """docs/own-data.md's commands, run as written on examples/reviews.csv,
    print the lines the page shows."""
    text = (ROOT / "docs" / "own-data.md").read_text()
    example = text.split("## A worked example", 1)[1]
    commands, printed = (block.split("\n", 1)[1] for block in example.split("```")[1:4:2])
    project = copy_project(tmp_path / "project")
    out = ""
    for command in commands.replace("\\\n", " ").strip().splitlines():
        result = run_tool(project, *shlex.split(command))
        out += result.stdout + result.stderr
    for line in printed.strip().splitlines():
        assert line in out, (line, out)
    assert "Running stage 'download_imdb'" not in out
