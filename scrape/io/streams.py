"""Byte streams the input loaders share: a stream that can be read again from its start (to
sniff stdin or a gzip member before reading it), and reads of an input's first bytes that
stop at a gzip error instead of raising it. Reads no config keys.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from isal import isal_zlib

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


class ByteStream(Protocol):
    """What an input is read from: a file, stdin, a gzip member, a `Replayable`."""

    def read(self, size: int = -1, /) -> bytes | None: ...


Reopen = Callable[[], ByteStream]  # opens an input again, from its first byte

# isal's stub declares `isal_zlib.error` an instance; it is the exception class.
_ISAL_ERROR = cast(type[Exception], isal_zlib.error)
# What reading a gzipped input can raise: cut short (EOFError), corrupt (zlib's, ISA-L's, OSError).
GZIP_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, _ISAL_ERROR)


class Replayable(io.RawIOBase):
    """A read-only stream that can be rewound to its start while it records.

    Lets us sniff the head of stdin or of a gzip member and then read the input from the
    start, without seeking. Recording stops at the first rewind(record=False), after which
    the recorded bytes are replayed once and dropped.
    """

    def __init__(self, raw: ByteStream):
        self._raw = raw
        self._buf = bytearray()
        self._pos = 0
        self._recording = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        target = memoryview(buffer).cast("B")
        want = len(target)
        if self._pos < len(self._buf):
            chunk = self._buf[self._pos:self._pos + want]
            target[:len(chunk)] = chunk
            self._pos += len(chunk)
            if not self._recording and self._pos == len(self._buf):
                self._buf, self._pos = bytearray(), 0
            return len(chunk)
        data = self._raw.read(want)
        if not data:
            return 0
        if self._recording:
            self._buf += data
            self._pos += len(data)
        target[:len(data)] = data
        return len(data)

    def rewind(self, record: bool = False) -> None:
        """Start again from the first byte; keep recording only if `record`."""
        self._pos = 0
        self._recording = record

    def stop_recording(self) -> None:
        """Go on from here, forgetting what was read so far."""
        del self._buf[:self._pos]
        self._pos = 0
        self._recording = False


def read_head(stream: ByteStream, size: int) -> bytes:
    """Up to `size` bytes, reading again after short reads (pipes, gzip)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        data = stream.read(size - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def read_head_until_error(stream: ByteStream, size: int) -> tuple[bytes, BaseException | None]:
    """Like read_head, but a gzip error ends the read and is returned with what came before.

    Reads in small steps: GzipFile drops what one read() had decompressed when it raises.
    """
    parts: list[bytes] = []
    got = 0
    while got < size:
        try:
            data = stream.read(min(size - got, 4096))
        except GZIP_ERRORS as exc:
            return b"".join(parts), exc
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts), None


def gzip_detail(exc: BaseException) -> str:
    """What a gzip error says, for a skip: "truncated", or the library's words."""
    if isinstance(exc, EOFError):
        return "truncated"
    return str(exc) or type(exc).__name__
