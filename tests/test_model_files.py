"""Model files that come back from elsewhere: truncated, not a model, built
to crash or exhaust the loader. Each is refused with one line naming the
file and the fault, before its arrays are used (and a member that declares
gigabytes before it is read); no pickle is ever loaded."""

import io
import json
import struct
import zipfile

import numpy as np
import pytest

from imdb_embeddings.classifier import load_classifier
from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.nbsvm.ngram_model import NgramModel
from imdb_embeddings.text.tokenizer import RULES

VOCABULARY = ["good", "bad", "film"]


def keras_members(maxlen=4, dim=3):
    """A valid exported Keras model's members, built by hand: Embedding, Flatten, Dense."""
    rng = np.random.default_rng(0)
    layers = [
        {"name": "embedding", "kind": "Embedding", "activation": None, "weights": 1, "mask_zero": False},
        {"name": "flatten", "kind": "Flatten", "activation": None, "weights": 0},
        {"name": "out", "kind": "Dense", "activation": "sigmoid", "weights": 2},
    ]
    return {
        "layers": np.array(json.dumps(layers)),
        "input_spec": np.array(json.dumps({"maxlen": maxlen, "ngrams": 1, "max_words": 4, "buckets": 0})),
        "vocabulary": np.array(json.dumps(VOCABULARY)),
        "tokenizer": np.array(json.dumps(RULES, sort_keys=True)),
        "0/0": rng.normal(size=(4, dim)).astype(np.float32),
        "2/0": rng.normal(size=(maxlen * dim, 1)).astype(np.float32),
        "2/1": np.zeros(1, np.float32),
    }


def ngram_model(tmp_path):
    keys = np.array([4 * 1, 4 * 2, 4 * 3], dtype=np.int64)  # the 1-grams good, bad, film
    NgramModel(VOCABULARY, 2, keys, np.array([1.0, -1.0, 0.0], np.float32), 0.0, None).save(tmp_path / "n.npz")
    with np.load(tmp_path / "n.npz") as data:
        return {name: data[name] for name in data.files}


def save(tmp_path, members, name="m.npz"):
    path = tmp_path / name
    np.savez(path, **members)
    return path


def refused(path):
    with pytest.raises(PipelineError) as err:
        load_classifier(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and len(message) < 400, message
    return message


def test_the_hand_built_models_are_valid(tmp_path):
    for members in (keras_members(), ngram_model(tmp_path)):
        model = load_classifier(save(tmp_path, members))
        p = model.probabilities(["a good film", "bad bad"])
        assert p.shape == (2,) and np.all((p > 0) & (p < 1))


def spec(**changes):
    return np.array(json.dumps({"maxlen": 4, "ngrams": 1, "max_words": 4, "buckets": 0, **changes}))


def layers_with(change):
    layers = json.loads(str(keras_members()["layers"]))
    change(layers)
    return np.array(json.dumps(layers))


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda m: m.pop("layers"), "no layers"),
        (lambda m: m.pop("input_spec"), "no input_spec"),
        (lambda m: m.pop("2/1"), "layer out has no weights 2/1"),
        (lambda m: m.update({"5/0": np.zeros(1, np.float32)}), "weights 5/0 belong to no layer"),
        (lambda m: m.update(layers=np.array("{not json")), "member layers is not valid JSON"),
        (lambda m: m.update(layers=np.array('"text"')), "layers is not a list"),
        (lambda m: m.update(layers=layers_with(lambda ls: ls[0].pop("kind"))), "lacks a name, kind"),
        (lambda m: m.update(layers=layers_with(lambda ls: ls[1].update(kind="LSTM"))), "(LSTM, activation"),
        (lambda m: m.update(layers=np.zeros(3)), "member layers is not a text"),
        (lambda m: m.update(input_spec=spec(maxlen=-1)), "input_spec.maxlen is -1"),
        (lambda m: m.update(input_spec=spec(maxlen="4")), "input_spec.maxlen is '4'; expected a whole number"),
        (lambda m: m.update(input_spec=spec(maxlen=10**12)), "input_spec.maxlen is 1000000000000"),
        (lambda m: m.update(input_spec=spec(ngrams=9)), "input_spec.ngrams is 9"),
        (lambda m: m.update(input_spec=spec(ngrams=2)), "has n-grams but no max_words and buckets"),
        (lambda m: m.update(input_spec=spec(maxlen=5)), "do not fit an input of shape (15,)"),
        (lambda m: m.update({"0/0": np.zeros((2, 3), np.float32)}), "cannot take ids up to 3"),
        (lambda m: m.update({"0/0": np.zeros((4, 3), np.int64)}), "weights are not finite floats"),
        (lambda m: m.update({"0/0": np.full((4, 3), np.nan, np.float32)}), "weights are not finite floats"),
        (lambda m: m.update({"2/0": np.zeros((12, 2), np.float32)}), "do not fit an input"),
        (lambda m: m.update({"2/1": np.zeros(2, np.float32)}), "do not fit an input"),
        (lambda m: m.update(vocabulary=np.array(json.dumps({"good": 1}))), "vocabulary is not a list of words"),
        (lambda m: m.update(tokenizer=np.array("{}")), "other tokenizer rules"),
    ],
)
def test_faulty_keras_models_are_refused(tmp_path, change, named):
    members = keras_members()
    change(members)
    assert named in refused(save(tmp_path, members))


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda m: m.update(ngram_keys=m["ngram_keys"].astype(np.float64)), "not a list of int64 keys"),
        (lambda m: m.update(ngram_keys=m["ngram_keys"][::-1].copy()), "not sorted keys"),
        (lambda m: m.update(ngram_keys=m["ngram_keys"] * 10**6), "not sorted keys of this vocabulary's n-grams"),
        (lambda m: m.update(weights=m["weights"][:2]), "3 n-grams but weights of shape (2,)"),
        (lambda m: m.update(bias=np.array([1.0, 2.0])), "bias is not one finite number"),
        (lambda m: m.update(vocabulary=np.array(json.dumps({"good": 1}))), "vocabulary is not a list of words"),
        (lambda m: m.update(input_spec=np.array(json.dumps({"ngrams": 7, "features": "binary"}))), "is not binary"),
        (lambda m: m.pop("weights"), "no weights"),
        (lambda m: m.update(kind=np.array("lstm")), "is not an n-gram model"),
    ],
)
def test_faulty_ngram_models_are_refused(tmp_path, change, named):
    members = ngram_model(tmp_path)
    change(members)
    assert named in refused(save(tmp_path, members))


def test_files_that_are_no_model(tmp_path):
    good = save(tmp_path, keras_members())
    data = good.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    assert "is not a model file (not an .npz archive" in refused(tmp_path / "cut.npz")
    np.save(tmp_path / "plain.npy", np.zeros(3))
    assert "not an .npz archive" in refused(tmp_path / "plain.npy")
    (tmp_path / "README.md").write_text("# not a model\n")
    assert "not an .npz archive" in refused(tmp_path / "README.md")
    assert "is a folder" in refused(tmp_path)
    assert "no model file" in refused(tmp_path / "none.npz")


def test_pickles_are_never_loaded(tmp_path):
    members = keras_members()
    members["vocabulary"] = np.array([{"__reduce__": "os.system"}], dtype=object)
    assert "member vocabulary holds object values" in refused(save(tmp_path, members))


def test_a_flipped_byte_is_caught_by_the_crc(tmp_path):
    path = save(tmp_path, keras_members())
    data = bytearray(path.read_bytes())
    at = data.index(b"\x93NUMPY", data.index(b"0/0.npy")) + 128 + 10  # past the 128-byte header: a float
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    message = refused(path)
    assert "is corrupt (member 0/0 fails its CRC-32 check)" in message and "imdb-embeddings verify" in message


def patch_declared_size(path, member, size):
    """Rewrite the uncompressed size that the zip's central directory (and
    the local header) declare for `member`, as a crafted file would."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    path.write_bytes(bytes(data))


def test_a_member_declaring_gigabytes_is_refused_before_it_is_read(tmp_path):
    path = save(tmp_path, keras_members())
    patch_declared_size(path, "layers.npy", 3 << 29)
    assert zipfile.ZipFile(path).getinfo("layers.npy").file_size == 3 << 29
    assert "member layers declares 1,610,612,736 bytes, more than a model holds" in refused(path)
    patch_declared_size(path, "layers.npy", 2**32 - 1)
    assert "its members declare 4,294,969,2" in refused(path)


def test_a_header_declaring_more_than_the_member_is_refused(tmp_path):
    members = keras_members()
    path = save(tmp_path, members)
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    header = np.lib.format.header_data_from_array_1_0(members["0/0"])
    header["shape"] = (10**10, 3)  # 120 GB of float32
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    forged = buffer.getvalue() + members["0/0"].tobytes()
    contents["0/0.npy"] = forged
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    assert "member 0/0's header declares (10000000000, 3) float32, not its size" in refused(path)
