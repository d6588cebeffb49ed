"""An HTTP file server on 127.0.0.1 that misbehaves on demand, for the
download tests and the download benchmark.

It serves files from a folder, honours `Range` (unless told not to), and
counts what it sends so tests can assert that a resumed transfer fetched only
the missing bytes. Faults:

- drop_after: close the connection after this many body bytes, for the next
  `drops` responses;
- fail_first: answer `fail_status` (500) to the first N requests, with a
  `Retry-After: retry_after` header if given;
- ignore_range: answer 200 with the whole file to ranged requests;
- corrupt: flip a byte in everything served;
- rate: bytes per second per connection (throttle);
- honour_ranges: honour only this many ranged requests, then answer 200
  with the whole file (a server that changes its mind after the probe);
- shift_range: answer ranged requests with bytes (and Content-Range) that
  start this many bytes later than asked;
- status_for_start: {first byte asked for: HTTP status} for ranged requests.
"""

import http.server
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any


class FaultServer:
    def __init__(self, root: str | Path, **faults: Any) -> None:
        self.root = Path(root)
        self.drop_after, self.drops = None, 0
        self.fail_first, self.ignore_range, self.corrupt, self.rate = 0, False, False, None
        self.fail_status, self.retry_after = 500, None
        self.honour_ranges, self.shift_range, self.status_for_start = None, 0, {}
        self.configure(**faults)
        self.lock = threading.Lock()
        self.reset_counts()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server._serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def configure(
        self,
        drop_after: Any = None,
        drops: Any = 1,
        fail_first: Any = 0,
        ignore_range: Any = False,
        corrupt: Any = False,
        rate: Any = None,
        honour_ranges: Any = None,
        shift_range: Any = 0,
        status_for_start: Any = None,
        fail_status: Any = 500,
        retry_after: Any = None,
    ) -> None:
        self.drop_after, self.drops = drop_after, drops if drop_after is not None else 0
        self.fail_first, self.ignore_range, self.corrupt, self.rate = fail_first, ignore_range, corrupt, rate
        self.honour_ranges, self.shift_range = honour_ranges, shift_range
        self.status_for_start = dict(status_for_start or {})
        self.fail_status, self.retry_after = fail_status, retry_after

    def reset_counts(self) -> None:
        # One counter per request: a response still trickling out for a
        # client that is gone does not count against the next one.
        self.requests, self.sent = [], []

    @property
    def bytes_sent(self) -> int:
        return sum(counter[0] for counter in self.sent)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, handler: Any) -> None:
        with self.lock:
            self.requests.append((handler.path, handler.headers.get("Range")))
            counter = [0]
            self.sent.append(counter)
            fail = self.fail_first > 0
            self.fail_first -= fail
        if fail:
            headers = {"Retry-After": self.retry_after} if self.retry_after else None
            return self._reply(handler, self.fail_status, b"injected failure", headers)
        path = self.root / handler.path.lstrip("/").split("?")[0]
        if not path.is_file():
            return self._reply(handler, 404, b"not found")
        size = path.stat().st_size
        start, end, status = 0, size, 200
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", handler.headers.get("Range") or "")
        with self.lock:
            honour = match and not self.ignore_range and self.honour_ranges != 0
            if honour and self.honour_ranges is not None:
                self.honour_ranges -= 1
        if honour:
            first, last = match.groups()
            if first:
                start, end = int(first), min(int(last) + 1 if last else size, size)
            else:  # suffix range: the last N bytes
                start, end = max(size - int(last), 0), size
            if start in self.status_for_start:
                return self._reply(handler, self.status_for_start[start], b"injected status")
            start = min(start + self.shift_range, size - 1)
            if start >= size:
                return self._reply(handler, 416, b"", {"Content-Range": f"bytes */{size}"})
            status = 206
        handler.send_response(status)
        handler.send_header("Content-Length", str(end - start))
        handler.send_header("Accept-Ranges", "none" if self.ignore_range else "bytes")
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        handler.end_headers()
        self._stream(handler, path, start, end, counter)

    def _stream(self, handler: Any, path: Path, start: int, end: int, counter: list[int]) -> None:
        """Bytes start to end of `path`, with the faults configured."""
        with self.lock:
            drop = self.drops > 0 and self.drop_after is not None and start + self.drop_after < end
            self.drops -= drop
        limit = start + self.drop_after if drop else end
        with open(path, "rb") as f:
            f.seek(start)
            position, began = start, time.monotonic()
            while position < min(end, limit):
                chunk = f.read(min(16384, min(end, limit) - position))
                if self.corrupt and position == start:
                    chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
                if self.rate:
                    # Sleep so this connection never runs ahead of `rate`.
                    ahead = (position + len(chunk) - start) / self.rate - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
                try:
                    handler.wfile.write(chunk)
                except OSError:
                    break
                position += len(chunk)
                counter[0] += len(chunk)
        if drop:
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _reply(self, handler: Any, status: int, body: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
