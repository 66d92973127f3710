"""The SQLite crawl state: what each URL gave last time, each article's hash, each run's stats.

One SQLite file (`crawl.state`), WAL mode, one worker at a time (the lock file). Its schema
version is recorded in `meta`; a file from an older scrape is migrated forward when it is
opened (`MIGRATIONS`), and one from a newer scrape is refused with a `StateError` naming both
versions. Tables:

    urls      per canonical URL: first seen, last fetched, status, ETag, Last-Modified,
              content hash, the source's lastmod when last checked, failures, last error
    articles  per article (its canonical URL): content hash, versions written
    pending   article records written by a run and not yet exported to its JSONL file
    runs      per run: start, end, status, stats, output files
    learnt    per host: the pages its template was learnt from and the fingerprint counts
              (`clean.learning.HostLearner.to_bytes`, bounded in size), when last updated
    listings  per feed, sitemap (index) and seed page: its validators and the URLs it listed

Exactly-once output rests on `record_page`: the URL's new state, the article's new hash and
the article record (in `pending`) are committed in one transaction, so a kill leaves either
all three or none. `output` then moves pending records to files (see there).

A state that cannot be opened or written (a full disk, a read-only or missing folder) is an
`OutputError` naming the state file; the transaction it cut short is rolled back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from ...errors import OutputError, StateError
from .base import COPIED, Fetched, Listing, RunRecord, SharedFrontier, StateStats, UrlState
from .base import iso as _iso
from .base import now_iso as _now
from .base import required_when as _required_when
from .base import when as _when

# The schema, as the steps that build it: step N takes a file from version N - 1 to N, and
# the version a file is at is recorded in `meta`. A file with no recorded version (an empty
# file, or one made before versions were recorded, with the version 1 tables) is version 0.
# A change to the schema is a new step at the end, never an edit to an old one.
_STEP_1 = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS urls (
        url TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        last_fetched TEXT,          -- last time a response (or a 304) came
        status INTEGER,             -- last HTTP status; NULL before any answer
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        lastmod TEXT,               -- the source's lastmod when the URL was last checked
        failures INTEGER NOT NULL DEFAULT 0,   -- retryable failures in a row
        last_error TEXT,
        outcome TEXT                -- new, changed, unchanged, not modified, skipped: x, failed: x
    )""",
    """CREATE TABLE IF NOT EXISTS articles (
        canonical_url TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        versions INTEGER NOT NULL,
        first_written TEXT NOT NULL,
        last_written TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS pending (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        record BLOB NOT NULL,
        export_path TEXT            -- set once the record is assigned to an output file
    )""",
    "CREATE INDEX IF NOT EXISTS pending_export ON pending (export_path, run_id)",
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,       -- running, done, stopped, killed (found unfinished later)
        stats TEXT,
        outputs TEXT
    )""",
)
# Step 2: the template learnt per host (issue 18).
_STEP_2 = (
    """CREATE TABLE IF NOT EXISTS learnt (
        host TEXT PRIMARY KEY,
        pages INTEGER NOT NULL,     -- pages of the host learnt from
        counts BLOB NOT NULL,       -- HostLearner.to_bytes()
        updated TEXT NOT NULL
    )""",
)
# Step 3: what each feed, sitemap (index) and seed page gave last time, with its validators,
# so that a 304 to the conditional request reuses the URLs it listed.
_STEP_3 = (
    """CREATE TABLE IF NOT EXISTS listings (
        url TEXT PRIMARY KEY,       -- the feed, sitemap or seed page
        kind TEXT NOT NULL,         -- how its body was read: feed, sitemap or seed
        etag TEXT,
        last_modified TEXT,
        entries TEXT NOT NULL,      -- JSON {"urls": [[url, lastmod or null], ...], "sitemaps": [...]}
        fetched_at TEXT NOT NULL
    )""",
)
# (version, statements), in order: step 3 will go after step 2, and so on, numbers without gaps.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _STEP_1),
    (2, _STEP_2),
    (3, _STEP_3),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]  # the version this scrape reads and writes


class State:
    """The SQLite state of all runs. One connection, used from one thread."""

    shared = False  # one worker at a time: `scrape crawl` holds the lock file

    def __init__(self, path: str | Path):
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions
            self.db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only a power cut may lose the last commits,
            # and then the URL, its hash and its pending record are lost together.
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=5000")
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot open the state: {getattr(exc, 'strerror', None) or exc}", self.path) from None
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    def _migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION, one step at a time, all in one transaction.

        Raises:
            StateError: the file is from a newer scrape.
            OutputError: the file is not a database, or cannot be written.
        """
        try:
            if self._stored_version() == SCHEMA_VERSION:
                return
        except sqlite3.Error as exc:  # not a database
            raise OutputError(f"cannot open the state: {exc}", self.path) from None
        with self.transaction():
            version = self._stored_version()  # again: another process may have migrated it meanwhile
            if version > SCHEMA_VERSION:
                raise StateError(f"state schema version {version} is newer than this scrape ({SCHEMA_VERSION}); "
                                 "upgrade scrape", self.path)
            for number, statements in MIGRATIONS:
                if number > version:
                    for statement in statements:
                        self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET"
                            " value=excluded.value", (str(SCHEMA_VERSION),))

    def _stored_version(self) -> int:
        """The schema version recorded in the file; 0 when there is none."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            return 0
        try:
            return int(row[0])
        except ValueError:
            raise StateError(f"unreadable state schema version {row[0]!r}", self.path) from None

    def transaction(self) -> _Transaction:
        """`with state.transaction():` runs its statements as one transaction (nested: the outer one)."""
        return _Transaction(self.db, self.path)

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return self._stored_version()

    # --- URLs ---------------------------------------------------------------------------

    def get(self, url: str) -> UrlState | None:
        row = self.db.execute(
            "SELECT url, first_seen, last_fetched, status, etag, last_modified, content_hash, lastmod,"
            " failures, last_error, outcome FROM urls WHERE url=?", (url,)).fetchone()
        if row is None:
            return None
        return UrlState(row[0], _required_when(row[1]), _when(row[2]), row[3], row[4], row[5], row[6],
                        _when(row[7]), row[8], row[9], row[10])

    def _upsert(self, url: str, **fields: object) -> None:
        now = _now()
        self.db.execute("INSERT INTO urls (url, first_seen) VALUES (?, ?) ON CONFLICT(url) DO NOTHING", (url, now))
        names = ", ".join(f"{k}=?" for k in fields)
        self.db.execute(f"UPDATE urls SET {names} WHERE url=?", (*fields.values(), url))

    def retry_candidates(self, max_failures: int) -> list[str]:
        """URLs whose last try failed in a way worth retrying, fewest failures first."""
        rows = self.db.execute("SELECT url FROM urls WHERE failures > 0 AND failures < ? ORDER BY failures, url",
                               (max_failures,))
        return [r[0] for r in rows]

    def record_not_modified(self, url: str, lastmod: datetime | None) -> None:
        """A 304: only when it was checked changes."""
        with self.transaction():
            self._upsert(url, last_fetched=_now(), status=304, failures=0, last_error=None,
                         outcome="not modified", **({"lastmod": _iso(lastmod)} if lastmod else {}))

    def record_failure(self, url: str, error: str, retry: bool, status: int | None = None) -> None:
        """A failed fetch; `retry` counts it toward the URLs a later run tries again."""
        # An answer (a 404, say) counts as a check: with no newer lastmod it is not asked again
        # before `recheck_after`. A transport failure is no answer.
        answered = {"status": status, "last_fetched": _now()} if status is not None else {}
        with self.transaction():
            self._upsert(url, last_error=error[:500], outcome=f"failed: {error[:100]}", **answered)
            if retry:
                self.db.execute("UPDATE urls SET failures = failures + 1 WHERE url=?", (url,))
            else:
                self.db.execute("UPDATE urls SET failures = 0 WHERE url=?", (url,))

    def record_skip(self, url: str, reason: str, fetched: Fetched | None = None,
                    lastmod: datetime | None = None) -> None:
        """A URL that gave no article (robots.txt, not an article, ...). Its validators are
        kept, so that it is asked for conditionally next time."""
        fields: dict[str, object] = {"outcome": f"skipped: {reason}", "failures": 0, "last_error": None}
        if fetched is not None:
            fields.update(last_fetched=_now(), status=fetched.status, etag=fetched.etag,
                          last_modified=fetched.last_modified, content_hash=fetched.content_hash)
        if lastmod is not None:
            fields["lastmod"] = _iso(lastmod)
        with self.transaction():
            self._upsert(url, **fields)

    # --- feeds, sitemaps and seed pages -------------------------------------------------

    def listing(self, url: str) -> Listing | None:
        """What the feed, sitemap or seed page at `url` listed last time, and its validators."""
        row = self.db.execute("SELECT kind, entries, etag, last_modified FROM listings WHERE url=?",
                              (url,)).fetchone()
        return Listing.from_json(*row) if row else None

    def record_listing(self, url: str, listing: Listing) -> None:
        """Keep what a freshly fetched feed, sitemap or seed page listed."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO listings VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind=excluded.kind,"
                " etag=excluded.etag, last_modified=excluded.last_modified, entries=excluded.entries,"
                " fetched_at=excluded.fetched_at",
                (url, listing.kind, listing.etag, listing.last_modified, listing.as_json(), _now()))

    def article_hash(self, canonical_url: str) -> str | None:
        row = self.db.execute("SELECT content_hash FROM articles WHERE canonical_url=?", (canonical_url,)).fetchone()
        return row[0] if row else None

    def record_page(self, url: str, fetched: Fetched, outcome: str, lastmod: datetime | None = None,
                    canonical_url: str | None = None, record: bytes | None = None,
                    run_id: int | None = None) -> None:
        """A fetched page, its article's hash and (when new or changed) its record, together.

        Args:
            url: the URL as requested (canonical form).
            fetched: status, validators and content hash of the response.
            outcome: "new", "changed" or "unchanged".
            canonical_url: the article's identity; its hash decides new/changed/unchanged.
            record: the output record to export, for a new or changed article.
            run_id: the run whose output gets `record`.
        """
        now = _now()
        with self.transaction():
            self._upsert(url, last_fetched=now, status=fetched.status, etag=fetched.etag,
                         last_modified=fetched.last_modified, content_hash=fetched.content_hash,
                         failures=0, last_error=None, outcome=outcome,
                         **({"lastmod": _iso(lastmod)} if lastmod else {}))
            if canonical_url is not None and outcome != "unchanged":
                self.db.execute(
                    "INSERT INTO articles VALUES (?, ?, 1, ?, ?) ON CONFLICT(canonical_url) DO UPDATE SET"
                    " content_hash=excluded.content_hash, versions=versions+1, last_written=excluded.last_written",
                    (canonical_url, fetched.content_hash, now, now))
            if record is not None:
                self.db.execute("INSERT INTO pending (run_id, record) VALUES (?, ?)", (run_id, record))

    def record_article(self, url: str, fetched: Fetched, key: str, lastmod: datetime | None,
                       record: bytes, run_id: int) -> str:
        """A cleaned article, new, changed or unchanged by its hash (see `CrawlSession`)."""
        with self.transaction():
            previous = self.article_hash(key)
            if previous == fetched.content_hash:
                self.record_page(url, fetched, "unchanged", lastmod, key)
                return "unchanged"
            outcome = "new" if previous is None else "changed"
            self.record_page(url, fetched, outcome, lastmod, key, record, run_id)
            return outcome

    def record_raw(self, url: str, fetched: Fetched, lastmod: datetime | None) -> str:
        """A page fetched without cleaning: new, changed or unchanged by its body's hash."""
        with self.transaction():
            row = self.get(url)
            previous = row.content_hash if row else None
            outcome = "new" if previous is None else ("unchanged" if previous == fetched.content_hash else "changed")
            self.record_page(url, fetched, outcome, lastmod)
            return outcome

    @asynccontextmanager
    async def session(self, worker: str) -> AsyncIterator[LocalSession]:
        """The crawl's view of this file: the same connection, called from the event loop
        (a SQLite commit takes well under a millisecond; the loop may wait for it)."""
        yield LocalSession(self)

    # --- learnt templates ---------------------------------------------------------------

    def learnt_counts(self) -> Iterator[tuple[str, bytes]]:
        """Every host's learnt fingerprint counts, by host name."""
        for host, counts in self.db.execute("SELECT host, counts FROM learnt ORDER BY host"):
            yield host, bytes(counts)

    def learnt_hosts(self) -> list[tuple[str, int, int]]:
        """(host, pages learnt from, bytes kept) for every host."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT host, pages, length(counts) FROM learnt ORDER BY host")]

    def save_learnt(self, counts: Mapping[str, tuple[int, bytes]]) -> None:
        """Replace the learnt counts of the hosts given ({host: (pages, counts)}), together."""
        self.merge_learnt(sorted(counts), lambda host, _stored: counts[host])

    def merge_learnt(self, hosts: Sequence[str], merge: Callable[[str, bytes | None], tuple[int, bytes]]) -> None:
        now = _now()
        with self.transaction():  # BEGIN IMMEDIATE: another process's merge waits for this one
            stored = {h: bytes(c) for h, c in self.db.execute(
                f"SELECT host, counts FROM learnt WHERE host IN ({', '.join('?' * len(hosts))})", list(hosts))}
            rows = [(host, *merge(host, stored.get(host)), now) for host in hosts]
            self.db.executemany(
                "INSERT INTO learnt VALUES (?, ?, ?, ?) ON CONFLICT(host) DO UPDATE SET pages=excluded.pages,"
                " counts=excluded.counts, updated=excluded.updated", rows)

    # --- runs and pending output --------------------------------------------------------

    def begin_run(self, started_at: datetime, worker: str = "") -> int:
        with self.transaction():
            cursor = self.db.execute("INSERT INTO runs (started_at, status) VALUES (?, 'running')",
                                     (_iso(started_at),))
        assert cursor.lastrowid is not None  # an INSERT into a table with an INTEGER PRIMARY KEY sets it
        return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, object], outputs: list[str]) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished_at=?, status=?, stats=?, outputs=? WHERE id=?",
                            (_now(), status, json.dumps(stats), json.dumps(outputs), run_id))

    def unfinished_runs(self, exclude: int | None = None) -> list[tuple[int, datetime]]:
        rows = self.db.execute("SELECT id, started_at FROM runs WHERE status='running' AND id IS NOT ?", (exclude,))
        return [(r[0], _required_when(r[1])) for r in rows]

    def mark_killed(self, run_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET status='killed', finished_at=? WHERE id=? AND status='running'",
                            (_now(), run_id))

    def run(self, run_id: int) -> RunRecord:
        row = self.db.execute("SELECT id, started_at, finished_at, status, stats, outputs FROM runs WHERE id=?",
                              (run_id,)).fetchone()
        return {"id": row[0], "started_at": row[1], "finished_at": row[2], "status": row[3],
                "stats": json.loads(row[4]) if row[4] else None, "outputs": json.loads(row[5]) if row[5] else []}

    def pending_count(self, run_id: int | None = None) -> int:
        if run_id is None:
            return int(self.db.execute("SELECT count(*) FROM pending").fetchone()[0])
        return int(self.db.execute("SELECT count(*) FROM pending WHERE run_id=?", (run_id,)).fetchone()[0])

    def assign_export(self, run_id: int, path: str) -> int:
        """Assign a run's unassigned pending records to the output file `path`."""
        with self.transaction():
            cursor = self.db.execute("UPDATE pending SET export_path=? WHERE run_id=? AND export_path IS NULL",
                                     (path, run_id))
        return cursor.rowcount

    def assigned_exports(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT export_path FROM pending WHERE export_path IS NOT NULL ORDER BY export_path")]

    def runs_with_unassigned(self) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT run_id FROM pending WHERE export_path IS NULL ORDER BY run_id")]

    def records_for(self, path: str) -> Iterator[bytes]:
        for (record,) in self.db.execute("SELECT record FROM pending WHERE export_path=? ORDER BY id", (path,)):
            yield record

    def drop_exported(self, path: str) -> None:
        """Forget the records of an output file that is now safely on disk."""
        with self.transaction():
            self.db.execute("DELETE FROM pending WHERE export_path=?", (path,))

    def run_started(self, run_id: int) -> datetime:
        return _required_when(self.db.execute("SELECT started_at FROM runs WHERE id=?", (run_id,)).fetchone()[0])

    def run_worker(self, run_id: int) -> str:
        return ""  # one worker: its files carry no worker id

    def heartbeat(self, run_id: int) -> None:
        """Nothing to renew: the lock file says a run is alive."""

    def abandon_run(self, run_id: int) -> None:
        """Nothing to do: the next run holds the lock, and recovers every unfinished run."""

    @contextmanager
    def recovery_lock(self) -> Iterator[None]:
        yield  # the lock file already keeps other runs out

    # --- statistics and copies ----------------------------------------------------------

    def _count(self, sql: str) -> int:
        return int(self.db.execute(sql).fetchone()[0])

    def stats(self) -> StateStats:
        errors: dict[str, int] = {}
        for (url,) in self.db.execute("SELECT url FROM urls WHERE outcome LIKE 'failed:%'"):
            host = urlsplit(url).hostname or "?"
            errors[host] = errors.get(host, 0) + 1
        return StateStats(
            "sqlite", self.schema_version, urls=self._count("SELECT count(*) FROM urls"),
            articles=self._count("SELECT count(*) FROM articles"), queued=0, claimed=0,
            done=self._count("SELECT count(*) FROM urls WHERE last_fetched IS NOT NULL"
                             " AND coalesce(outcome, '') NOT LIKE 'failed:%'"),
            errors_by_host=dict(sorted(errors.items(), key=lambda item: (-item[1], item[0]))),
            runs=self._count("SELECT count(*) FROM runs"), pending=self._count("SELECT count(*) FROM pending"))

    def dump(self, table: str) -> Iterator[tuple[object, ...]]:
        columns = COPIED[table]
        yield from self.db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}")

    def load(self, table: str, rows: Iterable[tuple[object, ...]]) -> int:
        columns = COPIED[table]
        count = 0
        with self.transaction():
            if self._count(f"SELECT count(*) FROM {table}"):
                raise StateError(f"cannot import into a state that holds {table} already", self.path)
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for row in rows:
                self.db.execute(insert, row)
                count += 1
        return count


class LocalSession:
    """`CrawlSession` over a SQLite `State`: no shared frontier, each call one transaction."""

    frontier: SharedFrontier | None = None

    def __init__(self, state: State):
        self._state = state

    async def get(self, url: str) -> UrlState | None:
        return self._state.get(url)

    async def retry_candidates(self, max_failures: int) -> list[str]:
        return self._state.retry_candidates(max_failures)

    async def record_not_modified(self, url: str, lastmod: datetime | None) -> None:
        self._state.record_not_modified(url, lastmod)

    async def record_failure(self, url: str, error: str, retry: bool, status: int | None = None) -> None:
        self._state.record_failure(url, error, retry, status)

    async def record_skip(self, url: str, reason: str, fetched: Fetched | None = None,
                          lastmod: datetime | None = None) -> None:
        self._state.record_skip(url, reason, fetched, lastmod)

    async def record_article(self, url: str, fetched: Fetched, key: str, lastmod: datetime | None,
                             record: bytes, run_id: int) -> str:
        return self._state.record_article(url, fetched, key, lastmod, record, run_id)

    async def record_raw(self, url: str, fetched: Fetched, lastmod: datetime | None) -> str:
        return self._state.record_raw(url, fetched, lastmod)

    async def listing(self, url: str) -> Listing | None:
        return self._state.listing(url)

    async def record_listing(self, url: str, listing: Listing) -> None:
        self._state.record_listing(url, listing)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on an error; SQLite errors become OutputErrors."""

    def __init__(self, db: sqlite3.Connection, path: str):
        self.db = db
        self.path = path
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.db.in_transaction
        if self.outer:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise OutputError(f"cannot write the state: {error}", self.path) from None
        return self.db

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.outer:
            return
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.Error as error:
                exc = error
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise OutputError(f"cannot write the state: {exc}", self.path) from None

    def _rollback(self) -> None:
        if self.db.in_transaction:  # SQLite may have rolled back already (a full disk does)
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass

