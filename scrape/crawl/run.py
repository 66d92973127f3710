"""`scrape crawl`: one scheduled run over the configured sources.

A run takes the lock, finishes what a killed run left (`output.recover`), fetches the
sources (feeds, sitemaps, seed pages), and for every discovered URL decides from the state
whether it is due: new URLs are fetched; known ones are asked again conditionally when the
source gives a newer lastmod, when they have no lastmod and `crawl.recheck_after` has passed,
or when their last try failed. A 304 writes nothing. A fetched page is cleaned by the very
`clean_page` that `scrape clean` uses; its article is new, changed (written again, as a new
version) or unchanged (same content hash: not written), by its canonical URL.

With `clean.learn`, pages are cleaned with the templates the state had learnt when the run
started (`learnt.py`; output never depends on fetch order) and teach the next run's.

Reads every `crawl` key, `clean.learn` and the `[[source]]` tables. Scheduling: each host has its own queue
and up to `per_host_concurrency` workers, all under the global `concurrency` (see
`politeness`), so a slow host never holds up the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import re
import signal
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from ..clean.page import clean_page
from ..config import Config, CrawlSource
from ..errors import FetchError, HTTPStatusError, OutputError, RobotsDisallowed, SkipError, UnsafeURL
from ..io.outputs import render_jsonl
from ..models import Article, Page
from ..workers import Cleaner
from .discovery import Entry, extract_links, read_listing
from .fetch import is_retried_later
from .frontier import Job as _Job
from .frontier import SharedFeed
from .learnt import CrawlLearning
from .lock import CrawlLock, lock_path
from .output import RunStats, WarcOutput, check_writable, export_run, recover
from .politeness import open_fetcher
from .state import CrawlSession, Fetched, Listing, StateStore, is_due, is_shared
from .state import open_state as open_any_state
from .urls import canonicalize, host_of, same_site

log = logging.getLogger(__name__)

MAX_SITEMAP_DEPTH = 3  # index -> index -> sitemap; deeper nesting is a loop or abuse


@dataclass(frozen=True)
class CrawlOptions:
    """Per-run choices the CLI makes; limits default to the config's."""

    max_pages: int | None = None  # None: crawl.max_pages
    max_seconds: float | None = None  # None: crawl.max_seconds
    clean: bool = True  # False: fetch and record state only (benchmarks, warming the state)
    recheck_all: bool = False  # ask every known URL again (conditionally), whatever its lastmod
    progress: bool = False  # a progress bar on stderr (only when it is a terminal)
    worker: str = ""  # this worker's id in a shared state ("": this machine's name and pid)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)  # for lastmod filters


def _final_url(page: Page) -> str:
    """The URL a fetched page came from, after redirects (the fetcher always sets it)."""
    return page.url or page.source.path


def failure_reason(exc: FetchError) -> str:
    if type(exc) is HTTPStatusError:
        return f"http {exc.status}"
    return exc.reason


# --- the run ---------------------------------------------------------------------------


class Crawler:
    """One run over the sources: discovery, fetching, cleaning and state updates."""

    def __init__(self, config: Config, options: CrawlOptions, session: CrawlSession, run_id: int, stats: RunStats,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 open_cleaner: Callable[[Config], Cleaner] = Cleaner, learning: CrawlLearning | None = None):
        self.config = config
        self.crawl = config.crawl
        self.options = options
        self.session = session
        self.frontier = session.frontier  # None: this run's queue is its own (SQLite)
        self.run_id = run_id
        self.stats = stats
        self.fetcher = open_fetcher(self.crawl, sleep=sleep, frontier=self.frontier)
        self._open_cleaner = open_cleaner
        self.cleaner: Cleaner | None = None
        self.warc: WarcOutput | None = None
        self._seen: set[str] = set()
        self._article_keys: set[str] = set()
        self._queues: dict[str, deque[_Job]] = {}
        self._workers: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._outstanding = 0
        self._stopping = False
        self._idle = asyncio.Event()
        max_pages = options.max_pages if options.max_pages is not None else self.crawl.max_pages
        self._page_budget = max_pages or None
        self._now = options.now()
        self._progress: _Progress | None = None
        self.error: OutputError | None = None  # the state or the WARC could not be written
        self.feed: SharedFeed | None = None  # what feeds this run from a shared frontier
        self.learning = learning  # with clean.learn: the templates learnt, and learning more

    # queueing

    def _add(self, job: _Job) -> None:
        if self._stopping:
            return
        host = host_of(job.url)
        queue = self._queues.setdefault(host, deque())
        queue.append(job)
        self._outstanding += 1
        self._idle.clear()
        if self.feed is not None:
            self.feed.added(job)
        if self._progress is not None and job.kind == "page":  # the bar's total: the pages known to be due
            self._progress.total = (self._progress.total or 0) + 1
            self._progress.refresh()
        if self._workers.get(host, 0) < max(1, self.crawl.per_host_concurrency):
            self._workers[host] = self._workers.get(host, 0) + 1
            task = asyncio.get_running_loop().create_task(self._work(host))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _work(self, host: str) -> None:
        queue = self._queues[host]
        try:
            while queue and not self._stopping:
                job = queue.popleft()
                try:
                    if job.kind == "page":
                        if self._page_budget is not None:
                            if self._page_budget <= 0:
                                self.stop("max-pages")
                                break
                            self._page_budget -= 1
                        await self._page(job)
                    else:
                        await self._source(job)
                except OutputError as exc:  # a full disk fails every URL alike: stop here
                    self.error = self.error or exc
                    self.stop("output error")
                except Exception:  # a bug on one URL must not end the run
                    log.exception("%s: unexpected error", job.url)
                    self.stats.failed["error"] += 1
                    if self.feed is not None and job.kind == "page":
                        await self.feed.done(job.url)
                finally:
                    self._outstanding -= 1
                    if self.feed is not None:
                        self.feed.finished(job)
        finally:
            self._workers[host] -= 1
            if self._outstanding <= 0 or (self._stopping and not any(self._workers.values())):
                self._idle.set()

    def stop(self, why: str) -> None:
        """Take no new work; what is in flight finishes."""
        if not self._stopping:
            log.info("stopping: %s", why)
            self.stats.stopped = why
            self._stopping = True
        if not any(self._workers.values()):
            self._idle.set()

    async def offer(self, entry: Entry, source: CrawlSource | None, depth: int = 0) -> None:
        """Queue a discovered page URL when the state says it is due (in a shared state, the
        frontier decides, for the batch the URL goes with)."""
        url = entry.url
        if url in self._seen:
            return
        self._seen.add(url)
        self.stats.discovered += 1
        if self.feed is not None:
            await self.feed.offer(entry, source, depth)
            return
        job = _Job(url, "page", source, depth, entry.lastmod)
        row = await self.session.get(url)
        if row is not None:
            job.etag, job.last_modified = row.etag, row.last_modified
        if not is_due(row, entry.lastmod, self._now, self.crawl.recheck_after, self.options.recheck_all):
            self.stats.not_due += 1
            return
        self._add(job)

    # sources

    async def _source(self, job: _Job) -> None:
        """Fetch a feed, sitemap or seed page, conditionally when it was read before, and offer
        what it lists; a 304 offers what it listed last time."""
        cached = await self.session.listing(job.url)
        try:
            page = await self.fetcher.fetch(job.url, etag=cached.etag if cached else None,
                                            last_modified=cached.last_modified if cached else None)
        except FetchError as exc:
            self.stats.source_errors += 1
            log.warning("source %s: %s", job.url, exc.detail)
            return
        try:
            listing = cached if page.status == 304 and cached is not None else read_listing(
                page, _final_url(page), job.kind, self.crawl.max_bytes)
        except (ValueError, SyntaxError, FetchError) as exc:
            self.stats.source_errors += 1
            log.warning("source %s: cannot parse: %s", job.url, exc)
            return
        if listing is cached:
            self.stats.sources_not_modified += 1
        else:
            self.stats.sources_fetched += 1
            await self.session.record_listing(job.url, listing)
        await self._offer_listed(listing, job)

    async def _offer_listed(self, listing: Listing, job: _Job) -> None:
        source = job.source
        assert source is not None, "a source's job carries its source"
        if listing.kind == "seed":
            await self._follow_links(tuple(url for url, _ in listing.urls), source, 1)
        elif listing.kind == "feed":
            for url, lastmod in listing.urls:
                await self.offer(Entry(url, lastmod), source)
        else:
            await self._sitemap(listing, job)

    async def _sitemap(self, listing: Listing, job: _Job) -> None:
        assert job.source is not None, "a sitemap's job carries its source"
        cutoff = self._now - timedelta(days=job.source.since_days) if job.source.since_days else None
        for url, lastmod in listing.sitemaps:
            if cutoff and lastmod and lastmod < cutoff:
                self.stats.too_old += 1
                continue
            if job.depth < MAX_SITEMAP_DEPTH and url not in self._seen:
                self._seen.add(url)
                self._add(_Job(url, "sitemap", job.source, job.depth + 1))
        for url, lastmod in listing.urls:
            if cutoff and lastmod and lastmod < cutoff:
                self.stats.too_old += 1
                continue
            await self.offer(Entry(url, lastmod), job.source)

    async def _follow_links(self, links: tuple[str, ...], source: CrawlSource, depth: int) -> None:
        allow = re.compile(source.allow) if source.allow else None
        for link in links:
            if same_site(link, source.url) and (allow is None or allow.search(link)):
                await self.offer(Entry(link), source, depth)

    # pages

    async def _page(self, job: _Job) -> None:
        url = job.url
        if url in self._article_keys:  # another URL of this run had it as its canonical URL
            self.stats.skipped["duplicate"] += 1
            if self.feed is not None:
                await self.feed.done(url)
            return
        try:
            page = await self.fetcher.fetch(url, etag=job.etag, last_modified=job.last_modified)
        except RobotsDisallowed as exc:
            self.stats.skipped[exc.reason] += 1
            await self.session.record_skip(url, exc.reason)
            return
        except FetchError as exc:
            reason = failure_reason(exc)
            self.stats.failed[reason] += 1
            log.info("%s: %s", url, exc.detail)
            status = exc.status if isinstance(exc, HTTPStatusError) else None
            await self.session.record_failure(url, f"{reason}: {exc.detail}", retry=is_retried_later(exc),
                                              status=status)
            return
        finally:
            self._tick()
        if page.status == 304:
            self.stats.unchanged += 1
            self.stats.not_modified += 1
            await self.session.record_not_modified(url, job.lastmod)
            return
        self.stats.fetched += 1
        if self.warc is not None:
            self.warc.write(page)
        source = job.source
        if source is not None and source.type == "seed" and job.depth < source.depth:
            await self._follow_links(extract_links(page.body, _final_url(page))[0], source, job.depth + 1)
        fetched = Fetched(page.status, page.header("etag"), page.header("last-modified"))
        if self.cleaner is None:  # --no-clean
            await self._record_raw(url, page, fetched, job)
            return
        result = await self.cleaner.clean(page)
        if isinstance(result, SkipError):
            self.stats.skipped[result.reason] += 1
            await self.session.record_skip(url, result.reason, fetched, job.lastmod)
            return
        await self._record_article(url, result, fetched, job, page)

    def _article_key(self, article: Article, page: Page) -> str:
        for candidate in (article.canonical_url, _final_url(page)):
            if candidate:
                try:
                    return canonicalize(candidate)
                except UnsafeURL:
                    continue
        return _final_url(page)

    async def _record_article(self, url: str, article: Article, fetched: Fetched, job: _Job, page: Page) -> None:
        """Record the article; the state says whether it is new, changed or unchanged (one
        transaction, so that two workers with two URLs of one article write it once); its
        blocks count toward its host's template."""
        if self.learning is not None:
            self.learning.observe(page)
        key = self._article_key(article, page)
        self._seen.add(key)  # the canonical URL, found later in this run, is not fetched again
        self._article_keys.add(key)  # ... nor when it is already queued
        content_hash = article.content_hash or hashlib.sha256(article.text.encode()).hexdigest()
        fetched = Fetched(fetched.status, fetched.etag, fetched.last_modified, content_hash)
        record = render_jsonl(article).rstrip(b"\n")
        outcome = await self.session.record_article(url, fetched, key, job.lastmod, record, self.run_id)
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        if outcome != "unchanged":
            self.stats.written += 1
        if self.feed is not None and key != url:
            await self.feed.done(key)  # queued by another source: no need to fetch it

    async def _record_raw(self, url: str, page: Page, fetched: Fetched, job: _Job) -> None:
        content_hash = hashlib.blake2b(page.body, digest_size=16).hexdigest()
        outcome = await self.session.record_raw(
            url, Fetched(fetched.status, fetched.etag, fetched.last_modified, content_hash), job.lastmod)
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)

    def _tick(self) -> None:
        if self._progress is not None:
            self._progress.update(1)

    # the run

    async def run(self) -> None:
        """Crawl until no work is left, `max_seconds` pass, or the task is cancelled (a signal)."""
        self._open()
        try:
            if self.frontier is not None:
                self.feed = SharedFeed(self, self.frontier)
                await self._until_idle(self.feed.run())
            else:
                await self._queue_sources()
                if self._outstanding == 0:
                    self._idle.set()
                await self._until_idle(self._idle.wait())
        except asyncio.CancelledError:
            self.stats.stopped = self.stats.stopped or "cancelled"
        finally:
            await self._close()

    def _open(self) -> None:
        """Start what the run works with besides the fetcher: the cleaner, the WARC, a progress bar."""
        if self.options.clean:
            self.cleaner = self._open_cleaner_with_learnt()
        if self.crawl.warc:
            self.warc = WarcOutput(self.crawl.out_dir, self.stats.started_at,
                                   self.options.worker if self.frontier is not None else "")
        if self.options.progress and sys.stderr.isatty():
            from tqdm import tqdm

            self._progress = tqdm(unit="page", desc="crawl", file=sys.stderr, leave=False)

    def _open_cleaner_with_learnt(self) -> Cleaner:
        """The cleaner, given the templates the state had learnt when the run started."""
        templates = self.learning.templates() if self.learning is not None else None
        if templates and self._open_cleaner is Cleaner:  # a test's cleaner cleans as it likes
            return Cleaner(self.config, clean=partial(clean_page, learnt=templates))
        return self._open_cleaner(self.config)

    async def _queue_sources(self) -> None:
        """Queue the URLs whose last try failed (worth another), then every configured source."""
        for url in await self.session.retry_candidates(self.crawl.max_failures):
            await self.offer(Entry(url), None)
        for source in self.config.sources:
            try:
                url = canonicalize(source.url)
            except UnsafeURL as exc:
                log.warning("source %s: %s", source.url, exc.detail)
                self.stats.source_errors += 1
                continue
            self._seen.add(url)
            self._add(_Job(url, source.type, source, 0))

    async def _until_idle(self, done: Coroutine[object, object, object]) -> None:
        """Wait until `done` (every job is done), or `max_seconds` have passed."""
        max_seconds = self.options.max_seconds if self.options.max_seconds is not None else self.crawl.max_seconds
        try:
            async with asyncio.timeout(max_seconds or None):
                await done
        except TimeoutError:
            self.stats.stopped = self.stats.stopped or "max-seconds"

    async def _close(self) -> None:
        """Drop the work in flight (it stays due for the next run) and close what the run opened."""
        self._stopping = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.feed is not None:
            await self.feed.close()
        await self.fetcher.aclose()
        if self.cleaner is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.cleaner.close)
        if self.warc is not None:
            self.stats.warc = self.warc.close()
        if self._progress is not None:
            self._progress.close()


class _Progress(Protocol):
    """The progress bar (tqdm) the crawl ticks once per page; its total grows as discovery
    queues pages, so it shows an ETA for the pages known so far, and the rate always."""

    total: int | None

    def update(self, n: int = 1) -> object: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


def run_crawl(config: Config, options: CrawlOptions = CrawlOptions(),
              sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
              open_state: Callable[[str], StateStore] = open_any_state,
              open_cleaner: Callable[[Config], Cleaner] = Cleaner) -> RunStats:
    """One crawl run, start to end: lock, recover, crawl, export, record the run.

    `sleep` (the fetcher's waits), `open_state` (the state) and `open_cleaner` (what cleans
    the pages) are for tests.

    With a SQLite state the run holds the lock file: one run at a time. With a PostgreSQL
    state the run is one worker of a crawl others may share (`options.worker` names it);
    a second run with the same worker id exits as a held lock does.

    SIGTERM and SIGINT stop the run cleanly: in-flight requests are dropped (they stay due),
    everything done so far is exported and the state saved.

    An output folder that cannot be written stops the run before anything is fetched; a
    state or WARC that stops taking writes mid-run (a full disk) stops it then, and what it
    did is finished by the next run, as after a kill.

    Raises:
        LockHeld: another run holds the lock (or runs as the same worker).
        OutputError: the output or the state could not be written.
    """
    if is_shared(config.crawl.state):
        return _run_worker(config, options, sleep, open_state, open_cleaner)
    with CrawlLock(lock_path(config)):
        check_writable(config.crawl.out_dir)
        state = open_state(config.crawl.state)
        try:
            return _one_run(config, options, state, "", sleep, open_cleaner)
        finally:
            state.close()


def _run_worker(config: Config, options: CrawlOptions, sleep: Callable[[float], Awaitable[None]],
                open_state: Callable[[str], StateStore], open_cleaner: Callable[[Config], Cleaner]) -> RunStats:
    """A run as one worker of a crawl on a shared (PostgreSQL) state."""
    from .state.postgres import PgState, default_worker_id

    check_writable(config.crawl.out_dir)
    state = open_state(config.crawl.state)
    assert isinstance(state, PgState), "a postgresql:// state opens as PgState"
    state.lease = config.crawl.lease
    worker = options.worker or default_worker_id()
    options = dataclasses.replace(options, worker=worker)
    try:
        with state.worker_lock(worker):
            return _one_run(config, options, state, worker, sleep, open_cleaner)
    finally:
        state.close()


def _one_run(config: Config, options: CrawlOptions, state: StateStore, worker: str,
             sleep: Callable[[float], Awaitable[None]], open_cleaner: Callable[[Config], Cleaner]) -> RunStats:
    """Recover, crawl, export, record: the run itself, under its lock."""
    out_dir = config.crawl.out_dir
    stats = RunStats(started_at=datetime.now(UTC).replace(microsecond=0))
    with state.recovery_lock():
        stats.recovered = recover(state, out_dir)
    run_id = state.begin_run(stats.started_at, worker)
    learning = CrawlLearning(state) if config.clean.learn and options.clean else None
    # The crawler is made inside the event loop that runs it (its client, gate and events).
    make = partial(Crawler, config, options, run_id=run_id, stats=stats, sleep=sleep, open_cleaner=open_cleaner,
                   learning=learning)
    try:
        try:
            asyncio.run(_run_async(state, worker, make))
        finally:
            if learning is not None:
                learning.save()  # what the run's pages taught, for the next run
        state.heartbeat(run_id)  # alive while it exports: no other worker takes its records for a dead run's
        stats.output, _ = export_run(state, run_id, out_dir, stats.started_at, worker if state.shared else "")
    except BaseException:
        state.abandon_run(run_id)  # left unfinished: the next run finishes it, as after a kill
        raise
    stats.finished_at = datetime.now(UTC)
    status = "stopped" if stats.stopped in ("SIGTERM", "SIGINT", "cancelled") else "done"
    state.finish_run(run_id, status, stats.as_dict(), [p for p in (stats.output, stats.warc) if p])
    if state.shared:  # workers of this machine killed during this run: their articles, now
        with state.recovery_lock():
            stats.recovered += recover(state, out_dir, current_run=run_id)
    return stats


async def _run_async(state: StateStore, worker: str, make_crawler: Callable[[CrawlSession], Crawler]) -> None:
    async with state.session(worker) as session:
        await _crawl_until_signal(make_crawler(session))


async def _crawl_until_signal(crawler: Crawler) -> None:
    stats = crawler.stats
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    run_task = loop.create_task(crawler.run())

    def on_signal(name: str) -> None:
        stats.stopped = name
        crawler.stop(name)
        run_task.cancel()

    installed = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, on_signal, signal.Signals(signum).name)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass
    try:
        await asyncio.shield(run_task)
    except asyncio.CancelledError:
        if main is not None and main.cancelling():
            raise
    finally:
        if not run_task.done():
            await asyncio.gather(run_task, return_exceptions=True)
        for signum in installed:
            loop.remove_signal_handler(signum)
    if crawler.error is not None:
        raise crawler.error
