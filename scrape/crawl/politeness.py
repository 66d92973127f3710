"""Politeness: how many requests may be in flight, how often one host is asked, robots.txt;
and `open_fetcher`, which builds the crawl's fetcher with both.

Reads `crawl.concurrency` (requests in flight over all hosts), `crawl.per_host_concurrency`,
`crawl.per_host_delay` (minimum seconds between two request starts on one host, raised to the
host's robots.txt `Crawl-delay`), `crawl.respect_robots` and `crawl.user_agent`.

Several workers sharing a PostgreSQL state keep these per host for the whole crawl
(`SharedGate`, `SharedRobots`): the database holds each host's next start and its slots,
and the cached robots.txt (`crawl.robots_expire`).

robots.txt is fetched once per host per run (protego parses its first 500 KiB, as RFC 9309
allows; garbage lines are ignored, so junk allows everything). A missing one (4xx) allows
everything; one that cannot be fetched (5xx, transport error) disallows the host for this
run, as RFC 9309 asks, and the URLs are tried again on a later run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from protego import Protego

from ..config import CrawlConfig
from ..errors import FetchError, HTTPStatusError, RobotsDisallowed, UnsafeURL
from ..models import Page
from .fetch import Fetcher
from .state import SharedFrontier
from .urls import host_of

log = logging.getLogger(__name__)

# A Crawl-delay above this is taken as this: one page a minute is as slow as a run can go.
MAX_CRAWL_DELAY = 60.0
# RFC 9309 2.5: crawlers parse at least the first 500 KiB of a robots.txt and may ignore the
# rest. A longer one is cut at its last whole line; parsing 10 MB of rules would hold the
# event loop for seconds, and every URL check would scan them all.
ROBOTS_MAX_BYTES = 500 * 1024


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HostGate:
    """Admits requests under the global and per-host limits.

    `clock` and `sleep` are injectable so tests run without real waits.
    """

    def __init__(self, config: CrawlConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self._config = config
        self._global = asyncio.Semaphore(max(1, config.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._clock = clock
        self._sleep = sleep

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = _Host(asyncio.Semaphore(max(1, self._config.per_host_concurrency)), self._config.per_host_delay)
            self._hosts[host] = state
        return state

    def set_delay(self, url: str, seconds: float) -> None:
        """Raise the minimum delay between requests to the host of `url` (robots Crawl-delay)."""
        state = self._host(host_of(url))
        state.delay = max(state.delay, min(seconds, MAX_CRAWL_DELAY))

    def pause(self, url: str, seconds: float) -> None:
        """Hold every request to the host of `url` for `seconds` (after a 429 or 503)."""
        state = self._host(host_of(url))
        state.next_start = max(state.next_start, self._clock() + seconds)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Wait until a request to `url` may start; the slot is held while it runs."""
        state = self._host(host_of(url))
        async with state.slots:
            async with state.lock:
                wait = state.next_start - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                state.next_start = self._clock() + state.delay
            async with self._global:
                yield


# Fetches a robots.txt URL: its first ROBOTS_MAX_BYTES + 1 bytes, not checked against
# robots.txt itself and not through the gate (see `open_fetcher`).
RobotsTxtFetch = Callable[[str], Awaitable[Page]]


class Robots:
    """robots.txt per host, fetched once per run, shared by concurrent callers."""

    def __init__(self, config: CrawlConfig, fetch: RobotsTxtFetch, gate: HostGate | None = None):
        self._config = config
        self._fetch = fetch
        self._gate = gate
        self._parsers: dict[str, asyncio.Future[Protego | UnsafeURL | None]] = {}

    async def _load(self, url: str) -> Protego | UnsafeURL | None:
        """The parsed robots.txt of `url`'s host; None when the host is closed for this run;
        the UnsafeURL when the host may not be fetched at all (an internal address)."""
        text = await self._read(url)
        return text if text is None or isinstance(text, UnsafeURL) else self._parse(url, text)

    async def _read(self, url: str) -> str | UnsafeURL | None:
        """The host's robots.txt as text ("" when it has none); None when it cannot be fetched;
        the UnsafeURL when the host is refused (said as it is, not as "robots.txt could not
        be fetched")."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            body = (await self._fetch(robots_url)).body
            if len(body) > ROBOTS_MAX_BYTES:  # a line cut in half could say something else
                body = body[:body.rfind(b"\n", 0, ROBOTS_MAX_BYTES) + 1]
                log.info("robots.txt of %s is over %d bytes; only its head is read", parts.netloc, ROBOTS_MAX_BYTES)
            return body.decode("utf-8", "replace")
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:
                return ""
            log.warning("robots.txt of %s: %s; skipping the host this run", parts.netloc, exc.detail)
            return None
        except UnsafeURL as exc:
            return exc
        except FetchError as exc:
            log.warning("robots.txt of %s: %s; skipping the host this run", parts.netloc, exc.detail)
            return None

    def _parse(self, url: str, text: str) -> Protego:
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self._config.user_agent)
        if delay and self._gate is not None:
            self._gate.set_delay(url, float(delay))
        return parser

    async def check(self, url: str) -> None:
        """Return when `url` may be fetched.

        Raises:
            RobotsDisallowed: robots.txt forbids it, or could not be fetched this run.
        """
        if not self._config.respect_robots:
            return
        host = host_of(url)
        future = self._parsers.get(host)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._parsers[host] = future
            try:
                future.set_result(await self._load(url))
            except BaseException as exc:  # cancelled mid-load: let the next caller try again
                del self._parsers[host]
                future.cancel()
                raise exc
        parser = await asyncio.shield(future)
        if isinstance(parser, UnsafeURL):
            raise UnsafeURL(parser.detail, url)
        if parser is None:
            raise RobotsDisallowed("robots.txt could not be fetched", url)
        if not parser.can_fetch(url, self._config.user_agent):
            raise RobotsDisallowed("disallowed by robots.txt", url)


class SharedGate(HostGate):
    """`HostGate` for workers sharing a PostgreSQL state: a request also takes one of the
    host's slots in the database, where the next start time lives too, so that
    `per_host_concurrency` and `per_host_delay` (or Crawl-delay) hold for the whole crawl.
    `concurrency` stays per worker. Pauses and delays are written through for every worker."""

    def __init__(self, config: CrawlConfig, frontier: SharedFrontier,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        super().__init__(config, sleep=sleep)
        self._frontier = frontier
        self._writes: set[asyncio.Task[None]] = set()

    def _later(self, write: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(write)
        self._writes.add(task)
        task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("could not share a host's pause or delay: %s", task.exception())

    def set_delay(self, url: str, seconds: float) -> None:
        super().set_delay(url, seconds)
        self._later(self._frontier.raise_host_delay(host_of(url), min(seconds, MAX_CRAWL_DELAY)))

    def pause(self, url: str, seconds: float) -> None:
        super().pause(url, seconds)
        self._later(self._frontier.hold_host(host_of(url), seconds))

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = host_of(url)
        state = self._host(host)
        async with state.slots:  # this worker asks for no more than the host allows
            number = await self._take(host, state)
            try:
                async with self._global:
                    yield
            finally:
                await self._frontier.free_host_slot(host, number)

    async def _take(self, host: str, state: _Host) -> int:
        while True:
            number, wait = await self._frontier.take_host_slot(host, self._config.per_host_concurrency, state.delay)
            if number is not None:
                return number
            await self._sleep(min(max(wait, 0.01), 1.0))


class SharedRobots(Robots):
    """robots.txt cached in the shared state: fetched by one worker per host per
    `crawl.robots_expire` seconds (one that could not be fetched is asked again after
    `crawl.lease`), while the others wait for it."""

    def __init__(self, config: CrawlConfig, fetch: RobotsTxtFetch, gate: HostGate, frontier: SharedFrontier):
        super().__init__(config, fetch, gate)
        self._frontier = frontier

    async def _load(self, url: str) -> Protego | UnsafeURL | None:
        host = host_of(url)
        while True:  # another worker is fetching it: wait, at most until its claim (a lease) runs out
            verdict, body = await self._frontier.robots(host)
            if verdict == "fresh":
                return None if body is None else self._parse(url, body.decode("utf-8", "replace"))
            if verdict == "fetch":
                break
            await asyncio.sleep(0.05)
        text = await self._read(url)
        if isinstance(text, UnsafeURL):  # refused here, by this worker's own settings: not cached
            return text
        if text is None:
            await self._frontier.store_robots(host, None, min(self._config.robots_expire, self._config.lease))
            return None
        await self._frontier.store_robots(host, text.encode(), self._config.robots_expire)
        return self._parse(url, text)


def open_fetcher(config: CrawlConfig, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 transport: httpx.AsyncBaseTransport | None = None, frontier: SharedFrontier | None = None) -> Fetcher:
    """The crawl's fetcher: every request waits for its `HostGate` slot and is checked against
    its host's robots.txt (when `crawl.respect_robots`), redirect hops included.

    robots.txt itself is read through the same fetcher (its pool, limits and address checks),
    but not through the gate: a redirect hop to a new host asks for that host's robots.txt
    while it holds a slot, and waiting there for another slot could deadlock.

    Args:
        config: the crawl settings.
        sleep: the wait of retries and of the gate; tests pass a fake.
        transport: an httpx transport instead of the guarded default (tests).
        frontier: the shared state of several workers: the gate and robots.txt are the
            crawl's, not this worker's (`SharedGate`, `SharedRobots`).
    """
    gate = HostGate(config, sleep=sleep) if frontier is None else SharedGate(config, frontier, sleep)

    async def fetch_robots_txt(url: str) -> Page:
        return await fetcher.fetch(url, follow_robots=False, gated=False, truncate_at=ROBOTS_MAX_BYTES + 1)

    # `fetch_robots_txt` is first called from inside `fetcher.fetch`, after this assignment.
    robots = Robots(config, fetch_robots_txt, gate) if frontier is None else SharedRobots(
        config, fetch_robots_txt, gate, frontier)
    fetcher = Fetcher(config, gate=gate, robots=robots, sleep=sleep, transport=transport)
    return fetcher
