"""Parallel cleaning: input order, bounded work in flight, per-page time bound, no page
stops the run (exceptions, hangs, dying workers)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

import scrape.workers as workers
from scrape.config import CleanConfig, CrawlConfig, default_config
from scrape.errors import CleanTimeout, NotAnArticle, SkipError, UnexpectedError, Unreadable
from scrape.io.inputs import iter_pages
from scrape.models import Article, Page, Source
from scrape.workers import Cleaner, CleanOptions, clean_pages

INPUTS = Path(__file__).resolve().parent.parent / "fixtures" / "inputs"


def fake_clean(page: Page, config, explain) -> Article:
    """Behaves by the page body: SLOW sleeps, STUCK ignores the alarm, CRASH kills its
    process, BOOM raises, SHORT is not an article; anything else echoes the body."""
    body = page.body.decode()
    if body.startswith("SLOW"):
        time.sleep(60)
    if body.startswith("STUCK"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # like a C loop: no alarm
        time.sleep(60)
    if body.startswith("CRASH"):
        os._exit(9)
    if body.startswith("BOOM"):
        raise RuntimeError("kaboom")
    if body.startswith("SHORT"):
        raise NotAnArticle("not an article (1 words of text)")
    return Article(text=body, source=page.source, word_count=1)


def page(body: str, name: str | None = None) -> Page:
    return Page(source=Source(name or body), body=body.encode())


def outcome(result) -> str:
    if isinstance(result, SkipError):
        return f"{result.reason}:{result.input}"
    return result.text


def options(jobs: int, timeout: float = 5.0, stuck_grace: float = workers.STUCK_GRACE) -> CleanOptions:
    return CleanOptions(config=default_config(), jobs=jobs, timeout=timeout, stuck_grace=stuck_grace)


def run(items, jobs, timeout=5.0, stuck_grace=workers.STUCK_GRACE):
    return [outcome(r) for r in clean_pages(iter(items), options(jobs, timeout, stuck_grace), clean=fake_clean)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_keep_input_order_with_skips_in_place(jobs):
    items = [page(f"p{i}") for i in range(25)]
    items.insert(5, Unreadable("binary data, not text", input="bad.bin"))
    items.insert(12, page("SHORT", "short.html"))
    items.insert(20, page("BOOM", "boom.html"))
    expected = [f"p{i}" for i in range(25)]
    expected.insert(5, "unreadable:bad.bin")
    expected.insert(12, "not an article:short.html")
    expected.insert(20, "error:boom.html")
    assert run(items, jobs) == expected


def test_real_cleaner_gives_the_same_records_with_one_or_two_jobs():
    paths = [str(p) for p in sorted(INPUTS.iterdir())] * 6
    one = [r.as_dict() if isinstance(r, Article) else outcome(r)
           for r in clean_pages(iter_pages(paths), options(1))]
    two = [r.as_dict() if isinstance(r, Article) else outcome(r)
           for r in clean_pages(iter_pages(paths), options(2))]
    assert one == two
    assert sum(isinstance(r, dict) for r in one) == 18


def test_exception_becomes_an_error_skip_naming_the_input():
    [result] = list(clean_pages(iter([page("BOOM", "x.html")]), options(1), clean=fake_clean))
    assert isinstance(result, UnexpectedError)
    assert result.reason == "error" and result.input == "x.html"
    assert "RuntimeError: kaboom" in result.detail


def test_skip_without_input_gets_the_page_name():
    def anonymous_skip(page, config, explain):
        raise NotAnArticle("no text")

    [result] = list(clean_pages(iter([page("a", "in.html")]), options(1), clean=anonymous_skip))
    assert isinstance(result, NotAnArticle) and result.input == "in.html"


@pytest.mark.parametrize("jobs", [1, 2])
def test_slow_page_times_out_and_the_run_goes_on(jobs):
    items = [page("a"), page("SLOW", "slow.html")] + [page(f"b{i}") for i in range(9)]
    started = time.monotonic()
    results = list(clean_pages(iter(items), options(jobs, timeout=0.5), clean=fake_clean))
    assert time.monotonic() - started < 20
    assert [outcome(r) for r in results] == ["a", "timeout:slow.html"] + [f"b{i}" for i in range(9)]
    assert isinstance(results[1], CleanTimeout)


def test_page_that_ignores_the_alarm_is_stopped_by_the_parent():
    items = [page(f"a{i}") for i in range(6)] + [page("STUCK", "stuck.html")] + [page(f"b{i}") for i in range(9)]
    started = time.monotonic()
    results = run(items, jobs=2, timeout=0.5, stuck_grace=1.0)
    assert time.monotonic() - started < 30
    assert results == [f"a{i}" for i in range(6)] + ["timeout:stuck.html"] + [f"b{i}" for i in range(9)]


def test_a_dying_worker_loses_only_its_page():
    items = [page(f"a{i}") for i in range(10)] + [page("CRASH", "crash.html")] + [page(f"b{i}") for i in range(10)]
    results = run(items, jobs=2)
    assert results == [f"a{i}" for i in range(10)] + ["error:crash.html"] + [f"b{i}" for i in range(10)]


def test_work_in_flight_is_bounded():
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield page(f"p{i}")

    results = clean_pages(endless(), options(2), clean=fake_clean)
    first = [outcome(r) for r in itertools.islice(results, 50)]
    results.close()  # stops the workers
    assert first == [f"p{i}" for i in range(50)]
    bound = 50 + 2 * workers.CHUNKS_PER_JOB * workers.CHUNK_PAGES + workers.CHUNK_PAGES
    assert pulled <= bound


def test_one_job_runs_in_this_process():
    def which_process(page, config, explain):
        return Article(text=str(os.getpid()))

    items = [page(f"p{i}") for i in range(10)]
    pids = {r.text for r in clean_pages(iter(items), options(1), clean=which_process)}
    assert pids == {str(os.getpid())}
    pids = {r.text for r in clean_pages(iter(items), options(2), clean=which_process)}
    assert str(os.getpid()) not in pids and len(pids) >= 1


def test_one_job_streams_page_by_page():
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield page(f"p{i}")

    results = clean_pages(endless(), options(1), clean=fake_clean)
    assert outcome(next(results)) == "p0"
    assert pulled == 1  # a page read from stdin is written before the next is read


def test_many_loading_skips_between_pages_do_not_pile_up():
    pulled = 0

    def skips_then_pages():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield Unreadable("bad line", input=f"in.jsonl:{i}") if i < 10_000 else page(f"p{i}")

    results = clean_pages(skips_then_pages(), options(2), clean=fake_clean)
    assert outcome(next(results)) == "unreadable:in.jsonl:0"
    assert pulled <= 2 * workers.CHUNKS_PER_JOB * workers.CHUNK_ITEMS + workers.CHUNK_ITEMS
    results.close()


# --- the crawl's front end: page by page, beside an event loop ---------------------------------


def clean_beside_a_loop(bodies: list[str], clean_workers: int) -> list[str]:
    config = replace(default_config(), crawl=CrawlConfig(clean_workers=clean_workers),
                     clean=CleanConfig(timeout=5.0))

    async def go():
        cleaner = Cleaner(config, clean=fake_clean, stuck_grace=1.0)
        try:
            return await asyncio.gather(*(cleaner.clean(page(body)) for body in bodies))
        finally:
            cleaner.close()

    return [outcome(result) for result in asyncio.run(go())]


@pytest.mark.parametrize("clean_workers", [0, 2])
def test_the_crawls_cleaner_gives_each_page_its_own_result(clean_workers):
    assert clean_beside_a_loop(["a", "BOOM", "SHORT", "b"], clean_workers) == [
        "a", "error:BOOM", "not an article:SHORT", "b"]


def test_the_crawls_cleaner_loses_only_the_page_whose_worker_died():
    # Every page in the workers when one dies is lost with it; each runs again alone.
    assert clean_beside_a_loop(["a", "CRASH", "b", "c", "d"], clean_workers=2) == [
        "a", "error:CRASH", "b", "c", "d"]
