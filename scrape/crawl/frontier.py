"""One worker's share of a crawl on a shared (PostgreSQL) state: `SharedFeed`.

With a SQLite state a run queues what it discovers in memory and fetches it all. With a
shared state the queue is the database's frontier, and a run is one worker among several:

1. it joins the round in progress, or opens one; the worker that opens a round discovers
   (fetches the feeds, sitemaps and seed pages, and the URLs whose last try failed) and
   writes the due URLs to the frontier, in batches;
2. every worker, the discoverer too, claims batches of URLs (`crawl.concurrency` at a
   time, under a lease its heartbeat renews) and hands them to the crawler's per-host
   queues; recording a URL marks it done; links a seed page leads to go to the frontier;
3. a worker ends when the round's discovery is finished and no URL is queued or claimed by
   anyone: it waits for the others' claims, since a worker that dies leaves its claims to
   be taken again when their lease runs out. A discoverer that dies is replaced by the
   first worker to see its heartbeat stop.

On a stop (limits, signals) the URLs claimed and not started are given back at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..config import Config, CrawlConfig, CrawlSource
from ..errors import OutputError
from .discovery import Entry
from .output import RunStats
from .state import Candidate, Claim, SharedFrontier

log = logging.getLogger(__name__)

OFFER_BATCH = 500  # discovered URLs written to the frontier in one statement
IDLE_POLL = 0.1  # seconds between looks at the frontier when this worker has nothing to do
BUSY_POLL = 0.02  # ... and while its claims are being fetched


@dataclass(slots=True)
class Job:
    """One URL for the crawler's per-host queues: a page, or a source to read."""

    url: str
    kind: str  # "page", "feed", "sitemap", "seed"
    source: CrawlSource | None = None
    depth: int = 0  # link hops from the seed page; sitemap nesting for sitemaps
    lastmod: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None


class _Options(Protocol):
    @property
    def recheck_all(self) -> bool: ...


class FedCrawler(Protocol):
    """What the feed uses of `run.Crawler` (its queues, its budget, its discovery)."""

    config: Config
    crawl: CrawlConfig
    run_id: int
    stats: RunStats
    _now: datetime
    _stopping: bool
    _idle: asyncio.Event
    _workers: dict[str, int]
    _queues: dict[str, deque[Job]]
    _page_budget: int | None

    @property
    def options(self) -> _Options: ...

    def _add(self, job: Job) -> None: ...

    def stop(self, why: str) -> None: ...

    async def _queue_sources(self) -> None: ...


class SharedFeed:
    """Feeds one `Crawler` from the shared frontier (see the module docstring)."""

    def __init__(self, crawler: FedCrawler, frontier: SharedFrontier):
        self.crawler = crawler
        self.frontier = frontier
        self.batch = max(1, crawler.crawl.concurrency)
        self._sources = {source.url: source for source in crawler.config.sources}
        self._offers: list[Candidate] = []
        self._claimed: set[str] = set()  # claimed by this worker, not finished
        self._pending_sources = 0  # feeds, sitemaps and seed pages not finished
        self._discovering = False

    # called by the crawler

    def added(self, job: Job) -> None:
        if job.kind != "page":
            self._pending_sources += 1

    def finished(self, job: Job) -> None:
        if job.kind == "page":
            self._claimed.discard(job.url)
        else:
            self._pending_sources -= 1

    async def offer(self, entry: Entry, source: CrawlSource | None, depth: int) -> None:
        self._offers.append(Candidate(entry.url, source.url if source else None, depth, entry.lastmod))
        if len(self._offers) >= OFFER_BATCH:
            await self._flush()

    async def done(self, url: str) -> None:
        """A URL that needs no fetch (a duplicate), or one that broke the crawler: done."""
        self._claimed.discard(url)
        await self.frontier.mark_done(url)

    # the loop

    async def run(self) -> None:
        """Discover (when this worker opens the round) and fetch claimed URLs until the
        crawl is done or this run stops."""
        crawler = self.crawler
        beat = asyncio.get_running_loop().create_task(self._beat())
        try:
            if await self.frontier.join_round(crawler.run_id):
                await self._discover()
            while not crawler._stopping:
                if await self._step():
                    return
            if any(crawler._workers.values()):  # a stop: what is in flight finishes
                await crawler._idle.wait()
        finally:
            beat.cancel()

    async def _step(self) -> bool:
        """One look at the frontier: finish discovery, claim more work, or see that the crawl
        is done (True)."""
        await self._flush()
        if self._discovering and not self._pending_sources:
            await self.frontier.finish_discovery()
            self._discovering = False
        claims = await self._claim()
        if not claims and not self._claimed and not self._pending_sources:
            if self.crawler._page_budget is not None and self.crawler._page_budget <= 0:
                self.crawler.stop("max-pages")
                return True
            if await self._crawl_done():
                return True
        await asyncio.sleep(BUSY_POLL if self._claimed else IDLE_POLL)
        return False

    async def _claim(self) -> list[Claim]:
        crawler = self.crawler
        room = self.batch - len(self._claimed)
        if crawler._page_budget is not None:  # claim no more than the run may still fetch
            waiting = sum(len(queue) for queue in crawler._queues.values())
            room = min(room, crawler._page_budget - waiting)
        if room <= 0:
            return []
        claims = await self.frontier.claim(room)
        for claim in claims:
            self._claimed.add(claim.url)
            source = self._sources.get(claim.source_url) if claim.source_url else None
            crawler._add(Job(claim.url, "page", source, claim.depth, claim.lastmod, claim.etag, claim.last_modified))
        return claims

    async def _crawl_done(self) -> bool:
        if not await self.frontier.discovery_done():
            if await self.frontier.take_over_discovery():  # the discoverer died
                log.warning("the discovering worker stopped; discovering in its place")
                await self._discover()
            return False
        return await self.frontier.remaining() == 0

    async def _discover(self) -> None:
        self._discovering = True
        await self.crawler._queue_sources()

    async def _flush(self) -> None:
        if self._offers:
            offers, self._offers = self._offers, []
            crawler = self.crawler
            crawler.stats.not_due += await self.frontier.offer(offers, crawler._now, crawler.crawl.recheck_after,
                                                               crawler.options.recheck_all)

    async def _beat(self) -> None:
        """Renew this worker's leases (claims, host slots) and heartbeat, three times a lease."""
        while True:
            await asyncio.sleep(max(0.2, self.frontier.lease / 3))
            try:
                await self.frontier.heartbeat(self.crawler.run_id)
            except OutputError as exc:
                log.warning("heartbeat: %s", exc)

    async def close(self) -> None:
        """Give back the URLs claimed and not finished (a stop), for other workers."""
        if self._claimed:
            claimed, self._claimed = list(self._claimed), set()
            try:
                await self.frontier.release(claimed)
            except OutputError as exc:  # their lease runs out instead
                log.warning("could not give back %d claimed URLs: %s", len(claimed), exc)
