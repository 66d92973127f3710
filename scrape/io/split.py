"""Where records start in a record-gzipped WARC, so that one large WARC can be read as byte
ranges by separate tasks (`scrape clean --engine dask`), none of which reads the whole file.

A record-gzipped WARC (the form crawlers, Common Crawl included, write) is one gzip member per
record. A range [start, stop) owns the records whose first byte lies in it: its reader finds
the first member at or after `start` that inflates to a WARC record header and is followed by
another such member (or the end of the file), reads records from there, and stops at the
first record that starts at or after `stop` (`warc.Span`). Two neighbouring ranges so meet
exactly, every record read once. The planner splits only files whose first member is one
record followed by another member; a WARC gzipped as one member, or not gzipped, is read
whole. Reads no config keys.

A gzip header inside compressed data (three bytes, 1f 8b 08) is a false start that the
check rejects: it does not inflate to "WARC/". The case the check cannot tell from a real
record is a record whose payload is itself a record-gzipped WARC stored uncompressed; the
engine checks afterwards that the ranges of each file met (`Span.next`) and says so if not.
"""

from __future__ import annotations

import re
import zlib
from typing import BinaryIO

GZIP_MEMBER = b"\x1f\x8b\x08"  # magic and the deflate method: how every member begins
SCAN_BYTES = 1024 * 1024  # read at a time while looking for a member
_INFLATE_STEP = 1024 * 1024  # inflated bytes produced at a time, so a bomb cannot fill memory
_WARC_START = re.compile(rb"WARC/\d")


def member_end(handle: BinaryIO, offset: int) -> int | None:
    """If a gzip member holding the start of a WARC record begins at `offset`, the offset just
    past that member; else None (not gzip, not a WARC record, or cut short)."""
    handle.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head = b""
    consumed = 0
    while not inflater.eof:
        data = handle.read(SCAN_BYTES)
        if not data:
            return None
        consumed += len(data)
        try:
            while data and not inflater.eof:
                out = inflater.decompress(data, _INFLATE_STEP)
                data = inflater.unconsumed_tail
                if len(head) < 8:
                    head += out[:8]
                    if len(head) >= 6 and not _WARC_START.match(head):
                        return None
        except zlib.error:
            return None
    if not _WARC_START.match(head):
        return None
    return offset + consumed - len(inflater.unused_data)


def _followed_by_record(handle: BinaryIO, end: int) -> bool:
    """Whether the bytes at `end` are the end of the file or another record's member."""
    handle.seek(end)
    if not handle.read(1):
        return True
    return member_end(handle, end) is not None


def is_record_gzipped(handle: BinaryIO) -> bool:
    """Whether a WARC (read from its first byte) is gzipped one member per record: its first
    member is followed by another (a WARC gzipped whole is one member, and cannot be split)."""
    end = member_end(handle, 0)
    return end is not None and member_end(handle, end) is not None


def first_record(handle: BinaryIO, start: int, stop: int) -> int | None:
    """The offset of the first record member that starts in [start, stop), or None."""
    if start == 0:
        return 0
    position = start
    while position < stop:
        handle.seek(position)
        block = handle.read(SCAN_BYTES + len(GZIP_MEMBER) - 1)
        if not block:
            return None
        index = block.find(GZIP_MEMBER)
        while index != -1 and index < SCAN_BYTES and position + index < stop:
            candidate = position + index
            end = member_end(handle, candidate)
            if end is not None and _followed_by_record(handle, end):
                return candidate
            index = block.find(GZIP_MEMBER, index + 1)
        position += SCAN_BYTES
    return None
