"""What the Dask engine's tests hand to worker processes, so it lives in a module the workers
can import (tests/ is on their path): cleaners that misbehave on marked pages or note which
process cleaned them, a Job that counts how often it is unpickled in a process, and a WARC
writer."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from dataclasses import fields
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrape.engines.partition import Job

HANG = b"HANG-THE-CLEANER"  # blocks where no alarm reaches it, as C code does
CRASH = b"CRASH-THE-CLEANER"  # kills the process cleaning it
SLOW_SECONDS = 0.05


def clean_or_misbehave(page, config, explain):
    """clean_page, except on pages holding HANG or CRASH."""
    if HANG in page.body:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    if CRASH in page.body:
        os._exit(9)
    from scrape.clean.page import clean_page

    return clean_page(page, config, explain)


def slow_clean(page, config, explain):
    """clean_page, a little slower: runs last long enough to be killed mid-way."""
    time.sleep(SLOW_SECONDS)
    from scrape.clean.page import clean_page

    return clean_page(page, config, explain)


def noting_clean(page, config, explain):
    """clean_page, noting which process cleaned the page (`_note_in`)."""
    _note_in(page)
    from scrape.clean.page import clean_page

    return clean_page(page, config, explain)


def _note_in(page, **more):
    """A file named by this process's pid in a `cleaners` folder beside the page's input: its
    parent's pid, its command line, and `more`."""
    folder = Path(page.source.path).parent / "cleaners"
    folder.mkdir(exist_ok=True)
    with open(f"/proc/{os.getpid()}/cmdline", "rb") as cmdline:
        line = cmdline.read().replace(b"\0", b" ").decode()
    (folder / str(os.getpid())).write_text(json.dumps({"ppid": os.getppid(), "cmdline": line, **more}))


def cleaners(folder: Path) -> dict[int, dict]:
    """What `_note_in` noted beside the inputs in `folder`, by pid."""
    return {int(p.name): json.loads(p.read_text()) for p in (folder / "cleaners").iterdir()}


FRAGMENT_BYTES = 300 * 2**20  # what `fragmenting_clean` leaves free in its process's C heap
_pinned: list[bytes] = []


def fragmenting_clean(page, config, explain):
    """clean_page, after filling the C heap with FRAGMENT_BYTES of small blocks and freeing all
    but the last, which pins the heap's top: glibc keeps the free memory mapped until
    malloc_trim. Notes its pid and its RSS at the fullest, as `noting_clean` does."""
    blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(FRAGMENT_BYTES // 1024)]
    _pinned.append(blocks[-1])
    fullest = rss_bytes(os.getpid())
    del blocks
    _note_in(page, fullest=fullest)
    from scrape.clean.page import clean_page

    return clean_page(page, config, explain)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


LOADS = 0  # CountingJobs unpickled in this process


class CountingJob(Job):
    """A Job that counts its unpickling in each process (LOADS)."""

    def __setstate__(self, state):
        global LOADS
        LOADS += 1
        for field in fields(self):
            object.__setattr__(self, field.name, state[field.name])


def loads() -> int:
    return LOADS


def write_warc(path: Path, pages: list[bytes], url: str = "https://news.example/{i}") -> Path:
    """A record-gzipped WARC: a warcinfo record, then one HTML response per page."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "scrape tests"}))
        for i, body in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url.format(i=i), "response", payload=io.BytesIO(body),
                                               length=len(body), http_headers=headers)
            writer.write_record(record)
    return path
