import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrape.crawl.discovery import extract_links, find_canonical, parse_feed, parse_lastmod, parse_sitemap
from scrape.errors import TooLarge

BASE = "http://news.example"
SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"  # what the crawl test server serves


def fixture(name: str) -> bytes:
    return (SITE / name).read_bytes().replace(b"{{base}}", BASE.encode())


def test_rss_links_are_canonical_with_dates():
    entries = parse_feed(fixture("feed.rss"), BASE + "/feed.rss")
    assert [e.url for e in entries] == [
        BASE + "/news/harbour-bridge.html", BASE + "/news/cafe-reopens.html", BASE + "/news/library-extension.html"]
    assert entries[0].lastmod == datetime(2026, 11, 20, 7, 15, tzinfo=UTC)


def test_atom_links():
    entries = parse_feed(fixture("atom.xml"), BASE + "/atom.xml")
    assert [e.url for e in entries] == [BASE + "/news/tram-line.html", BASE + "/news/harbour-bridge.html"]
    assert entries[1].lastmod == datetime(2026, 11, 20, 7, 15, tzinfo=UTC)


def test_sitemap_index_and_news_sitemap():
    index = parse_sitemap(fixture("sitemap_index.xml"), BASE)
    assert not index.urls
    assert [s.url for s in index.sitemaps][:2] == [BASE + "/sitemap-news.xml", BASE + "/sitemap-pages.xml.gz"]
    assert index.sitemaps[1].lastmod == datetime(2026, 11, 19, tzinfo=UTC)
    news = parse_sitemap(fixture("sitemap-news.xml"), BASE)
    # a news sitemap's publication_date stands in for lastmod, offset applied
    assert news.urls[0].lastmod == datetime(2026, 11, 16, 11, 0, tzinfo=UTC)


def test_gzipped_sitemap_and_its_bound():
    body = gzip.compress(fixture("sitemap-pages.xml"))
    pages = parse_sitemap(body, BASE)
    assert [e.url for e in pages.urls][0] == BASE + "/news/council-budget.html"
    with pytest.raises(TooLarge):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 10_000 + b"</urlset>"), BASE, max_bytes=1000)


def test_sitemap_does_not_expand_entities():
    evil = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.example/&e;</loc></url></urlset>"""
    parsed = parse_sitemap(evil, BASE)
    assert all("root" not in e.url for e in parsed.urls)


def test_lastmod_forms():
    assert parse_lastmod("2026-11-20") == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_lastmod("2026-11-20T08:00:00+01:00") == datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert parse_lastmod("2026-11-20T08:00:00Z") == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert parse_lastmod("yesterday") is None


def test_seed_links_and_canonical():
    links, canonical = extract_links(fixture("index.html"), BASE + "/")
    assert BASE + "/news/harbour-bridge.html" in links  # utm_* dropped
    assert BASE + "/news/cafe-reopens.html" in links  # relative, fragment dropped
    assert BASE + "/news/council-budget.html" in links  # fbclid dropped
    assert "https://elsewhere.example/news/other.html" in links
    assert not any(link.startswith("mailto") for link in links)
    assert canonical is None
    page = fixture("news/harbour-bridge.html")
    assert extract_links(page, BASE + "/news/harbour-bridge.html?amp=1")[1] == BASE + "/news/harbour-bridge.html"
    assert find_canonical(page, BASE + "/x") == BASE + "/news/harbour-bridge.html"
