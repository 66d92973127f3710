"""The state and the exactly-once export, including a kill at each step of an export."""

import os
from datetime import datetime, timezone

import pytest

from scrape.errors import ConfigError, OutputError
from scrape.crawl.output import _write_file, export_run, recover
from scrape.crawl.state import SCHEMA_VERSION, Fetched, State

START = datetime(2026, 11, 27, 6, 15, tzinfo=timezone.utc)


@pytest.fixture
def state(tmp_path):
    db = State(tmp_path / "state.sqlite")
    yield db
    db.close()


def lines(path):
    with open(path, "rb") as f:
        return f.read().splitlines()


def test_schema_version_and_newer_refused(tmp_path):
    db = State(tmp_path / "s.sqlite")
    assert db.schema_version == SCHEMA_VERSION
    db.db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.close()
    with pytest.raises(ConfigError, match="newer"):
        State(tmp_path / "s.sqlite")


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
