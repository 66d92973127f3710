"""The state (its schema versions) and the exactly-once export, including a kill at each step of an export."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrape.crawl.output import _write_file, export_run, recover
from scrape.crawl.state import MIGRATIONS, SCHEMA_VERSION, Fetched, State
from scrape.errors import OutputError, StateError

ROOT = Path(__file__).resolve().parent.parent

START = datetime(2026, 11, 27, 6, 15, tzinfo=UTC)


@pytest.fixture
def state(tmp_path):
    db = State(tmp_path / "state.sqlite")
    yield db
    db.close()


def lines(path):
    with open(path, "rb") as f:
        return f.read().splitlines()


def test_a_new_state_records_the_current_schema_version(tmp_path):
    db = State(tmp_path / "s.sqlite")
    assert db.schema_version == SCHEMA_VERSION
    db.close()
    raw = sqlite3.connect(tmp_path / "s.sqlite")
    assert raw.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_migration_steps_are_numbered_1_to_the_current_version():
    assert [number for number, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


# A state file as scrape wrote it before it recorded a schema version: version 0.
VERSION_0 = """
CREATE TABLE urls (url TEXT PRIMARY KEY, first_seen TEXT NOT NULL, last_fetched TEXT, status INTEGER, etag TEXT,
                   last_modified TEXT, content_hash TEXT, lastmod TEXT, failures INTEGER NOT NULL DEFAULT 0,
                   last_error TEXT, outcome TEXT);
CREATE TABLE articles (canonical_url TEXT PRIMARY KEY, content_hash TEXT NOT NULL, versions INTEGER NOT NULL,
                       first_written TEXT NOT NULL, last_written TEXT NOT NULL);
INSERT INTO urls (url, first_seen, status, etag, failures) VALUES
    ('https://news.example/a', '2026-11-01T00:00:00+00:00', 200, '"e1"', 0);
INSERT INTO articles VALUES ('https://news.example/a', 'h1', 1, '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00');
"""


@pytest.mark.parametrize("old", ["empty file", "version 0 tables"])
def test_a_version_0_state_is_migrated_on_open(tmp_path, old):
    path = tmp_path / "s.sqlite"
    path.touch()
    if old == "version 0 tables":
        raw = sqlite3.connect(path)
        raw.executescript(VERSION_0)
        raw.close()
    db = State(path)
    assert db.schema_version == SCHEMA_VERSION
    if old == "version 0 tables":  # what it held is kept
        assert db.get("https://news.example/a").etag == '"e1"' and db.article_hash("https://news.example/a") == "h1"
    run_id = db.begin_run(START)  # and the tables it lacked are there
    db.record_page("https://news.example/b", Fetched(200, content_hash="h2"), "new",
                   canonical_url="https://news.example/b", record=b"{}", run_id=run_id)
    assert db.pending_count(run_id) == 1
    db.close()


def newer_state(path) -> None:
    State(path).close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 2),))
    raw.commit()
    raw.close()


def test_a_state_from_a_newer_scrape_is_refused_naming_both_versions(tmp_path):
    path = tmp_path / "s.sqlite"
    newer_state(path)
    with pytest.raises(StateError) as info:
        State(path)
    assert str(info.value) == (f"{path}: state schema version {SCHEMA_VERSION + 2} is newer than this scrape "
                               f"({SCHEMA_VERSION}); upgrade scrape")
    raw = sqlite3.connect(path)  # left as it was
    assert raw.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION + 2),)


def test_the_cli_refuses_a_newer_state_in_one_line_with_exit_code_2(tmp_path):
    state = tmp_path / "state" / "scrape.sqlite"
    state.parent.mkdir()
    newer_state(state)
    config = tmp_path / "config.toml"
    config.write_text(f'[crawl]\nstate = "{state}"\nout_dir = "{tmp_path / "out"}"\n\n'
                      '[[source]]\nurl = "http://127.0.0.1:9/feed.rss"\ntype = "feed"\n', "utf-8")
    result = subprocess.run([sys.executable, "-m", "scrape", "--config", str(config), "crawl"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"scrape: {state}: state schema version {SCHEMA_VERSION + 2} is newer than this scrape "
        f"({SCHEMA_VERSION}); upgrade scrape"]


def test_url_state_round_trip(state):
    url = "https://news.example/a"
    state.record_page(url, Fetched(200, '"e1"', "Tue, 14 Nov 2023 22:13:20 GMT", "h1"), "new",
                      lastmod=START, canonical_url=url, record=b'{"a":1}', run_id=1)
    row = state.get(url)
    assert (row.status, row.etag, row.last_modified, row.content_hash, row.lastmod, row.failures) == (
        200, '"e1"', "Tue, 14 Nov 2023 22:13:20 GMT", "h1", START, 0)
    first_seen = row.first_seen
    state.record_failure(url, "transport: reset", retry=True)
    state.record_failure(url, "transport: reset", retry=True)
    assert state.get(url).failures == 2 and state.retry_candidates(5) == [url]
    assert state.retry_candidates(2) == []
    state.record_not_modified(url, None)
    row = state.get(url)
    assert row.failures == 0 and row.status == 304 and row.first_seen == first_seen and row.etag == '"e1"'
    assert state.article_hash(url) == "h1"


def test_record_page_is_all_or_nothing(state):
    state.db.execute("CREATE TRIGGER boom BEFORE INSERT ON pending BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(OutputError, match="disk full"):  # a one-line error naming the state file
        state.record_page("https://news.example/a", Fetched(200, content_hash="h"), "new",
                          canonical_url="https://news.example/a", record=b"{}", run_id=1)
    assert state.get("https://news.example/a") is None
    assert state.article_hash("https://news.example/a") is None


def add_run(state, n):
    run_id = state.begin_run(START)
    for i in range(n):
        url = f"https://news.example/{run_id}/{i}"
        state.record_page(url, Fetched(200, content_hash=str(i)), "new", canonical_url=url,
                          record=b'{"url":"%s"}' % url.encode(), run_id=run_id)
    return run_id


def test_export_moves_pending_to_a_file(state, tmp_path):
    run_id = add_run(state, 3)
    path, count = export_run(state, run_id, str(tmp_path / "out"), START)
    assert path == str(tmp_path / "out/2026/11/27/articles-20261127T061500Z.jsonl") and count == 3
    assert len(lines(path)) == 3 and state.pending_count() == 0
    assert not [p for p in os.listdir(os.path.dirname(path)) if p.endswith(".tmp")]
    assert export_run(state, run_id, str(tmp_path / "out"), START) == (None, 0)


def test_killed_before_export(state, tmp_path):
    run_id = add_run(state, 3)  # killed: never exported, run still 'running'
    written = recover(state, str(tmp_path / "out"))
    assert len(written) == 1 and len(lines(written[0])) == 3
    assert state.run(run_id)["status"] == "killed" and state.pending_count() == 0


def test_killed_after_assigning_before_the_file(state, tmp_path):
    run_id = add_run(state, 3)
    path = str(tmp_path / "out/x/articles-a.jsonl")
    state.assign_export(run_id, path)  # killed here: the file was never written
    assert recover(state, str(tmp_path / "out")) == [path]
    assert len(lines(path)) == 3 and state.pending_count() == 0


def test_killed_after_the_file_before_dropping(state, tmp_path):
    run_id = add_run(state, 3)
    path = str(tmp_path / "out/x/articles-a.jsonl")
    state.assign_export(run_id, path)
    _write_file(state, path)  # killed here: the file is whole, the records still pending
    assert recover(state, str(tmp_path / "out")) == []
    assert len(lines(path)) == 3 and state.pending_count() == 0


def test_killed_while_writing_the_temp_file(state, tmp_path):
    run_id = add_run(state, 3)
    path = tmp_path / "out/x/articles-a.jsonl"
    state.assign_export(run_id, str(path))
    path.parent.mkdir(parents=True)
    (path.parent / ".articles-a.jsonl.k1ll3d00.tmp").write_bytes(b'{"url":"half')  # killed mid-write
    recover(state, str(tmp_path / "out"))
    assert len(lines(path)) == 3
    assert os.listdir(path.parent) == ["articles-a.jsonl"]  # the killed export's temp file is gone


def test_a_second_export_of_a_run_gets_its_own_file(state, tmp_path):
    run_id = add_run(state, 2)
    first, _ = export_run(state, run_id, str(tmp_path / "out"), START)
    state.record_page("https://news.example/late", Fetched(200, content_hash="x"), "new",
                      canonical_url="https://news.example/late", record=b"{}", run_id=run_id)
    second, _ = export_run(state, run_id, str(tmp_path / "out"), START)
    assert second != first and second.endswith("-2.jsonl") and len(lines(first)) == 2
