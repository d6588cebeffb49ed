"""Reading a model's `.npz` without trusting it.

A model file can come from anywhere (`dvc artifacts get`, a colleague, a
corrupted cache), so it is read through the zip directory before any byte of
a member is: every member must be a known one, its declared size within a
bound (a member that inflates to gigabytes is refused before it is read),
its `.npy` header a plain numeric or text array whose size agrees with the
zip entry (never `allow_pickle`), and its data must pass the zip's CRC-32.
Anything else is one `PipelineError` line naming the file and what is wrong.
"""

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from imdb_embeddings.core.errors import PipelineError

MAX_ARRAY_BYTES = 1 << 30  # one weight matrix: 1 GiB (a 1,000,000 x 256 float32 embedding)
MAX_TEXT_BYTES = 256 << 20  # a JSON member (the vocabulary is the largest: a few MB)
MAX_TOTAL_BYTES = 2 << 30
MAX_MEMBERS = 1_000
# What a corrupt cache object looks like, and what to do about it (cli.py's `verify`).
CORRUPT_HINT = "run `imdb-embeddings verify` to find corrupt DVC cache objects and how to rebuild them"


def read_npz(path: str | Path, required: set[str], optional: re.Pattern | None = None) -> dict[str, np.ndarray]:
    """The arrays of `path` by member name (without `.npy`): every name in
    `required`, and any whose name `optional` matches fully; others refused."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PipelineError(f"no model file {path}") from None
    except IsADirectoryError:
        raise PipelineError(f"{path} is a folder, not a model file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PipelineError(f"{path} is not a model file (not an .npz archive: {reason(exc)})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise PipelineError(f"{path} is not a model file ({len(infos)} members)")
        names = {}
        for info in infos:
            name = info.filename.removesuffix(".npy")
            if name == info.filename or name in names:
                raise PipelineError(f"{path} is not a model file (member {info.filename[:60]!r})")
            if name not in required and not (optional and optional.fullmatch(name)):
                raise PipelineError(f"{path} is not a model file of this kind (unexpected member {name[:60]!r})")
            names[name] = info
        missing = sorted(required - set(names))
        if missing:
            raise PipelineError(f"{path} is not a model file of this kind (no {', '.join(missing)})")
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise PipelineError(
                f"{path}: its members declare {total:,} bytes, more than a model holds ({MAX_TOTAL_BYTES:,})"
            )
        return {name: _read_member(archive, info, path, name) for name, info in names.items()}


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, name: str) -> np.ndarray:
    if info.file_size > MAX_ARRAY_BYTES:
        raise PipelineError(f"{path}: member {name} declares {info.file_size:,} bytes, more than a model holds")
    try:
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"npy version {version}")
            if dtype.hasobject or dtype.kind not in "biufU" or dtype.fields is not None:
                raise PipelineError(f"{path}: member {name} holds {dtype} values, not numbers or text")
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if f.tell() + size != info.file_size:
                raise PipelineError(f"{path}: member {name}'s header declares {shape} {dtype}, not its size")
            if dtype.kind == "U" and (shape != () or size > MAX_TEXT_BYTES):
                raise PipelineError(f"{path}: member {name} is not one text")
            data = f.read(size)
            f.read()  # to the end: the zip's CRC-32 is checked there
    except PipelineError:
        raise
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            raise PipelineError(f"{path} is corrupt (member {name} fails its CRC-32 check): {CORRUPT_HINT}") from None
        raise PipelineError(f"{path} is not a model file (member {name}: {reason(exc)})") from None
    except (ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise PipelineError(f"{path}: member {name} is not an array ({reason(exc)})") from None
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def text_member(arrays: dict[str, np.ndarray], name: str, path: str | Path) -> Any:
    """The JSON value of a text member."""
    array = arrays[name]
    if array.dtype.kind != "U" or array.shape != ():
        raise PipelineError(f"{path}: member {name} is not a text")
    try:
        return json.loads(str(array))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PipelineError(f"{path}: member {name} is not valid JSON ({reason(exc)})") from None


def check_vocabulary(vocabulary: Any, path: str | Path, most: int = 1_000_000) -> list[str]:
    """A list of at most `most` words."""
    if not isinstance(vocabulary, list) or not all(isinstance(word, str) for word in vocabulary):
        raise PipelineError(f"{path}: vocabulary is not a list of words")
    if len(vocabulary) > most:
        raise PipelineError(f"{path}: vocabulary has {len(vocabulary):,} words; at most {most:,}")
    return vocabulary


def reason(exc: BaseException) -> str:
    """The first line of an exception's message (its type if it has none), at most 100 characters."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:100]
