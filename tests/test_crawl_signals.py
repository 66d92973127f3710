"""Cron behaviour with real processes: SIGKILL then rerun, SIGTERM, a second concurrent run."""

import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from scrape.cli.main import EXIT_INTERRUPTED, EXIT_LOCKED

PAGES = 60


def start_crawl(config_file, *extra):
    return subprocess.Popen([sys.executable, "-m", "scrape", "--config", str(config_file), "crawl", *extra],
                            cwd=config_file.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout=30.0):  # generous: a loaded 2-core machine starts a crawl slowly
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def done_urls(crawl_files) -> int:
    """URLs the running crawl has committed, read from its state (SQLite's WAL and
    PostgreSQL both allow a reader)."""
    return crawl_files.count("SELECT count(*) FROM urls WHERE outcome='new'")


@pytest.fixture
def slow_site(crawl_files, crawl_server):
    """The config file of a crawl over PAGES generated articles, each answered in 30 ms."""
    crawl_server.serve_generated(PAGES, delay=0.03)
    return crawl_files.write_config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                    per_host_concurrency=2, clean_workers=0, lease=1.0)


def assert_exactly_once(crawl_files, base):
    urls = Counter(r["url"] for r in crawl_files.records())
    assert set(urls) == {f"{base}/gen/{n}.html" for n in range(1, PAGES + 1)}
    assert max(urls.values()) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sigkill_twice_then_rerun_every_article_exactly_once(crawl_files, slow_site, crawl_server, backend):
    config_file = slow_site
    for at_least in (5, 25):
        proc = start_crawl(config_file)
        wait_for(lambda: done_urls(crawl_files) >= at_least)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        assert proc.returncode == -signal.SIGKILL
    finish = start_crawl(config_file)
    _, err = finish.communicate(timeout=30)
    assert finish.returncode == 0, err
    assert_exactly_once(crawl_files, crawl_server.base)
    assert crawl_files.count("SELECT count(*) FROM pending") == 0
    assert crawl_files.count("SELECT count(*) FROM runs WHERE status = 'killed'") == 2
    assert crawl_files.count("SELECT count(*) FROM runs WHERE status = 'done'") == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly_and_save(crawl_files, slow_site, crawl_server, signum):
    config_file = slow_site
    proc = start_crawl(config_file, "--stats-json", "stats.json")
    wait_for(lambda: done_urls(crawl_files) >= 5)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=5)
    assert proc.returncode == EXIT_INTERRUPTED
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("crawl: ") and f"stopped early: {signal.Signals(signum).name}" in summary
    assert '"stopped": "%s"' % signal.Signals(signum).name in (config_file.parent / "stats.json").read_text()
    written = crawl_files.records()
    assert 5 <= len(written) < PAGES  # everything cleaned before the signal is in the output
    rest = start_crawl(config_file)
    rest.communicate(timeout=30)
    assert rest.returncode == 0
    assert_exactly_once(crawl_files, crawl_server.base)


def test_second_run_exits_at_once_with_code_3(crawl_files, slow_site):
    config_file = slow_site
    first = start_crawl(config_file)
    try:
        wait_for(lambda: done_urls(crawl_files) >= 1)
        started = time.monotonic()
        second = start_crawl(config_file)
        _, err = second.communicate(timeout=10)
        assert second.returncode == EXIT_LOCKED
        assert "another scrape crawl is running" in err
        assert time.monotonic() - started < 5
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=10)


def test_sigkill_leaves_no_cleaning_workers_behind(crawl_files, crawl_server, processes):
    crawl_server.serve_generated(PAGES, delay=0.03)
    config_file = crawl_files.write_config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                           per_host_concurrency=2, clean_workers=1)
    proc = start_crawl(config_file)
    wait_for(lambda: done_urls(crawl_files) >= 3)
    workers = processes.descendants(proc.pid)
    assert workers  # the cleaning worker (and its forkserver)
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    wait_for(lambda: not any(processes.alive(pid) for pid in workers), timeout=5)
