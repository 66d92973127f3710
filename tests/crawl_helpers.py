"""What the crawl tests share beside the server: configs over it, a run's files, processes,
a cleaner that hangs.

A plain module: tests get these through the fixtures in conftest.py; bench/reliability.py
imports it to run the same cases at length.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from scrape.config import Config, CrawlConfig, CrawlSource, default_config

# The fixture site's articles (fixtures/site/news/<name>.html), each reachable from every source.
ARTICLES = ("harbour-bridge", "cafe-reopens", "library-extension", "tram-line", "school-garden", "council-budget")
# Keeps the 2026 sitemap entries, drops the 2019/2020 ones, whatever day the tests run.
SINCE_DAYS = float((datetime.now(UTC) - datetime(2025, 6, 1, tzinfo=UTC)).days)

# Crawl settings for a local server: no waits, few retries, short timeouts.
FAST = dict(allow_private=True, per_host_delay=0.0, retries=1, backoff_base=0.001, backoff_max=0.01,
            clean_workers=0, concurrency=8, per_host_concurrency=4, connect_timeout=2.0, read_timeout=2.0,
            total_timeout=5.0, user_agent="scrape-test/1.0", retry_after_max=2.0)


def site_sources(base: str) -> list[dict]:
    """Every kind of source over the fixture site; the seed first."""
    return [
        {"url": base + "/", "type": "seed", "allow": r"/news/[^/]+\.html$|/news/drafts/", "depth": 1},
        {"url": base + "/feed.rss", "type": "feed"},
        {"url": base + "/atom.xml", "type": "feed"},
        {"url": base + "/sitemap_index.xml", "type": "sitemap", "since_days": SINCE_DAYS},
    ]


def make_config(folder: Path, sources: list[dict], **crawl) -> Config:
    """A config crawling `sources` with FAST settings (and `crawl` over them), its state and
    output in `folder`."""
    settings = {**FAST, "state": str(folder / "state" / "scrape.sqlite"), "out_dir": str(folder / "out"), **crawl}
    return dataclasses.replace(default_config(), crawl=CrawlConfig(**settings),
                               sources=tuple(CrawlSource(**s) for s in sources))


def write_toml(path: Path, sources: list[dict], **crawl) -> Path:
    """The same config as make_config(path.parent, ...), as a TOML file for the CLI."""
    settings = {**FAST, "state": str(path.parent / "state" / "scrape.sqlite"), "out_dir": str(path.parent / "out"),
                **crawl}
    lines = ["[crawl]"] + [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    for source in sources:
        lines.append("\n[[source]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in source.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def outputs(out_dir: Path) -> list[Path]:
    """The articles files of every run, oldest first."""
    return sorted(p for p in Path(out_dir).rglob("articles-*.jsonl"))


def records(out_dir: Path) -> list[dict]:
    """Every record the runs wrote under `out_dir`, in file order."""
    found = []
    for path in outputs(out_dir):
        for line in path.read_text("utf-8").splitlines():
            found.append(json.loads(line))
    return found


@dataclasses.dataclass(frozen=True)
class CrawlFiles:
    """One test's crawl: its config (as an object or a TOML file), state and output, in
    `root`. `database`: a postgresql:// URL to keep the state in instead of a SQLite file."""

    root: Path
    database: str | None = None

    @property
    def state(self) -> Path:
        return self.root / "state" / "scrape.sqlite"

    @property
    def state_spec(self) -> str:
        """What `crawl.state` says: the SQLite file, or the database."""
        return self.database or str(self.state)

    @property
    def out(self) -> Path:
        return self.root / "out"

    def _with_state(self, crawl: dict) -> dict:
        return {"state": self.database, **crawl} if self.database else crawl

    def config(self, sources: list[dict], **crawl) -> Config:
        return make_config(self.root, sources, **self._with_state(crawl))

    def write_config(self, sources: list[dict], **crawl) -> Path:
        """config.toml in `root`, for the CLI."""
        return write_toml(self.root / "config.toml", sources, **self._with_state(crawl))

    def count(self, sql: str) -> int:
        """One number from the state, on either back-end (0 while there is no state yet)."""
        return count_in_state(self.state_spec, sql)

    def outputs(self) -> list[Path]:
        return outputs(self.out)

    def records(self) -> list[dict]:
        return records(self.out)


def count_in_state(spec: str, sql: str) -> int:
    """`SELECT count(*) ...` on a state, SQLite file or PostgreSQL database, read beside the
    crawl that writes it (SQLite's WAL and PostgreSQL both allow a reader); 0 when the state
    is not there yet."""
    if spec.startswith("postgresql://"):
        import psycopg

        try:
            with psycopg.connect(spec, connect_timeout=2) as db:
                return db.execute(sql).fetchone()[0]
        except psycopg.Error:  # not created yet
            return 0
    import os
    import sqlite3

    if not os.path.exists(spec):
        return 0
    try:
        db = sqlite3.connect(spec, timeout=1)
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


HANG = b"HANG-THE-CLEANER"


def clean_or_hang(page, config, explain):
    """`clean_page`, except that a page holding HANG blocks where no alarm reaches it, as a
    page stuck in C code does (for the crawl's stuck-worker tests; runs in a worker, so it
    lives in a module the worker can import)."""
    import signal
    import time

    if HANG in page.body:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    from scrape.clean.page import clean_page

    return clean_page(page, config, explain)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, grandchildren...), by pgrep."""
    found, todo = [], [pid]
    while todo:
        out = subprocess.run(["pgrep", "-P", str(todo.pop())], capture_output=True, text=True).stdout.split()
        found += [int(p) for p in out]
        todo += out
    return found


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
