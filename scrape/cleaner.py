"""Cleaning fetched pages beside the crawl's event loop, with the same `clean_page` as
`scrape clean`.

Reads `crawl.clean_workers` (processes; 0 = one thread of the crawl process) and
`clean.timeout` (applied by `parallel.clean_one` inside worker processes; a thread cannot be
interrupted, so there the page simply takes as long as it takes). A worker that dies costs
its page (an `UnexpectedError` skip) and the workers are restarted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from .config import Config
from .errors import SkipError, UnexpectedError
from .models import Article, Page

log = logging.getLogger(__name__)

_worker_config: Config | None = None


def _init_clean_worker(config: Config, crawl_pid: int) -> None:
    from .parallel import exit_with

    global _worker_config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
    _worker_config = config
    # A pool worker blocks on its task queue forever if the crawl is SIGKILLed; this watch
    # ends it (and with it the forkserver, which lives while a worker does).
    exit_with(crawl_pid)


def _clean_in_worker(page: Page):
    from .parallel import clean_one
    from .pipeline import clean_page

    result = clean_one(page, clean_page, _worker_config, False, _worker_config.clean.timeout)
    if isinstance(result, SkipError):  # SkipError does not pickle with its fields
        return ("skip", type(result), result.detail, result.input)
    return result


def _clean_here(page: Page, config: Config):
    from .parallel import clean_one
    from .pipeline import clean_page

    return clean_one(page, clean_page, config, False, config.clean.timeout)


class Cleaner:
    """Runs `clean_page` in worker processes (`crawl.clean_workers`) or in one thread."""

    def __init__(self, config: Config):
        self.config = config
        self._workers = config.crawl.clean_workers
        self._executor: Executor = self._start()

    def _start(self) -> Executor:
        if self._workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="clean")
        import multiprocessing

        # forkserver: workers start from a clean process, not a fork of this threaded one.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scrape.pipeline", "scrape.parallel"])
        return ProcessPoolExecutor(self._workers, mp_context=context, initializer=_init_clean_worker,
                                   initargs=(self.config, os.getpid()))

    async def clean(self, page: Page) -> Article | SkipError:
        loop = asyncio.get_running_loop()
        if self._workers <= 0:
            return await loop.run_in_executor(self._executor, _clean_here, page, self.config)
        try:
            result = await loop.run_in_executor(self._executor, _clean_in_worker, page)
        except Exception as exc:  # a worker died (BrokenProcessPool): lose this page, not the run

            log.warning("cleaning %s failed: %s; restarting the cleaners", page.url, exc)
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            return UnexpectedError.from_exception(exc, page.url)
        if isinstance(result, tuple) and result and result[0] == "skip":
            return result[1](result[2], input=result[3])
        return result

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
