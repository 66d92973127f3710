"""Progress: a total and an ETA when the work is known (the inputs' bytes; the crawl's pages
due), the rate always, and nothing when stderr is not a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import crawl_helpers
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrape.cli.progress import Work
from scrape.errors import NotAnArticle
from scrape.models import Source

ROOT = Path(__file__).resolve().parent.parent
FERRY = (ROOT / "fixtures" / "inputs" / "harbour-ferry.html").read_bytes()


def on_a_terminal(args: list[object], cwd: Path) -> tuple[int, str]:
    """Run scrape with its stderr on a pseudo-terminal; the exit code and what it showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "scrape", *map(str, args)], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while select.select([master], [], [], 60)[0]:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_work_is_counted_in_bytes_through_the_inputs():
    work = Work({"a.warc": 1000, "b.jsonl": 500})
    assert work.total == 1500
    assert work.position(Source("a.warc", offset=0)) == 0
    assert work.position(Source("a.warc", offset=600)) == 600
    assert work.position(NotAnArticle("x", input="a.warc@900")) == 900
    assert work.position(Source("b.jsonl", line=3)) == 1000  # a.warc is behind; lines give no bytes
    assert work.position(NotAnArticle("x", input="b.jsonl:9")) == 1000
    assert work.position(Source("elsewhere")) == 1000


def test_clean_shows_a_total_eta_and_rate_on_a_terminal_only(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n in range(21):  # a bar from the 20th page on
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        page = FERRY.replace(b"Night ferry returns", b"Night ferry %d returns" % n)
        writer.write_record(writer.create_warc_record(f"https://courier.example/{n}", "response",
                                                      payload=io.BytesIO(page), http_headers=http))
    (tmp_path / "pages.warc.gz").write_bytes(buffer.getvalue())
    code, shown = on_a_terminal(["clean", "pages.warc.gz", "-j", "1", "-o", "out.jsonl"], tmp_path)
    assert code == 0
    assert "%|" in shown and "<" in shown  # a share of a known total, and the time left
    assert "pages/s" in shown and "B/s" in shown and "100%" in shown
    assert shown.rstrip().endswith("cleaned 21, skipped 0")  # (piped: test_cli_clean, no bar at all)


def test_crawl_bar_counts_the_pages_due(tmp_path, crawl_server):
    crawl_helpers.write_toml(tmp_path / "config.toml", [{"url": crawl_server.base + "/feed.rss", "type": "feed"}],
                             state=str(tmp_path / "state.sqlite"), out_dir=str(tmp_path / "out"))
    code, shown = on_a_terminal(["crawl", "--config", "config.toml"], tmp_path)
    assert code == 0
    assert "crawl:" in shown and "/3 [" in shown and "page/s" in shown  # the feed's three pages
