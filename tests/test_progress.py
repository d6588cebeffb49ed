import logging

from stages.cli import Progress


def test_without_a_terminal_progress_is_logged_with_rate_and_eta(caplog):
    caplog.set_level("INFO")
    progress = Progress(logging.getLogger("t"), "glove.6B.zip", total=10_000_000, unit="B", every=0)
    progress.advance(2_500_000)
    progress.finish()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("glove.6B.zip: 2.5 MB of 10.0 MB, ") and "MB/s, ETA" in lines[0]
    assert lines[-1].startswith("glove.6B.zip: done, 2.5 MB of 10.0 MB")
