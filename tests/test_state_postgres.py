"""The crawl state on a real PostgreSQL server: its schema versions, exports, copies between
back-ends, and several `scrape crawl` workers sharing one crawl (a frontier with leases,
one discovery, politeness across workers, each article written once)."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrape.cli.main import main
from scrape.crawl.output import export_run, recover
from scrape.crawl.state import MIGRATIONS, SCHEMA_VERSION, Fetched, State, open_state
from scrape.crawl.state import postgres as pg
from scrape.errors import OutputError, StateError

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 27, 6, 15, tzinfo=UTC)


def test_both_back_ends_number_their_schema_steps_alike():
    assert [n for n, _ in pg.MIGRATIONS] == [n for n, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert pg.SCHEMA_VERSION == SCHEMA_VERSION


def test_a_new_database_gets_the_schema_and_its_version(pg_database):
    state = open_state(pg_database)
    assert state.shared and state.schema_version == SCHEMA_VERSION
    state.close()
    again = open_state(pg_database)  # a second open migrates nothing and keeps the version
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_a_database_from_a_newer_scrape_is_refused_by_the_cli_in_one_line(pg_database, tmp_path):
    import psycopg

    open_state(pg_database).close()
    with psycopg.connect(pg_database, autocommit=True) as db:
        db.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 2),))
    with pytest.raises(StateError):
        open_state(pg_database)
    config = tmp_path / "config.toml"
    config.write_text(f'[crawl]\nstate = "{pg_database}"\nout_dir = "{tmp_path / "out"}"\n\n'
                      '[[source]]\nurl = "http://127.0.0.1:9/feed.rss"\ntype = "feed"\n', "utf-8")
    result = subprocess.run([sys.executable, "-m", "scrape", "--config", str(config), "crawl"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"scrape: {pg_database}: state schema version {SCHEMA_VERSION + 2} is newer than this scrape "
        f"({SCHEMA_VERSION}); upgrade scrape"]


def test_an_unreachable_database_is_one_line_naming_it_without_its_password(pg_server, tmp_path, capsys):
    url = f"postgresql://scrape:secret@127.0.0.1:{pg_server.port}/no_such_database"
    assert main(["crawl", "--state", url, "--out-dir", str(tmp_path / "out")]) == 2  # no [[source]]: usage
    config = tmp_path / "config.toml"
    config.write_text('[[source]]\nurl = "http://127.0.0.1:9/feed.rss"\ntype = "feed"\n', "utf-8")
    capsys.readouterr()
    code = main(["--config", str(config), "crawl", "--state", url, "--out-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith(f"scrape: postgresql://scrape@127.0.0.1:{pg_server.port}/no_such_database: "
                             "cannot open the state: ") and "secret" not in err[0]


def record(state, run_id, n):
    """n articles recorded by a run, through the crawl's own session."""
    async def go():
        async with state.session("w") as session:
            session.run_id = run_id
            for i in range(n):
                url = f"https://news.example/{run_id}/{i}"
                outcome = await session.record_article(url, Fetched(200, content_hash=str(i)), url, None,
                                                       b'{"url":"%s"}' % url.encode(), run_id)
                assert outcome == "new"
    asyncio.run(go())


def test_a_killed_workers_articles_are_exported_once_by_its_machine(pg_database, tmp_path):
    state = open_state(pg_database)
    state.lease = 0.2
    dead = state.begin_run(START, "w-dead")
    record(state, dead, 3)
    live = state.begin_run(START, "w-live")
    record(state, live, 2)
    time.sleep(0.3)
    state.heartbeat(live)  # still beating: not another worker's to recover
    written = recover(state, str(tmp_path / "out"))
    assert [Path(p).name for p in written] == ["articles-20261127T061500Z-w-dead.jsonl"]
    assert len(Path(written[0]).read_bytes().splitlines()) == 3
    assert state.run(dead)["status"] == "killed" and state.pending_count(dead) == 0
    assert state.pending_count(live) == 2
    path, count = export_run(state, live, str(tmp_path / "out"), START, "w-live")
    assert count == 2 and path.endswith("articles-20261127T061500Z-w-live.jsonl")
    state.close()


def test_export_to_sqlite_and_import_back_keep_every_record(pg_database, pg_server, tmp_path, capsys):
    state = open_state(pg_database)
    run_id = state.begin_run(START, "w1")
    record(state, run_id, 4)
    before = state.stats()
    state.close()
    exported = tmp_path / "moved.sqlite"
    assert main(["state", "--state", pg_database, "export", "--to", "sqlite", str(exported)]) == 0
    assert "4 urls, 4 articles, 1 runs, 4 pending" in capsys.readouterr().err
    lite = State(exported)
    assert lite.pending_count(run_id) == 4 and lite.article_hash("https://news.example/1/2") == "2"
    assert lite.get("https://news.example/1/0").status == 200
    lite.close()
    assert main(["state", "--state", str(exported), "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["backend"], stats["urls"], stats["articles"], stats["pending"]) == ("sqlite", 4, 4, 4)

    target = pg_server.new_database()
    assert main(["state", "--state", target, "import", "--from", "sqlite", str(exported)]) == 0
    back = open_state(target)
    after = back.stats()
    assert (after.urls, after.articles, after.pending, after.runs) == (before.urls, before.articles, before.pending, 1)
    assert back.begin_run(START, "w2") == run_id + 1  # numbering goes on after the imported runs
    back.close()
    capsys.readouterr()
    assert main(["state", "--state", target, "import", "--from", "sqlite", str(exported)]) == 2  # not empty
    assert "holds urls already" in capsys.readouterr().err


def test_the_same_worker_id_twice_at_once_is_a_held_lock(pg_database):
    from scrape.errors import LockHeld

    first, second = open_state(pg_database), open_state(pg_database)
    with first.worker_lock("w1"):
        with pytest.raises(LockHeld):
            with second.worker_lock("w1"):
                pass
        with second.worker_lock("w2"):
            pass
    with second.worker_lock("w1"):  # free again
        pass
    first.close()
    second.close()


def test_a_failed_write_is_an_output_error_naming_the_database(pg_database):
    import psycopg

    state = open_state(pg_database)
    with psycopg.connect(pg_database, autocommit=True) as db:
        db.execute("ALTER TABLE pending ADD CONSTRAINT full_disk CHECK (false)")
    run_id = state.begin_run(START, "w")
    with pytest.raises(OutputError) as info:
        record(state, run_id, 1)
    assert str(info.value).startswith(f"{pg_database}: cannot write the state: ")
    assert state.get("https://news.example/1/0") is None  # the URL, its hash and its record: none
    assert state.article_hash("https://news.example/1/0") is None
    state.close()


# --- several workers on one crawl --------------------------------------------------------------

PAGES = 40


def start_workers(config: Path, names, *extra) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "scrape", "--config", str(config), "crawl", "-q",
                              "--worker-id", name, *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True) for name in names]


def finish(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err


def gen_requests(server, since: int = 0):
    return [r for r in server.requests()[since:] if r.path.startswith("/gen/")]


@pytest.fixture
def shared_site(crawl_server, crawl_files, pg_database):
    """PAGES generated articles (each answered in 0.1 s), crawled by workers sharing a
    PostgreSQL state with two requests at a time on the host."""
    crawl_server.serve_generated(PAGES, delay=0.1)
    files = type(crawl_files)(crawl_files.root, pg_database)

    def config(**crawl):
        return files.write_config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                  per_host_concurrency=2, lease=1.5, **crawl)
    return crawl_server, files, config


def test_three_workers_fetch_each_url_once_politely_and_a_second_run_gets_304s(shared_site):
    server, files, config = shared_site
    # recheck_after: a worker that starts after the others finished opens a new round whose
    # discovery finds nothing due, instead of asking every page again.
    finish(start_workers(config(recheck_after=3600.0), ["w1", "w2", "w3"]))
    fetched = Counter(r.path for r in gen_requests(server))
    assert set(fetched) == {f"/gen/{n}.html" for n in range(1, PAGES + 1)} and max(fetched.values()) == 1
    assert server.most_in_flight == {server.base.removeprefix("http://"): 2}  # the host's limit, all workers
    assert len(server.requests("/gen-sitemap.xml")) == 1  # one worker discovered
    assert len(server.requests("/robots.txt")) == 1
    urls = Counter(r["url"] for r in files.records())
    assert len(urls) == PAGES and max(urls.values()) == 1
    names = sorted(p.name.rsplit("-", 1)[1] for p in files.outputs())
    assert len(names) >= 2 and set(names) <= {"w1.jsonl", "w2.jsonl", "w3.jsonl"}  # own files; they shared the work
    assert files.count("SELECT count(*) FROM pending") == 0

    mark = len(server.requests())
    server.change_generated(7)
    finish(start_workers(config(), ["w1", "w2", "w3"]))  # recheck_after 0: every known URL is asked again
    again = gen_requests(server, mark)
    assert Counter(r.path for r in again).most_common(1)[0][1] == 1 and len(again) == PAGES
    assert all("If-None-Match" in r.headers for r in again)
    assert Counter(r.status for r in again) == {304: PAGES - 1, 200: 1}
    urls = Counter(r["url"] for r in files.records())
    assert urls[server.url("/gen/7.html")] == 2 and sum(urls.values()) == PAGES + 1  # the changed page, again
    assert len(server.requests("/robots.txt")) == 1  # cached for robots_expire, across runs


def claimed_by(files, worker: str) -> int:
    return files.count("SELECT count(*) FROM frontier f JOIN runs r ON r.id = f.claimed_by"
                       f" WHERE r.worker = '{worker}' AND f.state = 'claimed'")


def test_a_worker_killed_mid_run_leaves_its_batch_to_the_others(shared_site):
    server, files, config = shared_site
    path = config()
    workers = start_workers(path, ["w1", "w2", "w3"])
    deadline = time.monotonic() + 60
    while not (claimed_by(files, "w1") and files.count("SELECT count(*) FROM urls") >= 5):
        assert time.monotonic() < deadline, "w1 claimed nothing"
        time.sleep(0.02)
    held = claimed_by(files, "w1")
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait(5)
    finish(workers[1:])
    assert held and claimed_by(files, "w1") == 0  # its batch was claimed again and finished
    assert files.count("SELECT count(*) FROM frontier WHERE state <> 'done'") == 0
    urls = Counter(r["url"] for r in files.records())
    assert set(urls) == {server.url(f"/gen/{n}.html") for n in range(1, PAGES + 1)}
    assert max(urls.values()) == 1  # what w1 recorded before it died is in a file too, once
    assert files.count("SELECT count(*) FROM pending") == 0
    assert files.count("SELECT count(*) FROM runs WHERE status = 'killed' AND worker = 'w1'") == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_state_stats_after_a_crawl(crawl_files, crawl_server, backend, capsys):
    from scrape.crawl.run import CrawlOptions, run_crawl

    crawl_server.overrides["/gone.rss"] = (b'<rss version="2.0"><channel><title>t</title>'
                                           b"<item><link>{{base}}/news/gone.html</link></item>"
                                           b"<item><link>{{base}}/news/tram-line.html</link></item></channel></rss>")
    config = crawl_files.config([{"url": crawl_server.base + "/gone.rss", "type": "feed"}])
    run_crawl(config, CrawlOptions(worker="w1"))
    assert main(["state", "--state", crawl_files.state_spec, "stats"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"state: {backend}, schema version {SCHEMA_VERSION}"
    assert out[1].startswith("urls: 2 (1 done), articles: 1, runs: 1")
    assert out[3] == "errors by host: 127.0.0.1 1"
    if backend == "postgresql":
        assert out[2] == "frontier: 0 queued, 0 claimed" and out[4].startswith("workers seen: w1 on ")
    capsys.readouterr()
    assert main(["state", "--state", str(crawl_files.root / "none.sqlite"), "stats"]) == 2
    assert not (crawl_files.root / "none.sqlite").exists()
