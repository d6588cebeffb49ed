"""Saving a Keras model so that the same weights give the same bytes.

Keras writes into a `.keras` file its save date (`metadata.json` and the zip
entry times) and, in `config.json`, the Python `id()` of every shared object
(`shared_object_id`), which differs in every process. A retrain with the same
params would then give DVC a new object and `dvc.lock` a new hash although
nothing changed. The zip is rewritten with fixed entry times, without the
date, and with the shared-object ids numbered in order of appearance (they
only pair up the references to one object when the model is loaded). The
weights inside (HDF5) are already byte-stable.
"""

import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from imdb_embeddings.core.files import atomic_path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def save_model(model: Any, dest: str | Path) -> None:
    """`model.save(dest)`, byte-stable for the same model and weights, atomically."""
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "model.keras"
        model.save(raw)
        with zipfile.ZipFile(raw) as src, atomic_path(dest, suffix=".keras") as tmp, zipfile.ZipFile(tmp, "w") as out:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "metadata.json":
                    metadata = json.loads(data)
                    metadata.pop("date_saved", None)
                    data = json.dumps(metadata, sort_keys=True).encode()
                elif info.filename == "config.json":
                    data = json.dumps(renumber_shared_objects(json.loads(data))).encode()
                entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
                entry.compress_type = info.compress_type
                entry.external_attr = 0o644 << 16
                out.writestr(entry, data)


def renumber_shared_objects(config: Any, numbers: dict[int, int] | None = None) -> Any:
    """`config` with each distinct `shared_object_id` replaced by 0, 1, 2, ...
    in order of first appearance."""
    numbers = {} if numbers is None else numbers
    if isinstance(config, dict):
        return {
            key: (
                numbers.setdefault(value, len(numbers))
                if key == "shared_object_id"
                else renumber_shared_objects(value, numbers)
            )
            for key, value in config.items()
        }
    if isinstance(config, list):
        return [renumber_shared_objects(value, numbers) for value in config]
    return config
