"""Progress on long work: a bar on a terminal, log lines otherwise."""

import sys
import threading
import time
from logging import Logger


class Progress:
    """Shows how far a long job has got: a bar (bytes, rate, ETA) on a
    terminal, else a log line at most every `every` seconds, so a piped
    `dvc repro` or CI still shows that work goes on. Thread-safe."""

    def __init__(self, log: Logger, what: str, total: int | None = None, unit: str = "", every: float = 5.0) -> None:
        self.log, self.what, self.total, self.unit, self.every = log, what, total, unit, every
        self.start = self.last = time.monotonic()
        self.done = 0
        self.lock = threading.Lock()
        self.bar = None
        if unit == "B" and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=what, unit="B", unit_scale=True, unit_divisor=1024)

    def advance(self, amount: int = 1) -> None:
        with self.lock:
            self.done += amount
            if self.bar is not None:
                self.bar.update(amount)
                return
            now = time.monotonic()
            if now - self.last >= self.every:
                self.last = now
                self.log.info("%s: %s", self.what, self._status(now))

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.log.info("%s: done, %s", self.what, self._status(time.monotonic()))

    def _status(self, now: float) -> str:
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
