"""The crawl's async side of the PostgreSQL state: what workers share while they crawl.

`PgSession` is both the `CrawlSession` (URL records) and the `SharedFrontier` of one worker's
run, over a psycopg async connection pool. Every call is one statement (or one short
transaction), so that a page costs a few round trips to the database:

- **rounds**: the first worker of a crawl opens a round and discovers the sources (feeds,
  sitemaps, seeds); workers that start while a live worker is in that round join it and
  only fetch. The round is opened or joined under an advisory lock, so two workers that start
  together never both discover. A discoverer that dies (its heartbeat stops) is replaced.
- **the frontier**: discovery writes each due URL once (unique on the canonical URL; a URL
  done in this round is not queued again); a worker claims a batch with `SELECT ... FOR
  UPDATE SKIP LOCKED` and holds it under a lease that its heartbeat renews. A killed
  worker's claims run out and other workers claim them again. Recording a URL marks it
  done in the same statement.
- **hosts**: per host, the next time a request may start and `per_host_concurrency` slots,
  taken in one atomic call (`scrape_take_slot`), so the limits hold for the whole crawl,
  not per worker; slots of a killed worker are free again when their lease runs out.
- **robots.txt**: cached per host until it expires; one worker fetches it while the others
  wait for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ...errors import OutputError
from ..urls import host_of
from .base import Candidate, Claim, Fetched, Listing, SharedFrontier, UrlState, first_line, is_due

_ROUND_LOCK = 0x5C5A_0002  # advisory lock key: who joins or opens a round (postgres.py has the migration's)

_URL_COLUMNS = ("url, first_seen, last_fetched, status, etag, last_modified, content_hash, lastmod, failures,"
                " last_error, outcome")

# The URL's new state. `answered`: a response came (its time and status are kept);
# `validators`: its ETag, Last-Modified and hash replace the old ones; `retry`: a failure
# counted toward the retries of later runs (else the count goes back to 0).
_UPSERT_URL = """
INSERT INTO urls AS u (url, first_seen, last_fetched, status, etag, last_modified, content_hash, lastmod,
                       failures, last_error, outcome)
VALUES (%(url)s, clock_timestamp(), CASE WHEN %(answered)s THEN clock_timestamp() END, %(status)s, %(etag)s,
        %(last_modified)s, %(hash)s, %(lastmod)s, CASE WHEN %(retry)s THEN 1 ELSE 0 END, %(error)s, {outcome})
ON CONFLICT (url) DO UPDATE SET
    last_fetched = CASE WHEN %(answered)s THEN clock_timestamp() ELSE u.last_fetched END,
    status = CASE WHEN %(answered)s THEN excluded.status ELSE u.status END,
    etag = CASE WHEN %(validators)s THEN excluded.etag ELSE u.etag END,
    last_modified = CASE WHEN %(validators)s THEN excluded.last_modified ELSE u.last_modified END,
    content_hash = CASE WHEN %(validators)s THEN excluded.content_hash ELSE u.content_hash END,
    lastmod = coalesce(excluded.lastmod, u.lastmod),
    failures = CASE WHEN %(retry)s THEN u.failures + 1 ELSE 0 END,
    last_error = excluded.last_error, outcome = excluded.outcome"""

_DONE = """done AS (UPDATE frontier SET state = 'done', lease_until = NULL
                    WHERE url = %(url)s AND claimed_by = %(run)s AND state = 'claimed' RETURNING 1)"""

_RECORD = f"WITH {_DONE} " + _UPSERT_URL.format(outcome="%(outcome)s")

# An article: new, changed or unchanged is decided by the upsert of its hash itself, so two
# workers holding two URLs of one article cannot both write it. Its record goes to
# `pending` in the same statement, with the URL's state and the frontier's "done".
_ARTICLE = f"""
WITH a AS (
    INSERT INTO articles AS a (canonical_url, content_hash, versions, first_written, last_written)
    VALUES (%(key)s, %(hash)s, 1, clock_timestamp(), clock_timestamp())
    ON CONFLICT (canonical_url) DO UPDATE SET content_hash = excluded.content_hash, versions = a.versions + 1,
        last_written = excluded.last_written
    WHERE a.content_hash <> excluded.content_hash
    RETURNING versions),
o AS (SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM a) THEN 'unchanged'
                  WHEN (SELECT versions FROM a) = 1 THEN 'new' ELSE 'changed' END AS outcome),
p AS (INSERT INTO pending (run_id, record) SELECT %(run)s, %(record)s FROM a RETURNING 1),
{_DONE},
u AS ({_UPSERT_URL.format(outcome="(SELECT outcome FROM o)")} RETURNING 1)
SELECT outcome FROM o"""

_RAW = f"""
WITH old AS (SELECT content_hash FROM urls WHERE url = %(url)s FOR UPDATE),
o AS (SELECT CASE WHEN (SELECT content_hash FROM old) IS NULL THEN 'new'
                  WHEN (SELECT content_hash FROM old) = %(hash)s THEN 'unchanged' ELSE 'changed' END AS outcome),
{_DONE},
u AS ({_UPSERT_URL.format(outcome="(SELECT outcome FROM o)")} RETURNING 1)
SELECT outcome FROM o"""

_OFFER = """
INSERT INTO frontier AS f (url, host, round, source_url, depth, lastmod)
SELECT url, host, %s, source_url, depth, lastmod
FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::timestamptz[])
    AS t(url, host, source_url, depth, lastmod)
ON CONFLICT (url) DO UPDATE SET round = excluded.round, source_url = excluded.source_url, depth = excluded.depth,
    lastmod = excluded.lastmod,
    state = CASE WHEN f.state = 'claimed' AND f.lease_until >= clock_timestamp() THEN 'claimed' ELSE 'queued' END
WHERE f.round < excluded.round"""

_CLAIM = """
WITH c AS (SELECT url FROM frontier
           WHERE state = 'queued' OR (state = 'claimed' AND lease_until < clock_timestamp())
           ORDER BY id LIMIT %(n)s FOR UPDATE SKIP LOCKED)
UPDATE frontier f SET state = 'claimed', claimed_by = %(run)s, claims = f.claims + 1,
    lease_until = clock_timestamp() + make_interval(secs => %(lease)s)
FROM c LEFT JOIN urls u ON u.url = c.url
WHERE f.url = c.url
RETURNING f.id, f.url, f.source_url, f.depth, f.lastmod, u.etag, u.last_modified"""

_LIVE = "status = 'running' AND heartbeat >= clock_timestamp() - make_interval(secs => %s)"


class PgSession:
    """One worker's run on the PostgreSQL state (see the module docstring)."""

    def __init__(self, url: str, path: str, worker: str, lease: float, pool_size: int = 6):
        from psycopg_pool import AsyncConnectionPool

        self.path = path
        self.worker = worker
        self.lease = lease
        self.run_id = 0  # set by join_round
        self.round = 0
        self._pool = AsyncConnectionPool(url, min_size=1, max_size=pool_size, open=False,
                                         kwargs={"autocommit": True, "application_name": f"scrape {worker}"})

    @property
    def frontier(self) -> SharedFrontier:
        return self

    async def open(self) -> None:
        import psycopg

        try:
            await self._pool.open(wait=True, timeout=15)
        except (psycopg.Error, Exception) as exc:  # the pool's PoolTimeout names no address
            await self._pool.close()
            raise OutputError(f"cannot open the state: {first_line(exc)}", self.path) from None

    async def close(self) -> None:
        await self._pool.close()

    async def _rows(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement (its own transaction); its rows. Errors name the database."""
        import psycopg

        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(sql, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.Error as exc:
            raise OutputError(f"cannot write the state: {first_line(exc)}", self.path) from None

    # --- CrawlSession --------------------------------------------------------------------

    async def get(self, url: str) -> UrlState | None:
        rows = await self._rows(f"SELECT {_URL_COLUMNS} FROM urls WHERE url = %s", (url,))
        return UrlState(*rows[0]) if rows else None

    async def retry_candidates(self, max_failures: int) -> list[str]:
        rows = await self._rows("SELECT url FROM urls WHERE failures > 0 AND failures < %s ORDER BY failures, url",
                                (max_failures,))
        return [row[0] for row in rows]

    def _params(self, url: str, outcome: str | None = None, fetched: Fetched | None = None,
                lastmod: datetime | None = None, **flags: object) -> dict[str, object]:
        return {"url": url, "run": self.run_id, "outcome": outcome, "lastmod": lastmod, "error": None,
                "answered": fetched is not None, "validators": fetched is not None, "retry": False,
                "status": fetched.status if fetched else None, "etag": fetched.etag if fetched else None,
                "last_modified": fetched.last_modified if fetched else None,
                "hash": fetched.content_hash if fetched else None, **flags}

    async def record_not_modified(self, url: str, lastmod: datetime | None) -> None:
        await self._rows(_RECORD, self._params(url, "not modified", Fetched(304), lastmod, validators=False))

    async def record_failure(self, url: str, error: str, retry: bool, status: int | None = None) -> None:
        fetched = Fetched(status) if status is not None else None
        await self._rows(_RECORD, self._params(url, f"failed: {error[:100]}", fetched, error=error[:500],
                                               retry=retry, validators=False))

    async def record_skip(self, url: str, reason: str, fetched: Fetched | None = None,
                          lastmod: datetime | None = None) -> None:
        await self._rows(_RECORD, self._params(url, f"skipped: {reason}", fetched, lastmod))

    async def record_article(self, url: str, fetched: Fetched, key: str, lastmod: datetime | None,
                             record: bytes, run_id: int) -> str:
        rows = await self._rows(_ARTICLE, self._params(url, None, fetched, lastmod, key=key, record=record,
                                                       run=run_id))
        return str(rows[0][0])

    async def record_raw(self, url: str, fetched: Fetched, lastmod: datetime | None) -> str:
        rows = await self._rows(_RAW, self._params(url, None, fetched, lastmod))
        return str(rows[0][0])

    async def listing(self, url: str) -> Listing | None:
        rows = await self._rows("SELECT kind, entries, etag, last_modified FROM listings WHERE url = %s", (url,))
        return Listing.from_json(*rows[0]) if rows else None

    async def record_listing(self, url: str, listing: Listing) -> None:
        await self._rows(
            "INSERT INTO listings (url, kind, etag, last_modified, entries, fetched_at)"
            " VALUES (%s, %s, %s, %s, %s, clock_timestamp()) ON CONFLICT (url) DO UPDATE SET kind = excluded.kind,"
            " etag = excluded.etag, last_modified = excluded.last_modified, entries = excluded.entries,"
            " fetched_at = excluded.fetched_at",
            (url, listing.kind, listing.etag, listing.last_modified, listing.as_json()))

    # --- SharedFrontier: rounds -----------------------------------------------------------

    async def join_round(self, run_id: int) -> bool:
        import psycopg

        self.run_id = run_id
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ROUND_LOCK,))
                found = await (await conn.execute(
                    f"SELECT round FROM runs WHERE id <> %s AND round IS NOT NULL AND {_LIVE}"
                    " ORDER BY round DESC LIMIT 1", (run_id, self.lease))).fetchone()
                discover = found is None
                if discover:
                    found = await (await conn.execute("INSERT INTO rounds (discoverer) VALUES (%s) RETURNING id",
                                                      (run_id,))).fetchone()
                assert found is not None
                self.round = int(found[0])
                await conn.execute("UPDATE runs SET round = %s, heartbeat = clock_timestamp() WHERE id = %s",
                                   (self.round, run_id))
        except psycopg.Error as exc:
            raise OutputError(f"cannot write the state: {first_line(exc)}", self.path) from None
        return discover

    async def finish_discovery(self) -> None:
        await self._rows("UPDATE rounds SET discovered_at = clock_timestamp() WHERE id = %s", (self.round,))

    async def discovery_done(self) -> bool:
        rows = await self._rows("SELECT discovered_at IS NOT NULL FROM rounds WHERE id = %s", (self.round,))
        return bool(rows and rows[0][0])

    async def take_over_discovery(self) -> bool:
        rows = await self._rows(
            "UPDATE rounds SET discoverer = %s WHERE id = %s AND discovered_at IS NULL AND NOT EXISTS"
            f" (SELECT 1 FROM runs WHERE id = rounds.discoverer AND {_LIVE}) RETURNING id",
            (self.run_id, self.round, self.lease))
        return bool(rows)

    # --- SharedFrontier: URLs -------------------------------------------------------------

    async def offer(self, candidates: Sequence[Candidate], now: datetime, recheck_after: float,
                    recheck_all: bool) -> int:
        if not candidates:
            return 0
        known = {row[0]: UrlState(*row) for row in await self._rows(
            f"SELECT {_URL_COLUMNS} FROM urls WHERE url = ANY(%s)", ([c.url for c in candidates],))}
        due = [c for c in candidates if is_due(known.get(c.url), c.lastmod, now, recheck_after, recheck_all)]
        if due:
            await self._rows(_OFFER, (self.round, [c.url for c in due], [host_of(c.url) for c in due],
                                      [c.source_url for c in due], [c.depth for c in due], [c.lastmod for c in due]))
        return len(candidates) - len(due)

    async def claim(self, count: int) -> list[Claim]:
        rows = await self._rows(_CLAIM, {"n": count, "run": self.run_id, "lease": self.lease})
        return [Claim(*row[1:]) for row in sorted(rows)]

    async def release(self, urls: Iterable[str]) -> None:
        await self._rows("UPDATE frontier SET state = 'queued', claimed_by = NULL, lease_until = NULL"
                         " WHERE url = ANY(%s) AND claimed_by = %s AND state = 'claimed'", (list(urls), self.run_id))

    async def mark_done(self, url: str) -> None:
        await self._rows("UPDATE frontier SET state = 'done', lease_until = NULL WHERE url = %s"
                         " AND (state = 'queued' OR (state = 'claimed' AND claimed_by = %s))", (url, self.run_id))

    async def heartbeat(self, run_id: int) -> None:
        await self._rows(
            "WITH r AS (UPDATE runs SET heartbeat = clock_timestamp() WHERE id = %(run)s RETURNING 1),"
            " s AS (UPDATE host_slots SET until = clock_timestamp() + make_interval(secs => %(lease)s)"
            "       WHERE holder = %(run)s AND until IS NOT NULL RETURNING 1)"
            " UPDATE frontier SET lease_until = clock_timestamp() + make_interval(secs => %(lease)s)"
            " WHERE claimed_by = %(run)s AND state = 'claimed'", {"run": run_id, "lease": self.lease})

    async def remaining(self) -> int:
        rows = await self._rows("SELECT count(*) FROM frontier WHERE state <> 'done'")
        return int(rows[0][0])

    # --- SharedFrontier: hosts and robots.txt ----------------------------------------------

    async def take_host_slot(self, host: str, limit: int, delay: float) -> tuple[int | None, float]:
        rows = await self._rows("SELECT slot, wait FROM scrape_take_slot(%s, %s, %s, %s, %s)",
                                (host, max(1, limit), delay, self.run_id, self.lease))
        return rows[0][0], float(rows[0][1])

    async def free_host_slot(self, host: str, slot: int) -> None:
        await self._rows("UPDATE host_slots SET holder = NULL, until = NULL WHERE host = %s AND slot = %s"
                         " AND holder = %s", (host, slot, self.run_id))

    async def hold_host(self, host: str, seconds: float) -> None:
        await self._rows("INSERT INTO hosts AS h (host, next_start) VALUES (%s, clock_timestamp()"
                         " + make_interval(secs => %s)) ON CONFLICT (host) DO UPDATE"
                         " SET next_start = greatest(h.next_start, excluded.next_start)", (host, seconds))

    async def raise_host_delay(self, host: str, seconds: float) -> None:
        await self._rows("INSERT INTO hosts AS h (host, delay) VALUES (%s, %s) ON CONFLICT (host) DO UPDATE"
                         " SET delay = greatest(h.delay, excluded.delay)", (host, seconds))

    async def robots(self, host: str) -> tuple[str, bytes | None]:
        import psycopg

        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("INSERT INTO hosts (host) VALUES (%s) ON CONFLICT DO NOTHING", (host,))
                row = await (await conn.execute(
                    "SELECT robots, coalesce(robots_expires > clock_timestamp(), false),"
                    " coalesce(robots_fetch_until > clock_timestamp(), false) FROM hosts WHERE host = %s FOR UPDATE",
                    (host,))).fetchone()
                assert row is not None
                body, fresh, fetching = row
                if fresh:
                    return "fresh", bytes(body) if body is not None else None
                if fetching:
                    return "wait", None
                # Held for a lease: a worker that dies while it fetches holds up the others no longer.
                await conn.execute("UPDATE hosts SET robots_fetch_until = clock_timestamp()"
                                   " + make_interval(secs => %s) WHERE host = %s", (self.lease, host))
                return "fetch", None
        except psycopg.Error as exc:
            raise OutputError(f"cannot write the state: {first_line(exc)}", self.path) from None

    async def store_robots(self, host: str, body: bytes | None, expires: float) -> None:
        await self._rows("UPDATE hosts SET robots = %s, robots_state = %s, robots_fetch_until = NULL,"
                         " robots_expires = clock_timestamp() + make_interval(secs => %s) WHERE host = %s",
                         (body, "ok" if body is not None else "unreachable", expires, host))
