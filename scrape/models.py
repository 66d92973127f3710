"""The frozen types that flow between stages.

A dump record and a fetched response are both loaded into a `Page`; cleaning turns a
`Page` into an `Extract` (raw fields, as the page gives them); the normaliser turns an
`Extract` into an `Article`, the record users see (`ArticleRecord`, as JSON). Nothing here
does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NotRequired, TypedDict

from .version import __version__


@dataclass(frozen=True, slots=True)
class Source:
    """Where a page came from: a file, a WARC record, a JSONL line, stdin or a URL."""

    path: str
    offset: int | None = None  # byte offset of a WARC record
    line: int | None = None  # 1-based line of a JSONL record

    def __str__(self) -> str:
        if self.offset is not None:
            return f"{self.path}@{self.offset}"
        if self.line is not None:
            return f"{self.path}:{self.line}"
        return self.path

    def as_dict(self) -> SourceRecord:
        out: SourceRecord = {"path": self.path}
        if self.offset is not None:
            out["offset"] = self.offset
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass(frozen=True, slots=True)
class Page:
    """A page as loaded from a dump or fetched over HTTP, before any cleaning.

    `body` stays bytes so that decoding (BOM, header, meta charset, detection) happens in
    one place for both paths; `kind` says whether it is HTML or a plain-text dump.
    """

    source: Source
    body: bytes
    kind: str = "html"  # "html" or "text"
    url: str | None = None  # final URL (after redirects) or the URL a record gives
    requested_url: str | None = None
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    fetched_at: datetime | None = None
    record_id: str | None = None  # a JSONL record's `id`, passed through to the output
    charset: str | None = None  # encoding declared outside the body (HTTP header, JSONL)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of noise the cleaner removed, for `--explain`."""

    rule: str
    snippet: str


@dataclass(frozen=True, slots=True)
class Block:
    """What one paragraph of an article's text is on the page, for structured output.

    `kind`: "p", "h1"..."h6", "ul" or "ol" (a list item), "quote", "pre", "th" or "td" (a table
    cell, `row` telling which cells share a row) or "row" (a whole table row, "| a | b |").
    `links`: (text, href) of the links in it, in order.
    """

    kind: str = "p"
    links: tuple[tuple[str, str], ...] = ()
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Extract:
    """What the cleaner found on a page, before normalisation.

    Metadata fields hold candidates as the page gives them, best first; the normaliser
    picks and tidies them.
    """

    paragraphs: tuple[str, ...]
    titles: tuple[str, ...] = ()
    # Raw author strings ("By A and B", "Doe, Jane") grouped by source, most trusted first;
    # the normaliser takes the first group that names people.
    authors: tuple[tuple[str, ...], ...] = ()
    # Author names the page's structured data types as organisations (a JSON-LD author of
    # @type Organization): credited, but never people.
    organisations: tuple[str, ...] = ()
    published: tuple[str, ...] = ()  # raw date strings, best first
    modified: tuple[str, ...] = ()
    site_name: str | None = None
    publishers: tuple[str, ...] = ()  # every name the page gives its publisher, to keep out of authors
    language: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    removed: tuple[Removal, ...] = ()
    # Whether doubled paragraphs are still to be dropped from the text (text dumps); the
    # HTML cleaner drops them in the DOM, where it can see which container each came from.
    doubles_in_text: bool = True
    # What the page's structural blocks (headings, list items, quotes, table cells) are, by
    # their normalised text: the paragraphs of the text are looked up here (clean/structure.py).
    structure: tuple[tuple[str, Block], ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article with its metadata: the record scrape writes."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()  # people only
    # Agencies and publishers the page credits as authors ("dpa", "Reuters", "DER SPIEGEL").
    author_organisations: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601, with offset when known
    modified: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    word_count: int = 0
    content_hash: str = ""
    id: str | None = None
    source: Source | None = None
    fetched_at: str | None = None  # ISO 8601 with offset: the WARC record's date, or when it was fetched
    removed: tuple[Removal, ...] = field(default=(), compare=False)
    # One per paragraph of `text` with clean.structure, else none.
    blocks: tuple[Block, ...] = field(default=(), compare=False)

    def as_dict(self, explain: bool = False) -> ArticleRecord:
        """The output record, keys in the documented schema order."""
        record: ArticleRecord = {
            "id": self.id,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "source": self.source.as_dict() if self.source else None,
            "fetched_at": self.fetched_at,
            "title": self.title,
            "authors": list(self.authors),
            "author_organisations": list(self.author_organisations),
            "published": self.published,
            "modified": self.modified,
            "site_name": self.site_name,
            "language": self.language,
            "description": self.description,
            "tags": list(self.tags),
            "text": self.text,
            "word_count": self.word_count,
            "content_hash": self.content_hash,
            "scrape_version": __version__,
        }
        if self.blocks:
            record["blocks"] = [block.kind for block in self.blocks]
        if explain:
            record["removed"] = [{"rule": r.rule, "snippet": r.snippet} for r in self.removed]
        return record


# --- the output record's shape (JSON) -----------------------------------------------------


class SourceRecord(TypedDict):
    """The output's "source": the path, and where in it when it holds many pages."""

    path: str
    offset: NotRequired[int]  # byte offset of a WARC record
    line: NotRequired[int]  # 1-based line of a JSONL record


class RemovalRecord(TypedDict):
    """One entry of the output's "removed" (`--explain`)."""

    rule: str
    snippet: str


class ArticleRecord(TypedDict):
    """The record scrape writes for an article, keys in the documented schema order."""

    id: str | None
    url: str | None
    canonical_url: str | None
    source: SourceRecord | None
    fetched_at: str | None  # ISO 8601: the WARC record's date, or when scrape fetched the page
    title: str | None
    authors: list[str]
    author_organisations: list[str]
    published: str | None
    modified: str | None
    site_name: str | None
    language: str | None
    description: str | None
    tags: list[str]
    text: str
    word_count: int
    content_hash: str
    scrape_version: str  # the scrape that wrote the record
    # Each paragraph's kind (Block.kind), in the order of the text's paragraphs: only with
    # clean.structure (Markdown output turns it on).
    blocks: NotRequired[list[str]]
    removed: NotRequired[list[RemovalRecord]]  # only with --explain
