"""The fetcher's connections: one pool, and address safety on every connection it opens.

Reads `crawl.concurrency` (pool size), `crawl.http2` and `crawl.allow_private`.

Every connection resolves its host itself and refuses it when any address is loopback,
private, link-local or otherwise internal (unless `allow_private`; see `urls.address_allowed`),
then connects to an address it checked, so a DNS answer cannot change between the check and
the connect. The fetcher checks schemes and redirect targets; this checks where they lead.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import httpcore
import httpx
from httpcore._utils import is_socket_readable

from ..config import CrawlConfig
from ..errors import UnsafeURL
from .urls import address_allowed

if TYPE_CHECKING:
    from httpcore._backends.base import SOCKET_OPTION

# Whether an address may be connected to: (address, crawl.allow_private) -> allowed.
AddressCheck = Callable[[str, bool], bool]


def guarded_transport(config: CrawlConfig, allows: AddressCheck = address_allowed,
                      network: httpcore.AsyncNetworkBackend | None = None) -> httpx.AsyncHTTPTransport:
    """The fetcher's transport: a pool sized for `crawl.concurrency` whose connections go only to
    addresses `allows` accepts.

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


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host itself, refuses internal addresses, connects to a checked one."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow_private: bool, allows: AddressCheck):
        self._inner = inner
        self._allow_private = allow_private
        self._allows = allows

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
        except (TimeoutError, OSError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if not self._allows(address, self._allow_private):
                raise UnsafeURL(f"{host} resolves to internal address {address}, refused "
                                "(crawl.allow_private = true allows it)", f"//{host}:{port}")
        error: Exception | None = None
        for address in addresses:
            try:
                return _Stream(await self._inner.connect_tcp(address, port, timeout, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    """A connection stream that answers httpcore's frequent "is it readable?" question from a
    cached socket; anyio builds a dict of attribute getters on every such call, which cost a
    fifth of the fetch path's CPU."""

    __slots__ = ("_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream):
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> _Stream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> object:
        if info == "socket" and self._socket is not None:
            return self._socket
        if info == "is_readable" and self._socket is not None:
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)
