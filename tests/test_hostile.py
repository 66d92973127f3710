"""Hostile servers and documents on 127.0.0.1: every case is refused or bounded, quickly.

Covered elsewhere and not repeated here: gzip and brotli bombs (with a memory bound),
oversized plain and chunked bodies, a trickle that beats the read timeout, a redirect loop,
a redirect to file://, a private first URL, an unreachable robots.txt (tests/test_fetch.py);
a sitemap's external entity (tests/test_feeds.py); hostile titles as --out-dir names
(tests/test_output.py, tests/test_cli_clean.py).
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from crawl_helpers import make_config
from crawl_server import crawl_server  # noqa: F401  (fixture)
from scrape.crawl import run_crawl
from scrape.feeds import parse_feed, parse_sitemap

BASE = "http://news.example"


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


def test_crawl_goes_on_past_feed_and_sitemap_bombs(tmp_path, crawl_server):
    crawl_server.overrides["/bomb.rss"] = FEED_BOMBS["quadratic blowup"].encode()
    crawl_server.overrides["/bomb-sitemap.xml"] = sitemap(
        "<url><loc>{{base}}/news/x&lol9;.html</loc></url>", f"<!DOCTYPE urlset [{LAUGHS_DTD}]>").encode()
    config = make_config(tmp_path, [{"url": crawl_server.base + "/bomb.rss", "type": "feed"},
                                    {"url": crawl_server.base + "/bomb-sitemap.xml", "type": "sitemap"},
                                    {"url": crawl_server.base + "/feed.rss", "type": "feed"}])
    start = time.monotonic()
    stats = run_crawl(config)
    assert stats.source_errors == 2 and stats.new == 3  # the good feed's three articles
    assert time.monotonic() - start < 10
