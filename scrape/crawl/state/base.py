"""What both state back-ends share: the records they hold, the interface they offer, the rule
that says when a known URL is due again.

`StateStore` is the state of all runs as the run's edges use it (open, recover, begin and
finish a run, export its articles, statistics, copying between back-ends): plain calls,
made outside the event loop. `CrawlSession` is the part the crawl calls from inside its
event loop, once per URL: async, so that a database across the network never holds up the
fetches. A SQLite session answers at once from the same file; the PostgreSQL one holds a
pool of async connections and, being shared by several workers, also a `SharedFrontier`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypedDict


def first_line(exc: BaseException) -> str:
    """An error's first line: what a one-line message about the state quotes."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else None


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def required_when(value: str) -> datetime:
    """A time a column always holds (NOT NULL)."""
    return datetime.fromisoformat(value)


class RunRecord(TypedDict):
    """One run as the state records it."""

    id: int
    started_at: str
    finished_at: str | None
    status: str  # running, done, stopped, killed
    stats: dict[str, object] | None  # RunStats.as_dict(), as JSON
    outputs: list[str]


@dataclass(frozen=True, slots=True)
class UrlState:
    url: str
    first_seen: datetime
    last_fetched: datetime | None
    status: int | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    lastmod: datetime | None
    failures: int
    last_error: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a response says about its URL, for the state."""

    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


Listed = tuple[tuple[str, datetime | None], ...]  # (URL, its lastmod) as a feed or sitemap gave them


@dataclass(frozen=True, slots=True)
class Listing:
    """What a feed, sitemap (index) or seed page listed when it was last fetched, with the
    validators of that response, for its next conditional request: a 304 offers these URLs
    again. Both back-ends keep it as one JSON text column (`entries`)."""

    kind: str  # feed, sitemap or seed: how the body was read
    urls: Listed = ()  # pages (a seed's links)
    sitemaps: Listed = ()  # a sitemap index's sitemaps
    etag: str | None = None
    last_modified: str | None = None

    def as_json(self) -> str:
        return json.dumps({"urls": [[u, iso(m)] for u, m in self.urls],
                           "sitemaps": [[u, iso(m)] for u, m in self.sitemaps]})

    @classmethod
    def from_json(cls, kind: str, entries: str, etag: str | None, last_modified: str | None) -> Listing:
        data = json.loads(entries)
        return cls(kind, tuple((u, when(m)) for u, m in data["urls"]),
                   tuple((u, when(m)) for u, m in data["sitemaps"]), etag, last_modified)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A page URL discovery found, for the shared frontier."""

    url: str  # canonical
    source_url: str | None  # the configured source it came from (None: a retry from the state)
    depth: int = 0  # link hops from a seed page
    lastmod: datetime | None = None  # what the feed or sitemap says


@dataclass(frozen=True, slots=True)
class Claim:
    """A frontier URL a worker holds the lease of, with what a conditional GET needs."""

    url: str
    source_url: str | None
    depth: int
    lastmod: datetime | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class WorkerSeen:
    worker: str
    machine: str
    runs: int
    last_seen: str
    running: bool


@dataclass(frozen=True)
class StateStats:
    """`scrape state stats`: how big the crawl is and who works on it."""

    backend: str
    schema_version: int
    urls: int
    articles: int
    queued: int  # frontier URLs waiting for a worker (shared state only)
    claimed: int  # frontier URLs under a live lease
    done: int  # URLs that gave an answer on their last try
    errors_by_host: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerSeen] = field(default_factory=list)
    runs: int = 0
    pending: int = 0  # article records not yet in an output file


# The tables `scrape state export` and `import` copy, and their columns, in order: what the
# two back-ends hold in common. The shared frontier, hosts and workers are per crawl in
# progress and stay behind (a fresh one is built by the next discovery).
COPIED: dict[str, tuple[str, ...]] = {
    "urls": ("url", "first_seen", "last_fetched", "status", "etag", "last_modified", "content_hash", "lastmod",
             "failures", "last_error", "outcome"),
    "articles": ("canonical_url", "content_hash", "versions", "first_written", "last_written"),
    "runs": ("id", "started_at", "finished_at", "status", "stats", "outputs"),
    "pending": ("id", "run_id", "record", "export_path"),
    "listings": ("url", "kind", "etag", "last_modified", "entries", "fetched_at"),
}


def is_due(row: UrlState | None, lastmod: datetime | None, now: datetime, recheck_after: float,
           recheck_all: bool) -> bool:
    """Whether a discovered URL is asked for this run: new URLs, failed ones, ones the source
    gives a newer lastmod, and, without a lastmod, ones not checked for `recheck_after`."""
    if row is None or row.failures or recheck_all or row.last_fetched is None:
        return True
    if lastmod is not None:
        return lastmod > (row.lastmod or row.last_fetched)
    return (now - row.last_fetched).total_seconds() >= recheck_after


class CrawlSession(Protocol):
    """The state as the crawl's event loop calls it, once per URL.

    `frontier` is None for a state one worker owns (SQLite): the run keeps its queue in
    memory. A shared state (PostgreSQL) gives the frontier the workers split.
    """

    @property
    def frontier(self) -> SharedFrontier | None: ...

    async def get(self, url: str) -> UrlState | None: ...

    async def retry_candidates(self, max_failures: int) -> list[str]: ...

    async def record_not_modified(self, url: str, lastmod: datetime | None) -> None: ...

    async def record_failure(self, url: str, error: str, retry: bool, status: int | None = None) -> None: ...

    async def record_skip(self, url: str, reason: str, fetched: Fetched | None = None,
                          lastmod: datetime | None = None) -> None: ...

    async def record_article(self, url: str, fetched: Fetched, key: str, lastmod: datetime | None,
                             record: bytes, run_id: int) -> str:
        """A cleaned article: "unchanged" when `key` has this content hash already, else
        "new" or "changed", its record then pending for `run_id`'s output; decided and
        written in one transaction (the URL marked done in it too, for a shared frontier)."""

    async def record_raw(self, url: str, fetched: Fetched, lastmod: datetime | None) -> str:
        """A page fetched without cleaning (--no-clean): new, changed or unchanged by body hash."""

    async def listing(self, url: str) -> Listing | None:
        """What the feed, sitemap or seed page at `url` listed last time, and its validators."""

    async def record_listing(self, url: str, listing: Listing) -> None:
        """Keep what a freshly fetched feed, sitemap or seed page listed."""


class SharedFrontier(Protocol):
    """The frontier several workers split, with leases, a discovery round, the per-host
    politeness of the whole crawl and the robots.txt cache."""

    worker: str
    lease: float

    async def join_round(self, run_id: int) -> bool:
        """Join the crawl in progress, or open a new round; True when this worker discovers."""

    async def finish_discovery(self) -> None: ...

    async def discovery_done(self) -> bool:
        """The round's discovery is finished (or its worker died and another must take it)."""

    async def take_over_discovery(self) -> bool:
        """True when the discovering worker's lease ran out and this one is to discover again."""

    async def offer(self, candidates: Sequence[Candidate], now: datetime, recheck_after: float,
                    recheck_all: bool) -> int:
        """Queue the due candidates once each (unique on the URL); returns how many were not due."""

    async def claim(self, count: int) -> list[Claim]: ...

    async def release(self, urls: Iterable[str]) -> None:
        """Give claimed URLs back untouched (a stop before they were fetched)."""

    async def mark_done(self, url: str) -> None:
        """A claimed URL that needed no fetch (the canonical URL of an article already read)."""

    async def heartbeat(self, run_id: int) -> None:
        """Renew this worker's leases and say it is alive."""

    async def remaining(self) -> int:
        """URLs queued, or claimed by anyone, in the frontier."""

    async def take_host_slot(self, host: str, limit: int, delay: float) -> tuple[int | None, float]:
        """(slot, 0) when a request to `host` may start now; (None, seconds to wait) when not."""

    async def free_host_slot(self, host: str, slot: int) -> None: ...

    async def hold_host(self, host: str, seconds: float) -> None:
        """No request to `host` starts for `seconds` (a 429's Retry-After), for every worker."""

    async def raise_host_delay(self, host: str, seconds: float) -> None: ...

    async def robots(self, host: str) -> tuple[str, bytes | None]:
        """("fresh", body) from the cache; ("fetch", None): this worker fetches it now;
        ("wait", None): another worker is fetching it."""

    async def store_robots(self, host: str, body: bytes | None, expires: float) -> None:
        """Cache a host's robots.txt (None: unreachable) for `expires` seconds."""


class StateStore(Protocol):
    """The crawl state of all runs, as the run's edges use it (outside the event loop)."""

    path: str  # the file, or the database address without its password: what errors name
    shared: bool  # several workers may use it at once

    def close(self) -> None: ...

    @property
    def schema_version(self) -> int: ...

    def session(self, worker: str) -> AbstractAsyncContextManager[CrawlSession]:
        """The state for one run's event loop (entered inside it)."""

    def get(self, url: str) -> UrlState | None: ...

    def article_hash(self, canonical_url: str) -> str | None: ...

    def begin_run(self, started_at: datetime, worker: str = "") -> int: ...

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, object], outputs: list[str]) -> None: ...

    def unfinished_runs(self, exclude: int | None = None) -> list[tuple[int, datetime]]:
        """Runs found unfinished that no live worker runs (on this machine, for a shared state)."""

    def mark_killed(self, run_id: int) -> None: ...

    def run(self, run_id: int) -> RunRecord: ...

    def run_started(self, run_id: int) -> datetime: ...

    def run_worker(self, run_id: int) -> str:
        """The worker id of a run ("" for a state one worker owns)."""

    def heartbeat(self, run_id: int) -> None:
        """Say the run is alive (a shared state takes a silent run for a dead one)."""

    def abandon_run(self, run_id: int) -> None:
        """The run stops on an error without finishing: it is left to the next run's recovery
        (a shared state lets that be at once, not a lease later). Never raises."""

    def recovery_lock(self) -> AbstractContextManager[None]:
        """Held while `output.recover` finishes the exports of dead runs."""

    def pending_count(self, run_id: int | None = None) -> int: ...

    def assign_export(self, run_id: int, path: str) -> int: ...

    def assigned_exports(self) -> list[str]:
        """Output files records are assigned to (of runs that are over, for a shared state)."""

    def runs_with_unassigned(self) -> list[int]: ...

    def records_for(self, path: str) -> Iterator[bytes]: ...

    def drop_exported(self, path: str) -> None: ...

    def stats(self) -> StateStats: ...

    def learnt_counts(self) -> Iterator[tuple[str, bytes]]:
        """Every host's learnt fingerprint counts (`clean.learning.HostLearner.to_bytes`)."""

    def learnt_hosts(self) -> list[tuple[str, int, int]]:
        """(host, pages learnt from, bytes kept) for every host."""

    def save_learnt(self, counts: Mapping[str, tuple[int, bytes]]) -> None:
        """Replace the learnt counts of the hosts given ({host: (pages, counts)}), together."""

    def merge_learnt(self, hosts: Sequence[str], merge: Callable[[str, bytes | None], tuple[int, bytes]]) -> None:
        """For each host, `merge(host, counts stored now or None)` gives (pages, counts) to
        store: read and written in one transaction that other workers' merges wait for, so
        workers sharing the state add their pages up instead of replacing each other's."""

    def dump(self, table: str) -> Iterator[tuple[object, ...]]:
        """The rows of one of the `COPIED` tables, its columns in that order."""

    def load(self, table: str, rows: Iterable[tuple[object, ...]]) -> int:
        """Add rows (as `dump` gives them) to an empty table; returns how many."""
