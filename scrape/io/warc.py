"""WARC input: the HTML pages in a WARC or an ARC (plain or record-gzipped), streamed record
by record.

Response records with status 200 and an HTML Content-Type become pages, with WARC-Target-URI
as url, WARC-Date as fetched_at, the HTTP headers, the charset the HTTP Content-Type
declares, and Source(path, offset) pointing at the record (the compressed offset in a
record-gzipped WARC); so do resource and conversion records whose WARC Content-Type is HTML
(no HTTP response: the charset is the WARC Content-Type's). An ARC file's records are read
as WARC ones (warcio's arc2warc). A record cut short, or bytes after the last whole record
that are not a record, end the input with an Unreadable naming the offset. Used by
`inputs`; reads no config keys.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
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

log = logging.getLogger(__name__)


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


def load_arc(stream: ByteStream, name: str, max_page_bytes: int,
             reopen: Reopen | None = None) -> Iterator[Page | SkipError]:
    """The HTML pages of an ARC file, its records read as WARC ones (see load_warc)."""
    return load_warc(stream, name, max_page_bytes, reopen, arc=True)


def load_warc(stream: ByteStream, name: str, max_page_bytes: int,
              reopen: Reopen | None = None, arc: bool = False,
              span: Span | None = None) -> Iterator[Page | SkipError]:
    """HTML pages (response records with status 200, resource and conversion records), one
    at a time; other records are passed over.

    Args:
        stream: the WARC, plain or record-gzipped, read from its first byte.
        name: the input's name, for each page's `Source` and for skips.
        max_page_bytes: a record body larger than this is skipped.
        reopen: opens the input again from the start, for a WARC gzipped as one member.
        arc: the input is an ARC file (warcio's arc2warc reads its records as WARC ones; not
            for WARCs, where it would take bytes after the last record for an ARC header).
        span: read only the records starting in a byte range (the stream starts at its base).

    A record cut short, or bytes after the last whole record that are not a record, end the
    input with an Unreadable naming the offset where it went wrong.
    """
    span = span or Span()
    tally = _Tally(stream)
    iterator = ArchiveIterator(tally, arc2warc=arc)
    _inflate_with_isal(iterator)
    yielded = 0  # items given out, to resume after a whole-file-gzip fallback
    end = span.base  # offset just past the last whole record
    try:
        for pending, complete, offset, length in _read_records(iterator, max_page_bytes, span):
            if not complete:
                yield Unreadable("truncated WARC record", input=f"{name}@{offset}")
                return
            end = offset + length
            if pending is not None:
                yielded += 1
                yield pending.finish(name, offset)
    except ArchiveLoadFailed as exc:
        if _WHOLE_FILE_GZIP in str(exc) and reopen is not None:
            yield from _load_whole_gzip_warc(reopen, name, max_page_bytes, skip=yielded, arc=arc)
            return
        yield Unreadable(f"corrupt WARC after offset {end} ({_first_words(exc)})", input=f"{name}@{end}")
        return
    except Exception as exc:  # warcio raises assorted errors on cut or garbled input
        yield Unreadable(f"corrupt or truncated WARC after offset {end} ({_first_words(exc)})",
                         input=f"{name}@{end}")
        return
    if span.next is not None:  # stopped at the first record of the next span: nothing trails
        return
    span.next = end
    trailing = span.base + tally.count - end
    if trailing > 0 and (trailing > len(tally.tail) or tally.tail[-trailing:].strip()):
        yield Unreadable(f"truncated or corrupt WARC after offset {end}", input=f"{name}@{end}")


class _ToDebugLog(io.TextIOBase):
    """Where warcio's own prints to stderr go ("WARNING: Record not followed by newline..."):
    the debug log, shown with -v. A cron job's stderr stays empty; what goes wrong with a
    record is reported as a skip."""

    def write(self, text: str) -> int:
        if text.strip():
            log.debug("warcio: %s", " ".join(text.split()))
        return len(text)


_WARCIO_STDERR = _ToDebugLog()


def _read_records(iterator: ArchiveIterator, max_page_bytes: int,
                  span: Span) -> Iterator[tuple[_WarcPage | None, bool, int, int]]:
    """(page or None, whole, offset, length) per record of the span, each read with stderr
    sent to the debug log (only while warcio reads: never across a yield, where the caller
    prints)."""
    records = iter(iterator)
    while True:
        with redirect_stderr(_WARCIO_STDERR):
            record = next(records, None)
            if record is None or span.past(iterator):
                return
            pending, complete = _warc_record(record, max_page_bytes)
            # warcio knows a record's offset only once the record has been read through.
            offset, length = span.base + iterator.get_record_offset(), iterator.get_record_length()
        yield pending, complete, offset, length


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


def _load_whole_gzip_warc(reopen: Reopen, name: str, max_page_bytes: int, skip: int,
                          arc: bool = False) -> Iterator[Page | SkipError]:
    """A WARC gzipped as one member: read it decompressed; offsets are then uncompressed ones."""
    try:
        handle = igzip.open(reopen(), "rb")  # type: ignore[no-untyped-call]  # isal.igzip has no annotations
    except OSError as exc:
        yield Unreadable(f"cannot read: {exc.strerror or exc}", input=name)
        return
    with handle:
        for index, item in enumerate(load_warc(handle, name, max_page_bytes, arc=arc)):
            if index >= skip:
                yield item


def _first_words(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def _warc_record(record: ArcWarcRecord, max_page_bytes: int) -> tuple[_WarcPage | None, bool]:
    """What a WARC record holds if it is an HTML page (else None), and whether the record was
    whole. Reads the record to its end either way."""
    if record.rec_type == "response":
        page = _response_page(record, max_page_bytes)
    elif record.rec_type in ("resource", "conversion"):
        page = _resource_page(record, max_page_bytes)
    else:
        page = None
    raw = record.raw_stream
    while raw.read(_READ_BYTES):
        pass
    # A record whose header was cut off has no Content-Length, one whose block was cut off
    # leaves its LimitReader short.
    complete = record.length is not None and getattr(raw, "limit", 0) <= 0
    return page, complete


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").lower().split(";")[0].strip() in HTML_CONTENT_TYPES


def _response_page(record: ArcWarcRecord, max_page_bytes: int) -> _WarcPage | None:
    """An HTTP response with status 200 and an HTML Content-Type (an ARC record is one too)."""
    http = record.http_headers
    if http is None or http.get_statuscode() != "200" or not _is_html(http.get_header("Content-Type")):
        return None
    return _WarcPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        date=record.rec_headers.get_header("WARC-Date"),
        headers=tuple((k, v) for k, v in http.headers if k.lower() not in _TRANSFER_HEADERS),
        charset=_charset_of(http.get_header("Content-Type")),
        body=record.content_stream().read(max_page_bytes + 1),
        max_bytes=max_page_bytes,
    )


def _resource_page(record: ArcWarcRecord, max_page_bytes: int) -> _WarcPage | None:
    """A resource record (a page kept as it was, without an HTTP response: a browser's save,
    a file) or a conversion record (a page made from another record) whose WARC
    Content-Type is HTML."""
    content_type = record.rec_headers.get_header("Content-Type")
    if not _is_html(content_type):
        return None
    return _WarcPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        date=record.rec_headers.get_header("WARC-Date"),
        headers=(("content-type", content_type),),
        charset=_charset_of(content_type),
        body=record.content_stream().read(max_page_bytes + 1),
        max_bytes=max_page_bytes,
    )


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
