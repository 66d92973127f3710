"""WARC input: the HTML pages in a WARC (plain or record-gzipped), streamed record by record.

Only response records with status 200 and an HTML Content-Type become pages, with
WARC-Target-URI as url, WARC-Date as fetched_at, the HTTP headers, the charset the HTTP
Content-Type declares, and Source(path, offset) pointing at the record (the compressed
offset in a record-gzipped WARC). A record cut short, or bytes after the last whole record
that are not a record, end the input with an Unreadable naming the offset. Used by
`inputs`; reads no config keys.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from isal import igzip, isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import SkipError, Unreadable
from ..models import Page, Source
from .streams import ByteStream, Reopen

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from warcio.recordloader import ArcWarcRecord  # untyped: what warcio's iterator yields

HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
# Headers that described the transfer of a WARC payload, not the payload warcio hands us
# (it removes chunking and Content-Encoding), so they would mislead anyone reading Page.headers.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_WHOLE_FILE_GZIP = "non-chunked gzip"  # warcio's complaint about a WARC gzipped as one member
_READ_BYTES = 64 * 1024


# load_warc's signature: (stream, input name, max_page_bytes, reopen) -> pages and skips.
WarcLoader = Callable[[ByteStream, str, int, Reopen | None], Iterator[Page | SkipError]]


class _Tally(io.RawIOBase):
    """Counts the bytes read through it and keeps the last few, to check a WARC ends cleanly."""

    TAIL = 4096

    def __init__(self, raw: ByteStream):
        self._raw = raw
        self.count = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        target = memoryview(buffer).cast("B")
        data = self._raw.read(len(target)) or b""
        target[:len(data)] = data
        self.count += len(data)
        self.tail = (self.tail + data)[-self.TAIL:]
        return len(data)


# --- WARC ----------------------------------------------------------------------------------


@dataclass
class Span:
    """The records of a record-gzipped WARC that start in [`base`, `stop`): what one
    partition of a split WARC reads (`engines`). The stream handed to `load_warc` starts at
    byte `base` of the file, on a record's first byte; `stop` None reads to the end.

    `inputs.load_warc_span` sets `first`, the offset of the first record of the span (None
    when no record starts in it), and `load_warc` sets `next` when it stops: the offset of the
    first record it left for the next span (or the offset past the last record), so that a
    caller can check that the spans of one file meet.
    """

    base: int = 0
    stop: int | None = None
    first: int | None = None
    next: int | None = None

    def past(self, iterator: ArchiveIterator) -> bool:
        """Whether the record the iterator is on starts at or after `stop` (then noted in `next`).

        warcio's `offset` is the current record's start while the record is being read."""
        offset = self.base + int(iterator.offset)
        if self.stop is not None and offset >= self.stop:
            self.next = offset
            return True
        return False


def load_warc(stream: ByteStream, name: str, max_page_bytes: int,
              reopen: Reopen | None = None, span: Span | None = None) -> Iterator[Page | SkipError]:
    """HTML response records with status 200, one at a time; other records are passed over.

    Args:
        stream: the WARC, plain or record-gzipped, read from its first byte.
        name: the input's name, for each page's `Source` and for skips.
        max_page_bytes: a record body larger than this is skipped.
        reopen: opens the input again from the start, for a WARC gzipped as one member.
        span: read only the records starting in a byte range (the stream starts at its base).

    A record cut short, or bytes after the last whole record that are not a record, end the
    input with an Unreadable naming the offset where it went wrong.
    """
    span = span or Span()
    tally = _Tally(stream)
    iterator = ArchiveIterator(tally)
    _inflate_with_isal(iterator)
    yielded = 0  # items given out, to resume after a whole-file-gzip fallback
    end = span.base  # offset just past the last whole record
    try:
        for record in iterator:
            if span.past(iterator):
                return
            pending, complete = _warc_record(record, max_page_bytes)
            # warcio knows a record's offset only once the record has been read through.
            offset = span.base + iterator.get_record_offset()
            if not complete:
                yield Unreadable("truncated WARC record", input=f"{name}@{offset}")
                return
            end = offset + iterator.get_record_length()
            if pending is not None:
                yielded += 1
                yield pending.finish(name, offset)
    except ArchiveLoadFailed as exc:
        if _WHOLE_FILE_GZIP in str(exc) and reopen is not None:
            yield from _load_whole_gzip_warc(reopen, name, max_page_bytes, skip=yielded)
            return
        yield Unreadable(f"corrupt WARC after offset {end} ({_first_words(exc)})", input=f"{name}@{end}")
        return
    except Exception as exc:  # warcio raises assorted errors on cut or garbled input
        yield Unreadable(f"corrupt or truncated WARC after offset {end} ({_first_words(exc)})",
                         input=f"{name}@{end}")
        return
    span.next = end
    trailing = span.base + tally.count - end
    if trailing > 0 and (trailing > len(tally.tail) or tally.tail[-trailing:].strip()):
        yield Unreadable(f"truncated or corrupt WARC after offset {end}", input=f"{name}@{end}")


def _isal_gzip() -> isal_zlib.Decompress:
    return isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)


def _inflate_with_isal(iterator: ArchiveIterator) -> None:
    """Have warcio inflate the gzip members with ISA-L instead of zlib.

    Inflating is most of what reading a WARC costs (with zlib, about 0.6 ms of CPU for a
    240 kB page), and in `scrape clean -j N` the parent does it for every worker. ISA-L
    inflates the same members about twice as fast. warcio makes a new decompressor per
    member from its reader's `DECOMPRESSORS`, so the reader gets its own copy of that table.
    """
    reader = iterator.reader
    if reader.decomp_type != "gzip" or reader.num_read:
        return
    reader.DECOMPRESSORS = {**reader.DECOMPRESSORS, "gzip": _isal_gzip}
    reader.decompressor = _isal_gzip()


def _load_whole_gzip_warc(reopen: Reopen, name: str, max_page_bytes: int, skip: int) -> Iterator[Page | SkipError]:
    """A WARC gzipped as one member: read it decompressed; offsets are then uncompressed ones."""
    try:
        handle = igzip.open(reopen(), "rb")  # type: ignore[no-untyped-call]  # isal.igzip has no annotations
    except OSError as exc:
        yield Unreadable(f"cannot read: {exc.strerror or exc}", input=name)
        return
    with handle:
        for index, item in enumerate(load_warc(handle, name, max_page_bytes)):
            if index >= skip:
                yield item


def _first_words(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def _warc_record(record: ArcWarcRecord, max_page_bytes: int) -> tuple[_WarcPage | None, bool]:
    """What a WARC record holds if it is an HTML 200 response (else None), and whether the
    record was whole. Reads the record to its end either way."""
    page = None
    http = record.http_headers
    if record.rec_type == "response" and http is not None:
        content_type = (http.get_header("Content-Type") or "").lower()
        if http.get_statuscode() == "200" and content_type.split(";")[0].strip() in HTML_CONTENT_TYPES:
            body = record.content_stream().read(max_page_bytes + 1)
            page = _WarcPage(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                date=record.rec_headers.get_header("WARC-Date"),
                headers=tuple((k, v) for k, v in http.headers if k.lower() not in _TRANSFER_HEADERS),
                charset=_charset_of(http.get_header("Content-Type")),
                body=body,
                max_bytes=max_page_bytes,
            )
    raw = record.raw_stream
    while raw.read(_READ_BYTES):
        pass
    # A record whose header was cut off has no Content-Length, one whose block was cut off
    # leaves its LimitReader short.
    complete = record.length is not None and getattr(raw, "limit", 0) <= 0
    return page, complete


@dataclass
class _WarcPage:
    """A WARC response, waiting for its record offset to become a Page."""

    url: str | None
    date: str | None
    headers: tuple[tuple[str, str], ...]
    charset: str | None
    body: bytes
    max_bytes: int

    def finish(self, name: str, offset: int) -> Page | SkipError:
        source = Source(name, offset=offset)
        if len(self.body) > self.max_bytes:
            return Unreadable(f"record body larger than {self.max_bytes} bytes", input=str(source))
        return Page(
            source=source,
            body=self.body,
            kind="html",
            url=self.url,
            requested_url=self.url,
            status=200,
            headers=self.headers,
            fetched_at=parse_warc_date(self.date),
            charset=self.charset,
        )


def _charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def parse_warc_date(value: str | None) -> datetime | None:
    """A WARC-Date (ISO 8601, UTC "Z", maybe with fractions) as an aware datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
