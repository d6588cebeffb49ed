"""Errors the user can fix, and the entry point every stage runs through.

A stage fails with a `PipelineError` whose message names the file, key or
value at fault; `run_stage` turns it into one line on stderr and exit status
1 instead of a traceback, so `dvc repro` shows the reason and nothing else.
"""

import logging
import os
import sys
from collections.abc import Callable


class PipelineError(Exception):
    """An error the user can fix: bad params, bad input data, a bad mirror.
    `note`: what else is true and helps, a `note:` line after the error."""

    def __init__(self, message: str, note: str = "") -> None:
        super().__init__(message)
        self.note = note


def report(exc: PipelineError) -> None:
    """One `error:` line on stderr per mistake the error names (params.yaml
    checks report every mistake at once), then its note if it has one."""
    for line in str(exc).splitlines() or [""]:
        print(f"error: {line}", file=sys.stderr)
    if getattr(exc, "note", ""):
        print(f"note: {exc.note}", file=sys.stderr)


class LevelTagged(logging.Formatter):
    """Progress lines as they are; a warning (or worse) says so: `WARNING: ...`."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno < logging.WARNING:
            return text
        stamp, _, rest = text.partition(" ")
        return f"{stamp} {record.levelname}: {rest}"


def run_stage(main: Callable[[], None], quick_exit: bool = False) -> None:
    """Run a stage's `main` with logging set up and errors reported in one line.

    `quick_exit`: for the stages that load TensorFlow, whose interpreter
    teardown takes about 0.7 s after the work is done and every output has
    been renamed into place; exit without it once the streams are flushed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LevelTagged("%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"))
    logging.basicConfig(level=os.environ.get("PIPELINE_LOG_LEVEL", "INFO"), handlers=[handler])
    try:
        main()
    except PipelineError as exc:
        report(exc)
        sys.exit(1)
    except OSError as exc:
        # A full disk, a read-only folder, a missing file: the outputs are
        # written to temporary files first, so nothing half-written is left.
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; no output was written", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted: no output was written", file=sys.stderr)
        sys.exit(130)
    if quick_exit:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
