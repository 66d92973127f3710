"""Hostile servers and documents on 127.0.0.1: every case is refused or bounded, quickly.

Covered elsewhere and not repeated here: gzip and brotli bombs (with a memory bound),
oversized plain and chunked bodies, a trickle that beats the read timeout, a redirect loop,
a redirect to file://, a private first URL, an unreachable robots.txt (tests/test_fetch.py);
a sitemap's external entity (tests/test_feeds.py); hostile titles as --out-dir names
(tests/test_output.py, tests/test_cli_clean.py).
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from dataclasses import replace
from urllib.parse import quote

import httpcore
import pytest

from scrape.config import CrawlConfig
from scrape.crawl.discovery import parse_feed, parse_sitemap
from scrape.crawl.fetch import Fetcher, TooManyRedirects
from scrape.crawl.run import run_crawl
from scrape.crawl.transport import guarded_transport
from scrape.crawl.urls import address_allowed
from scrape.errors import TooLarge, TransportError, UnsafeURL

BASE = "http://news.example"
CONFIG = CrawlConfig(allow_private=True, retries=0, connect_timeout=1.0, read_timeout=1.5, total_timeout=2.5,
                     max_bytes=200_000, per_host_delay=0.0, user_agent="scrape-test/1.0")


def logged(server, at_least: int = 1) -> int:
    """Requests the server logged, once the count settles (it logs after answering)."""
    deadline = time.monotonic() + 2.0
    count = -1
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = len(server.requests())
        if now == count and now >= at_least:
            break
        count = now
    return len(server.requests())


def fetch(url, config=CONFIG, transport=None):
    async def go():
        async with Fetcher(config, transport=transport) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def timed(fn, *args, **kwargs):
    """(result or exception, seconds, peak traced bytes) of one call."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # the caller asserts on it
            result = exc
        return result, time.monotonic() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- XML entity bombs in feeds and sitemaps ----------------------------------------------

LAUGHS_DTD = "".join(
    ['<!ENTITY lol0 "lol">']
    + [f'<!ENTITY lol{n} "{("&lol%d;" % (n - 1)) * 10}">' for n in range(1, 10)])


def rss(items: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>t</title>'
            f"{items}</channel></rss>")


def sitemap(urls: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0"?>{doctype}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>")


# A 300-byte entity referenced 100,000 times: 30 MB once expanded (the real attack fits
# 3 million references in a 9 MB feed: 900 MB of text, 3.6 GB of memory in feedparser).
QUADRATIC = ('<!DOCTYPE rss [<!ENTITY a "' + "x" * 300 + '">]>', "&a;" * 100_000)

FEED_BOMBS = {
    "billion laughs": rss("<item><title>&lol9;</title><link>http://a.example/&lol9;</link></item>",
                          f"<!DOCTYPE rss [{LAUGHS_DTD}]>"),
    "quadratic blowup": rss(f"<item><title>{QUADRATIC[1]}</title><link>http://a.example/q</link></item>",
                            QUADRATIC[0]),
    "external entity": rss("<item><title>&e;</title><link>http://a.example/&e;</link></item>",
                           '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    "external parameter entity": rss("<item><link>http://a.example/p</link></item>",
                                     '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'),
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-7"])
@pytest.mark.parametrize("case", sorted(FEED_BOMBS))
def test_feed_declaring_entities_is_refused_at_once(case, encoding):
    text = FEED_BOMBS[case]
    if encoding != "utf-8":  # feedparser honours the declared encoding, so the check must too
        text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    result, seconds, peak = timed(parse_feed, text.encode(encoding), BASE + "/feed.rss")
    assert isinstance(result, ValueError) and "entities" in str(result)
    assert seconds < 1.0 and peak < 20 * len(text) + 5_000_000


def test_feed_with_an_external_dtd_and_no_entities_still_parses():
    netscape = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                '"http://my.netscape.com/publish/formats/rss-0.91.dtd">')
    entries = parse_feed(rss("<item><link>http://a.example/story</link></item>", netscape).encode(), BASE)
    assert [e.url for e in entries] == ["http://a.example/story"]


def test_feed_body_is_never_taken_for_a_file_name(tmp_path):
    local = tmp_path / "secret.rss"
    local.write_text(rss("<item><link>http://attacker.example/?leak=1</link></item>"))
    for body in (str(local).encode(), b"/etc/passwd", b"/dev/zero"):
        result, seconds, _ = timed(parse_feed, body, BASE + "/feed.rss")
        assert result == () and seconds < 1.0


@pytest.mark.parametrize("case", ["billion laughs", "quadratic blowup", "external entity"])
def test_sitemap_entity_bombs_are_refused_or_never_expanded(case):
    doctypes = {"billion laughs": f"<!DOCTYPE urlset [{LAUGHS_DTD}]>",
                "quadratic blowup": QUADRATIC[0].replace("rss", "urlset"),
                "external entity": '<!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/passwd">]>'}
    refs = {"billion laughs": "&lol9;", "quadratic blowup": QUADRATIC[1], "external entity": "&e;"}[case]
    body = sitemap(f"<url><loc>http://a.example/x{refs}</loc></url><url><loc>http://a.example/y</loc></url>",
                   doctypes[case]).encode()
    result, seconds, peak = timed(parse_sitemap, body, BASE)
    assert seconds < 1.0 and peak < 10 * len(body) + 5_000_000
    if isinstance(result, Exception):
        assert isinstance(result, SyntaxError)  # lxml's amplification guard: the crawl counts a source error
    else:
        assert all(len(e.url) < 200 and "root:" not in e.url for e in result.urls)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_crawl_goes_on_past_feed_and_sitemap_bombs(crawl_files, crawl_server, backend):
    crawl_server.overrides["/bomb.rss"] = FEED_BOMBS["quadratic blowup"].encode()
    crawl_server.overrides["/bomb-sitemap.xml"] = sitemap(
        "<url><loc>{{base}}/news/x&lol9;.html</loc></url>", f"<!DOCTYPE urlset [{LAUGHS_DTD}]>").encode()
    config = crawl_files.config([{"url": crawl_server.base + "/bomb.rss", "type": "feed"},
                                 {"url": crawl_server.base + "/bomb-sitemap.xml", "type": "sitemap"},
                                 {"url": crawl_server.base + "/feed.rss", "type": "feed"}])
    start = time.monotonic()
    stats = run_crawl(config)
    assert stats.source_errors == 2 and stats.new == 3  # the good feed's three articles
    assert time.monotonic() - start < 10


# --- hostile responses --------------------------------------------------------------------

# case: (path, the error it must end in, seconds it may take at most)
RESPONSES = {
    "endless chunked body": ("/hostile/endless-chunked", TooLarge, 1.0),
    "endless body past its Content-Length": ("/hostile/endless-length", None, 1.0),
    "one byte a second": ("/hostile/trickle-1bps", TransportError, CONFIG.total_timeout + 0.5),
    "headers one byte a second": ("/hostile/trickle-headers", TransportError, CONFIG.total_timeout + 0.5),
    "1 MB header line": ("/hostile/huge-header-line", TransportError, 1.0),
    "1 MB of header lines": ("/hostile/many-headers", TransportError, 1.0),
    "1 MB Location": ("/hostile/huge-location", TransportError, 1.0),
    "redirects that never repeat": ("/hostile/grow", TooManyRedirects, 1.0),
    "1,000 stacked Content-Encodings": ("/hostile/encoding-chain", TransportError, 1.0),
}


@pytest.mark.parametrize("case", sorted(RESPONSES))
def test_hostile_response_is_cut_short(crawl_server, case):
    path, error, bound = RESPONSES[case]
    result, seconds, peak = timed(fetch, crawl_server.url(path))
    if error is None:  # the declared length is what is read; the rest is never looked at
        assert result.body == b"c" * 1000
    else:
        assert isinstance(result, error), result
    assert seconds < bound
    assert peak < 3 * CONFIG.max_bytes + 2_000_000  # never more than the body limit held
    if path == "/hostile/grow":
        assert logged(crawl_server) == CONFIG.max_redirects + 1


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_x", "data:text/html,<p>x</p>",
                                    "javascript:alert(1)", "mailto:a@example.org", "file://localhost/etc/passwd"])
def test_redirect_to_another_scheme_or_no_host_is_refused(crawl_server, target):
    result, seconds, _ = timed(fetch, crawl_server.url("/hostile/redirect?to=" + quote(target)))
    assert isinstance(result, UnsafeURL) and seconds < 1.0
    assert logged(crawl_server) == 1


class RecordingNetwork(httpcore.AnyIOBackend):
    """Opens connections as the fetcher's default does, and records the address of each."""

    def __init__(self):
        super().__init__()
        self.connected = []

    async def connect_tcp(self, host, port, *args, **kwargs):
        self.connected.append(host)
        return await super().connect_tcp(host, port, *args, **kwargs)


def loopback_or_public(address, allow_private):
    """The address check with one exception: 127.0.0.1, where the test server is."""
    return address == "127.0.0.1" or address_allowed(address, False)


@pytest.mark.parametrize("target", [
    "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://100.100.100.200/latest/meta-data/",
    "http://192.168.1.1:8080/admin", "http://[fd00::1]/", "http://[::ffff:10.0.0.1]/", "http://[2002:a00:1::1]/",
    "http://0.0.0.0:{port}/", "http://0x0a000001/",
])
def test_redirect_to_a_private_address_is_refused_before_connecting(crawl_server, target):
    target = target.format(port=crawl_server.server_address[1])
    config = replace(CONFIG, allow_private=False)
    network = RecordingNetwork()
    transport = guarded_transport(config, allows=loopback_or_public, network=network)
    result, seconds, _ = timed(fetch, crawl_server.url("/hostile/redirect?to=" + quote(target)), config, transport)
    assert isinstance(result, UnsafeURL), result
    assert seconds < 1.0
    assert network.connected == ["127.0.0.1"]  # the first hop only; the target never
    assert logged(crawl_server) == 1


@pytest.mark.parametrize("address", ["100.64.0.1", "100.100.100.200", "2002:7f00:1::1", "2002:a00:1::",
                                     "fec0::1", "192.0.0.1", "198.18.0.1", "240.0.0.1"])
def test_shared_6to4_and_site_local_addresses_are_internal(address):
    assert not address_allowed(address, allow_private=False)


@pytest.mark.parametrize("address", ["8.8.8.8", "2002:808:808::1", "2606:4700::1111"])
def test_public_addresses_stay_allowed(address):
    assert address_allowed(address, allow_private=False)


# --- robots.txt ----------------------------------------------------------------------------

FEED_ONLY = "/feed.rss"  # three articles, none under /news/drafts/


def crawl_site(crawl_files, server, **crawl):
    config = crawl_files.config([{"url": server.base + FEED_ONLY, "type": "feed"},
                                 {"url": server.base + "/drafts.rss", "type": "feed"}], **crawl)
    server.overrides["/drafts.rss"] = rss("<item><link>{{base}}/news/drafts/embargoed.html</link></item>").encode()
    start = time.monotonic()
    stats = run_crawl(config)
    return stats, time.monotonic() - start


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_huge_robots_txt_is_read_to_500_kib_and_the_crawl_goes_on(crawl_files, crawl_server, backend):
    rules = "".join(f"Disallow: /private/{n}/*/x$\n" for n in range(200_000))  # 6 MB
    crawl_server.overrides["/robots.txt"] = ("User-agent: *\nDisallow: /news/drafts/\n" + rules
                                             + "Disallow: /\n").encode()  # the last line is past the cut
    stats, seconds = crawl_site(crawl_files, crawl_server)
    assert stats.new == 3 and stats.skipped == {"robots.txt": 1}
    assert seconds < 5.0


def test_a_rule_cut_by_the_limit_is_dropped_whole(crawl_files, crawl_server):
    from scrape.crawl.politeness import ROBOTS_MAX_BYTES

    head = "User-agent: *\nDisallow: /news/drafts/\n"
    filler = "# " + "f" * 70 + "\n"
    text = head + filler * ((ROBOTS_MAX_BYTES - len(head)) // len(filler)) + "Disallow: /news/\n"
    assert len(text) > ROBOTS_MAX_BYTES >= text.rindex("Disallow: /news/\n") + len("Disallow: /ne")
    crawl_server.overrides["/robots.txt"] = text.encode()
    stats, _ = crawl_site(crawl_files, crawl_server)
    assert stats.new == 3  # "Disallow: /ne" would have shut out every article


@pytest.mark.parametrize("case", ["random bytes", "an HTML page", "NUL bytes", "gzip bomb", "endless"])
def test_garbage_robots_txt_allows_the_crawl(crawl_files, crawl_server, case):
    import gzip
    import random

    if case == "gzip bomb":
        @crawl_server.route("/robots.txt")
        def _(req):
            return 200, gzip.compress(b"\0" * 20_000_000), {"Content-Encoding": "gzip"}
    elif case == "endless":
        crawl_server.routes["/robots.txt"] = crawl_server.routes["/hostile/endless-chunked"]
    else:
        crawl_server.overrides["/robots.txt"] = {
            "random bytes": random.Random(6).randbytes(300_000),
            "an HTML page": b"<!doctype html><html><body><h1>Welcome</h1>" + b"<p>Disallow this</p>" * 500,
            "NUL bytes": b"\0" * 100_000 + b"User-agent: *\nDisallow: /news/drafts/\n",
        }[case]
    stats, seconds = crawl_site(crawl_files, crawl_server)
    assert stats.new == 4 and not stats.skipped  # no rule could be read: everything is allowed
    assert seconds < 5.0


@pytest.mark.parametrize("path, byte", [("/fault/big", b"a"), ("/fault/big-chunked", b"b"),
                                        ("/fault/gzip-bomb", b"\0"), ("/fault/br-bomb", b"\0")])
def test_truncated_fetch_keeps_the_head_of_any_body(crawl_server, path, byte):
    async def go():
        async with Fetcher(CONFIG) as fetcher:
            return await fetcher.fetch(crawl_server.url(path), truncate_at=1000)
    result, seconds, peak = timed(lambda: asyncio.run(go()))
    assert result.body == byte * 1000
    assert seconds < 1.0 and peak < 3_000_000


# --- file names built from hostile titles, ids and URLs ------------------------------------

HOSTILE_NAMES = ["../../etc/passwd", "/etc/passwd", "..", ".", ".ssh", "a/b\\c", "C:\\Windows\\win.ini",
                 "\x00", "CON", "aux.txt", "\uff0e\uff0e\uff0fetc\uff0fpasswd",  # fullwidth ../ (NFKC)
                 "\u2025/etc", "\u202egnp.exe", "%2e%2e%2f%2e%2e%2fetc", "~root", "x" * 5000, "\U0001f600" * 300,
                 "\udcff\udcfe", "name\r\nwith: lines", "-", "$(reboot)", "`id`", "*?<>|\""]
HOSTILE_URLS = ["http://a.example/../../etc/passwd", "file:///etc/passwd", "http://a.example/%2e%2e/%2e%2e/etc",
                "http://a.example/\uff0e\uff0e\uff0f\uff0e\uff0e\uff0f", "http://[::1]/..;/..;/", "javascript:alert(1)",
                "http://a.example/" + "d/" * 3000, "//evil/../../x", "\\\\server\\share\\x"]


def assert_inside(folder, names_written: int) -> None:
    import os

    names = os.listdir(folder)
    assert len(names) == names_written
    root = os.path.realpath(folder)
    for name in names:
        assert "/" not in name and "\\" not in name and "\0" not in name and not name.startswith(".")
        assert len(name.encode("utf-8")) <= 255
        assert os.path.dirname(os.path.realpath(os.path.join(folder, name))) == root


@pytest.mark.parametrize("fmt", ["jsonl", "md", "txt"])
def test_out_dir_names_from_hostile_ids_titles_urls_and_sources_stay_inside(tmp_path, fmt):
    from scrape.io.outputs import FolderSink
    from scrape.models import Article, Source

    out = tmp_path / "out"
    sink = FolderSink(str(out), fmt)
    articles = ([Article(text="t", id=name) for name in HOSTILE_NAMES]
                + [Article(text="t", title=name) for name in HOSTILE_NAMES]
                + [Article(text="t", url=url) for url in HOSTILE_URLS]
                + [Article(text="t", canonical_url=url) for url in HOSTILE_URLS]
                + [Article(text="t", source=Source(name, line=1)) for name in HOSTILE_NAMES])
    for article in articles:
        sink.write(article)
    assert_inside(out, len(articles))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_dir_names_stay_inside_for_any_text():
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from scrape.io.outputs import FolderSink
    from scrape.models import Article

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.none() | st.text(max_size=300), st.none() | st.text(max_size=300),
                              st.none() | st.text(max_size=300)), min_size=1, max_size=4))
    def check(triples):
        with tempfile.TemporaryDirectory() as folder:
            sink = FolderSink(folder + "/out")
            for id_, title, url in triples:
                sink.write(Article(text="t", id=id_, title=title, url=url))
            assert_inside(folder + "/out", len(triples))
    check()


def test_a_planted_symlink_in_the_out_dir_is_replaced_not_followed(tmp_path):
    from scrape.io.outputs import FolderSink
    from scrape.models import Article

    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "story.json").symlink_to(victim)
    FolderSink(str(out)).write(Article(text="t", title="Story"))
    assert victim.read_text() == "precious"
    assert not (out / "story.json").is_symlink()


def test_crawl_run_files_are_named_by_the_run_not_by_pages(crawl_files, tmp_path, crawl_server):
    import os
    import re

    page = crawl_server.body_of("/news/tram-line.html")
    names = {"/news/..%2f..%2f..%2fetc%2fpasswd.html": "../../../etc/passwd",
             "/news/%00%2e%2e.html": "..", "/news/x.html?a=../../b": "/root/.ssh/authorized_keys"}
    items = ""
    for path, title in names.items():
        crawl_server.overrides[path.split("?")[0]] = page.replace(
            b"New tram line to the hospital opens two months early", title.encode()).replace(
            b'rel="canonical"', b'rel="ignored"')
        items += f"<item><link>{{{{base}}}}{path.replace('&', '&amp;')}</link></item>"
    crawl_server.overrides["/hostile-names.rss"] = rss(items).encode()
    config = crawl_files.config([{"url": crawl_server.base + "/hostile-names.rss", "type": "feed"}], warc=True)
    stats = run_crawl(config)
    assert stats.new >= 1
    found = [os.path.relpath(os.path.join(d, f), tmp_path) for d, _, files in os.walk(tmp_path) for f in files]
    stamp = r"\d{8}T\d{6}Z"
    for path in found:
        assert (re.fullmatch(rf"out/\d{{4}}/\d\d/\d\d/(articles-{stamp}\.jsonl|responses-{stamp}\.warc\.gz)", path)
                or path.startswith("state/")), path


# --- a page that hangs the cleaner ---------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_that_hangs_the_cleaner_costs_itself_only(crawl_files, crawl_server, hanging_cleaner, workers):
    from functools import partial

    from scrape.config import CleanConfig
    from scrape.workers import Cleaner

    crawl_server.overrides["/news/stuck.html"] = crawl_server.body_of("/news/tram-line.html").replace(
        b"</body>", hanging_cleaner.marker + b"</body>")
    crawl_server.overrides["/stuck.rss"] = rss("".join(
        f"<item><link>{{{{base}}}}/news/{name}.html</link></item>"
        for name in ("stuck", "harbour-bridge", "cafe-reopens", "library-extension", "school-garden"))).encode()
    config = crawl_files.config([{"url": crawl_server.base + "/stuck.rss", "type": "feed"}], clean_workers=workers)
    config = replace(config, clean=CleanConfig(timeout=0.5))
    start = time.monotonic()
    stats = run_crawl(config, open_cleaner=partial(Cleaner, clean=hanging_cleaner.clean, stuck_grace=0.5))
    assert stats.skipped == {"timeout": 1} and stats.new == 4  # the stuck page alone is lost
    assert time.monotonic() - start < 15
