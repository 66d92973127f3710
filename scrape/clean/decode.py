"""Bytes to text: BOM, then the declared charset (HTTP header, record), then
`<meta charset>`, then detection. Undecodable bytes become U+FFFD, never an exception;
input that is mostly binary is `Unreadable`. No I/O.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import EmptyInput, Unreadable

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Control bytes that text files seldom hold, counted to tell binary data from text (bytes,
# before decoding: not text.py's invisible characters, which are taken out of decoded text).
_BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Only the head of a document is looked at for a declaration, as browsers do.
_SNIFF_BYTES = 4096
_DETECT_BYTES = 65536  # detection reads this much of an undeclared body
_CP1252_SLACK = 0.05  # how much more "chaos" windows-1252 may show than the best guess
_STRAY_BAD_BYTES = 2


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
        b"<".decode(codec, errors="replace")  # a text codec that can replace: not base64, rot13, idna
    except (LookupError, UnicodeError):
        return None
    # Browsers read latin-1 and ascii declarations as windows-1252; so do we.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def sniff_meta_charset(head: bytes) -> str | None:
    """The charset a `<meta>` tag in the first few KB declares, if any."""
    match = _META_CHARSET.search(head[:_SNIFF_BYTES])
    codec = _codec(match.group(1).decode("ascii", "replace")) if match else None
    # A <meta> readable as ASCII is not in UTF-16/32, whatever it says (the HTML standard reads it as UTF-8).
    return "utf-8" if codec and codec.startswith(("utf-16", "utf-32")) else codec


def looks_binary(sample: bytes) -> bool:
    """True when the bytes are not text in any ASCII-compatible or UTF-16/32 encoding."""
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    head = sample[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    return len(_BINARY_CONTROL.findall(head)) > len(head) * 0.05


def _as_utf8(body: bytes) -> str | None:
    """The body read as UTF-8, or None when it is not valid UTF-8 (decoded once: the text is
    what the caller wants when it is)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detect(body: bytes) -> str:
    """The likeliest single-byte or multi-byte encoding of undeclared, non-UTF-8 bytes.

    Detection often prefers a Baltic or Central European code page for French or Spanish
    text in windows-1252 ("aprčs" for "après"); windows-1252 wins when it reads the bytes
    about as cleanly as the best guess, being by far the commonest of them on the web.
    """
    matches = from_bytes(body[:_DETECT_BYTES])
    best = matches.best()
    if best is None:
        return "cp1252"
    for match in matches:
        if _codec(match.encoding) == "cp1252" and match.chaos <= best.chaos + _CP1252_SLACK:
            return "cp1252"
    return _codec(best.encoding) or "cp1252"


def _as_declared(body: bytes, codec: str) -> str | None:
    """The body in the charset it declares, unless that shows itself wrong: a UTF-8
    declaration on other bytes shows as many replacement characters (one per accented
    letter); a stray bad byte or two is only damage, kept as U+FFFD."""
    text = body.decode(codec, errors="replace")
    if codec != "utf-8" or text.count("\ufffd") <= max(_STRAY_BAD_BYTES, len(text) // 500):
        return text
    return None


def decode_body(body: bytes, declared: str | None = None, name: str | None = None) -> str:
    """Decode a page body.

    Order: a BOM; bytes that are valid UTF-8 with non-ASCII in them are UTF-8, whatever a
    declaration says (a wrong declaration is common, valid UTF-8 by chance is not); the
    declared charset (HTTP header or record), then `<meta charset>`, unless it shows itself
    wrong; then detection. Undecodable bytes become U+FFFD.

    Args:
        body: the raw bytes.
        declared: a charset given outside the body (HTTP Content-Type, a record field).
        name: the input, for error messages.
    Raises:
        EmptyInput: no bytes, or only whitespace.
        Unreadable: the bytes are binary, not text.
    """
    if not body or body.isspace():  # (not body.strip(), which copies the whole body)
        raise EmptyInput("empty input", input=name)
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    declared_codec = _codec(declared)
    if declared_codec and declared_codec.startswith(("utf-16", "utf-32")):
        return body.decode(declared_codec, errors="replace")  # NUL bytes are its ASCII, not binary
    if looks_binary(body):
        raise Unreadable("binary data, not text", input=name)
    if not body.isascii() and (text := _as_utf8(body)) is not None:
        return text
    for charset in (declared_codec, sniff_meta_charset(body)):
        if charset and (text := _as_declared(body, charset)) is not None:
            return text
    if (text := _as_utf8(body)) is not None:
        return text
    return body.decode(_detect(body), errors="replace")
