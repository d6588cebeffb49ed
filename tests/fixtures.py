"""Small, real archives shaped like the originals: an aclImdb .tar.gz of
synthetic reviews and a glove.6B zip of tiny vectors. Deterministic."""

import gzip
import hashlib
import io
import random
import tarfile
import zipfile
from pathlib import Path

POSITIVE = "great wonderful superb moving brilliant charming delightful masterpiece".split()
NEGATIVE = "awful boring dreadful dull terrible clumsy tedious mess".split()
NEUTRAL = (
    "the a movie film plot actor scene story it was and of to this that director cast ending music don't character's"
).split()
DIMS = (50, 100, 200, 300)
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip members' time: the same bytes in every process


def review(rng, label):
    cue = POSITIVE if label == "pos" else NEGATIVE
    words = [rng.choice(cue) if rng.random() < 0.25 else rng.choice(NEUTRAL) for _ in range(rng.randint(15, 40))]
    text = " ".join(words).capitalize() + "."
    # Markup and punctuation as in the real reviews.
    return text.replace(" the ", " the<br /><br />", 1) + " (Really, " + rng.choice(cue) + "!)"


def imdb_members(per_class=(60, 40), unsup=10, seed=0):
    """{member name: text} for an aclImdb-shaped archive."""
    rng = random.Random(seed)
    members = {"aclImdb/README": "fixture", "aclImdb/imdb.vocab": "\n".join(POSITIVE + NEGATIVE)}
    for split, count in zip(("train", "test"), per_class):
        for label in ("pos", "neg"):
            for i in range(count):
                rating = rng.randint(7, 10) if label == "pos" else rng.randint(1, 4)
                members[f"aclImdb/{split}/{label}/{i}_{rating}.txt"] = review(rng, label)
    for i in range(unsup):
        members[f"aclImdb/train/unsup/{i}_0.txt"] = review(rng, rng.choice(("pos", "neg")))
    return members


def write_tar(path, members, extra=()):
    """A .tar.gz of `members` ({name: text}) plus raw TarInfo `extra` members."""
    # gzip's header time fixed (mtime 0, no file name), as the members' are: the same members
    # give the same bytes in every process (tests/reproduced.py builds the
    # shared project from its own copy of the mirror).
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w") as tar,
    ):
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return Path(path)


def glove_text(dim, words=None, seed=0):
    rng = random.Random(seed + dim)
    words = words or (["the", ",", "."] + POSITIVE + NEGATIVE + NEUTRAL[2:] + ["null", "nan"])
    lines = (w + " " + " ".join(f"{rng.uniform(-1, 1):.5f}" for _ in range(dim)) for w in words)
    return "\n".join(lines) + "\n"


def write_glove_zip(path, dims=DIMS):
    """A glove.6B-style zip; returns {dim: sha256 of the member}."""
    digests = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for dim in dims:
            data = glove_text(dim).encode()
            zf.writestr(zipfile.ZipInfo(f"glove.6B.{dim}d.txt", FIXED_TIME), data, zipfile.ZIP_DEFLATED)
            digests[dim] = hashlib.sha256(data).hexdigest()
    return digests


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def experiment(**own):
    """A Keras experiment whole, as params.yaml's schema gives one to a stage: `own` over a small `train`."""
    from imdb_embeddings.core.params import merged

    train = {"seed": 0, "epochs": 1, "batch_size": 32, "optimizer": "rmsprop", "distribute": "none", "cpu_devices": 1}
    return merged(train, own, "learned")
