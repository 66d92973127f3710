"""The fetcher: one pooled httpx client, retries, redirects, limits and address safety.

Reads from `crawl`: `user_agent`, `http2`, `concurrency` (pool size), `connect_timeout`,
`read_timeout`, `total_timeout`, `max_redirects`, `max_bytes`, `retries`, `backoff_base`,
`backoff_max`, `retry_after_max` and `allow_private`.

Safety: only http and https, on the first URL and on every redirect hop; every connection
goes to an address checked to be public (`transport`). Bodies are decompressed here, not by
httpx, so `max_bytes` bounds the decompressed size before it is allocated.

Retries (tenacity) cover transport errors and 429/500/502/503/504, with exponential backoff
and jitter; a `Retry-After` up to `retry_after_max` is waited for, a longer one ends the
tries for this run. Every other status is final.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import zlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin

import brotli
import httpx
import sniffio  # noqa: F401  -- without it httpcore wastes CPU on failed imports per request
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from ..config import CrawlConfig
from ..errors import FetchError, HTTPStatusError, TooLarge, TransportError, UnsafeURL
from ..models import Page, Source
from .transport import guarded_transport
from .urls import check_url

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Content-Encodings one body may stack ("gzip, br" is the most seen in the wild). Each layer
# is a decompressor with its own window (~25 KB): a header listing "gzip" 16,000 times
# over a body compressed as often would cost 400 MB before a byte came out.
MAX_ENCODINGS = 3
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class TooManyRedirects(HTTPStatusError):
    """More redirect hops than `crawl.max_redirects` (a loop, most often)."""

    reason = "redirects"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


# --- bounded decompression -------------------------------------------------------------


class _Inflater(Protocol):
    """Undoes one Content-Encoding, never giving more than `room + 1` bytes at once."""

    def inflate(self, data: bytes, room: int) -> bytes: ...

    def flush(self, data: bytes, room: int) -> bytes:
        """The last of the output: `data` (the layer above's last) and what is held back."""


class _ZlibInflater:
    """gzip, or deflate: zlib-wrapped per the RFC, raw in practice, so told by its first byte."""

    def __init__(self, wbits: int, raw_allowed: bool = False):
        self._inflater = zlib.decompressobj(wbits)
        self._sniff = raw_allowed  # the first bytes are still to be looked at

    def inflate(self, data: bytes, room: int) -> bytes:
        if self._sniff and data:
            self._sniff = False
            if (data[0] & 0x0F) != 8:  # not a zlib header: raw deflate
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflater.decompress(data, room + 1)  # max_length: never more than the room left

    def flush(self, data: bytes, room: int) -> bytes:
        return self._inflater.decompress(data, room + 1) + self._inflater.flush()


class _BrotliInflater:
    def __init__(self) -> None:
        self._inflater = brotli.Decompressor()

    def inflate(self, data: bytes, room: int) -> bytes:
        out: list[bytes] = [self._inflater.process(data, output_buffer_limit=room + 1)]
        size = len(out[0])
        while size <= room and not self._inflater.can_accept_more_data():
            out.append(self._inflater.process(b"", output_buffer_limit=room + 1 - size))
            size += len(out[-1])
        return b"".join(out)

    def flush(self, data: bytes, room: int) -> bytes:
        if not data:
            return b""
        tail: bytes = self._inflater.process(data, output_buffer_limit=room + 1)
        return tail


def _inflater(encoding: str) -> _Inflater:
    if encoding in ("gzip", "x-gzip"):
        return _ZlibInflater(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _ZlibInflater(zlib.MAX_WBITS, raw_allowed=True)
    if encoding == "br":
        return _BrotliInflater()
    raise ValueError(encoding)


class _Decoder:
    """Decodes a Content-Encoding chain, refusing output beyond `limit` bytes.

    Raises:
        ValueError: an encoding it does not know (at construction).
    """

    def __init__(self, encodings: list[str], limit: int, url: str, truncate: bool = False):
        self._layers = [_inflater(e) for e in reversed(encodings)]  # the last applied is undone first
        self._limit = limit
        self._url = url
        self._truncate = truncate  # past the limit: stop decoding instead of refusing (the caller cuts)
        self.size = 0

    def _too_large(self) -> TooLarge:
        return TooLarge(f"body over {self._limit} bytes after decompression", self._url)

    def feed(self, data: bytes) -> bytes:
        try:
            for layer in self._layers:
                data = layer.inflate(data, self._limit - self.size)
        except (zlib.error, brotli.error) as exc:
            raise TransportError(f"bad compressed body: {exc}", self._url) from None
        return self._counted(data)

    def flush(self) -> bytes:
        tail = b""
        for layer in self._layers:
            tail = layer.flush(tail, self._limit - self.size)
        return self._counted(tail)

    def _counted(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self._limit and not self._truncate:
            raise self._too_large()
        return data


# --- the fetcher -----------------------------------------------------------------------


class RobotsCheck(Protocol):
    """What the fetcher asks before a request and at every redirect hop (`politeness.Robots`)."""

    async def check(self, url: str) -> None:
        """Return when `url` may be fetched; raise `RobotsDisallowed` when it may not."""


class Gate(Protocol):
    """The politeness limits every attempt waits for (`politeness.HostGate`)."""

    def slot(self, url: str) -> AbstractAsyncContextManager[None]:
        """Held while a request to `url` runs; entered when it may start."""

    def pause(self, url: str, seconds: float) -> None:
        """Hold every request to the host of `url` for `seconds` (after a 429 or 503)."""


class Fetcher:
    """Fetches URLs over one pooled async client.

    The crawl builds its fetcher with `politeness.open_fetcher`, which gives it a gate and
    robots.txt; a bare Fetcher (no gate, no robots.txt) fetches whatever it is asked.

    Args:
        config: the crawl settings.
        gate: politeness limits each attempt waits for (None: no limits).
        robots: checked for the URL and every redirect hop (None: not checked).
        sleep: the wait between tries; tests pass a fake.
        transport: an httpx transport to use instead of the guarded default.
    """

    def __init__(self, config: CrawlConfig, gate: Gate | None = None, robots: RobotsCheck | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.config = config
        self._gate = gate
        self._robots = robots
        self._sleep = sleep
        timeout = httpx.Timeout(connect=config.connect_timeout or None, read=config.read_timeout or None,
                                write=config.read_timeout or None, pool=None)
        self._client = httpx.AsyncClient(
            transport=transport or guarded_transport(config), timeout=timeout, follow_redirects=False,
            headers={"User-Agent": config.user_agent, "Accept": _ACCEPT,
                     "Accept-Encoding": "gzip, deflate, br"},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
                    follow_robots: bool = True, gated: bool = True, truncate_at: int | None = None) -> Page:
        """GET `url`, following redirects, retrying what is worth retrying.

        Returns the page as fetched (`Page.url` the final URL, `status`, `headers`, `body`
        decompressed, `fetched_at`, `charset` from Content-Type). A conditional request
        (`etag`, `last_modified`) may return a 304, with an empty body.
        `follow_robots=False` skips robots.txt checks; `gated=False` skips the politeness gate
        (robots.txt itself is fetched so, since it may be needed while a slot is held).
        `truncate_at=N` keeps the first N bytes of a longer body instead of refusing it
        (robots.txt: only its head is read).

        Raises:
            UnsafeURL: not http(s), an internal address, or a redirect to either.
            RobotsDisallowed: robots.txt forbids the URL or a redirect target.
            TooLarge: the body, decompressed, is over `max_bytes`.
            TransportError: connect/read failure or timeout, after the last try.
            HTTPStatusError: a final status, or a retryable one after the last try.
        """
        check_url(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retrying = AsyncRetrying(
            stop=stop_after_attempt(1 + self.config.retries), wait=self._wait,
            retry=retry_if_exception(_retryable), sleep=self._sleep, reraise=True,
        )
        return await retrying(self._attempt, url, headers, follow_robots, gated, truncate_at)

    def _wait(self, state: RetryCallState) -> float:
        """Seconds before the next try: what the server asked for, else a jittered backoff."""
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, HTTPStatusError) and exc.retry_after is not None:
            return exc.retry_after
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # jitter keeps retries of many URLs apart

    async def _attempt(self, url: str, headers: dict[str, str], follow_robots: bool, gated: bool,
                       truncate_at: int | None) -> Page:
        if follow_robots and self._robots is not None:
            await self._robots.check(url)
        async with (self._gate.slot(url) if gated and self._gate is not None else nullcontext()):
            try:
                async with asyncio.timeout(self.config.total_timeout or None):
                    return await self._follow(url, headers, follow_robots, truncate_at)
            except TimeoutError:
                raise TransportError(f"no complete response within {self.config.total_timeout:g}s", url) from None

    async def _follow(self, url: str, headers: dict[str, str], follow_robots: bool, truncate_at: int | None) -> Page:
        """GET `url` and the redirects it leads to, each hop checked as the first URL was."""
        current, status = url, 0
        for hop in range(self.config.max_redirects + 1):
            if hop:
                check_url(current)
                if follow_robots and self._robots is not None:
                    await self._robots.check(current)
            response = await self._send(current, headers)
            status = response.status_code
            try:
                target = await self._redirect(current, response)
                if target is None:
                    return await self._answer(url, current, response, truncate_at)
                current = target
            except httpx.TimeoutException as exc:
                raise TransportError(f"timeout reading body ({type(exc).__name__})", current) from None
            except httpx.TransportError as exc:
                raise TransportError(f"{type(exc).__name__}: {exc}", current) from None
            finally:
                await response.aclose()
        raise TooManyRedirects(f"more than {self.config.max_redirects} redirects", url, status=status)

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One GET, its body left to stream; what stops it becomes a FetchError."""
        try:
            return await self._client.send(self._client.build_request("GET", url, headers=headers), stream=True)
        except httpx.TimeoutException as exc:
            raise TransportError(f"timeout ({type(exc).__name__})", url) from None
        except httpx.UnsupportedProtocol as exc:
            raise UnsafeURL(str(exc), url) from None
        except httpx.TransportError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", url) from None
        except httpx.InvalidURL as exc:
            raise UnsafeURL(f"invalid URL: {exc}", url) from None

    @staticmethod
    async def _redirect(current: str, response: httpx.Response) -> str | None:
        """Where a redirect leads (its body read and dropped), or None when it is no redirect."""
        if response.status_code not in REDIRECT_STATUSES or "location" not in response.headers:
            return None
        target = urljoin(current, response.headers["location"])
        if not target.lower().startswith(("http://", "https://")):
            raise UnsafeURL(f"redirect to another scheme: {target}", current)
        await _drain(response)
        return target

    async def _answer(self, requested: str, final: str, response: httpx.Response, truncate_at: int | None) -> Page:
        """The page of the last hop: a 2xx with its body, a 304 without one; other statuses raise."""
        status = response.status_code
        if status == 304:
            await _drain(response)
            return self._page(requested, final, response, b"")
        if not 200 <= status < 300:
            await _drain(response)
            raise self._status_error(final, response)
        return self._page(requested, final, response, await self._read(final, response, truncate_at))

    def _status_error(self, url: str, response: httpx.Response) -> HTTPStatusError:
        status = response.status_code
        wait = parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
        if wait is None:
            return HTTPStatusError(f"HTTP {status}", url, status=status)
        if self._gate is not None:  # the whole host waits, not only this URL
            self._gate.pause(url, min(wait, self.config.retry_after_max))
        if wait > self.config.retry_after_max:  # not within this run; a later run tries again
            return HTTPStatusError(f"HTTP {status}, Retry-After {wait:.0f}s over retry_after_max", url,
                                   status=status, final=True)
        return HTTPStatusError(f"HTTP {status}, Retry-After {wait:g}s", url, status=status, retry_after=wait)

    async def _read(self, url: str, response: httpx.Response, truncate_at: int | None = None) -> bytes:
        truncate = truncate_at is not None
        limit = self.config.max_bytes if truncate_at is None else min(truncate_at, self.config.max_bytes)
        encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
        encodings = [e for e in encodings if e and e != "identity"]
        if len(encodings) > MAX_ENCODINGS:
            raise TransportError(f"{len(encodings)} stacked Content-Encodings (at most {MAX_ENCODINGS})", url)
        if not encodings and not truncate:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLarge(f"Content-Length {declared} over {limit} bytes", url)
        try:
            decoder = _Decoder(encodings, limit, url, truncate) if encodings else None
        except ValueError as exc:
            raise TransportError(f"unsupported Content-Encoding {exc}", url) from None
        chunks = []
        size = 0
        async for chunk in response.aiter_raw():
            if decoder is not None:
                chunk = decoder.feed(chunk)
            size += len(chunk)
            if size > limit:
                if not truncate:
                    raise TooLarge(f"body over {limit} bytes", url)
                chunks.append(chunk[:len(chunk) - (size - limit)])
                return b"".join(chunks)  # the rest is never read; the connection is closed
            chunks.append(chunk)
        if decoder is not None:
            chunks.append(decoder.flush()[:max(0, limit - size)])
        return b"".join(chunks)

    @staticmethod
    def _page(requested: str, final: str, response: httpx.Response, body: bytes) -> Page:
        """The fetched page, named by its final URL; header names lower-cased."""
        return Page(source=Source(final), body=body, kind="html", url=final, requested_url=requested,
                    status=response.status_code,
                    headers=tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw),
                    fetched_at=datetime.now(UTC), charset=response.charset_encoding)


async def _drain(response: httpx.Response, limit: int = 65536) -> None:
    """Read a small body we do not want, so the connection goes back to the pool; a closed,
    half-read response would cost a new connection for the next request."""
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > limit:
            break


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, TransportError):
        return True
    if isinstance(exc, HTTPStatusError) and not isinstance(exc, TooManyRedirects):
        return exc.status in RETRY_STATUSES and not exc.final
    return False


def is_retried_later(exc: FetchError) -> bool:
    """Whether a failed URL is worth trying again on a later run."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, HTTPStatusError) and exc.status in RETRY_STATUSES
