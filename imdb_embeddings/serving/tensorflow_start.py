"""`import tensorflow` without its start-up noise and about 1.7 s faster:
for the stages that train, and a model that numpy cannot run."""

import contextlib
import gc
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

# What TensorFlow's pip build prints on every start on a machine without an
# NVIDIA GPU (it probes for one, and logs the miss, some of it as ERROR, some
# before its log level applies), and oneDNN's notice: nothing is wrong.
HARMLESS_START_UP = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Could not find cuda drivers|failed call to cuInit|Unable to register cu(?:DNN|FFT|BLAS) factory"
    r"|computation placer already registered|TF-TRT Warning|This TensorFlow binary is optimized"
)


def import_tensorflow() -> Any:
    """`import tensorflow`, and its device discovery, without the start-up
    lines above; every other line it prints is passed on.

    Later, TensorFlow 2.21 under Keras 3.15 logs a C++ ERROR at every `fit`
    ("NodeDef mentions attribute use_unbounded_threadpool which is not in the
    op definition ... Unknown attributes will be ignored"): a version-skew
    notice, not a fault. So C++ logging is at FATAL only (level 3) unless the
    user sets TF_CPP_MIN_LOG_LEVEL; real failures still raise Python errors."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with filtered_stderr(HARMLESS_START_UP), without_optional_imports(), without_garbage_collection():
        import tensorflow as tf

        tf.config.list_physical_devices()
    return tf


@contextlib.contextmanager
def without_garbage_collection() -> Iterator[None]:
    """Python's cyclic garbage collector off while TensorFlow loads, and what
    it loaded frozen after (gc.freeze: never scanned again). The import makes
    millions of long-lived objects, and each full collection during it walked
    all of them: about 0.5 s of every training process here (1.75 s -> 1.25
    s), for nothing to free. Collection is back on for the fit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# Packages Keras imports when installed, for features training never uses, and
# guards (`except ImportError`): scikit-learn for its wrappers (NBSVM needs it
# installed; about 0.9 s), matplotlib for its image galleries (the learning
# curve's picture needs it; about 0.26 s).
OPTIONAL_FOR_KERAS = ("sklearn", "matplotlib")


@contextlib.contextmanager
def without_optional_imports() -> Iterator[None]:
    """Hide OPTIONAL_FOR_KERAS while TensorFlow and Keras load (about 1.2 s
    of every training process here); importable again after."""
    hidden = [name for name in OPTIONAL_FOR_KERAS if name not in sys.modules]  # one already loaded is paid for
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import <name>` raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            del sys.modules[name]


@contextlib.contextmanager
def filtered_stderr(drop: re.Pattern) -> Iterator[None]:
    """Route file descriptor 2 (C++ logs too) to a temporary file for the
    block, then write out every line that `drop` does not match."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not drop.search(line):
                    sys.stderr.write(line)
            sys.stderr.flush()
