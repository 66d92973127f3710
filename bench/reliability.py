"""Reliability trials: fuzzed pages, injected faults, hostile servers and SIGKILLs.

    .venv/bin/python bench/reliability.py [--kills-out-dir 90] [--kills-file 40]
        [--kills-crawl 100] [--fuzz 1500] [--seed 1] [--out bench/results/reliability.md]

Four parts, each a table in the report:

fuzz      fixture pages mutated at random (cut, doubled, random and NUL bytes, flipped bits,
          a lying charset, 50,000 nested elements, a 2 MB line, tag soup, entity floods,
          surrogates, ...) go through `clean_one` (the per-page guard `scrape clean` uses):
          each must give an Article or a typed skip within the time limit; articles must
          be NFC with a matching hash. "error" skips are cleaner bugs and are listed.
faults    every hostile server and document case, and every full-disk and unwritable-
          output case, run once: how it ended and the bound that held (time, memory, bytes).
kills     `scrape clean --out-dir`, `scrape clean -o FILE` and `scrape crawl` (against a
          local server of generated articles, WARC on or off, cleaning in a thread or a
          worker process) SIGKILLed at a uniformly random moment of a run (start-up,
          cleaning, writing, export), in chains of 1 to 3 kills followed by a full run.
          After each kill: every visible output file parses whole and is byte-equal to the
          uninterrupted run's, only the writer's hidden temp files may be left, the SQLite
          state passes `PRAGMA integrity_check`, and no worker process outlives the kill.
          After the final run: the output equals the uninterrupted run's exactly (ids, URLs
          and content hashes), nothing lost, nothing twice, no temp file left.

The report goes to bench/results/reliability.md (or --out) and its tables to stdout. The
exit code is 1 when any article was lost or duplicated or any check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import gzip
import hashlib
import json
import logging
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the package, and the test server it shares

from crawl_helpers import alive, descendants, make_config, write_toml  # noqa: E402
from crawl_server import CrawlServer, Reply, install_faults, install_hostile  # noqa: E402

from scrape.clean.page import clean_page  # noqa: E402
from scrape.config import CrawlConfig, default_config  # noqa: E402
from scrape.errors import FetchError, SkipError  # noqa: E402
from scrape.io.atomic import TEMP_NAME  # noqa: E402
from scrape.io.inputs import iter_pages  # noqa: E402
from scrape.io.outputs import FolderSink, open_sink  # noqa: E402
from scrape.models import Article, Page, Source  # noqa: E402
from scrape.workers import CleanOptions, clean_one, clean_pages  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "reliability.md"
PYTHON = sys.executable
# A killed crawl may leave its articles file's temporary file and its WARC's partial file.
CRAWL_HIDDEN = re.compile(r"\.(articles-.*\.jsonl\.[a-z0-9_]{8}\.tmp|responses-.*\.warc\.gz\.part)")


# --- fuzz ----------------------------------------------------------------------------------

FUZZ_TIMEOUT = 5.0  # seconds a page may take (the guard's alarm); the default config allows 20


def _seeds() -> list[bytes]:
    folders = ("fixtures/html", "fixtures/holdout", "fixtures/inputs", "fixtures/site/news")
    return [p.read_bytes() for f in folders for p in sorted((ROOT / f).glob("*.htm*"))]


def _at(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def _insert(data: bytes, where: int, piece: bytes) -> bytes:
    return data[:where] + piece + data[where:]


MUTATIONS = {
    "truncated": lambda rng, d: d[:_at(rng, d)],
    "range cut out": lambda rng, d: (lambda a, b: d[:a] + d[b:])(*sorted((_at(rng, d), _at(rng, d)))),
    "range repeated": lambda rng, d: (lambda a, b: d[:b] + d[a:b] * rng.randint(2, 40) + d[b:])(
        *sorted((_at(rng, d), _at(rng, d)))),
    "random bytes": lambda rng, d: _insert(d, _at(rng, d), rng.randbytes(rng.randint(1, 4000))),
    "NUL bytes": lambda rng, d: bytes(b if rng.random() > 0.01 else 0 for b in d),
    "flipped bits": lambda rng, d: bytes(b ^ (1 << rng.randrange(8)) if rng.random() < 0.005 else b for b in d),
    "lying charset": lambda rng, d: re.sub(rb"(?i)charset=[\"']?[\w-]+", b"charset=" + rng.choice(
        [b"utf-16", b"utf-7", b"cp037", b"iso-2022-jp", b"x-user-defined", b"shift_jis", b"nonsense"]), d)
        if re.search(rb"(?i)charset=", d) else b'<meta charset="utf-16">' + d,
    "up to 50,000 nested elements": lambda rng, d: (lambda n: _insert(d, _at(rng, d), b"<div>" * n + b"deep" + b"</div>" * n))(
        int(10 ** rng.uniform(1, 4.7))),
    "2 MB line": lambda rng, d: _insert(d, _at(rng, d), b"<p>" + b"word" * 500_000 + b"</p>"),
    "tag soup": lambda rng, d: b"<".join(rng.sample(d.split(b"<"), len(d.split(b"<")))),
    "entity flood": lambda rng, d: _insert(d, _at(rng, d), b"&amp;&#0;&#xD800;&#x110000;&nbsp;&bogus;&#99999999;" * 2000),
    "surrogates and bad UTF-8": lambda rng, d: _insert(d, _at(rng, d), b"\xed\xa0\x80\xed\xbf\xbf\xc0\xaf\xff\xfe" * 50),
    "bidi and zero-width": lambda rng, d: _insert(d, _at(rng, d), "\u202e\u200b\u2066\ufeff\u00ad".encode() * 200),
    "only scripts": lambda rng, d: b"<html><head><script>" + d.replace(b"</script", b"<\\/script") + b"</script></head></html>",
    "unclosed everything": lambda rng, d: re.sub(rb"</[a-zA-Z0-9]+>", b"", d),
}


@dataclass
class FuzzResult:
    inputs: int = 0
    by_mutation: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)  # "article" or a skip reason
    errors: list[str] = field(default_factory=list)  # "error" skips: the cleaner raised
    timeouts: Counter = field(default_factory=Counter)  # by mutation
    overran: list[str] = field(default_factory=list)  # took well past the limit: the alarm came late
    broken_invariants: list[str] = field(default_factory=list)
    slowest: float = 0.0
    seconds: float = 0.0


def fuzz(count: int, rng: random.Random) -> FuzzResult:
    seeds, config, result = _seeds(), default_config(), FuzzResult()
    names = sorted(MUTATIONS)
    start = time.monotonic()
    for n in range(count):
        data = rng.choice(seeds)
        chosen = rng.sample(names, rng.choice((1, 1, 1, 2, 3)))
        for name in chosen:
            data = MUTATIONS[name](rng, data)
            result.by_mutation[name] += 1
        kind = "text" if n % 10 == 9 else "html"  # every tenth read as a text dump
        page = Page(source=Source(f"fuzz-{n}"), body=data, kind=kind,
                    url=rng.choice((None, "https://news.example/story.html")))
        began = time.monotonic()
        outcome = clean_one(page, clean_page, config, False, FUZZ_TIMEOUT)
        took = time.monotonic() - began
        result.slowest = max(result.slowest, took)
        if took > FUZZ_TIMEOUT + 1.0:  # stuck in C code, where the alarm cannot interrupt
            result.overran.append(f"input {n} ({'+'.join(chosen)}, {len(data):,} bytes): {took:.1f} s")
        result.inputs += 1
        if isinstance(outcome, SkipError):
            result.outcomes[outcome.reason] += 1
            if outcome.reason == "error":
                result.errors.append(f"{'+'.join(chosen)}: {outcome.detail}")
            elif outcome.reason == "timeout":
                result.timeouts.update(chosen)
            continue
        result.outcomes["article"] += 1
        text = outcome.text
        if not unicodedata.is_normalized("NFC", text) or outcome.content_hash != hashlib.sha256(
                text.encode("utf-8", "surrogatepass")).hexdigest() or not text.strip():
            result.broken_invariants.append("+".join(chosen))
    result.seconds = time.monotonic() - start
    return result


# --- faults and hostile cases --------------------------------------------------------------


@dataclass
class Case:
    kind: str
    case: str
    outcome: str
    bound: str
    ok: bool


FETCH = CrawlConfig(allow_private=True, retries=0, connect_timeout=1.0, read_timeout=1.5, total_timeout=2.5,
                    max_bytes=200_000, per_host_delay=0.0, user_agent="scrape-reliability/1.0")


@contextmanager
def measured():
    """Yields a dict that gets `seconds` and `peak` (bytes traced) when the block ends."""
    box: dict = {}
    tracemalloc.start()
    began = time.monotonic()
    try:
        yield box
    finally:
        box["seconds"] = time.monotonic() - began
        box["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def _fetch(url: str, config: CrawlConfig = FETCH, transport=None, **kwargs):
    from scrape.crawl.fetch import Fetcher

    async def go():
        async with Fetcher(config, transport=transport) as fetcher:
            return await fetcher.fetch(url, **kwargs)
    try:
        return asyncio.run(go())
    except FetchError as exc:
        return exc


def _ended(result) -> str:
    if isinstance(result, Exception):
        name = type(result).__name__
        detail = getattr(result, "detail", str(result))
        return f"{name}: {detail}"[:90]
    return f"status {result.status}, {len(result.body):,} bytes"


def _bound(box: dict, extra: str = "") -> str:
    text = f"{box['seconds']:.2f} s, peak {box['peak'] / 1e6:.1f} MB"
    return f"{text}; {extra}" if extra else text


def hostile_fetches(server: CrawlServer) -> list[Case]:
    from scrape.crawl.fetch import TooManyRedirects
    from scrape.errors import TooLarge, TransportError, UnsafeURL

    cases = [  # (case, path, expected error, time bound)
        ("gzip bomb (50 MB of zeros in 50 KB)", "/fault/gzip-bomb", TooLarge, 2.0),
        ("brotli bomb (50 MB in 40 bytes)", "/fault/br-bomb", TooLarge, 2.0),
        ("endless chunked body", "/hostile/endless-chunked", TooLarge, 2.0),
        ("endless body after a 1,000-byte Content-Length", "/hostile/endless-length", None, 2.0),
        ("body trickled at 1 byte/s", "/hostile/trickle-1bps", TransportError, 3.5),
        ("headers trickled at 1 byte/s", "/hostile/trickle-headers", TransportError, 3.5),
        ("one 1 MB header line", "/hostile/huge-header-line", TransportError, 2.0),
        ("1 MB of headers in 20,000 lines", "/hostile/many-headers", TransportError, 2.0),
        ("1 MB Location header", "/hostile/huge-location", TransportError, 2.0),
        ("redirect loop", "/fault/loop", TooManyRedirects, 2.0),
        ("redirects that never repeat", "/hostile/grow", TooManyRedirects, 2.0),
        ("body gzipped 1,000 times, header to match", "/hostile/encoding-chain", TransportError, 2.0),
        ("oversized body (300 KB > 200 KB limit)", "/fault/big", TooLarge, 2.0),
        ("connection reset", "/fault/reset", TransportError, 2.0),
    ]
    for target in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_x", "data:text/html,x",
                   "javascript:alert(1)"):
        cases.append((f"redirect to {target.split(':')[0]}:", "/hostile/redirect?to=" + quote(target), UnsafeURL, 2.0))
    found = []
    for case, path, error, limit in cases:
        with measured() as box:
            result = _fetch(server.url(path))
        ok = (result.body == b"c" * 1000) if error is None else isinstance(result, error)
        ok = ok and box["seconds"] < limit and box["peak"] < 3 * FETCH.max_bytes + 2_000_000
        found.append(Case("hostile server", case, _ended(result), _bound(box, f"limit {FETCH.max_bytes // 1000} KB"),
                          ok))
    return found


def private_redirects(server: CrawlServer) -> list[Case]:
    """Redirects from the (allowed) test server to internal addresses: refused before any
    connection is opened to them."""
    import httpcore

    from scrape.crawl.transport import guarded_transport
    from scrape.crawl.urls import address_allowed
    from scrape.errors import UnsafeURL

    class RecordingNetwork(httpcore.AnyIOBackend):
        def __init__(self):
            super().__init__()
            self.connected: list[str] = []

        async def connect_tcp(self, host, port, *args, **kwargs):
            self.connected.append(host)
            return await super().connect_tcp(host, port, *args, **kwargs)

    def loopback_or_public(address: str, allow_private: bool) -> bool:  # the test server is on 127.0.0.1
        return address == "127.0.0.1" or address_allowed(address, False)

    found = []
    port = server.server_address[1]
    config = replace(FETCH, allow_private=False)
    for target in ("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                   "http://100.100.100.200/latest/meta-data/", "http://192.168.1.1/", f"http://0.0.0.0:{port}/",
                   "http://[::ffff:10.0.0.1]/", "http://[fd00::1]/", "http://[2002:a00:1::1]/",
                   "http://0x0a000001/"):
        network = RecordingNetwork()
        transport = guarded_transport(config, allows=loopback_or_public, network=network)
        with measured() as box:
            result = _fetch(server.url("/hostile/redirect?to=" + quote(target)), config, transport)
        connected = network.connected
        ok = isinstance(result, UnsafeURL) and connected == ["127.0.0.1"]
        found.append(Case("hostile server", f"redirect to {target}", _ended(result),
                          f"{box['seconds']:.2f} s; connections opened: {len(connected) - 1} to the target", ok))
    with measured() as box:
        result = _fetch(server.url("/news/tram-line.html"), replace(FETCH, allow_private=False))
    found.append(Case("hostile server", "first URL on a loopback address", _ended(result),
                      f"{box['seconds']:.2f} s, refused before connecting", isinstance(result, UnsafeURL)))
    return found


LAUGHS = "".join(['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{("&l%d;" % (n - 1)) * 10}">' for n in range(1, 10)])


def _rss(items: str, doctype: str = "") -> str:
    return f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def xml_documents() -> list[Case]:
    from scrape.crawl.discovery import parse_feed, parse_sitemap

    quad_doctype, quad_refs = '<!DOCTYPE rss [<!ENTITY a "' + "x" * 299 + '">]>', "&a;" * 3_000_000  # 9 MB
    feeds = {
        "feed: billion laughs": _rss("<item><title>&l9;</title><link>http://a.example/&l9;</link></item>",
                                     f"<!DOCTYPE rss [{LAUGHS}]>"),
        "feed: quadratic blowup, 9 MB (900 MB expanded)": _rss(
            f"<item><title>{quad_refs}</title><link>http://a.example/q</link></item>", quad_doctype),
        "feed: external entity (file:///etc/passwd)": _rss(
            "<item><title>&e;</title><link>http://a.example/&e;</link></item>",
            '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
        "feed: external parameter entity": _rss("<item><link>http://a.example/p</link></item>",
                                                '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>'),
    }
    found = []
    for case, text in feeds.items():
        for encoding in ("utf-8", "utf-7"):
            body = text if encoding == "utf-8" else text.replace('version="1.0"?>', 'version="1.0" encoding="utf-7"?>')
            with measured() as box:
                try:
                    result = parse_feed(body.encode(encoding), "http://a.example/feed")
                except ValueError as exc:
                    result = exc
            # linear in the input (decoding copies it a few times), never in the expansion
            ok = isinstance(result, ValueError) and box["seconds"] < 2.0 and box["peak"] < 10 * len(body) + 5_000_000
            found.append(Case("hostile document", f"{case} [{encoding}]", _ended(result), _bound(box), ok))
    for case, body in {"feed body naming a local file (/etc/passwd)": b"/etc/passwd",
                       "feed body naming /dev/zero": b"/dev/zero"}.items():
        with measured() as box:
            result = parse_feed(body, "http://a.example/feed")
        found.append(Case("hostile document", case, f"{len(result)} entries: the body is data, not a path",
                          _bound(box), result == () and box["seconds"] < 1.0))
    sitemaps = {
        "sitemap: billion laughs": (f"<!DOCTYPE urlset [{LAUGHS}]>", "&l9;"),
        "sitemap: quadratic blowup, 9 MB": (quad_doctype.replace("rss", "urlset"), quad_refs),
        "sitemap: external entity": ('<!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;"),
    }
    for case, (doctype, refs) in sitemaps.items():
        body = (f'<?xml version="1.0"?>{doctype}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>http://a.example/x{refs}</loc></url></urlset>").encode()
        with measured() as box:
            try:
                result = parse_sitemap(body, "http://a.example/", 50_000_000)
                outcome = f"parsed, entities not expanded: {[e.url[:40] for e in result.urls]}"
                ok = all(len(e.url) < 100 and "root:" not in e.url for e in result.urls)
            except SyntaxError as exc:
                outcome, ok = f"refused: {str(exc)[:60]}", True
        ok = ok and box["seconds"] < 2.0 and box["peak"] < 3 * len(body) + 5_000_000
        found.append(Case("hostile document", case, outcome, _bound(box), ok))
    return found


def robots_cases(server: CrawlServer, work: Path) -> list[Case]:
    from scrape.crawl.run import run_crawl

    server.overrides["/drafts.rss"] = _rss("<item><link>{{base}}/news/drafts/embargoed.html</link></item>").encode()
    bodies = {
        "robots.txt of 6 MB (200,000 rules; 'Disallow: /' at the end)": (
            "User-agent: *\nDisallow: /news/drafts/\n"
            + "".join(f"Disallow: /private/{n}/*/x$\n" for n in range(200_000)) + "Disallow: /\n").encode(),
        "robots.txt of random bytes": random.Random(6).randbytes(300_000),
        "robots.txt that is an HTML page": b"<html><body>" + b"<p>Disallow everything</p>" * 500 + b"</body></html>",
        "robots.txt as a 20 MB gzip bomb": None,
        "robots.txt answering 500": None,
    }
    found = []
    for n, (case, body) in enumerate(bodies.items()):
        server.routes.pop("/robots.txt", None)
        server.overrides.pop("/robots.txt", None)
        if case.endswith("bomb"):
            bomb = gzip.compress(b"\0" * 20_000_000)
            server.routes["/robots.txt"] = lambda req: Reply(200, bomb, {"Content-Encoding": "gzip"})
        elif case.endswith("500"):
            server.routes["/robots.txt"] = lambda req: Reply(500, "broken")
        else:
            server.overrides["/robots.txt"] = body
        config = make_config(work / f"robots{n}", [{"url": server.base + "/feed.rss", "type": "feed"},
                                                   {"url": server.base + "/drafts.rss", "type": "feed"}])
        began = time.monotonic()  # not traced: tracemalloc would slow the parse tenfold
        stats = run_crawl(config)
        box = {"seconds": time.monotonic() - began}
        if case.startswith("robots.txt of 6 MB"):
            outcome, ok = f"first 500 KiB read: {stats.new} articles, draft skipped by its rule", (
                stats.new == 3 and stats.skipped == {"robots.txt": 1})
        elif case.endswith("500"):
            outcome, ok = "host skipped for this run (RFC 9309), retried next run", stats.new == 0
        else:
            outcome, ok = f"no rule readable: everything allowed, {stats.new} articles", stats.new == 4
        found.append(Case("hostile server", case, outcome, f"{box['seconds']:.2f} s for the whole crawl (3-4 pages)",
                          ok and box["seconds"] < 10))
    server.routes.pop("/robots.txt", None)
    server.overrides.pop("/robots.txt", None)
    return found


def stuck_page(server: CrawlServer, work: Path) -> list[Case]:
    """A page that blocks the cleaner where no alarm reaches (as C code can), among four good ones."""
    from functools import partial

    from crawl_helpers import HANG, clean_or_hang

    from scrape.config import CleanConfig
    from scrape.crawl.run import run_crawl
    from scrape.workers import Cleaner

    server.overrides["/news/stuck.html"] = server.body_of("/news/tram-line.html").replace(b"</body>", HANG + b"</body>")
    server.overrides["/stuck.rss"] = _rss("".join(
        f"<item><link>{{{{base}}}}/news/{name}.html</link></item>"
        for name in ("stuck", "harbour-bridge", "cafe-reopens", "library-extension", "school-garden"))).encode()
    found = []
    for workers in (1, 2):
        config = make_config(work / f"stuck{workers}", [{"url": server.base + "/stuck.rss", "type": "feed"}],
                             clean_workers=workers)
        config = replace(config, clean=CleanConfig(timeout=1.0))
        began = time.monotonic()
        stats = run_crawl(config, open_cleaner=partial(Cleaner, clean=clean_or_hang, stuck_grace=1.0))
        seconds = time.monotonic() - began
        found.append(Case("hostile server", f"a page that hangs the cleaner in C (crawl, {workers} cleaning workers)",
                          f"skipped as {dict(stats.skipped)}, {stats.new} of 4 others written",
                          f"{seconds:.1f} s for the crawl; clean.timeout 1 s + grace 1 s, then the workers are replaced",
                          stats.skipped == {"timeout": 1} and stats.new == 4 and seconds < 20))
    return found


HOSTILE_NAMES = ["../../etc/passwd", "/etc/passwd", "..", ".ssh", "a/b\\c", "\x00", "CON", "aux.txt",
                 "\uff0e\uff0e\uff0fetc\uff0fpasswd", "\u2025/etc", "\u202egnp.exe", "%2e%2e%2f", "x" * 5000,
                 "\U0001f600" * 300, "\udcff", "a\r\nb: c", "$(reboot)", "*?<>|\""]
HOSTILE_URLS = ["http://a.example/../../etc/passwd", "file:///etc/passwd", "http://a.example/%2e%2e/%2e%2e/etc",
                "http://a.example/\uff0e\uff0e\uff0f", "javascript:alert(1)", "http://a.example/" + "d/" * 3000]


def file_names(work: Path, rng: random.Random) -> list[Case]:
    folder = work / "names" / "out"
    sink = FolderSink(str(folder), "md")
    texts = HOSTILE_NAMES + ["".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randint(0, 300)))
                             for _ in range(500)]
    articles = ([Article(text="t", id=t) for t in texts] + [Article(text="t", title=t) for t in texts]
                + [Article(text="t", url=u) for u in HOSTILE_URLS])
    for article in articles:
        sink.write(article)
    names = os.listdir(folder)
    root = os.path.realpath(folder)
    inside = [n for n in names if os.path.dirname(os.path.realpath(folder / n)) == root
              and not n.startswith(".") and "/" not in n and len(n.encode()) <= 255]
    outside = [p for p in (work / "names").rglob("*") if p.parent != folder and p != folder]
    return [Case("hostile names", f"--out-dir names from {len(articles)} hostile ids, titles and URLs",
                 f"{len(inside)} of {len(names)} files inside the folder, {len(outside)} outside",
                 "names ≤ 255 bytes, no separators, no leading dot",
                 len(inside) == len(names) == len(articles) and not outside)]


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _cli(*argv) -> tuple[int, list[str]]:
    """scrape's CLI in this process: (exit code, stderr lines)."""
    import contextlib
    import io

    from scrape.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, err.getvalue().strip().splitlines()


def disk_faults(server: CrawlServer, work: Path, corpus: Path) -> list[Case]:
    found = []
    # scrape clean -o on a full disk: the rename fails
    target = work / "full" / "out.jsonl"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old\n")
    with patched(os, "replace", enospc):
        code, err = _cli("clean", corpus, "-o", target, "-q", "-j", "1")
    ok = code == 1 and len(err) == 1 and target.read_bytes() == b"old\n" and os.listdir(target.parent) == ["out.jsonl"]
    found.append(Case("full disk", "clean -o FILE, ENOSPC on rename", f"exit {code}: {err[-1] if err else ''}",
                      "old file kept whole, no temp file left", ok))
    # scrape clean --out-dir filling up after three articles
    out, calls, real_fsync = work / "full" / "dir", [], os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) > 6:
            enospc()
        real_fsync(fd)

    with patched(os, "fsync", fsync):
        code, err = _cli("clean", corpus, "--out-dir", out, "-q", "-j", "1")
    whole = all(json.loads(p.read_bytes())["text"] for p in out.iterdir() if not p.name.startswith("."))
    hidden = [p for p in out.iterdir() if p.name.startswith(".")]
    found.append(Case("full disk", "clean --out-dir, ENOSPC after 3 articles", f"exit {code}: {err[-1][:80] if err else ''}",
                      f"{len(os.listdir(out))} whole files, {len(hidden)} temp files left",
                      code == 1 and len(err) == 1 and whole and not hidden))
    # unwritable output folders
    blocker = work / "full" / "file"
    blocker.write_text("x")
    code, err = _cli("clean", corpus, "--out-dir", blocker / "out", "-q", "-j", "1")
    found.append(Case("unwritable", "clean --out-dir under a file (ENOTDIR)", f"exit {code}: {err[-1] if err else ''}",
                      "one line, nothing written", code == 1 and len(err) == 1))
    config = _config(work / "crawlfull", server)
    mark = len(server.requests())
    code, err = _cli("--config", config, "crawl", "--out-dir", blocker / "out")
    asked = len(server.requests()) - mark
    found.append(Case("unwritable", "crawl into a folder under a file (ENOTDIR)", f"exit {code}: {err[-1] if err else ''}",
                      f"{asked} requests made, state file created: "
                      f"{(work / 'crawlfull' / 'state' / 'scrape.sqlite').exists()}",
                      code == 1 and len(err) == 1 and asked == 0))
    # crawl export on a full disk, then a normal run
    with patched(os, "replace", enospc):
        code, err = _cli("--config", config, "crawl", "-q")
    db = sqlite3.connect(work / "crawlfull" / "state" / "scrape.sqlite")
    kept = db.execute("SELECT count(*) FROM pending").fetchone()[0]
    code2, _ = _cli("--config", config, "crawl", "-q")
    urls = _crawl_records(work / "crawlfull" / "out")
    found.append(Case("full disk", "crawl export, ENOSPC on rename", f"exit {code}: {err[-1][-70:] if err else ''}",
                      f"{kept} articles kept in the state; next run (exit {code2}) wrote {len(urls)}, "
                      f"{len(urls) - len(set(urls))} twice",
                      code == 1 and len(err) == 1 and kept == len(set(urls)) == len(urls) > 0))
    # the crawl state on a full disk
    from scrape.config import load_config
    from scrape.crawl.run import run_crawl
    from scrape.crawl.state import State
    from scrape.errors import OutputError

    class FullState(State):
        def __init__(self, path):
            super().__init__(path)
            self.db.execute(f"PRAGMA max_page_count={self.db.execute('PRAGMA page_count').fetchone()[0] + 2}")

    config = _config(work / "statefull", server)
    try:  # as `scrape crawl` runs it, with a state that fills the disk
        run_crawl(load_config(str(config)), open_state=FullState)
        code, err = 0, []
    except OutputError as exc:
        code, err = 1, [f"scrape: {exc}"]  # what the CLI prints for it
    integrity = sqlite3.connect(work / "statefull" / "state" / "scrape.sqlite").execute(
        "PRAGMA integrity_check").fetchone()[0]
    code2, _ = _cli("--config", config, "crawl", "-q")
    urls = _crawl_records(work / "statefull" / "out")
    found.append(Case("full disk", "crawl state (SQLite) full mid-run", f"exit {code}: {err[-1][-60:] if err else ''}",
                      f"run stopped, integrity {integrity}; next run (exit {code2}): {len(urls)} articles, "
                      f"{len(urls) - len(set(urls))} twice",
                      code == 1 and len(err) == 1 and integrity == "ok" and len(urls) == len(set(urls)) > 0))
    return found


def _config(folder: Path, server: CrawlServer, **crawl) -> Path:
    """A crawl config in `folder` over the generated pages' sitemap."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_toml(folder / "config.toml", [{"url": server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                      per_host_concurrency=2, **crawl)


def _crawl_records(out: Path) -> list[str]:
    found = []
    for path in sorted(out.rglob("articles-*.jsonl")):
        found += [json.loads(line)["url"] for line in path.read_text("utf-8").splitlines()]
    return found


# --- kill trials ---------------------------------------------------------------------------


@dataclass
class KillStats:
    mode: str
    kills: int = 0
    chains: int = 0
    left_partial: int = 0  # kills after which a temp or partial file was on disk (mid-write)
    bad_after_kill: list[str] = field(default_factory=list)  # a visible file not whole, or a stray file
    orphans: int = 0  # worker processes alive 5 s after the kill
    integrity_failures: int = 0
    lost: int = 0
    duplicated: int = 0
    final_failures: list[str] = field(default_factory=list)  # exact-output or leftover-file failures
    moments: list[float] = field(default_factory=list)  # each kill's moment / an uninterrupted run's time
    missed: int = 0  # runs that ended before their kill moment (not counted as kills)

    def spread(self) -> str:
        bins = Counter(min(int(m * 4), 4) for m in self.moments)
        labels = ("0-25%", "25-50%", "50-75%", "75-100%", "after 100%")
        return ", ".join(f"{label}: {bins[n]}" for n, label in enumerate(labels))

    @property
    def survived(self) -> int:
        return self.kills - len(self.bad_after_kill) - self.orphans - self.integrity_failures

    @property
    def clean(self) -> bool:
        return (not self.bad_after_kill and not self.orphans and not self.integrity_failures and not self.lost
                and not self.duplicated and not self.final_failures)


def _moment(rng: random.Random, full: float) -> float:
    """When to kill a run that takes `full` seconds: uniformly over the whole run, or (one
    time in four) over its end, where the output is committed or exported."""
    return full * (rng.uniform(0.85, 1.05) if rng.random() < 0.25 else rng.uniform(0.0, 1.05))


def _kill_at(argv: list[str], delay: float, stats: KillStats, full: float) -> bool:
    """Run `argv` and SIGKILL it after `delay` seconds; False when it ended first (not a
    kill). Afterwards no worker process of it may live on."""
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(delay)
        stats.missed += 1
        return False
    except subprocess.TimeoutExpired:
        pass
    workers = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    stats.kills += 1
    stats.moments.append(delay / full)
    end = time.monotonic() + 5
    while any(alive(p) for p in workers) and time.monotonic() < end:
        time.sleep(0.05)
    orphans = [p for p in workers if alive(p)]
    stats.orphans += len(orphans)
    for pid in orphans:
        os.kill(pid, signal.SIGKILL)
    return True


def _timed_run(argv: list[str]) -> float:
    began = time.monotonic()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=300)
    return time.monotonic() - began


def make_corpus(path: Path, count: int) -> Path:
    """A JSONL dump of `count` distinct articles made from the fixture pages, every 9th too
    short to be one (a skip), and some sharing a title without an id (a name collision)."""
    pages = [p.read_text("utf-8") for p in sorted((ROOT / "fixtures" / "html").glob("*.html"))]
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            html = pages[n % len(pages)].replace("</p>", f" Copy number {n}.</p>", 1)
            record = {"id": f"rec{n}", "html": html} if n % 5 else {"html": html}
            if n % 9 == 8:
                record["html"] = "<p>too short</p>"
            out.write(json.dumps(record) + "\n")
    return path


def _reference(corpus: Path, folder: Path | None = None, file: Path | None = None, fmt: str = "jsonl") -> None:
    sink = open_sink(fmt, out_dir=str(folder) if folder else None, output=str(file) if file else None)
    for result in clean_pages(iter_pages([str(corpus)]), CleanOptions(config=default_config(), jobs=1)):
        if isinstance(result, Article):
            sink.write(result)
    sink.close()


def _identity(data: bytes, fmt: str) -> str:
    """What names an article in a written file: its id, else its content hash."""
    if fmt == "jsonl":
        record = json.loads(data)
        return record["id"] or record["content_hash"]
    head = data.decode("utf-8").split("\n---\n", 1)[0]
    fields = dict(line.split(": ", 1) for line in head.splitlines()[1:])
    return json.loads(fields["id"]) or json.loads(fields["content_hash"])


def clean_out_dir_trials(kills: int, rng: random.Random, work: Path) -> KillStats:
    stats = KillStats("scrape clean --out-dir")
    corpus = make_corpus(work / "corpus.jsonl", 120)
    expected = {}
    for fmt in ("jsonl", "md"):
        _reference(corpus, folder=work / f"expected-{fmt}", fmt=fmt)
        expected[fmt] = {p.name: p.read_bytes() for p in (work / f"expected-{fmt}").iterdir()}
    full = {jobs: _timed_run([PYTHON, "-m", "scrape", "clean", "-q", str(corpus), "--out-dir",
                              str(work / f"timing{jobs}"), "-j", str(jobs)]) for jobs in (1, 2)}
    while stats.kills < kills:
        stats.chains += 1
        fmt, jobs = rng.choice(("jsonl", "jsonl", "md")), rng.choice((1, 2, 2))
        out = work / f"chain{stats.chains}"
        argv = [PYTHON, "-m", "scrape", "clean", "-q", str(corpus), "--out-dir", str(out), "-j", str(jobs),
                "--format", fmt]
        for _ in range(min(rng.randint(1, 3), kills - stats.kills)):
            if not _kill_at(argv, _moment(rng, full[jobs]), stats, full[jobs]) or not out.exists():
                continue
            names = os.listdir(out)
            if any(TEMP_NAME.fullmatch(n) for n in names):
                stats.left_partial += 1
            for name in names:
                if name.startswith("."):
                    if not TEMP_NAME.fullmatch(name):
                        stats.bad_after_kill.append(f"chain {stats.chains}: stray {name}")
                elif (out / name).read_bytes() != expected[fmt].get(name):
                    stats.bad_after_kill.append(f"chain {stats.chains}: {name} not whole or not expected")
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        got = {p.name: p.read_bytes() for p in out.iterdir()}
        ids = Counter(_identity(data, fmt) for name, data in got.items() if not name.startswith("."))
        want = Counter(_identity(data, fmt) for data in expected[fmt].values())
        stats.lost += sum((want - ids).values())
        stats.duplicated += sum((ids - want).values())
        if got != expected[fmt]:
            stats.final_failures.append(f"chain {stats.chains}: output differs from the uninterrupted run")
        shutil.rmtree(out)
    return stats


def clean_file_trials(kills: int, rng: random.Random, work: Path) -> KillStats:
    stats = KillStats("scrape clean -o FILE")
    corpus = make_corpus(work / "corpus-file.jsonl", 120)
    _reference(corpus, file=work / "expected.jsonl")
    expected = (work / "expected.jsonl").read_bytes()
    old = b'{"old": "the output of an earlier run"}\n'
    full = {jobs: _timed_run([PYTHON, "-m", "scrape", "clean", "-q", str(corpus), "-o", str(work / "timing.jsonl"),
                              "-j", str(jobs)]) for jobs in (1, 2)}
    while stats.kills < kills:
        stats.chains += 1
        jobs = rng.choice((1, 2, 2))
        folder = work / f"file-chain{stats.chains}"
        folder.mkdir()
        target = folder / "articles.jsonl"
        target.write_bytes(old)
        argv = [PYTHON, "-m", "scrape", "clean", "-q", str(corpus), "-o", str(target), "-j", str(jobs)]
        for _ in range(min(rng.randint(1, 3), kills - stats.kills)):
            if not _kill_at(argv, _moment(rng, full[jobs]), stats, full[jobs]):
                continue
            names = os.listdir(folder)
            if any(TEMP_NAME.fullmatch(n) for n in names):
                stats.left_partial += 1
            if target.read_bytes() not in (old, expected):
                stats.bad_after_kill.append(f"chain {stats.chains}: the output is neither the old file nor the new")
            for name in names:
                if name != "articles.jsonl" and not TEMP_NAME.fullmatch(name):
                    stats.bad_after_kill.append(f"chain {stats.chains}: stray {name}")
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        lines = target.read_bytes().splitlines()
        ids = Counter(json.loads(line)["id"] or json.loads(line)["content_hash"] for line in lines)
        want = Counter(json.loads(line)["id"] or json.loads(line)["content_hash"] for line in expected.splitlines())
        stats.lost += sum((want - ids).values())
        stats.duplicated += sum((ids - want).values())
        if target.read_bytes() != expected or os.listdir(folder) != ["articles.jsonl"]:
            stats.final_failures.append(f"chain {stats.chains}: output differs or a temp file is left")
        shutil.rmtree(folder)
    return stats


CRAWL_PAGES = 60


def crawl_trials(kills: int, rng: random.Random, work: Path, server: CrawlServer) -> KillStats:
    from warcio.archiveiterator import ArchiveIterator

    stats = KillStats("scrape crawl")
    reference = _config(work / "crawl-ref", server)
    full = _timed_run([PYTHON, "-m", "scrape", "--config", str(reference), "crawl", "-q"])
    expected = {}
    for path in (work / "crawl-ref" / "out").rglob("articles-*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            expected[record["url"]] = record["content_hash"]
    assert len(expected) == CRAWL_PAGES, "the reference crawl did not get every page"
    while stats.kills < kills:
        stats.chains += 1
        warc, workers = rng.random() < 0.5, rng.choice((0, 0, 1))
        folder = work / f"crawl-chain{stats.chains}"
        config = _config(folder, server, warc=warc, clean_workers=workers)
        argv = [PYTHON, "-m", "scrape", "--config", str(config), "crawl", "-q"]
        state, out = folder / "state" / "scrape.sqlite", folder / "out"
        for _ in range(min(rng.randint(1, 3), kills - stats.kills)):
            if not _kill_at(argv, _moment(rng, full), stats, full):
                continue
            if state.exists():
                db = sqlite3.connect(state)
                try:
                    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                        stats.integrity_failures += 1
                finally:
                    db.close()
            partial = False
            for path in (p for p in out.rglob("*") if p.is_file()) if out.exists() else ():
                try:
                    if path.name.startswith("."):
                        partial = True
                        if not CRAWL_HIDDEN.fullmatch(path.name):
                            stats.bad_after_kill.append(f"chain {stats.chains}: stray {path.name}")
                    elif path.name.startswith("articles-"):
                        for line in path.read_text("utf-8").splitlines():
                            record = json.loads(line)
                            if expected.get(record["url"]) != record["content_hash"]:
                                raise ValueError(f"unexpected record {record['url']}")
                    elif path.name.startswith("responses-"):
                        with open(path, "rb") as stream:
                            for record in ArchiveIterator(stream):
                                record.content_stream().read()
                    else:
                        raise ValueError("unexpected file")
                except Exception as exc:  # noqa: BLE001  (any way a file fails to read is a finding)
                    stats.bad_after_kill.append(f"chain {stats.chains}: {path.name}: {exc}")
            stats.left_partial += partial
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            stats.final_failures.append(f"chain {stats.chains}: final run exit {done.returncode}: {done.stderr[-200:]}")
        got = Counter()
        for path in out.rglob("articles-*.jsonl"):
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                got[(record["url"], record["content_hash"])] += 1
        want = Counter(expected.items())
        stats.lost += sum((want - got).values())
        stats.duplicated += sum((got - want).values())  # second copies, and records not expected at all
        leftovers = [p.name for p in out.rglob(".*")]
        db = sqlite3.connect(state)
        pending, integrity = db.execute("SELECT count(*) FROM pending").fetchone()[0], db.execute(
            "PRAGMA integrity_check").fetchone()[0]
        db.close()
        if leftovers or pending or integrity != "ok":
            stats.final_failures.append(f"chain {stats.chains}: left {leftovers}, {pending} pending, {integrity}")
        shutil.rmtree(folder)
    return stats


# --- report --------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(args, fuzzed: FuzzResult, cases: list[Case], kills: list[KillStats], seconds: float) -> tuple[str, bool]:
    commit = (subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
              or os.environ.get("SCRAPE_COMMIT", "unknown"))  # a `git archive` copy has no .git
    total_kills = sum(k.kills for k in kills)
    lost, duplicated = sum(k.lost for k in kills), sum(k.duplicated for k in kills)
    ok = (all(c.ok for c in cases) and all(k.clean for k in kills) and not fuzzed.errors
          and not fuzzed.broken_invariants and "other" not in fuzzed.outcomes)
    parts = [
        "# Reliability: fuzzed pages, faults, hostile servers, SIGKILL\n",
        f"`bench/reliability.py --kills-out-dir {args.kills_out_dir} --kills-file {args.kills_file} "
        f"--kills-crawl {args.kills_crawl} --fuzz {args.fuzz} --seed {args.seed}` at commit {commit}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{seconds / 60:.1f} minutes.\n",
        "## Summary\n",
        _table(["", "result"], [
            ["kill trials", f"{total_kills} ({', '.join(f'{k.kills} {k.mode}' for k in kills)})"],
            ["kills survived", f"{sum(k.survived for k in kills)} of {total_kills}"],
            ["articles lost", lost], ["articles duplicated", duplicated],
            ["fuzzed inputs", f"{fuzzed.inputs}: {sum(v for k, v in fuzzed.outcomes.items() if k != 'error')} "
                              f"article or typed skip, {len(fuzzed.errors)} cleaner errors"],
            ["fault and hostile cases", f"{sum(c.ok for c in cases)} of {len(cases)} refused or bounded"],
        ]) + "\n",
        "## Kill trials\n",
        "Each trial SIGKILLs a run at a moment drawn uniformly over an uninterrupted run's wall time "
        "(start-up included), or one time in four over its last 15% (commit, export); in chains of 1 to 3 "
        "kills, each chain ending with a full run. A run that ended before its moment is not counted. "
        "\"Mid-write\" counts kills that left the writer's hidden temp or partial file behind; \"survived\" "
        "counts kills after which every check passed.\n",
        _table(["run", "kills", "chains", "mid-write", "survived", "files not whole", "orphaned workers",
                "integrity failures", "lost", "duplicated", "final output exact"],
               [[k.mode, k.kills, k.chains, k.left_partial, k.survived, len(k.bad_after_kill), k.orphans,
                 k.integrity_failures, k.lost, k.duplicated, f"{k.chains - len(k.final_failures)} of {k.chains}"]
                for k in kills]) + "\n",
    ]
    parts.append("Kill moments, as a share of an uninterrupted run:\n")
    parts += [f"- {k.mode}: {k.spread()} ({k.missed} runs ended before their moment)" for k in kills]
    for k in kills:
        for line in (k.bad_after_kill + k.final_failures)[:10]:
            parts.append(f"- {k.mode}: {line}")
    parts += [
        "\n## Faults and hostile cases\n",
        _table(["kind", "case", "outcome", "bound", "ok"],
               [[c.kind, c.case, c.outcome, c.bound, "yes" if c.ok else "**NO**"] for c in cases]) + "\n",
        "## Fuzzed pages\n",
        f"{fuzzed.inputs} inputs ({fuzzed.seconds:.0f} s; slowest {fuzzed.slowest:.2f} s, limit {FUZZ_TIMEOUT:g} s): "
        "fixture pages with 1 to 3 random mutations, every tenth read as a text dump.\n",
        _table(["mutation", "applied"], sorted(fuzzed.by_mutation.items())) + "\n",
        _table(["outcome", "inputs"], sorted(fuzzed.outcomes.items(), key=lambda kv: -kv[1])) + "\n",
        f"Articles breaking an invariant (NFC, hash, non-empty text): {len(fuzzed.broken_invariants)}.",
    ]
    if fuzzed.overran:
        parts.append(f"\nInputs that ran past the {FUZZ_TIMEOUT:g} s alarm (it fires only between Python bytecodes; "
                     "with -j 2 or more the parent replaces a stuck worker after the limit plus "
                     "`workers.STUCK_GRACE`):\n")
        parts += [f"- {line}" for line in fuzzed.overran]
    if fuzzed.timeouts:
        parts.append(f"\nTimeouts (skipped after {FUZZ_TIMEOUT:g} s, as the guard should) by mutation: "
                     + ", ".join(f"{name} {n}" for name, n in fuzzed.timeouts.most_common()) + ".")
    if fuzzed.errors:
        parts.append("\nCleaner errors (\"error\" skips; for the cleaner's owner):\n")
        parts += [f"- {e}" for e in sorted(set(fuzzed.errors))[:30]]
    return "\n".join(parts) + "\n", ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills-out-dir", type=int, default=90, help="SIGKILLs of scrape clean --out-dir")
    parser.add_argument("--kills-file", type=int, default=40, help="SIGKILLs of scrape clean -o FILE")
    parser.add_argument("--kills-crawl", type=int, default=100, help="SIGKILLs of scrape crawl")
    parser.add_argument("--fuzz", type=int, default=1500, help="fuzzed pages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS, help="the report (markdown)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    began = time.monotonic()
    logging.basicConfig(handlers=[logging.NullHandler()])  # the in-process runs' warnings are expected
    with tempfile.TemporaryDirectory(prefix="scrape-reliability-") as tmp, CrawlServer() as server:
        work = Path(tmp)
        install_faults(server)
        install_hostile(server)
        server.serve_generated(CRAWL_PAGES, delay=0.01)
        corpus = make_corpus(work / "small.jsonl", 8)
        print("faults and hostile cases ...", file=sys.stderr)
        cases = (hostile_fetches(server) + private_redirects(server) + xml_documents() + robots_cases(server, work)
                 + stuck_page(server, work) + file_names(work, rng) + disk_faults(server, work, corpus))
        print(f"fuzzing {args.fuzz} pages ...", file=sys.stderr)
        fuzzed = fuzz(args.fuzz, rng)
        kills = []
        for name, trials, count in (("clean --out-dir", clean_out_dir_trials, args.kills_out_dir),
                                    ("clean -o", clean_file_trials, args.kills_file),
                                    ("crawl", crawl_trials, args.kills_crawl)):
            if count:
                print(f"{count} kills of scrape {name} ...", file=sys.stderr)
                extra = (server,) if name == "crawl" else ()
                kills.append(trials(count, rng, work, *extra))
    text, ok = report(args, fuzzed, cases, kills, time.monotonic() - began)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, "utf-8")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
