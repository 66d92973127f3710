"""Conditional discovery: feeds, sitemap indexes, sitemaps and seed pages are asked again with
their ETag / Last-Modified; a 304 reuses the URLs they listed last time; the run counts the
sources' 304s apart from the pages', and the sitemap entries since_days dropped."""

from __future__ import annotations

import asyncio
import json

import pytest

from scrape.crawl.run import run_crawl
from scrape.crawl.state import Listing, open_state

SOURCES = ("/", "/feed.rss", "/atom.xml", "/sitemap_index.xml", "/sitemap-pages.xml.gz", "/sitemap-news.xml")


def source_requests(server, since=0):
    return [r for r in server.requests()[since:] if r.path in SOURCES]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_second_run_revalidates_every_source_and_reuses_what_it_listed(crawl_files, crawl_server, site_sources,
                                                                        backend):
    config = crawl_files.config(site_sources, per_host_concurrency=1)
    first = run_crawl(config)
    assert first.sources_fetched == len(SOURCES) and first.sources_not_modified == 0
    assert first.too_old == 2  # sitemap-2019.xml in the index, old-story.html in a sitemap
    assert first.new == 6
    mark = len(crawl_server.requests())
    second = run_crawl(config)
    again = source_requests(crawl_server, mark)
    assert sorted(r.path for r in again) == sorted(SOURCES)
    assert all("If-None-Match" in r.headers and r.status == 304 for r in again)
    assert second.sources_not_modified == len(SOURCES) and second.sources_fetched == 0
    assert second.source_errors == 0 and second.too_old == 2
    assert second.discovered == first.discovered  # every URL they listed, offered again
    assert second.not_modified == 6 and second.new == second.written == 0  # the articles: 304 as before
    summary = second.summary()
    assert f"sources: 0 fetched, {len(SOURCES)} not modified" in summary
    assert "2 sitemap entries older than since_days" in summary
    stats = json.loads(json.dumps(second.as_dict()))
    assert (stats["sources_not_modified"], stats["sources_fetched"], stats["too_old"]) == (len(SOURCES), 0, 2)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_changed_feed_is_read_again(crawl_files, crawl_server, backend):
    config = crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}])
    assert run_crawl(config).new == 3
    feed = crawl_server.body_of("/feed.rss")
    extra = b"<item><title>t</title><link>{{base}}/news/tram-line.html</link></item></channel>"
    crawl_server.overrides["/feed.rss"] = feed.replace(b"</channel>", extra)
    second = run_crawl(config)
    assert second.sources_fetched == 1 and second.sources_not_modified == 0 and second.new == 1
    listing = asyncio.run(stored_listing(config.crawl.state, crawl_server.base + "/feed.rss"))
    assert isinstance(listing, Listing) and listing.kind == "feed" and listing.etag
    assert crawl_server.base + "/news/tram-line.html" in [url for url, _ in listing.urls]


async def stored_listing(spec: str, url: str) -> Listing | None:
    """What the state (either back-end) keeps of a source, read through its crawl session."""
    state = open_state(spec)
    try:
        async with state.session("test") as session:
            return await session.listing(url)
    finally:
        state.close()
