"""What every stage shares at its entry point: logging and error reporting.

A stage fails with a `PipelineError` whose message names the file, key or
value at fault; `run` turns it into one line on stderr and exit status 1
instead of a traceback, so `dvc repro` shows the reason and nothing else.
"""
import logging
import os
import sys
import threading
import time


class PipelineError(Exception):
    """An error the user can fix: bad params, bad input data, a bad mirror."""


def run(main, quick_exit=False):
    """`quick_exit`: for the stages that load TensorFlow, whose interpreter
    teardown takes about 0.7 s after the work is done and every output has
    been renamed into place; exit without it once the streams are flushed."""
    logging.basicConfig(
        level=os.environ.get("PIPELINE_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    try:
        main()
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted: no output was written", file=sys.stderr)
        sys.exit(130)
    if quick_exit:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class Progress:
    """Shows how far a long job has got: a bar (bytes, rate, ETA) on a
    terminal, else a log line at most every `every` seconds, so a piped
    `dvc repro` or CI still shows that work goes on. Thread-safe."""

    def __init__(self, log, what, total=None, unit="", every=5.0):
        self.log, self.what, self.total, self.unit, self.every = log, what, total, unit, every
        self.start = self.last = time.monotonic()
        self.done = 0
        self.lock = threading.Lock()
        self.bar = None
        if unit == "B" and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=what, unit="B", unit_scale=True, unit_divisor=1024)

    def advance(self, amount=1):
        with self.lock:
            self.done += amount
            if self.bar is not None:
                self.bar.update(amount)
                return
            now = time.monotonic()
            if now - self.last >= self.every:
                self.last = now
                self.log.info("%s: %s", self.what, self._status(now))

    def finish(self):
        if self.bar is not None:
            self.bar.close()
        self.log.info("%s: done, %s", self.what, self._status(time.monotonic()))

    def _status(self, now):
        elapsed = max(now - self.start, 1e-9)
        if self.unit == "B":
            done = f"{self.done / 1e6:,.1f} MB"
            total = f" of {self.total / 1e6:,.1f} MB" if self.total else ""
            rate = f", {self.done / 1e6 / elapsed:,.1f} MB/s"
        else:
            done = f"{self.done:,}{self.unit}"
            total = f" of {self.total:,}{self.unit}" if self.total else ""
            rate = ""
        eta = ""
        if self.total and self.done and self.done < self.total:
            eta = f", ETA {elapsed * (self.total - self.done) / self.done:,.0f} s"
        return f"{done}{total}{rate}{eta} in {elapsed:,.1f} s"
