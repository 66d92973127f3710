"""The fetcher: one pooled httpx client, retries, redirects, limits and address safety.

Reads from `crawl`: `user_agent`, `http2`, `concurrency` (pool size), `connect_timeout`,
`read_timeout`, `total_timeout`, `max_redirects`, `max_bytes`, `retries`, `backoff_base`,
`backoff_max`, `retry_after_max` and `allow_private`.

Safety: only http and https, on the first URL and on every redirect hop; every connection
resolves its host itself and refuses it when any address is loopback, private, link-local or
otherwise internal (unless `allow_private`), then connects to an address it checked, so a
DNS answer cannot change between the check and the connect. Bodies are decompressed here,
not by httpx, so `max_bytes` bounds the decompressed size before it is allocated.

Retries (tenacity) cover transport errors and 429/500/502/503/504, with exponential backoff
and jitter; a `Retry-After` up to `retry_after_max` is waited for, a longer one ends the
tries for this run. Every other status is final.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import socket
import time
import zlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin

import brotli
import httpcore
import httpx
import sniffio  # noqa: F401  -- without it httpcore wastes CPU on failed imports per request
from httpcore._utils import is_socket_readable
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from ..config import CrawlConfig
from ..errors import FetchError, HTTPStatusError, TooLarge, TransportError, UnsafeURL
from ..models import Page, Source
from .urls import address_allowed, check_url

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


class _Decoder:
    """Decodes a Content-Encoding chain, refusing output beyond `limit` bytes."""

    def __init__(self, encodings: list[str], limit: int, url: str, truncate: bool = False):
        self._steps = [self._step(e) for e in reversed(encodings)]
        self._limit = limit
        self._url = url
        self._truncate = truncate  # past the limit: stop decoding instead of refusing (the caller cuts)
        self.size = 0

    @staticmethod
    def _step(encoding: str):
        if encoding in ("gzip", "x-gzip"):
            return ["zlib", zlib.decompressobj(16 + zlib.MAX_WBITS), False]
        if encoding == "deflate":
            return ["deflate", zlib.decompressobj(zlib.MAX_WBITS), True]
        if encoding == "br":
            return ["br", brotli.Decompressor(), False]
        raise ValueError(encoding)

    def _too_large(self):
        return TooLarge(f"body over {self._limit} bytes after decompression", self._url)

    def _run(self, step, data: bytes, room: int) -> bytes:
        kind, obj, first = step
        if kind == "br":
            out = [obj.process(data, output_buffer_limit=room + 1)]
            size = len(out[0])
            while size <= room and not obj.can_accept_more_data():
                out.append(obj.process(b"", output_buffer_limit=room + 1 - size))
                size += len(out[-1])
            return b"".join(out)
        if first and data:  # "deflate" is zlib-wrapped per the RFC, raw in practice
            step[2] = False
            if (data[0] & 0x0F) != 8:
                step[1] = obj = zlib.decompressobj(-zlib.MAX_WBITS)
        return obj.decompress(data, room + 1)  # max_length: never more than the room left

    def feed(self, data: bytes) -> bytes:
        try:
            for step in self._steps:
                data = self._run(step, data, self._limit - self.size)
        except (zlib.error, brotli.error) as exc:
            raise TransportError(f"bad compressed body: {exc}", self._url) from None
        self.size += len(data)
        if self.size > self._limit and not self._truncate:
            raise self._too_large()
        return data

    def flush(self) -> bytes:
        tail = b""
        for kind, obj, _ in self._steps:
            if kind != "br":
                data = obj.decompress(tail, self._limit - self.size + 1) + obj.flush()
                tail = data
            elif tail:
                tail = obj.process(tail, output_buffer_limit=self._limit - self.size + 1)
        self.size += len(tail)
        if self.size > self._limit and not self._truncate:
            raise self._too_large()
        return tail


# --- connections that check addresses -------------------------------------------------


class _Stream(httpcore.AsyncNetworkStream):
    """A connection stream that answers httpcore's frequent "is it readable?" question from a
    cached socket; anyio builds a dict of attribute getters on every such call, which cost a
    fifth of the fetch path's CPU."""

    __slots__ = ("_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream):
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> _Stream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):
        if info == "socket" and self._socket is not None:
            return self._socket
        if info == "is_readable" and self._socket is not None:
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


# Whether an address may be connected to: (address, crawl.allow_private) -> allowed.
AddressCheck = Callable[[str, bool], bool]


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses internal addresses, connects to a checked one."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow_private: bool, allows: AddressCheck):
        self._inner = inner
        self._allow_private = allow_private
        self._allows = allows

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
        except (TimeoutError, OSError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            if not self._allows(address, self._allow_private):
                raise UnsafeURL(f"{host} resolves to internal address {address}", f"//{host}:{port}")
        error: Exception | None = None
        for address in addresses:
            try:
                return _Stream(await self._inner.connect_tcp(address, port, timeout, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(config: CrawlConfig, allows: AddressCheck = address_allowed,
                      network: httpcore.AsyncNetworkBackend | None = None) -> httpx.AsyncHTTPTransport:
    """The fetcher's transport: a pool sized for `crawl.concurrency` whose connections go only to
    addresses `allows` accepts (see the module docstring).

    Args:
        config: the crawl settings (`concurrency`, `http2`, `allow_private`).
        allows: the address check; tests widen it to reach their server.
        network: the backend that opens connections (default: anyio's); tests record them.
    """
    limits = httpx.Limits(max_connections=max(1, config.concurrency) + 4,
                          max_keepalive_connections=max(1, config.concurrency) + 4, keepalive_expiry=30)
    transport = httpx.AsyncHTTPTransport(http2=config.http2, limits=limits, trust_env=False)
    pool: httpcore.AsyncConnectionPool = transport._pool  # httpx exposes no backend argument
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=pool._ssl_context, max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, http1=True, http2=config.http2,
        network_backend=_GuardedBackend(network or httpcore.AnyIOBackend(), config.allow_private, allows),
    )
    return transport


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

    async def __aexit__(self, *exc) -> None:
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

    def _wait(self, state) -> float:
        exc = state.outcome.exception()
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return retry_after
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # jitter keeps retries of many URLs apart

    async def _attempt(self, url: str, headers: dict, follow_robots: bool, gated: bool,
                       truncate_at: int | None) -> Page:
        if follow_robots and self._robots is not None:
            await self._robots.check(url)
        async with (self._gate.slot(url) if gated and self._gate is not None else nullcontext()):
            try:
                async with asyncio.timeout(self.config.total_timeout or None):
                    return await self._follow(url, headers, follow_robots, truncate_at)
            except TimeoutError:
                raise TransportError(f"no complete response within {self.config.total_timeout:g}s", url) from None

    async def _follow(self, url: str, headers: dict, follow_robots: bool, truncate_at: int | None) -> Page:
        current = url
        for hop in range(self.config.max_redirects + 1):
            if hop:
                check_url(current)
                if follow_robots and self._robots is not None:
                    await self._robots.check(current)
            try:
                response = await self._client.send(self._client.build_request("GET", current, headers=headers),
                                                   stream=True)
            except httpx.TimeoutException as exc:
                raise TransportError(f"timeout ({type(exc).__name__})", current) from None
            except httpx.UnsupportedProtocol as exc:
                raise UnsafeURL(str(exc), current) from None
            except httpx.TransportError as exc:
                raise TransportError(f"{type(exc).__name__}: {exc}", current) from None
            except httpx.InvalidURL as exc:
                raise UnsafeURL(f"invalid URL: {exc}", current) from None
            try:
                status = response.status_code
                if status in REDIRECT_STATUSES and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    if not target.lower().startswith(("http://", "https://")):
                        raise UnsafeURL(f"redirect to another scheme: {target}", current)
                    await _drain(response)
                    current = target
                    continue
                if status == 304:
                    await _drain(response)
                    return self._page(url, current, response, b"")
                if not 200 <= status < 300:
                    await _drain(response)
                    raise self._status_error(current, response)
                return self._page(url, current, response, await self._read(current, response, truncate_at))
            except httpx.TimeoutException as exc:
                raise TransportError(f"timeout reading body ({type(exc).__name__})", current) from None
            except httpx.TransportError as exc:
                raise TransportError(f"{type(exc).__name__}: {exc}", current) from None
            finally:
                await response.aclose()
        raise TooManyRedirects(f"more than {self.config.max_redirects} redirects", url, status=status)

    def _status_error(self, url: str, response: httpx.Response) -> HTTPStatusError:
        status = response.status_code
        wait = parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
        if wait is None:
            return HTTPStatusError(f"HTTP {status}", url, status=status)
        if self._gate is not None:  # the whole host waits, not only this URL
            self._gate.pause(url, min(wait, self.config.retry_after_max))
        if wait > self.config.retry_after_max:
            error = HTTPStatusError(f"HTTP {status}, Retry-After {wait:.0f}s over retry_after_max", url, status=status)
            error.final = True  # not within this run; a later run tries again
        else:
            error = HTTPStatusError(f"HTTP {status}, Retry-After {wait:g}s", url, status=status)
            error.retry_after = wait
        return error

    async def _read(self, url: str, response: httpx.Response, truncate_at: int | None = None) -> bytes:
        truncate = truncate_at is not None
        limit = min(truncate_at, self.config.max_bytes) if truncate else self.config.max_bytes
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
        return exc.status in RETRY_STATUSES and not getattr(exc, "final", False)
    return False


def is_retried_later(exc: FetchError) -> bool:
    """Whether a failed URL is worth trying again on a later run."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, HTTPStatusError) and exc.status in RETRY_STATUSES
