"""`scrape crawl` runs against a real server on 127.0.0.1."""

import gzip
import json
from collections import Counter

import pytest

from scrape.cli.main import EXIT_LOCKED, main
from scrape.crawl.run import CrawlLock, CrawlOptions, lock_path, run_crawl
from scrape.crawl.state import open_state
from scrape.errors import LockHeld

# The tests that exercise the state run on both back-ends: a SQLite file, and a database of
# the session's PostgreSQL server (one worker; tests/test_state_postgres.py has several).
both_backends = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])


def page_requests(server, since=0):
    return [r for r in server.requests()[since:] if r.path.startswith("/news/") or r.path.startswith("/gen/")]


@both_backends
def test_two_runs_first_writes_all_second_only_asks_conditionally(crawl_files, crawl_server, site_sources, site_articles,
                                                                  backend):
    # One request at a time, so the seed (no lastmod: always re-checked) is read before the
    # feeds and sitemaps (whose unchanged lastmods would leave their URLs unasked).
    config = crawl_files.config(site_sources, per_host_concurrency=1)
    first = run_crawl(config)
    got = crawl_files.records()
    assert sorted(r["canonical_url"].rsplit("/", 1)[1][:-5] for r in got) == sorted(site_articles)
    assert first.new == 6 and first.written == 6 and first.changed == 0
    assert first.skipped["robots.txt"] == 1  # the embargoed draft
    assert not crawl_server.requests("/news/drafts/embargoed.html")
    assert not crawl_server.requests("/sitemap-2019.xml")  # index entry older than since_days
    assert not crawl_server.requests("/news/old-story.html")  # url entry older than since_days
    assert first.output.endswith(".jsonl") and "/out/20" in first.output
    # tracking parameters and fragments never reached the server as separate URLs
    assert not [r for r in crawl_server.requests() if "utm_" in r.path or "fbclid" in r.path]
    assert Counter(r.path for r in page_requests(crawl_server)).most_common(1)[0][1] == 1

    mark = len(crawl_server.requests())
    second = run_crawl(config)
    assert second.new == second.changed == second.written == 0
    assert second.output is None and len(crawl_files.outputs()) == 1
    again = page_requests(crawl_server, mark)
    assert again and all("If-None-Match" in r.headers for r in again)
    assert {r.status for r in again} == {304}
    assert second.not_modified == len(again) == 6
    # once per host per run; a shared state keeps it for robots_expire, across runs
    assert len(crawl_server.requests("/robots.txt")) == (2 if backend == "sqlite" else 1)


@both_backends
def test_changed_article_written_again_unchanged_text_not(crawl_files, crawl_server, backend):
    config = crawl_files.config([{"url": crawl_server.base + "/", "type": "seed", "allow": r"/news/", "depth": 1}])
    run_crawl(config)
    tram = crawl_server.body_of("/news/tram-line.html")
    cafe = crawl_server.body_of("/news/cafe-reopens.html")
    crawl_server.overrides["/news/tram-line.html"] = tram.replace(b"every seven minutes", b"every six minutes")
    crawl_server.overrides["/news/cafe-reopens.html"] = cafe.replace(b"</body>", b"<!-- new ad slot --></body>")
    second = run_crawl(config)
    assert second.changed == 1 and second.written == 1 and second.new == 0
    assert second.fetched == 2 and second.unchanged == 5  # 4 x 304 and the café's same text
    changed = [json.loads(line) for line in open(second.output)]
    assert changed[0]["canonical_url"].endswith("/news/tram-line.html") and "every six minutes" in changed[0]["text"]
    assert crawl_files.count("SELECT versions FROM articles WHERE canonical_url LIKE '%tram-line.html'") == 2


def test_newer_lastmod_is_rechecked_older_is_not_asked(crawl_files, crawl_server):
    sitemap = crawl_server.body_of("/sitemap-pages.xml")
    config = crawl_files.config([{"url": crawl_server.base + "/sitemap-pages.xml", "type": "sitemap"}],
                                recheck_after=3600.0)
    first = run_crawl(config)
    assert first.new == 2 and first.failed["http 404"] == 1  # old-story.html does not exist
    mark = len(crawl_server.requests())
    crawl_server.overrides["/sitemap-pages.xml"] = sitemap.replace(
        b"<lastmod>2026-11-15T21:05:00+01:00</lastmod>", b"<lastmod>2026-11-26T10:00:00+00:00</lastmod>")
    second = run_crawl(config)
    asked = [r.path for r in page_requests(crawl_server, mark)]
    assert "/news/council-budget.html" in asked and "/news/harbour-bridge.html" not in asked
    assert second.not_modified == 1 and second.not_due >= 1


@both_backends
def test_failure_recorded_and_retried_on_a_later_run(crawl_files, crawl_server, backend):
    crawl_server.overrides["/flaky-feed.rss"] = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><link>{{base}}/flaky/story.html</link></item>"
        b"<item><link>{{base}}/news/missing.html</link></item></channel></rss>")
    state = {"up": False}

    @crawl_server.route("/flaky/story.html")
    def _(req):
        if not state["up"]:
            return 503, "maintenance"
        return 200, crawl_server.body_of("/news/school-garden.html"), {"Content-Type": "text/html"}

    config = crawl_files.config([{"url": crawl_server.base + "/flaky-feed.rss", "type": "feed"}])
    first = run_crawl(config)
    assert first.failed == {"http 503": 1, "http 404": 1}
    assert len(crawl_server.requests("/flaky/story.html")) == 2  # first try + 1 retry
    db = open_state(config.crawl.state)
    assert db.get(crawl_server.url("/flaky/story.html")).failures == 1
    assert db.get(crawl_server.url("/news/missing.html")).failures == 0  # 404 is final
    db.close()

    state["up"] = True
    del crawl_server.overrides["/flaky-feed.rss"]  # gone from the feed: retried from the state
    second = run_crawl(crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}]))
    assert second.new == 4  # the feed's three and the recovered one
    assert any(r["url"].endswith("/flaky/story.html") for r in crawl_files.records())


@both_backends
def test_rel_canonical_dedupes(crawl_files, crawl_server, backend):
    crawl_server.overrides["/amp-feed.rss"] = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><link>{{base}}/news/harbour-bridge.html?amp=1</link></item>"
        b"<item><link>{{base}}/news/harbour-bridge.html?output=print</link></item>"
        b"<item><link>{{base}}/news/harbour-bridge.html</link></item></channel></rss>")
    config = crawl_files.config([{"url": crawl_server.base + "/amp-feed.rss", "type": "feed"}],
                                per_host_concurrency=1)
    stats = run_crawl(config)
    assert stats.new == 1 and stats.unchanged == 1  # ?amp=1 new, ?output=print same text
    assert stats.skipped == {"duplicate": 1}  # the canonical URL itself, queued before it was known
    assert [r["canonical_url"] for r in crawl_files.records()] == [crawl_server.url("/news/harbour-bridge.html")]
    # the canonical URL itself was not fetched again in the same run
    assert not [r for r in crawl_server.requests() if r.path == "/news/harbour-bridge.html"]


@both_backends
def test_max_pages_stops_and_next_run_continues(crawl_files, crawl_server, backend):
    crawl_server.serve_generated(10)
    config = crawl_files.config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                per_host_concurrency=1)
    first = run_crawl(config, CrawlOptions(max_pages=4))
    assert first.new == 4 and first.stopped == "max-pages"
    second = run_crawl(config)
    assert second.new == 6 and second.not_modified == 4
    urls = [r["url"] for r in crawl_files.records()]
    assert len(urls) == len(set(urls)) == 10


def test_max_seconds_stops_cleanly(crawl_files, crawl_server):
    crawl_server.serve_generated(30, delay=0.1)
    config = crawl_files.config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                per_host_concurrency=2)
    stats = run_crawl(config, CrawlOptions(max_seconds=0.6))
    assert stats.stopped == "max-seconds" and 0 < stats.new < 30
    assert len(crawl_files.records()) == stats.new
    rest = run_crawl(config)
    urls = [r["url"] for r in crawl_files.records()]
    assert len(urls) == len(set(urls)) == 30 and rest.new == 30 - stats.new


def test_lock_held_raises_and_cli_exits_3(crawl_files, crawl_server, capsys, site_sources):
    config_file = crawl_files.write_config(site_sources)
    config = crawl_files.config(site_sources)
    with CrawlLock(lock_path(config)):
        with pytest.raises(LockHeld):
            run_crawl(config)
        assert main(["--config", str(config_file), "crawl"]) == EXIT_LOCKED
    assert "another scrape crawl is running" in capsys.readouterr().err
    assert not crawl_server.requests()


def test_cli_summary_stats_json_and_no_progress_bar(crawl_files, tmp_path, capsys, site_sources):
    config_file = crawl_files.write_config(site_sources)
    stats_file = tmp_path / "stats.json"
    assert main(["--config", str(config_file), "crawl", "--stats-json", str(stats_file)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert lines[-1].startswith("crawl: ") and "6 new" in lines[-1] and "robots.txt 1" in lines[-1]
    assert "\r" not in captured.err  # stderr is not a terminal: no progress bar
    stats = json.loads(stats_file.read_text())
    assert stats["new"] == 6 and stats["skipped"] == {"robots.txt": 1} and stats["output"]


def test_warc_output_recleans_with_scrape_clean(crawl_files, tmp_path, crawl_server):
    config = crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}], warc=True)
    stats = run_crawl(config)
    assert stats.warc and stats.warc.endswith(".warc.gz")
    assert gzip.open(stats.warc).read(4) == b"WARC"
    recleaned = tmp_path / "recleaned.jsonl"
    assert main(["clean", stats.warc, "-o", str(recleaned), "-q"]) == 0
    again = [json.loads(line) for line in recleaned.read_text().splitlines()]
    assert sorted(r["title"] for r in again) == sorted(r["title"] for r in crawl_files.records())


def test_fetch_command_writes_records_to_stdout(crawl_files, crawl_server, capsys):
    config_file = crawl_files.write_config([])
    code = main(["--config", str(config_file), "fetch", crawl_server.url("/news/cafe-reopens.html"),
                 crawl_server.url("/news/drafts/embargoed.html"), crawl_server.url("/about.html")])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["title"] == "Café on Market Square reopens after fire"
    assert "robots.txt" in captured.err and "not an article" in captured.err


def test_private_source_refused_without_allow_private(crawl_files, crawl_server):
    config = crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}], allow_private=False)
    stats = run_crawl(config)
    assert stats.source_errors == 1 and stats.fetched == 0
    assert not crawl_server.requests()


def test_clean_in_worker_processes(crawl_files, crawl_server):
    config = crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}], clean_workers=1)
    assert run_crawl(config).new == 3


def test_example_crawl_config_loads():
    from pathlib import Path

    from scrape.config import load_config

    config = load_config(Path(__file__).parent.parent / "fixtures" / "site" / "crawl.toml")
    assert [s.type for s in config.sources] == ["feed", "sitemap", "seed"]
    assert config.crawl.allow_private is False


def test_crawl_and_fetch_have_help(capsys):
    for command in ("crawl", "fetch"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "usage: scrape " + command in capsys.readouterr().out


def test_404_not_asked_again_before_recheck_after(crawl_files, crawl_server):
    crawl_server.overrides["/gone.rss"] = (b'<rss version="2.0"><channel><title>t</title>'
                                           b"<item><link>{{base}}/news/gone.html</link></item></channel></rss>")
    config = crawl_files.config([{"url": crawl_server.base + "/gone.rss", "type": "feed"}], recheck_after=3600.0)
    assert run_crawl(config).failed == {"http 404": 1}
    assert run_crawl(config).not_due == 1
    assert len(crawl_server.requests("/news/gone.html")) == 1


def test_seed_links_followed_to_the_set_depth(crawl_files, crawl_server):
    for n in range(5):  # a chain: /chain/0.html -> 1 -> 2 -> 3 -> 4, plus an off-pattern link
        crawl_server.overrides[f"/chain/{n}.html"] = (
            f'<html><body><a href="/chain/{n + 1}.html">next</a> <a href="/other/{n}.html">x</a></body></html>'.encode())
    config = crawl_files.config([{"url": crawl_server.base + "/chain/0.html", "type": "seed",
                                  "allow": r"/chain/", "depth": 2}])
    stats = run_crawl(config)
    asked = sorted(r.path for r in crawl_server.requests() if r.path != "/robots.txt")
    assert asked == ["/chain/0.html", "/chain/1.html", "/chain/2.html"]
    assert stats.skipped == {"not an article": 2}
