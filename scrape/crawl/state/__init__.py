"""The crawl state, on one of two back-ends chosen by the `crawl.state` setting.

- a path, or `sqlite:PATH`: one SQLite file (`sqlite.py`), for one worker on one machine
  (the default, `state/scrape.sqlite`);
- `postgresql://user@host/db` (or `postgres://`): a PostgreSQL database (`postgres.py`,
  `shared.py`) that several `scrape crawl` workers, on one machine or many, share: they
  split one frontier, keep one politeness per host and write each article once.

Both keep the same records (`base.py`: URLs with validators and hashes, articles, runs and
the article records not yet exported), migrated forward with the same numbered steps, and
offer the same interface (`StateStore`, `CrawlSession`), so the run, its output and
`scrape state` never ask which one they hold. A new schema step goes at the end of both
back-ends' MIGRATIONS, with the same number (tests/test_state.py checks they agree).
"""

from __future__ import annotations

from .base import (
    COPIED,
    Candidate,
    Claim,
    CrawlSession,
    Fetched,
    Listing,
    RunRecord,
    SharedFrontier,
    StateStats,
    StateStore,
    UrlState,
    WorkerSeen,
    is_due,
)
from .sqlite import MIGRATIONS, SCHEMA_VERSION, LocalSession, State

__all__ = ["COPIED", "MIGRATIONS", "SCHEMA_VERSION", "Candidate", "Claim", "CrawlSession", "Fetched",
           "Listing", "LocalSession", "RunRecord", "SharedFrontier", "State", "StateStats", "StateStore", "UrlState",
           "WorkerSeen", "copy_state", "is_due", "is_shared", "open_state", "sqlite_path"]

_POSTGRES = ("postgresql://", "postgres://")


def is_shared(spec: str) -> bool:
    """Whether `crawl.state` names a database several workers share (PostgreSQL)."""
    return spec.startswith(_POSTGRES)


def sqlite_path(spec: str) -> str:
    """The file of a SQLite `crawl.state`: the path itself, or what follows `sqlite:`
    (`sqlite:///abs/path` and `sqlite:rel/path` both work)."""
    if spec.startswith("sqlite:"):
        rest = spec[len("sqlite:"):]
        return rest[2:] if rest.startswith("//") else rest
    return spec


def open_state(spec: str) -> StateStore:
    """The state `spec` names, opened and migrated forward.

    Raises:
        StateError: it is from a newer scrape, or the PostgreSQL driver is not installed.
        OutputError: it cannot be opened or written (names the file or the address).
    """
    if is_shared(spec):
        from .postgres import PgState

        return PgState(spec)
    return State(sqlite_path(spec))


def copy_state(source: StateStore, target: StateStore) -> dict[str, int]:
    """Copy every record `COPIED` lists from one state to another, empty one; rows per table.

    Raises:
        StateError: the target holds records already.
    """
    return {table: target.load(table, source.dump(table)) for table in COPIED}
