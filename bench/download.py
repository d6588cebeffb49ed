"""Download benchmark: a local server that limits each connection's speed,
as the GloVe host often does. Prints the time for 1 versus 4 connections, and
the bytes moved for a member-only fetch from a four-member glove.6B-style zip
versus the whole zip.

    .venv/bin/python -m bench.download [--rate-mb 2] [--size-mb 16]
"""

import argparse
import hashlib
import os
import platform
import random
import tempfile
import time
import zipfile
from pathlib import Path

from imdb_embeddings.acquire import transfer
from imdb_embeddings.acquire.glove_member import get_member
from imdb_embeddings.acquire.sources import fetch
from imdb_embeddings.core.files import Checksum
from imdb_embeddings.core.params import Glove
from imdb_embeddings.devtools.http_faults import FaultServer


def timed_fetch(server, url, expected, connections, cache_dir, dest):
    os.environ["PIPELINE_CONNECTIONS"] = str(connections)
    os.environ["PIPELINE_CACHE_DIR"] = str(cache_dir)
    server.reset_counts()
    start = time.perf_counter()
    fetch(url, dest, expected)
    return time.perf_counter() - start, server.bytes_sent


def glove_like_zip(path, words=20000):
    """Members of the real glove.6B shape (word + dims floats), smaller."""
    rng = random.Random(0)
    vocabulary = [f"word{i}" for i in range(words)]
    digests = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for dim in (50, 100, 200, 300):
            lines = (w + " " + " ".join(f"{rng.gauss(0, 0.4):.5f}" for _ in range(dim)) for w in vocabulary)
            data = ("\n".join(lines) + "\n").encode()
            zf.writestr(f"glove.6B.{dim}d.txt", data)
            digests[dim] = hashlib.sha256(data).hexdigest()
    return digests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-mb", type=float, default=2.0, help="MB/s allowed per connection")
    parser.add_argument("--size-mb", type=int, default=16, help="size of the file for the connection test")
    args = parser.parse_args()
    transfer.MIN_SEGMENT_BYTES = 1 << 20
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        www = tmp / "www"
        www.mkdir()
        data = random.Random(0).randbytes(args.size_mb << 20)
        (www / "file.bin").write_bytes(data)
        expected = Checksum(hashlib.sha256(data).hexdigest())
        server = FaultServer(www, rate=int(args.rate_mb * 1e6))
        url = f"{server.url}/file.bin"
        rows = []
        for connections in (1, 4):
            seconds, moved = timed_fetch(
                server, url, expected, connections, tmp / f"cache{connections}", tmp / f"out{connections}"
            )
            rows.append((connections, seconds, moved))

        server.configure()  # no throttle for the byte count
        digests = glove_like_zip(www / "glove.6B.zip")
        whole = (www / "glove.6B.zip").stat().st_size
        with zipfile.ZipFile(www / "glove.6B.zip") as zf:
            compressed = zf.getinfo("glove.6B.100d.txt").compress_size
        os.environ["PIPELINE_CACHE_DIR"] = str(tmp / "cache-member")
        server.reset_counts()
        glove = Glove(
            **{
                "url": f"{server.url}/glove.6B.zip",
                "sha256": "0" * 64,
                "dim": 100,
                "mirrors": [],
                "members": {d: f"sha256:{h}" for d, h in digests.items()},
            }
        )
        get_member(glove, tmp / "glove.txt", None)
        member_bytes, member_requests = server.bytes_sent, len(server.requests)
        server.close()

    print(
        f"download benchmark, {time.strftime('%Y-%m-%d')}, {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} cores, local server limited to {args.rate_mb:g} MB/s per connection"
    )
    print(f"{'what':<44} {'time (s)':>9} {'MB moved':>9}")
    for connections, seconds, moved in rows:
        print(f"{f'{args.size_mb} MB file, {connections} connection(s)':<44} {seconds:>9.2f} {moved / 1e6:>9.2f}")
    print(f"speed-up with 4 connections: {rows[0][1] / rows[1][1]:.2f}x")
    print(f"{'glove.6B-style zip (4 members), whole':<44} {'':>9} {whole / 1e6:>9.2f}")
    print(f"{'glove.6B.100d.txt alone, compressed':<44} {'':>9} {compressed / 1e6:>9.2f}")
    print(f"{f'member-only fetch ({member_requests} requests)':<44} {'':>9} {member_bytes / 1e6:>9.2f}")
    print(
        f"member-only fetch moved {member_bytes / whole:.1%} of the zip, "
        f"{member_bytes - compressed:,} bytes more than the member"
    )


if __name__ == "__main__":
    main()
