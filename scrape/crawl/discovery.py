"""Discovery: article URLs from RSS/Atom feeds, sitemaps and seed pages. No I/O.

Feeds are parsed by feedparser, handed the body as a stream (given bytes, feedparser would
take them for a file name and read that file) and only when the document declares no XML
entities: feedparser keeps "simple" entity declarations and expands them, so a 9 MB feed of
references to a 300-byte entity would become gigabytes. Sitemaps (plain, gzipped, indexes,
Google News) are parsed by lxml with entities, DTDs and the network disabled, so a hostile
document cannot read files or expand into gigabytes. Seed pages give their links
(selectolax); the crawler keeps the same-site ones that match the source's `allow` pattern.
Every URL leaves here canonicalised; URLs that are not http(s) are dropped. `read_listing`
turns a fetched source into the `Listing` the state keeps for its next conditional request.
"""

from __future__ import annotations

import calendar
import gzip
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]  # feedparser ships no types
from lxml import etree  # type: ignore[import-untyped]  # no lxml stubs are installed
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ..dom import CANONICAL_REACH, canonical_href
from ..errors import TooLarge, UnsafeURL
from ..models import Page
from .state.base import Listing
from .urls import canonicalize


@dataclass(frozen=True, slots=True)
class Entry:
    """A discovered URL and, when the source says, when it last changed."""

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: page entries, and child sitemaps when it is an index."""

    urls: tuple[Entry, ...] = ()
    sitemaps: tuple[Entry, ...] = ()


def parse_lastmod(value: str | None) -> datetime | None:
    """A W3C datetime (`2026-11-20`, `2026-11-20T08:00:00+01:00`, `...Z`) as aware UTC."""
    if not value:
        return None
    value = value.strip()
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:  # a bare date (or a time without zone) is read as UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _canonical(url: str | None, base: str) -> str | None:
    if not url:
        return None
    try:
        return canonicalize(url, base)
    except (UnsafeURL, ValueError):
        return None


_ROOT_START = re.compile(rb"<\w")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def parse_feed(body: bytes, base_url: str) -> tuple[Entry, ...]:
    """The item links of an RSS or Atom feed, with their updated (or published) time.

    Raises:
        ValueError: the feed declares XML entities (refused: entity expansion).
    """
    # feedparser decodes first (BOM, XML declaration: even UTF-7) and then reads entity
    # declarations from the prolog of the result, so the check looks at that same text.
    data = convert_to_utf8({}, body, {})
    root = _ROOT_START.search(data)
    if _ENTITY_DECLARATION.search(data, 0, root.start() if root else len(data)):
        raise ValueError("the feed declares XML entities; refused (entity expansion)")
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": base_url},
                              resolve_relative_uris=False, sanitize_html=False)
    entries = []
    for item in parsed.entries:
        url = _canonical(item.get("link"), base_url)
        if url is None:
            continue
        stamp = dict.get(item, "updated_parsed") or dict.get(item, "published_parsed")
        lastmod = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        entries.append(Entry(url, lastmod))
    return tuple(entries)


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                       remove_comments=True, remove_pis=True)


def gunzip_bounded(body: bytes, limit: int) -> bytes:
    """Ungzip a gzipped sitemap, refusing more than `limit` bytes of output."""
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"gzipped sitemap over {limit} bytes", "sitemap")
    return data


def _local(tag: object) -> str:
    """An element's tag without its namespace; "" for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, base_url: str, max_bytes: int = 50_000_000) -> Sitemap:
    """The entries of a sitemap or sitemap index (gzipped or not).

    `lastmod` comes from `<lastmod>`, or a news sitemap's `<news:publication_date>`.

    Raises:
        ValueError: the document is not XML.
    """
    if body[:2] == b"\x1f\x8b":
        body = gunzip_bounded(body, max_bytes)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    root = etree.fromstring(body, parser)
    if root is None:
        raise ValueError("empty document")
    is_index = _local(root.tag) == "sitemapindex"
    found = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = published = None
        for child in node.iter():
            name = _local(child.tag)
            if name == "loc" and loc is None:
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = child.text
            elif name == "publication_date":
                published = child.text
        url = _canonical(loc, base_url)
        if url is not None:
            found.append(Entry(url, parse_lastmod(lastmod) or parse_lastmod(published)))
    return Sitemap(sitemaps=tuple(found)) if is_index else Sitemap(urls=tuple(found))


def extract_links(body: bytes, base_url: str) -> tuple[tuple[str, ...], str | None]:
    """The canonical http(s) links of a page, and its `<link rel=canonical>` if any."""
    tree = HTMLParser(body)
    base = base_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = _canonical(base_node.attributes.get("href"), base_url) or base_url
    canonical = None
    for node in tree.css("link[rel][href]"):
        if "canonical" in (node.attributes.get("rel") or "").lower().split():
            canonical = _canonical(node.attributes.get("href"), base)
            break
    links = []
    for node in tree.css("a[href]"):
        url = _canonical(node.attributes.get("href"), base)
        if url is not None:
            links.append(url)
    return tuple(dict.fromkeys(links)), canonical


def find_canonical(body: bytes, base_url: str) -> str | None:
    """`<link rel=canonical href>` of a page, found without parsing the whole document."""
    href = canonical_href(body[:CANONICAL_REACH].decode("utf-8", "replace"))
    return _canonical(href, base_url)


def read_listing(page: Page, base_url: str, kind: str, max_bytes: int) -> Listing:
    """What a fetched source lists, with the validators of its response: a seed page's links
    (`kind` "seed"), a feed's items (`kind` "feed", or a sitemap source that serves a feed), or
    a sitemap's pages and an index's sitemaps.

    Raises:
        ValueError: the body cannot be read as that (or it is a 304 to a request that had no
            validators to send).
    """
    etag, last_modified = page.header("etag"), page.header("last-modified")
    if page.status == 304:
        raise ValueError("304 Not Modified to an unconditional request")
    if kind == "seed":
        links, _ = extract_links(page.body, base_url)
        return Listing("seed", tuple((link, None) for link in links), (), etag, last_modified)
    if kind == "feed" or looks_like_feed(page.body):
        entries = parse_feed(page.body, base_url)
        return Listing("feed", tuple((e.url, e.lastmod) for e in entries), (), etag, last_modified)
    parsed = parse_sitemap(page.body, base_url, max_bytes)
    return Listing("sitemap", tuple((e.url, e.lastmod) for e in parsed.urls),
                   tuple((e.url, e.lastmod) for e in parsed.sitemaps), etag, last_modified)
