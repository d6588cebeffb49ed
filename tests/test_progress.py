import fcntl
import logging
import os
import pty
import struct
import sys
import termios

from imdb_embeddings.core.progress import Progress
from tests.conftest import ROOT


def test_without_a_terminal_progress_is_logged_with_rate_and_eta(caplog):
    caplog.set_level("INFO")
    progress = Progress(logging.getLogger("t"), "glove.6B.zip", total=10_000_000, unit="B", every=0)
    progress.advance(2_500_000)
    progress.finish()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("glove.6B.zip: 2.5 MB of 10.0 MB, ") and "MB/s, ETA" in lines[0]
    assert lines[-1].startswith("glove.6B.zip: done, 2.5 MB of 10.0 MB")


def test_on_a_terminal_progress_is_a_bar(tmp_path):
    script = tmp_path / "show.py"
    script.write_text(
        "import logging\n"
        "from imdb_embeddings.core.progress import Progress\n"
        "p = Progress(logging.getLogger('t'), 'glove.6B.zip', total=4_000_000, unit='B')\n"
        "p.advance(1_000_000)\n"
        "p.advance(3_000_000)\n"
        "p.finish()\n"
    )
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal 100 columns wide
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        os.environ["PYTHONPATH"] = str(ROOT)
        os.execv(sys.executable, [sys.executable, str(script)])
    out = b""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    os.waitpid(pid, 0)
    screen = out.decode()
    assert "glove.6B.zip: 100%|" in screen and "3.81M/3.81M" in screen and "B/s]" in screen
