"""Fixtures the tests share: the local crawl server, crawl configs and files over it, the
processes a run leaves, a cleaner that hangs, and the paths of the evaluation corpora.

The server (crawl_server.py) and the crawl helpers (crawl_helpers.py) are plain modules,
imported here only; bench/reliability.py imports them too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import crawl_helpers
import pg_server as pg_servers
import pytest
from crawl_server import CrawlServer, install_faults, install_hostile

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"  # the evaluation corpora, beside the repository


@pytest.fixture
def crawl_server() -> Iterator[CrawlServer]:
    """A real HTTP server on 127.0.0.1 serving fixtures/site, with the fault (/fault/...) and
    hostile (/hostile/...) routes; `serve_generated(n)` adds n generated articles."""
    with CrawlServer() as server:
        install_faults(server)
        install_hostile(server)
        yield server


@pytest.fixture
def site_sources(crawl_server: CrawlServer) -> list[dict]:
    """Every kind of source over the fixture site (seed, two feeds, a sitemap index)."""
    return crawl_helpers.site_sources(crawl_server.base)


@pytest.fixture
def site_articles() -> tuple[str, ...]:
    """The names of the fixture site's articles (fixtures/site/news/<name>.html)."""
    return crawl_helpers.ARTICLES


@pytest.fixture
def crawl_files(tmp_path: Path, request: pytest.FixtureRequest) -> crawl_helpers.CrawlFiles:
    """A crawl in tmp_path: `.config(sources, **crawl)` (fast settings for a local server),
    `.write_config(...)` (the same as config.toml), `.state`, `.out`, `.records()`.

    A test parametrised on `backend` ("sqlite", "postgresql") gets its state on that
    back-end: a fresh database of the session's PostgreSQL server for "postgresql"."""
    backend = request.node.callspec.params.get("backend") if hasattr(request.node, "callspec") else None
    database = request.getfixturevalue("pg_database") if backend == "postgresql" else None
    return crawl_helpers.CrawlFiles(tmp_path, database)


def _no_postgres(why: str) -> None:
    """Without a PostgreSQL server (or psycopg) a test is skipped on a developer's machine
    and fails under CI, which must run it (.ci/run installs the server)."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI is set: the PostgreSQL tests must run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_servers.PgServer]:
    """One real PostgreSQL server for the session, started from the installed binaries
    (initdb in a temporary folder, a free port on 127.0.0.1, trust authentication; as the
    `postgres` user when the tests run as root), stopped at the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _no_postgres("psycopg is not installed (pip install -e '.[postgres]')")
    if pg_servers.find_binaries() is None:
        _no_postgres("no PostgreSQL server binaries (initdb, postgres); apt-get install postgresql")
    with pg_servers.PgServer() as server:
        yield server


@pytest.fixture
def pg_database(pg_server: pg_servers.PgServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return pg_server.new_database()


@pytest.fixture
def processes() -> SimpleNamespace:
    """`descendants(pid)`: every process below pid; `alive(pid)`: it exists and is no zombie."""
    return SimpleNamespace(descendants=crawl_helpers.descendants, alive=crawl_helpers.alive)


@dataclass(frozen=True)
class HangingCleaner:
    """`clean` cleans as clean_page does, except a page holding `marker`, which it blocks on
    where no alarm reaches it (as a page stuck in C code does)."""

    marker: bytes
    clean: Callable[..., object]


@pytest.fixture
def hanging_cleaner() -> HangingCleaner:
    return HangingCleaner(crawl_helpers.HANG, crawl_helpers.clean_or_hang)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The evaluation corpora (../shared/corpora). Without them a test is skipped on a
    developer's machine and fails under CI (`CI` set), where a broken checkout must not pass
    silently, unless .ci/run declared SCRAPE_WITHOUT_CORPORA=1 for a machine that has none."""
    if not CORPORA.is_dir():
        why = f"no corpora at {CORPORA}: this test needs ../shared/corpora beside the repository"
        if os.environ.get("CI") and not os.environ.get("SCRAPE_WITHOUT_CORPORA"):
            pytest.fail(f"{why} (CI is set)")
        pytest.skip(why)
    return CORPORA
