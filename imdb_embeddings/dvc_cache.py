"""Re-hashing the DVC cache objects that the dvc.lock files name (`imdb-embeddings verify`).
No stage imports this module: a change to it reruns nothing.

DVC trusts its cache: an object whose bytes rotted (a flipped bit, a bad
disk, a copy cut short) is restored by `dvc checkout` and pushed by
`dvc push` as it is, and DVC 3.67 has no command that re-hashes it. This
reads every output of every stage in `dvc.lock` and each study's, finds its object in the
local cache (a directory output: its `.dir` listing and every file in it),
and compares the object's MD5 with the name DVC gave it.
"""

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from imdb_embeddings.core.errors import PipelineError
from imdb_embeddings.core.files import file_digest


class Fault(NamedTuple):
    stage: str
    output: str  # the output's path in the workspace (a file of a directory output: its path inside)
    object: Path  # the cache object
    problem: str  # "corrupt", "missing" or "unreadable (<why>)"


def cache_dir(root: Path) -> Path:
    """Where DVC keeps this project's objects (`cache.dir`, default .dvc/cache)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return Path(repo.cache.local.path)


def uncached_outputs(root: Path) -> set[str]:
    """The outputs dvc.yaml keeps out of the cache (`cache: false`: in git instead)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return {out.def_path for stage in repo.index.stages for out in stage.outs if not out.use_cache}


def locked_outputs(root: Path) -> Iterator[tuple[str, str, str]]:
    """(stage address, output path, md5) of every cached output that the
    book's dvc.lock and each study's (studies/<name>/dvc.lock) record."""
    found = []  # every lock file checked before DVC is asked which outputs it caches
    for lock_file in [root / "dvc.lock", *sorted(root.glob("studies/*/dvc.lock"))]:
        pipeline = lock_file.parent.relative_to(root)
        for stage, path, md5 in _outputs(lock_file):
            found.append((stage if pipeline == Path(".") else f"{pipeline}/dvc.yaml:{stage}", path, md5))
    uncached = uncached_outputs(root)
    yield from ((address, path, md5) for address, path, md5 in found if path not in uncached)


def _outputs(lock_file: Path) -> Iterator[tuple[str, str, str]]:
    from imdb_embeddings.core.params import read

    lock = read(lock_file)
    stages = lock.get("stages") if isinstance(lock, dict) else None
    if not isinstance(stages, dict):
        raise PipelineError(f"{lock_file} has no stages: run `dvc repro` first")
    for stage, entry in stages.items():
        for out in (entry.get("outs") or ()) if isinstance(entry, dict) else ():
            md5 = out.get("md5") if isinstance(out, dict) else None
            if md5 is not None and not (isinstance(md5, str) and MD5.fullmatch(md5)):
                raise PipelineError(
                    f"{lock_file}: stage {stage} records md5 {str(md5)[:40]!r}, not an md5 (32 hex digits); "
                    f"take it back from git (`git checkout {lock_file.name}`)"
                )
    for stage, entry in stages.items():
        for out in entry.get("outs") or ():
            if out.get("md5"):
                yield stage, out["path"], out["md5"]


MD5 = re.compile(r"[0-9a-f]{32}(\.dir)?")


def object_path(cache: Path, md5: str) -> Path:
    return cache / md5[:2] / md5[2:]


class Checked(NamedTuple):
    objects: int
    faults: list[Fault]


def check(root: Path, cache: Path) -> Checked:
    """The objects checked, and the faults among them."""
    checked, faults = 0, []

    def one(stage: str, output: str, md5: str) -> bool:
        nonlocal checked
        path = object_path(cache, md5)
        checked += 1
        if not path.exists():
            faults.append(Fault(stage, output, path, "missing"))
            return False
        try:
            digest = file_digest(path, "md5")
        except OSError as exc:  # no permission, a folder where the object should be
            faults.append(Fault(stage, output, path, f"unreadable ({exc.strerror or exc})"))
            return False
        if digest != md5.removesuffix(".dir"):
            faults.append(Fault(stage, output, path, "corrupt"))
            return False
        return True

    for stage, output, md5 in locked_outputs(root):
        if one(stage, output, md5) and md5.endswith(".dir"):
            for entry in json.loads(object_path(cache, md5).read_text(encoding="utf-8")):
                one(stage, f"{output}/{entry['relpath']}", entry["md5"])
    return Checked(checked, faults)


def remove(fault: Fault) -> None:
    """Take a corrupt object out of the cache, so that `dvc repro -f` or
    `dvc pull` writes a good one (DVC keeps an object it already has)."""
    os.chmod(fault.object, 0o644)  # DVC makes its objects read-only
    fault.object.unlink()
