"""What the Dask engine's tests hand to worker processes, so it lives in a module the workers
can import (tests/ is on their path): cleaners that misbehave on marked pages, a Job that
counts how often it is unpickled in a process, and a WARC writer."""

from __future__ import annotations

import io
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
