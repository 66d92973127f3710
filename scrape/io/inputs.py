"""Inputs: turn the paths given to `scrape clean` into a stream of `Page`s.

An input is an HTML file, a plain-text dump, a JSONL file (one record per line), a WARC or
an ARC (plain or record-gzipped), any of these gzipped, a folder of them (walked recursively
in name order), or "-" for stdin. The kind is told by content, not by name: gzip by its
magic bytes (then the inside is sniffed), a WARC by its "WARC/1.x" version line (an ARC by
its "filedesc://" one), JSONL by a first line that is a JSON object with an `html` or `text`
key, HTML by markup at the start.

Everything streams: a folder is walked lazily, WARC records and JSONL lines are read one
at a time, so memory does not grow with the size of an input. An input (or one record of
it) that cannot be loaded is yielded as a `SkipError` naming it, and loading goes on.
Decoding bytes to text is left to `clean_page`; `Page.body` stays bytes.

Reads no config keys; `LoadOptions.max_page_bytes` bounds one page's body.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

import orjson
from isal import igzip

from ..clean.decode import looks_binary
from ..errors import EmptyInput, SkipError, UnexpectedError, Unreadable
from ..models import Page, Source
from .remote import is_url, open_url
from .split import first_record
from .streams import (
    GZIP_ERRORS,
    ByteStream,
    Reopen,
    Replayable,
    gzip_detail,
    read_head,
    read_head_until_error,
)
from .warc import Span, WarcLoader, load_arc, load_warc

STDIN = "-"
STDIN_NAME = "<stdin>"

GZIP_MAGIC = b"\x1f\x8b"
# Bytes read from the start of an input to tell its kind (the first JSONL line may need more).
SNIFF_BYTES = 64 * 1024
# Walking a folder, only these names are read (each may also end in ".gz"); files named on
# the command line are read whatever their name. Names without a suffix are read too.
FOLDER_SUFFIXES = frozenset({
    ".html", ".htm", ".xhtml", ".shtml", ".txt", ".text", ".jsonl", ".ndjson", ".warc", ".arc",
})
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

ARC_START = b"filedesc://"  # an ARC file's first record
_WARC_START = re.compile(rb"WARC/\d|" + ARC_START)
_HTML_START = re.compile(r"\s*<")
_HTML_MARKERS = re.compile(r"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_BLOCK_TAGS = re.compile(r"</?(p|div|br|span|a|article|section|h[1-6]|li|table)[\s/>]", re.IGNORECASE)


@dataclass(frozen=True)
class LoadOptions:
    """How inputs are loaded."""

    max_page_bytes: int = 64 * 1024 * 1024  # a page body (or JSONL line) larger than this is skipped
    load_warc: WarcLoader = load_warc  # reads the pages of a WARC input (tests pass one that breaks)


def iter_pages(paths: list[str], options: LoadOptions | None = None,
               stdin: ByteStream | None = None) -> Iterator[Page | SkipError]:
    """Load every input named in `paths`, lazily, in order.

    Args:
        paths: files, folders, or "-" for stdin.
        options: loading limits.
        stdin: the stream "-" reads (default: sys.stdin's binary buffer).
    Yields:
        a `Page` per page found, or a `SkipError` (EmptyInput, Unreadable) naming an input
        or record that could not be loaded. Never raises for a bad input.
    """
    options = options or LoadOptions()
    for path in paths:
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _guarded(_load_stream(stream, STDIN_NAME, options, reopen=None), STDIN_NAME)
        elif os.path.isdir(path):
            for item in walk_folder(path):
                if isinstance(item, SkipError):
                    yield item
                else:
                    yield from _guarded(load_file(item, options), item)
        else:
            yield from _guarded(load_file(path, options), path)


def _guarded(items: Iterator[Page | SkipError], name: str) -> Iterator[Page | SkipError]:
    """The items of one input; an unexpected exception ends that input only, as a skip."""
    try:
        yield from items
    except Exception as exc:
        yield UnexpectedError.from_exception(exc, name)


def walk_folder(folder: str) -> Iterator[str | SkipError]:
    """The page files under `folder`, recursively, sorted by name at each level.

    Hidden entries (".name") are left out, and so are files whose suffix is not one of
    FOLDER_SUFFIXES (with or without ".gz"). Symlinked folders are not followed, so a link
    loop cannot trap the walk. A folder that cannot be listed is yielded as Unreadable.
    """
    first = _listing(folder)
    if isinstance(first, SkipError):
        yield first
        return
    stack = [first]  # the listings of the folders being walked, innermost last
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        kind = _entry_kind(entry)
        if kind == "folder":
            listing = _listing(entry.path)
            if isinstance(listing, SkipError):
                yield listing
            else:
                stack.append(listing)
        elif kind == "page":
            yield entry.path


def _listing(folder: str) -> Iterator[os.DirEntry[str]] | Unreadable:
    """The entries of `folder`, sorted by name."""
    try:
        with os.scandir(folder) as entries:
            return iter(sorted(entries, key=lambda e: e.name))
    except OSError as exc:
        return Unreadable(f"cannot list folder: {exc.strerror}", input=folder)


def _entry_kind(entry: os.DirEntry[str]) -> Literal["folder", "page"] | None:
    """A folder to walk into, a page file to read, or None: hidden, not a page file, or gone."""
    if entry.name.startswith("."):
        return None
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        is_file = entry.is_file()
    except OSError:
        return None
    return "page" if is_file and _wanted_in_folder(entry.name) else None


def _wanted_in_folder(name: str) -> bool:
    stem = name[:-3] if name.lower().endswith(".gz") else name
    suffix = os.path.splitext(stem)[1].lower()
    return suffix == "" or suffix in FOLDER_SUFFIXES


def load_file(path: str, options: LoadOptions | None = None) -> Iterator[Page | SkipError]:
    """Load one file (HTML, text, JSONL, WARC, any of them gzipped) into pages; `path` may
    be a URL (`io.remote`)."""
    options = options or LoadOptions()
    handle = _open_or_skip(path)
    if isinstance(handle, SkipError):
        yield handle
        return
    with handle:
        yield from _load_stream(handle, path, options, reopen=lambda: open_input(path))


def _open_or_skip(path: str) -> BinaryIO | SkipError:
    """The input opened, or the skip that says why it cannot be."""
    try:
        return open_input(path)
    except OSError as exc:
        return Unreadable(_os_detail(exc), input=path)
    except SkipError as exc:
        return exc


def open_input(path: str) -> BinaryIO:
    """A file or a URL (through fsspec), opened for reading bytes.

    Raises:
        OSError: a file that cannot be opened.
        Unreadable: a URL that cannot be opened.
    """
    return open_url(path) if is_url(path) else open(path, "rb")


def load_warc_span(path: str, span: Span, options: LoadOptions | None = None) -> Iterator[Page | SkipError]:
    """The pages of the records of a record-gzipped WARC (file or URL) that start in
    [span.base, span.stop): one partition of a split WARC (`io.split`). Sets `span.first` to
    the first record's offset, and `span.next` to the offset reading stopped at."""
    options = options or LoadOptions()
    handle = _open_or_skip(path)
    if isinstance(handle, SkipError):
        yield handle
        return
    with handle:
        start = first_record(handle, span.base, sys.maxsize if span.stop is None else span.stop)
        if start is None:  # no record starts in this range: the one before reads across it
            return
        handle.seek(start)
        span.base = span.first = start
        yield from load_warc(handle, path, options.max_page_bytes, span=span)


def _os_detail(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {exc.strerror or exc}"


# --- telling kinds apart -------------------------------------------------------------------


def sniff_kind(head: bytes, name: str = "") -> str:
    """The kind of an (uncompressed) input from its first bytes: warc, jsonl, html or text.

    `name` only breaks a tie: a ".jsonl" file whose first line is an object but not a page
    record is still JSONL (so that line becomes a skip, not the whole file a text page).
    """
    if _WARC_START.match(head):
        return "warc"
    text = _head_text(head)
    first = _first_line(text)
    if first.startswith("{"):
        if _is_page_record(first) or name.lower().endswith(JSONL_SUFFIXES):
            return "jsonl"
    if _HTML_START.match(text) or _HTML_MARKERS.search(text) or len(_BLOCK_TAGS.findall(text)) >= 5:
        return "html"
    return "text"


def _head_text(head: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if head.startswith(bom):
            return head.decode(codec, errors="replace")
    return head.decode("utf-8", errors="replace")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _is_page_record(line: str) -> bool:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(record, dict) and ("html" in record or "text" in record)


# --- one input ----------------------------------------------------------------------------


def _extend_first_line(stream: ByteStream, head: bytes, limit: int) -> tuple[bytes, BaseException | None]:
    """Read on until the head holds its first non-empty line whole (for JSONL sniffing)."""
    while len(head) < limit:
        stripped = head.lstrip()
        if not stripped.startswith((b"{", b"\xef\xbb\xbf{")) or b"\n" in stripped:
            break
        more, error = read_head_until_error(stream, SNIFF_BYTES)
        head += more
        if error is not None or not more:
            return head, error
    return head, None


@dataclass(frozen=True)
class _Sniffed:
    """An input opened and its kind told."""

    kind: str  # warc, jsonl, html or text
    stream: Replayable  # the input's bytes (inflated when it is gzipped), from the first
    head: bytes  # its first bytes, the whole first line when that is a JSON object
    gzipped: bool
    gzip_error: BaseException | None  # met while reading the head; what came before is read


def _load_stream(raw: ByteStream, name: str, options: LoadOptions, reopen: Reopen | None) -> Iterator[Page | SkipError]:
    """Sniff one input's kind and hand it to the loader for that kind."""
    outer = Replayable(raw)
    sniffed = _sniff(outer, name, options)
    if isinstance(sniffed, SkipError):
        yield sniffed
        return
    if sniffed.gzip_error is not None and sniffed.kind not in ("warc", "jsonl"):
        # WARC and JSONL are read record by record, say where they break and keep what came
        # before; a page cut short would be cleaned into a partial article that looks whole.
        yield Unreadable(f"corrupt gzip data ({gzip_detail(sniffed.gzip_error)})", input=name)
        return
    if sniffed.kind == "warc":
        # warcio reads record-gzipped WARCs itself, and its offsets are the compressed ones.
        outer.rewind(record=False)
        load = load_arc if sniffed.head.startswith(ARC_START) else options.load_warc
        yield from load(outer, name, options.max_page_bytes, reopen if sniffed.gzipped else None)
        return
    if sniffed.gzipped:
        outer.stop_recording()
    sniffed.stream.rewind(record=False)
    if sniffed.kind == "jsonl":
        yield from _load_jsonl(sniffed.stream, name, options, sniffed.gzip_error)
    else:
        yield from _load_document(sniffed.stream, sniffed.head, sniffed.kind, name, options)


def _sniff(outer: Replayable, name: str, options: LoadOptions) -> _Sniffed | SkipError:
    """Read the head of an input (inflating it when it is gzipped) and tell its kind; an
    empty or unreadable input is a skip."""
    try:
        head = read_head(outer, SNIFF_BYTES)
    except OSError as exc:
        return Unreadable(_os_detail(exc), input=name)
    if not head.strip():
        return EmptyInput("empty input", input=name)
    stream, gzipped, gzip_error = outer, head.startswith(GZIP_MAGIC), None
    if gzipped:
        outer.rewind(record=True)
        # ISA-L: 2-3 times zlib's speed. isal.igzip carries no annotations.
        stream = Replayable(igzip.GzipFile(fileobj=outer, mode="rb"))  # type: ignore[no-untyped-call]
        head, gzip_error = read_head_until_error(stream, SNIFF_BYTES)
        if not head.strip():
            if gzip_error is not None:
                return Unreadable(f"corrupt gzip data ({gzip_detail(gzip_error)})", input=name)
            return EmptyInput("empty input (gzip holds nothing)", input=name)
    if gzip_error is None:
        head, gzip_error = _extend_first_line(stream, head, options.max_page_bytes)
    return _Sniffed(sniff_kind(head, name), stream, head, gzipped, gzip_error)


def _load_document(stream: Replayable, head: bytes, kind: str, name: str,
                   options: LoadOptions) -> Iterator[Page | SkipError]:
    """A whole file (or stdin) that is one HTML page or one text dump."""
    if looks_binary(head):
        yield Unreadable("binary data, not text", input=name)
        return
    try:
        body = read_head(stream, options.max_page_bytes + 1)
    except GZIP_ERRORS as exc:
        # A partial page would be cleaned into a partial article that looks whole: skip it.
        yield Unreadable(f"corrupt gzip data ({gzip_detail(exc)})", input=name)
        return
    if len(body) > options.max_page_bytes:
        yield Unreadable(f"larger than {options.max_page_bytes} bytes", input=name)
        return
    yield Page(source=Source(name), body=body, kind=kind)


# --- JSONL ---------------------------------------------------------------------------------


def _load_jsonl(stream: Replayable, name: str, options: LoadOptions,
                known_error: BaseException | None = None) -> Iterator[Page | SkipError]:
    """One page per line; a bad line is a skip for that line only.

    `known_error` is a gzip error met while sniffing: the lines before it are still read.
    """
    reader = io.BufferedReader(stream, buffer_size=SNIFF_BYTES)
    number = 0
    limit = options.max_page_bytes
    while True:
        try:
            line = reader.readline(limit + 1)
        except GZIP_ERRORS as exc:
            yield Unreadable(f"corrupt gzip data after line {number} ({gzip_detail(exc)})",
                             input=f"{name}:{number + 1}")
            return
        if not line:
            if known_error is not None:
                yield Unreadable(f"corrupt gzip data after line {number} ({gzip_detail(known_error)})",
                                 input=f"{name}:{number + 1}")
            return
        number += 1
        source = Source(name, line=number)
        if len(line) > limit and not line.endswith(b"\n"):
            try:
                while (rest := reader.readline(SNIFF_BYTES)) and not rest.endswith(b"\n"):
                    pass
            except GZIP_ERRORS:
                pass
            yield Unreadable(f"line longer than {limit} bytes", input=str(source))
            continue
        if not line.strip():
            continue
        yield _jsonl_page(line, source, truncated=not line.endswith(b"\n"))


def _jsonl_page(line: bytes, source: Source, truncated: bool) -> Page | SkipError:
    name = str(source)
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if truncated:
            return Unreadable("truncated JSON record at end of input", input=name)
        return Unreadable(f"not valid JSON ({exc})", input=name)
    if not isinstance(record, dict):
        return Unreadable("not a JSON object", input=name)
    kind = "html" if "html" in record else "text" if "text" in record else None
    if kind is None:
        return Unreadable("record has no html or text field", input=name)
    content = record[kind]
    if not isinstance(content, str):
        return Unreadable(f"field {kind!r} is not a string", input=name)
    if not content.strip():
        return EmptyInput(f"empty {kind} field", input=name)
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        return Unreadable("field 'url' is not a string", input=name)
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int, float, type(None))):
        return Unreadable("field 'id' is not a string or number", input=name)
    return Page(
        source=source,
        body=content.encode("utf-8", errors="replace"),  # "replace" only touches lone surrogates
        kind=kind,
        url=url or None,
        requested_url=url or None,
        record_id=None if record_id is None else str(record_id),
        charset="utf-8",
    )
