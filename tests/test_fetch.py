"""The fetcher against a real server on 127.0.0.1, one test per fault."""

import asyncio
import gzip
import time
import tracemalloc
import zlib
from dataclasses import replace

import brotli
import pytest

from scrape.clean.decode import decode_body
from scrape.config import CrawlConfig
from scrape.crawl.fetch import Fetcher, TooManyRedirects, is_retried_later, parse_retry_after
from scrape.crawl.politeness import HostGate, open_fetcher
from scrape.errors import HTTPStatusError, RobotsDisallowed, TooLarge, TransportError, UnsafeURL
from scrape.models import Page

CONFIG = CrawlConfig(allow_private=True, retries=2, backoff_base=0.001, backoff_max=0.01, connect_timeout=1,
                     read_timeout=0.3, total_timeout=1.0, max_bytes=200_000, per_host_delay=0.0,
                     user_agent="scrape-test/1.0")


class FakeSleep:
    def __init__(self):
        self.waits = []

    async def __call__(self, seconds):
        self.waits.append(seconds)
        await asyncio.sleep(0)


def fetch(url, config=CONFIG, sleep=None, robots=False, **kwargs):
    """Fetch `url` with a bare Fetcher, or (`robots`) with the crawl's, gate and robots.txt built in."""
    async def go():
        sleep_ = sleep or FakeSleep()
        async with (open_fetcher(config, sleep=sleep_) if robots else Fetcher(config, sleep=sleep_)) as fetcher:
            return await fetcher.fetch(url, **kwargs)
    return asyncio.run(go())


def test_fetch_page(crawl_server):
    page = fetch(crawl_server.url("/news/harbour-bridge.html"))
    assert isinstance(page, Page) and page.kind == "html"
    assert page.status == 200
    assert b"Harbour bridge to close" in page.body
    assert page.charset == "utf-8"
    assert page.header("etag") and page.header("ETag") == page.header("etag")
    assert page.fetched_at is not None and page.fetched_at.tzinfo is not None
    assert page.url == page.requested_url == str(page.source) == crawl_server.url("/news/harbour-bridge.html")
    assert crawl_server.requests()[0].headers["User-Agent"] == "scrape-test/1.0"


def test_500_then_200_is_retried(crawl_server):
    sleep = FakeSleep()
    response = fetch(crawl_server.url("/fault/500-then-200"), sleep=sleep)
    assert response.status == 200
    assert len(crawl_server.requests("/fault/500-then-200")) == 2
    assert len(sleep.waits) == 1 and 0 < sleep.waits[0] <= 0.01  # backoff, jittered


def test_retries_run_out_and_say_so(crawl_server):
    with pytest.raises(HTTPStatusError) as info:
        fetch(crawl_server.url("/fault/always-503"))
    assert info.value.status == 503 and is_retried_later(info.value)
    assert len(crawl_server.requests("/fault/always-503")) == 3  # first try + 2 retries


def test_429_waits_retry_after_seconds(crawl_server):
    sleep = FakeSleep()
    assert fetch(crawl_server.url("/fault/429"), sleep=sleep).status == 200
    assert sleep.waits == [1.0]


def test_429_retry_after_http_date(crawl_server):
    sleep = FakeSleep()
    assert fetch(crawl_server.url("/fault/429-date"), sleep=sleep).status == 200
    assert 0.0 <= sleep.waits[0] <= 2.0


def test_retry_after_over_the_cap_ends_tries_for_this_run(crawl_server):
    with pytest.raises(HTTPStatusError) as info:
        fetch(crawl_server.url("/fault/429-long"))
    assert info.value.status == 429 and is_retried_later(info.value)
    assert len(crawl_server.requests("/fault/429-long")) == 1


def test_parse_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


def test_other_4xx_is_final(crawl_server):
    with pytest.raises(HTTPStatusError) as info:
        fetch(crawl_server.url("/news/missing.html"))
    assert info.value.status == 404 and not is_retried_later(info.value)
    assert len(crawl_server.requests("/news/missing.html")) == 1


def test_slow_response_times_out(crawl_server):
    config = replace(CONFIG, retries=0)
    start = time.monotonic()
    with pytest.raises(TransportError, match="timeout"):
        fetch(crawl_server.url("/fault/slow"), config=config)
    assert time.monotonic() - start < 0.9


def test_trickle_hits_the_total_timeout(crawl_server):
    config = replace(CONFIG, retries=0, total_timeout=0.5)
    start = time.monotonic()
    with pytest.raises(TransportError, match="0.5s"):
        fetch(crawl_server.url("/fault/trickle"), config=config)
    assert time.monotonic() - start < 1.5


def test_reset_connection(crawl_server):
    with pytest.raises(TransportError):
        fetch(crawl_server.url("/fault/reset"), config=replace(CONFIG, retries=0))
    assert fetch(crawl_server.url("/fault/reset-then-200")).body == b"fine now"


def test_redirect_loop_is_cut(crawl_server):
    with pytest.raises(TooManyRedirects):
        fetch(crawl_server.url("/fault/loop"))
    assert len(crawl_server.requests()) == CONFIG.max_redirects + 1


def test_redirect_to_other_scheme_refused(crawl_server):
    with pytest.raises(UnsafeURL, match="scheme"):
        fetch(crawl_server.url("/fault/redirect-file"))


def test_redirect_followed(crawl_server):
    response = fetch(crawl_server.url("/fault/redirect-ok"))
    assert response.url == crawl_server.url("/news/harbour-bridge.html")
    assert response.requested_url == crawl_server.url("/fault/redirect-ok")


@pytest.mark.parametrize("path", ["/fault/big", "/fault/big-chunked"])
def test_oversized_body(crawl_server, path):
    with pytest.raises(TooLarge):
        fetch(crawl_server.url(path))


@pytest.mark.parametrize("path", ["/fault/gzip-bomb", "/fault/br-bomb"])
def test_decompression_bomb_is_bounded(crawl_server, path):
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge, match="decompression"):
            fetch(crawl_server.url(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # the bomb is 50 MB inflated; we never hold more than the limit


def test_gzip_body_is_decoded(crawl_server):
    assert fetch(crawl_server.url("/fault/gzip-ok")).body == b"<p>small</p>" * 10


def test_wrong_charset_header_still_decodes(crawl_server):
    response = fetch(crawl_server.url("/fault/wrong-charset"))
    assert response.charset == "utf-8"  # what the server claims
    assert "Café on Market Square" in decode_body(response.body, response.charset)


def test_conditional_request_gets_304(crawl_server):
    first = fetch(crawl_server.url("/news/tram-line.html"))
    second = fetch(crawl_server.url("/news/tram-line.html"), etag=first.header("etag"))
    assert second.status == 304 and second.body == b""
    assert crawl_server.requests()[-1].headers["If-None-Match"] == first.header("etag")


def test_robots_disallow_and_fetched_once(crawl_server):
    async def go():
        async with open_fetcher(CONFIG, sleep=FakeSleep()) as fetcher:
            with pytest.raises(RobotsDisallowed):
                await fetcher.fetch(crawl_server.url("/news/drafts/embargoed.html"))
            await asyncio.gather(*(fetcher.fetch(crawl_server.url(f"/news/{s}.html"))
                                   for s in ("tram-line", "cafe-reopens", "school-garden")))
    asyncio.run(go())
    assert len(crawl_server.requests("/robots.txt")) == 1
    assert not crawl_server.requests("/news/drafts/embargoed.html")


def test_private_addresses_refused_unless_allowed(crawl_server):
    config = replace(CONFIG, allow_private=False)
    for host in ("127.0.0.1", "localhost"):
        url = crawl_server.url("/news/tram-line.html").replace("127.0.0.1", host)
        with pytest.raises(UnsafeURL, match="internal address"):
            fetch(url, config=config)
    assert not crawl_server.requests()


def test_other_schemes_refused():
    with pytest.raises(UnsafeURL):
        fetch("file:///etc/passwd")


def test_per_host_delay_and_concurrency(crawl_server):
    config = replace(CONFIG, per_host_delay=0.05, per_host_concurrency=1)

    async def go():
        gate = HostGate(config)
        async with Fetcher(config, gate=gate) as fetcher:
            await asyncio.gather(*(fetcher.fetch(crawl_server.url(f"/news/{s}.html"))
                                   for s in ("tram-line", "cafe-reopens", "school-garden", "council-budget")))
    start = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - start >= 0.15  # 4 starts, 3 gaps of at least 0.05 s


def test_redirect_to_a_new_host_loads_its_robots_without_deadlock(crawl_server):
    config = replace(CONFIG, concurrency=1, per_host_concurrency=1)
    target = crawl_server.url("/news/tram-line.html").replace("127.0.0.1", "localhost")

    @crawl_server.route("/fault/to-other-host")
    def _(req):
        return 302, "", {"Location": target}

    async def go():
        async with open_fetcher(config, sleep=FakeSleep()) as fetcher:
            return await asyncio.wait_for(fetcher.fetch(crawl_server.url("/fault/to-other-host")), 5)
    response = asyncio.run(go())
    assert response.url == target
    assert len(crawl_server.requests("/robots.txt")) == 2  # one per host: 127.0.0.1 and localhost


def test_redirect_target_checked_against_robots(crawl_server):
    @crawl_server.route("/fault/to-draft")
    def _(req):
        return 302, "", {"Location": "/news/drafts/embargoed.html"}

    with pytest.raises(RobotsDisallowed):
        fetch(crawl_server.url("/fault/to-draft"), robots=True)
    assert not crawl_server.requests("/news/drafts/embargoed.html")


def test_robots_crawl_delay_spaces_requests(crawl_server):
    crawl_server.overrides["/robots.txt"] = b"User-agent: *\nCrawl-delay: 0.1\nDisallow: /news/drafts/\n"

    async def go():
        async with open_fetcher(CONFIG) as fetcher:
            await asyncio.gather(*(fetcher.fetch(crawl_server.url(f"/news/{s}.html"))
                                   for s in ("tram-line", "cafe-reopens", "school-garden", "council-budget")))
    start = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - start >= 0.3  # 4 starts, 3 gaps of the robots.txt Crawl-delay


def test_robots_unreachable_closes_the_host_for_the_run(crawl_server):
    @crawl_server.route("/robots.txt")
    def _(req):
        return 500, "broken"

    with pytest.raises(RobotsDisallowed, match="could not be fetched"):
        fetch(crawl_server.url("/news/tram-line.html"), robots=True)
    assert not crawl_server.requests("/news/tram-line.html")


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("encoding, encode", [
    ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
    ("deflate", _raw_deflate),  # raw, as many servers send it
    ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),  # stacked: undone last first
])
def test_compressed_bodies_are_decoded(crawl_server, encoding, encode):
    body = b"<p>every layer undone</p>" * 200

    @crawl_server.route("/fault/encoded")
    def _(req):
        return 200, encode(body), {"Content-Encoding": encoding, "Content-Type": "text/html"}

    assert fetch(crawl_server.url("/fault/encoded")).body == body
