"""The PostgreSQL crawl state: the state of every run of every worker, in one database.

`crawl.state = "postgresql://user@host/db"`; the driver is psycopg 3 (`scrape[postgres]`).
`PgState` is the plain-call side the run's edges use (one connection: migrations, runs,
exports, recovery, statistics, copies); `shared.PgSession` is the crawl's async side (a
pool of async connections: URLs, the frontier, hosts, robots.txt).

Schema: the tables of the SQLite state (`urls`, `articles`, `pending`, `runs`, with
timestamps as `timestamptz`), and those only a crawl shared by several workers needs:

    rounds      one discovery pass each: which run discovers, when it finished
    frontier    the URLs to fetch, unique on the canonical URL: queued, claimed (by a run,
                until its lease ends) or done, and the round that queued them
    hosts       per host: when the next request may start, the delay, the cached robots.txt
    host_slots  per host, `per_host_concurrency` slots, each held by a run until its lease ends

The schema version and its numbered steps follow the SQLite state's rule: step N takes a
database from version N - 1 to N, run forward on first use under an advisory lock (two
workers starting together migrate once); a database from a newer scrape is refused.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ...errors import LockHeld, OutputError, StateError
from .base import COPIED, RunRecord, StateStats, UrlState, WorkerSeen, first_line

if TYPE_CHECKING:
    import psycopg

    from .shared import PgSession

_STEP_1 = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS urls (
        url TEXT PRIMARY KEY, first_seen TIMESTAMPTZ NOT NULL, last_fetched TIMESTAMPTZ, status INTEGER,
        etag TEXT, last_modified TEXT, content_hash TEXT, lastmod TIMESTAMPTZ,
        failures INTEGER NOT NULL DEFAULT 0, last_error TEXT, outcome TEXT)""",
    """CREATE TABLE IF NOT EXISTS articles (
        canonical_url TEXT PRIMARY KEY, content_hash TEXT NOT NULL, versions INTEGER NOT NULL,
        first_written TIMESTAMPTZ NOT NULL, last_written TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS runs (
        id BIGSERIAL PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
        status TEXT NOT NULL, stats TEXT, outputs TEXT,
        worker TEXT NOT NULL DEFAULT '', machine TEXT NOT NULL DEFAULT '',
        heartbeat TIMESTAMPTZ, round BIGINT)""",
    """CREATE TABLE IF NOT EXISTS pending (
        id BIGSERIAL PRIMARY KEY, run_id BIGINT NOT NULL, record BYTEA NOT NULL, export_path TEXT)""",
    "CREATE INDEX IF NOT EXISTS pending_export ON pending (export_path, run_id)",
    """CREATE TABLE IF NOT EXISTS rounds (
        id BIGSERIAL PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        discoverer BIGINT NOT NULL, discovered_at TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS frontier (
        id BIGSERIAL, url TEXT PRIMARY KEY, host TEXT NOT NULL, round BIGINT NOT NULL,
        source_url TEXT, depth INTEGER NOT NULL DEFAULT 0, lastmod TIMESTAMPTZ,
        state TEXT NOT NULL DEFAULT 'queued',     -- queued, claimed, done
        claimed_by BIGINT, lease_until TIMESTAMPTZ, claims INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS frontier_todo ON frontier (id) WHERE state <> 'done'",
    """CREATE TABLE IF NOT EXISTS hosts (
        host TEXT PRIMARY KEY, next_start TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
        delay DOUBLE PRECISION NOT NULL DEFAULT 0,
        robots BYTEA, robots_state TEXT, robots_expires TIMESTAMPTZ, robots_fetch_until TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS host_slots (
        host TEXT NOT NULL, slot INTEGER NOT NULL, holder BIGINT, until TIMESTAMPTZ,
        PRIMARY KEY (host, slot))""",
    # One round trip per request start: the host row is locked, its next start checked, a
    # free slot (none held, or its lease over) taken and the next start moved on, atomically.
    # Returns the slot, or NULL and the seconds to wait.
    """CREATE OR REPLACE FUNCTION scrape_take_slot(p_host TEXT, p_limit INTEGER, p_delay DOUBLE PRECISION,
                                                 p_holder BIGINT, p_lease DOUBLE PRECISION,
                                                 OUT slot INTEGER, OUT wait DOUBLE PRECISION)
    LANGUAGE plpgsql AS $$
    DECLARE
        v_next TIMESTAMPTZ; v_delay DOUBLE PRECISION; v_slot INTEGER; v_now TIMESTAMPTZ := clock_timestamp();
    BEGIN
        INSERT INTO hosts (host, delay) VALUES (p_host, p_delay) ON CONFLICT (host) DO NOTHING;
        SELECT h.next_start, greatest(h.delay, p_delay) INTO v_next, v_delay FROM hosts h
            WHERE h.host = p_host FOR UPDATE;
        IF v_next > v_now THEN
            slot := NULL; wait := extract(epoch FROM v_next - v_now); RETURN;
        END IF;
        INSERT INTO host_slots (host, slot) SELECT p_host, g FROM generate_series(0, p_limit - 1) g
            ON CONFLICT DO NOTHING;
        SELECT s.slot INTO v_slot FROM host_slots s WHERE s.host = p_host AND s.slot < p_limit
            AND (s.holder IS NULL OR s.until < v_now) ORDER BY s.slot LIMIT 1;
        IF v_slot IS NULL THEN
            slot := NULL; wait := 0.02; RETURN;
        END IF;
        UPDATE host_slots s SET holder = p_holder, until = v_now + make_interval(secs => p_lease)
            WHERE s.host = p_host AND s.slot = v_slot;
        UPDATE hosts h SET next_start = v_now + make_interval(secs => v_delay) WHERE h.host = p_host;
        slot := v_slot; wait := 0;
    END $$""",
)
# Step 2: the template learnt per host (issue 18), as in the SQLite state.
_STEP_2 = (
    """CREATE TABLE IF NOT EXISTS learnt (
        host TEXT PRIMARY KEY,
        pages INTEGER NOT NULL,
        counts BYTEA NOT NULL,
        updated TIMESTAMPTZ NOT NULL
    )""",
)
# Step 3: what each feed, sitemap (index) and seed page listed last time, with its validators.
_STEP_3 = (
    """CREATE TABLE IF NOT EXISTS listings (
        url TEXT PRIMARY KEY, kind TEXT NOT NULL, etag TEXT, last_modified TEXT,
        entries TEXT NOT NULL, fetched_at TIMESTAMPTZ NOT NULL)""",
)
# (version, statements), in order, numbered as the SQLite state's steps are.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _STEP_1),
    (2, _STEP_2),
    (3, _STEP_3),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

_MIGRATE_LOCK = 0x5C5A_0001  # advisory lock key: the schema's migration (shared.py has the round's)


def redacted(url: str) -> str:
    """The database address without its password: what errors and logs name."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def machine_name() -> str:
    return socket.gethostname() or "localhost"


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StateError("a postgresql:// state needs psycopg: pip install 'scrape[postgres]'", "crawl.state") from None
    return psycopg


class PgState:
    """The PostgreSQL state of all runs: one connection, in autocommit (each statement is
    its own transaction unless a `with self.db.transaction()` groups several)."""

    shared = True

    def __init__(self, url: str, lease: float = 60.0):
        self.url = url
        self.path = redacted(url)
        self.lease = lease  # seconds a run's heartbeat and claims stay good (set by the run)
        self.machine = machine_name()
        driver = _driver()
        self._errors = driver.Error
        try:
            self.db: psycopg.Connection[Any] = driver.connect(url, autocommit=True, connect_timeout=10,
                                                              application_name="scrape")
        except driver.Error as exc:
            raise OutputError(f"cannot open the state: {first_line(exc)}", self.path) from None
        try:
            with self.errors("open"):
                self._migrate()
        except BaseException:
            self.db.close()
            raise

    @contextmanager
    def errors(self, doing: str = "write") -> Iterator[None]:
        """A database error, as an OutputError naming the address."""
        try:
            yield
        except self._errors as exc:
            raise OutputError(f"cannot {doing} the state: {first_line(exc)}", self.path) from None

    def _migrate(self) -> None:
        if self._stored_version() == SCHEMA_VERSION:
            return
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            version = self._stored_version()  # again: another worker may have migrated it meanwhile
            if version > SCHEMA_VERSION:
                raise StateError(f"state schema version {version} is newer than this scrape ({SCHEMA_VERSION}); "
                                 "upgrade scrape", self.path)
            for number, statements in MIGRATIONS:
                if number > version:
                    for statement in statements:
                        self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE"
                            " SET value = excluded.value", (str(SCHEMA_VERSION),))

    def _stored_version(self) -> int:
        if self._one("SELECT to_regclass('meta') IS NULL"):
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return 0
        try:
            return int(row[0])
        except ValueError:
            raise StateError(f"unreadable state schema version {row[0]!r}", self.path) from None

    def _one(self, sql: str, params: tuple[object, ...] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return self._stored_version()

    @asynccontextmanager
    async def session(self, worker: str) -> AsyncIterator[PgSession]:
        from .shared import PgSession

        session = PgSession(self.url, self.path, worker, self.lease)
        await session.open()
        try:
            yield session
        finally:
            await session.close()

    @contextmanager
    def worker_lock(self, worker: str) -> Iterator[None]:
        """Held for a whole run: a second run with the same worker id exits at once (code 3)."""
        with self.errors():
            held = self._one("SELECT pg_try_advisory_lock(hashtext('scrape worker ' || %s))", (worker,))
        if not held:
            raise LockHeld(f"{self.path} (worker {worker})")
        try:
            yield
        finally:
            if not self.db.closed:
                with self.errors():
                    self.db.execute("SELECT pg_advisory_unlock(hashtext('scrape worker ' || %s))", (worker,))

    # --- URLs ---------------------------------------------------------------------------

    def get(self, url: str) -> UrlState | None:
        row = self.db.execute(
            "SELECT url, first_seen, last_fetched, status, etag, last_modified, content_hash, lastmod,"
            " failures, last_error, outcome FROM urls WHERE url = %s", (url,)).fetchone()
        return UrlState(*row) if row else None

    def article_hash(self, canonical_url: str) -> str | None:
        value: str | None = self._one("SELECT content_hash FROM articles WHERE canonical_url = %s", (canonical_url,))
        return value

    # --- runs and pending output --------------------------------------------------------

    def begin_run(self, started_at: datetime, worker: str = "") -> int:
        with self.errors():
            run_id: int = self._one(
                "INSERT INTO runs (started_at, status, worker, machine, heartbeat)"
                " VALUES (%s, 'running', %s, %s, clock_timestamp()) RETURNING id",
                (started_at, worker, self.machine))
        return run_id

    def heartbeat(self, run_id: int) -> None:
        with self.errors():
            self.db.execute("UPDATE runs SET heartbeat = clock_timestamp() WHERE id = %s", (run_id,))

    def abandon_run(self, run_id: int) -> None:
        try:
            self.db.execute("UPDATE runs SET heartbeat = NULL WHERE id = %s AND status = 'running'", (run_id,))
        except self._errors:  # the database itself is what failed: the lease runs out instead
            pass

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, object], outputs: list[str]) -> None:
        with self.errors():
            self.db.execute("UPDATE runs SET finished_at = clock_timestamp(), status = %s, stats = %s, outputs = %s"
                            " WHERE id = %s", (status, json.dumps(stats), json.dumps(outputs), run_id))

    # A run is dead when it is marked running but its heartbeat is older than the lease; only
    # the runs of this machine are recovered here, since their output files are on this disk.
    _DEAD = ("status = 'running' AND machine = %s"
             " AND (heartbeat IS NULL OR heartbeat < clock_timestamp() - make_interval(secs => %s))")

    def unfinished_runs(self, exclude: int | None = None) -> list[tuple[int, datetime]]:
        rows = self.db.execute(f"SELECT id, started_at FROM runs WHERE {self._DEAD} AND id IS DISTINCT FROM %s"
                               " ORDER BY id", (self.machine, self.lease, exclude)).fetchall()
        return [(row[0], row[1]) for row in rows]

    def mark_killed(self, run_id: int) -> None:
        with self.errors():
            self.db.execute("UPDATE runs SET status = 'killed', finished_at = clock_timestamp()"
                            " WHERE id = %s AND status = 'running'", (run_id,))

    def run(self, run_id: int) -> RunRecord:
        row = self.db.execute("SELECT id, started_at, finished_at, status, stats, outputs FROM runs WHERE id = %s",
                              (run_id,)).fetchone()
        assert row is not None, f"run {run_id} is recorded"
        return {"id": row[0], "started_at": row[1].isoformat(), "status": row[3],
                "finished_at": row[2].isoformat() if row[2] else None,
                "stats": json.loads(row[4]) if row[4] else None, "outputs": json.loads(row[5]) if row[5] else []}

    def run_worker(self, run_id: int) -> str:
        return str(self._one("SELECT worker FROM runs WHERE id = %s", (run_id,)) or "")

    def run_started(self, run_id: int) -> datetime:
        started: datetime = self._one("SELECT started_at FROM runs WHERE id = %s", (run_id,))
        return started

    def pending_count(self, run_id: int | None = None) -> int:
        if run_id is None:
            return int(self._one("SELECT count(*) FROM pending"))
        return int(self._one("SELECT count(*) FROM pending WHERE run_id = %s", (run_id,)))

    def assign_export(self, run_id: int, path: str) -> int:
        with self.errors():
            changed: int = self.db.execute("UPDATE pending SET export_path = %s WHERE run_id = %s"
                                           " AND export_path IS NULL", (path, run_id)).rowcount
        return changed

    def assigned_exports(self) -> list[str]:
        """Files assigned by runs of this machine that are over (a live run finishes its own)."""
        rows = self.db.execute(
            "SELECT DISTINCT p.export_path FROM pending p JOIN runs r ON r.id = p.run_id"
            " WHERE p.export_path IS NOT NULL AND r.machine = %s AND (r.status <> 'running' OR"
            " r.heartbeat IS NULL OR r.heartbeat < clock_timestamp() - make_interval(secs => %s))"
            " ORDER BY 1", (self.machine, self.lease)).fetchall()
        return [row[0] for row in rows]

    def runs_with_unassigned(self) -> list[int]:
        rows = self.db.execute(
            "SELECT DISTINCT p.run_id FROM pending p JOIN runs r ON r.id = p.run_id WHERE p.export_path IS NULL"
            " AND r.status <> 'running' AND r.machine = %s ORDER BY 1", (self.machine,)).fetchall()
        return [row[0] for row in rows]

    def records_for(self, path: str) -> Iterator[bytes]:
        for (record,) in self.db.execute("SELECT record FROM pending WHERE export_path = %s ORDER BY id",
                                         (path,)).fetchall():
            yield bytes(record)

    def drop_exported(self, path: str) -> None:
        with self.errors():
            self.db.execute("DELETE FROM pending WHERE export_path = %s", (path,))

    @contextmanager
    def recovery_lock(self) -> Iterator[None]:
        """One worker of this machine at a time finishes the exports of dead runs."""
        key = f"scrape recovery {self.machine}"
        with self.errors():
            self.db.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            with self.errors():
                self.db.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    # --- statistics and copies ----------------------------------------------------------

    def stats(self) -> StateStats:
        counts = self.db.execute(
            "SELECT (SELECT count(*) FROM urls), (SELECT count(*) FROM articles),"
            " (SELECT count(*) FROM frontier WHERE state = 'queued' OR (state = 'claimed'"
            "  AND lease_until < clock_timestamp())),"
            " (SELECT count(*) FROM frontier WHERE state = 'claimed' AND lease_until >= clock_timestamp()),"
            " (SELECT count(*) FROM urls"
            "  WHERE last_fetched IS NOT NULL AND coalesce(outcome, '') NOT LIKE 'failed:%%'),"
            " (SELECT count(*) FROM runs), (SELECT count(*) FROM pending)").fetchone()
        assert counts is not None
        errors = self.db.execute(
            "SELECT substring(url from '^[a-z]+://([^/:?#]+)') AS host, count(*) FROM urls"
            " WHERE outcome LIKE 'failed:%%' GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
        workers = self.db.execute(
            "SELECT worker, machine, count(*), max(coalesce(heartbeat, started_at)),"
            " bool_or(status = 'running' AND heartbeat >= clock_timestamp() - make_interval(secs => %s))"
            " FROM runs GROUP BY worker, machine ORDER BY 4 DESC", (self.lease,)).fetchall()
        return StateStats("postgresql", self.schema_version, urls=counts[0], articles=counts[1], queued=counts[2],
                          claimed=counts[3], done=counts[4], runs=counts[5], pending=counts[6],
                          errors_by_host={str(host): int(n) for host, n in errors},
                          workers=[WorkerSeen(w, m, n, seen.isoformat(timespec="seconds"), bool(live))
                                   for w, m, n, seen, live in workers])

    def learnt_counts(self) -> Iterator[tuple[str, bytes]]:
        with self.errors("read"):
            rows = self.db.execute("SELECT host, counts FROM learnt ORDER BY host").fetchall()
        for host, counts in rows:
            yield str(host), bytes(counts)

    def learnt_hosts(self) -> list[tuple[str, int, int]]:
        with self.errors("read"):
            rows = self.db.execute("SELECT host, pages, length(counts) FROM learnt ORDER BY host").fetchall()
        return [(str(h), int(p), int(n)) for h, p, n in rows]

    def save_learnt(self, counts: Mapping[str, tuple[int, bytes]]) -> None:
        # Replaces (`scrape state import`, tests); a crawl's workers add up with merge_learnt.
        self.merge_learnt(sorted(counts), lambda host, _stored: counts[host])

    def merge_learnt(self, hosts: Sequence[str], merge: Callable[[str, bytes | None], tuple[int, bytes]]) -> None:
        with self.errors(), self.db.transaction(), self.db.cursor() as cursor:
            # One lock for every worker's merge (rows not yet inserted cannot be locked).
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('scrape-learnt'))")
            cursor.execute("SELECT host, counts FROM learnt WHERE host = ANY(%s)", (list(hosts),))
            stored = {str(h): bytes(c) for h, c in cursor.fetchall()}
            cursor.executemany(
                "INSERT INTO learnt VALUES (%s, %s, %s, now()) ON CONFLICT (host) DO UPDATE SET"
                " pages = excluded.pages, counts = excluded.counts, updated = excluded.updated",
                [(host, *merge(host, stored.get(host))) for host in hosts])

    def dump(self, table: str) -> Iterator[tuple[object, ...]]:
        columns = COPIED[table]
        # A server-side cursor: a large state is read a few thousand rows at a time.
        with self.db.transaction(), self.db.cursor(name=f"scrape_dump_{table}") as cursor:
            cursor.itersize = 2000
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}")
            for row in cursor:
                yield tuple(_plain(value) for value in row)

    def load(self, table: str, rows: Iterable[tuple[object, ...]]) -> int:
        columns = COPIED[table]
        count = 0
        with self.errors(), self.db.transaction():
            if self._one(f"SELECT count(*) FROM {table}"):
                raise StateError(f"cannot import into a state that holds {table} already", self.path)
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            with self.db.cursor() as cursor:
                batch: list[tuple[object, ...]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 1000:
                        cursor.executemany(insert, batch)
                        count, batch = count + len(batch), []
                cursor.executemany(insert, batch)
                count += len(batch)
            if "id" in columns:  # the next run or record gets the next number
                self.db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                f" greatest((SELECT max(id) FROM {table}), 1))")
        return count


def _plain(value: object) -> object:
    """A value as both back-ends take it: times as ISO 8601 text, bytes as bytes."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def default_worker_id() -> str:
    """`--worker-id`'s default: this machine's name and this process's id."""
    return f"{machine_name()}-{os.getpid()}"
