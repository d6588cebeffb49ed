"""Own data that used to end in a traceback (issue 32): each is now a row
left out and counted, or one line naming the file. And `imdb-embeddings
verify` on a dvc.lock whose md5 is not one."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.dataset.formats import Columns, read_records
from imdb_embeddings.dataset.own_reviews import Rules, kept_rows, survey
from imdb_embeddings.dvc_cache import locked_outputs

COLUMNS = Columns("review", "sentiment", "")
RULES = Rules("positive", "negative", False, 0.5, 1)


def rows(path, fmt):
    return list(read_records(path, fmt, COLUMNS, path.parent))


def test_parquet_bytes_that_are_not_utf8_are_counted(tmp_path):
    text = pa.array([b"A fine film.", b"Caf\xe9 latte"], type=pa.binary()).view(pa.string())  # Arrow does not check
    pq.write_table(pa.table({"review": text, "sentiment": ["positive", "negative"]}), tmp_path / "r.parquet")
    assert [r.fault for r in rows(tmp_path / "r.parquet", "parquet")] == ["", "undecodable"]


def test_parquet_with_a_column_named_twice_is_one_line(tmp_path):
    table = pa.Table.from_arrays(
        [pa.array(["a"]), pa.array(["b"]), pa.array(["positive"])], ["review", "review", "sentiment"]
    )
    pq.write_table(table, tmp_path / "r.parquet")
    with pytest.raises(PipelineError, match="the header names 'review' twice"):
        rows(tmp_path / "r.parquet", "parquet")


def test_a_lone_surrogate_in_json_lines_is_counted(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"review": "A fine film.", "sentiment": "positive"}\n{"review": "x \\ud800", "sentiment": "negative"}\n'
    )
    assert [r.fault for r in rows(path, "jsonl")] == ["", "undecodable"]


def test_a_label_of_5000_digits_is_an_unknown_label(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"review": "A film.", "sentiment": ' + "9" * 5000 + "}\n")
    (record,) = rows(path, "jsonl")
    assert record.label == "9" * 5000 and record.fault == ""  # an unknown label, counted as such
    surveyed = survey(read_records(path, "jsonl", COLUMNS, tmp_path), RULES)
    assert surveyed.left_out == {"unknown_label": 1} and len(surveyed.examples["unknown_label"][0]) < 200


def test_a_file_that_grows_between_the_passes_is_named(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("review,sentiment\nA fine film.,positive\nA dull film.,negative\n")
    surveyed = survey(read_records(path, "csv", COLUMNS, tmp_path), RULES)
    with open(path, "a") as f:
        f.write("One more film.,positive\n")
    with pytest.raises(PipelineError, match="r.csv changed while prepare read it .rows added"):
        list(kept_rows(read_records(path, "csv", COLUMNS, tmp_path), RULES, surveyed, str(path)))


def test_a_text_edited_between_the_passes_is_named(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("review,sentiment\nA fine film.,positive\nA dull film.,negative\n")
    surveyed = survey(read_records(path, "csv", COLUMNS, tmp_path), RULES)
    path.write_text("review,sentiment\nA fine film.,positive\nA dull flim.,negative\n")  # same rows, one text edited
    with pytest.raises(PipelineError, match="r.csv changed while prepare read it .a row's text, label or split"):
        list(kept_rows(read_records(path, "csv", COLUMNS, tmp_path), RULES, surveyed, str(path)))


def test_pinned_data_edited_between_the_passes_writes_nothing(tmp_path, monkeypatch):
    """The digest checked on the first pass must be that of the rows written:
    an edit during the second leaves the earlier output as it was."""
    from imdb_embeddings.core.params import Dataset
    from stages import prepare

    good = "".join(f"Review number {i}.,{('negative', 'positive')[i % 2]}\n" for i in range(40))
    (tmp_path / "r.csv").write_text("review,sentiment\n" + good)
    monkeypatch.chdir(tmp_path)
    fields = {"path": "r.csv", "format": "csv", "text_column": "review", "label_column": "sentiment"}
    rules = {"split_column": "", "positive": "positive", "negative": "negative", "test_fraction": 0.5, "seed": 1}
    prepare.prepare_own("r.csv", Dataset(**fields, **rules, content_sha256=""), "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    content = json.loads(before["dataset.json"])["content_sha256"]
    read, passes = prepare.read_records, []

    def edited_on_the_second_pass(*args, **kwargs):
        passes.append(1)
        if len(passes) == 2:
            (tmp_path / "r.csv").write_text("review,sentiment\n" + good.replace("number 7.", "number 7!"))
        return read(*args, **kwargs)

    monkeypatch.setattr(prepare, "read_records", edited_on_the_second_pass)
    with pytest.raises(PipelineError, match="changed while prepare read it"):
        prepare.prepare_own("r.csv", Dataset(**fields, **rules, content_sha256=content), "out")
    assert len(passes) == 2
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


@pytest.mark.parametrize("md5", [12345, "abc", "z" * 32])
def test_verify_names_a_dvc_lock_md5_that_is_not_one(tmp_path, md5):
    lock = {"schema": "2.0", "stages": {"prepare": {"cmd": "x", "outs": [{"path": "data/prepared", "md5": md5}]}}}
    (tmp_path / "dvc.lock").write_text(json.dumps(lock))
    with pytest.raises(PipelineError, match="stage prepare records md5 .*, not an md5 .32 hex digits."):
        list(locked_outputs(tmp_path))


# Good data that was refused, and messages that misled (issue 32).


def test_unlabelled_rows_may_give_an_empty_or_unsup_split(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("review,sentiment,split\nA fine film.,positive,train\nNo label here.,,\nNor here.,,unsup\n")
    columns, rules = COLUMNS._replace(split="split"), RULES._replace(split_given=True)
    surveyed = survey(read_records(path, "csv", columns, tmp_path), rules)
    assert surveyed.left_out == {} and surveyed.counts["unsup"]["reviews"] == 2


def test_category_text_and_binary_labels_in_parquet(tmp_path):
    text = pa.array(["A fine film.", "A dull film."]).dictionary_encode()  # pandas' category
    labels = pa.array([b"positive", b"negative"], type=pa.binary())
    pq.write_table(pa.table({"review": text, "sentiment": labels}), tmp_path / "r.parquet")
    got = rows(tmp_path / "r.parquet", "parquet")
    assert [(r.text, r.label, r.fault) for r in got] == [
        ("A fine film.", "positive", ""),
        ("A dull film.", "negative", ""),
    ]


def test_a_utf8_bom_in_json_lines_is_read(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"review": "A fine film.", "sentiment": "positive"}\n')
    assert [(r.label, r.fault) for r in rows(path, "jsonl")] == [("positive", "")]


def test_json_lines_without_the_label_key_say_so(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"review": "A fine film.", "stars": 9}\n{"review": "A dull film.", "stars": 2}\n')
    with pytest.raises(PipelineError, match="no row has the key 'sentiment' .dataset.label_column."):
        rows(path, "jsonl")


def test_a_train_folder_without_a_test_folder_is_named(tmp_path):
    (tmp_path / "data/train/positive").mkdir(parents=True)
    (tmp_path / "data/train/positive/1.txt").write_text("Good.")
    with pytest.raises(PipelineError, match="has train/ but no test/: give both"):
        list(read_records(tmp_path / "data", "folders", COLUMNS, tmp_path))


def test_csv_labels_written_as_numbers_read_as_whole_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("review,sentiment\nA fine film.,1.0\nA dull film.,0\nA film.,1.5\n")
    assert [r.label for r in rows(path, "csv")] == ["1", "0", "1.5"]


# Silent loss (issue 32): every row left out is counted.


def test_an_unquoted_comma_is_counted_not_a_cut_text(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("review,sentiment\nGood, really good,positive\nA dull film.,negative\nTrailing empty,negative,\n")
    assert [r.fault for r in rows(path, "csv")] == ["extra_fields", "", ""]


def test_folders_beside_train_and_test_are_counted(tmp_path):
    for part in ("train/positive", "train/negative", "test/positive", "test/negative", "positive"):
        (tmp_path / "data" / part).mkdir(parents=True)
        (tmp_path / "data" / part / "1.txt").write_text(f"A {part} review.")
    got = list(read_records(tmp_path / "data", "folders", COLUMNS, tmp_path))
    assert [(r.where, r.fault) for r in got if r.fault] == [("positive", "stray_folder")]
    assert {r.split for r in got if not r.fault} == {"train", "test"}


def test_a_corrupt_parquet_page_names_the_file(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"review": ["A fine film. " * 50] * 200, "sentiment": ["positive"] * 200}), path,
                   compression="NONE")  # fmt: skip
    data = bytearray(path.read_bytes())
    data[4:60] = b"\xff" * 56  # the first data page's header, right after the magic bytes
    path.write_bytes(bytes(data))
    with pytest.raises(PipelineError, match=r"r.parquet.*(cannot be read|is not a readable Parquet file)") as error:
        rows(path, "parquet")
    assert "\n" not in str(error.value)


def test_a_train_and_test_folder_layout_keeps_its_split(tmp_path, monkeypatch):
    """Not re-split by a hash: the folders give the split, as a split column does."""
    from imdb_embeddings.core.params import Dataset
    from stages.prepare import prepare_own

    for split in ("train", "test"):
        for label in ("positive", "negative"):
            folder = tmp_path / "data" / split / label
            folder.mkdir(parents=True)
            for i in range(6):
                (folder / f"{i}.txt").write_text(f"A {label} {split} review, number {i}.")
    monkeypatch.chdir(tmp_path)
    columns = {"text_column": "text", "label_column": "label", "split_column": ""}
    labels = {"positive": "positive", "negative": "negative", "test_fraction": 0.5, "seed": 1, "content_sha256": ""}
    dataset = Dataset(path="data", format="folders", **columns, **labels)
    prepare_own("data", dataset, "out")
    for split in ("train", "test"):
        texts = pq.read_table(tmp_path / "out" / f"{split}.parquet", columns=["text"]).column("text").to_pylist()
        assert len(texts) == 12 and all(f" {split} review" in text for text in texts)


def test_a_quote_left_open_mid_file_is_named_not_one_lost_row(tmp_path):
    path = tmp_path / "r.csv"
    good = "".join(f"Review {i}.,positive\n" for i in range(100))
    path.write_text('review,sentiment\nA fine film.,positive\n"An open quote,negative\n' + good)
    with pytest.raises(PipelineError, match=r"is not valid CSV \(a quote opened in row 2 runs to line 103"):
        rows(path, "csv")
    ok = tmp_path / "ok.csv"
    ok.write_text('review,sentiment\n"A review\non two lines.",positive\n')  # quoted and closed: one review
    assert [(r.text, r.fault) for r in rows(ok, "csv")] == [("A review\non two lines.", "")]


def test_a_quote_closed_rows_later_is_named_not_a_cut_row(tmp_path):
    """Row 101 of 200 opens a quote that the next row's opening quote closes,
    every text quoted as Excel writes it: once counted as one row cut by a comma."""
    path = tmp_path / "r.csv"
    lines = [f'"Review {i}, fine.",{"positive" if i % 2 else "negative"}' for i in range(200)]
    lines[100] = '"Review 100 opens a quote,positive'
    path.write_text("review,sentiment\n" + "\n".join(lines) + "\n")
    with pytest.raises(PipelineError, match=r"line 103 is not valid CSV \(a quote opened in row 101 runs to line 103"):
        rows(path, "csv")
