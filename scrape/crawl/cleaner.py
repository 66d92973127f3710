"""Cleaning fetched pages beside the crawl's event loop, with the same `clean_page` as
`scrape clean`.

Reads `crawl.clean_workers` (processes; 0 = one thread of the crawl process) and
`clean.timeout` (applied by `parallel.clean_one` inside worker processes; a thread cannot be
interrupted, so there the page simply takes as long as it takes).

No more pages are handed to the workers than there are workers, so a page's wait is its own
cleaning time. A page stuck where the alarm cannot reach it (in C code) past `clean.timeout`
plus `STUCK_GRACE`, or a worker that dies, gets the workers replaced; the pages that were in
the workers then run again one at a time, so that only a page that fails alone is skipped
(a `CleanTimeout` or an `UnexpectedError`) and its neighbours are not lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from ..config import Config
from ..errors import CleanTimeout, SkipError, UnexpectedError
from ..models import Article, Page

log = logging.getLogger(__name__)

# Seconds a worker may run past `clean.timeout` before it is taken for stuck and replaced.
STUCK_GRACE = 10.0
CleanFunction = Callable[[Page, Config, bool], Article]  # picklable, module-level

_worker_setup: tuple[Config, CleanFunction | None] | None = None


def _init_clean_worker(config: Config, crawl_pid: int, clean: CleanFunction | None) -> None:
    from ..workers import exit_with

    global _worker_setup
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
    _worker_setup = (config, clean)
    # A pool worker blocks on its task queue forever if the crawl is SIGKILLed; this watch
    # ends it (and with it the forkserver, which lives while a worker does).
    exit_with(crawl_pid)


def _clean_in_worker(page: Page):
    config, clean = _worker_setup
    result = _clean_here(page, config, clean)
    if isinstance(result, SkipError):  # SkipError does not pickle with its fields
        return ("skip", type(result), result.detail, result.input)
    return result


def _clean_here(page: Page, config: Config, clean: CleanFunction | None = None):
    from ..clean.page import clean_page
    from ..workers import clean_one

    return clean_one(page, clean or clean_page, config, False, config.clean.timeout)


@dataclass(frozen=True)
class _Failed:
    """The workers got stuck or died while this page was in them."""

    kind: type[SkipError]
    detail: str


class Cleaner:
    """Runs `clean_page` (or `clean`) in worker processes (`crawl.clean_workers`) or in one
    thread."""

    def __init__(self, config: Config, clean: CleanFunction | None = None):
        self.config = config
        self._clean = clean
        self._workers = config.crawl.clean_workers
        self._width = max(1, self._workers)
        self._slots = asyncio.Semaphore(self._width)  # pages in the workers at once
        self._alone = asyncio.Lock()  # held by a page that runs again by itself
        self._executor: Executor = self._start()

    def _start(self) -> Executor:
        if self._workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="clean")
        import multiprocessing

        # forkserver: workers start from a clean process, not a fork of this threaded one.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scrape.clean.page", "scrape.workers"])
        return ProcessPoolExecutor(self._workers, mp_context=context, initializer=_init_clean_worker,
                                   initargs=(self.config, os.getpid(), self._clean))

    async def clean(self, page: Page) -> Article | SkipError:
        loop = asyncio.get_running_loop()
        if self._workers <= 0:
            return await loop.run_in_executor(self._executor, _clean_here, page, self.config, self._clean)
        async with self._slots:
            result = await self._attempt(page)
        if isinstance(result, _Failed):
            # Stuck or dead workers take every page in them down: run this one again with the
            # workers to itself, so that only a page that fails alone is skipped.
            async with self._alone:
                for _ in range(self._width):
                    await self._slots.acquire()
                try:
                    result = await self._attempt(page)
                finally:
                    for _ in range(self._width):
                        self._slots.release()
            if isinstance(result, _Failed):
                log.warning("cleaning %s: %s", page.url, result.detail)
                return result.kind(result.detail, input=page.url)
        if isinstance(result, tuple) and result and result[0] == "skip":
            return result[1](result[2], input=result[3])
        return result

    async def _attempt(self, page: Page):
        executor = self._executor
        timeout = self.config.clean.timeout
        try:
            return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(executor, _clean_in_worker, page),
                                          timeout + STUCK_GRACE if timeout > 0 else None)
        except TimeoutError:
            self._replace(executor)
            return _Failed(CleanTimeout, f"cleaning took longer than {timeout:g}s (worker stopped)")
        except Exception as exc:  # BrokenProcessPool: a worker died (or was stopped for another page)
            self._replace(executor)
            return _Failed(UnexpectedError, f"the worker cleaning it died ({type(exc).__name__})")

    def _replace(self, executor: Executor) -> None:
        """Stop `executor`'s workers, whatever they are doing, and start new ones (once)."""
        if executor is not self._executor:
            return
        _stop(executor)
        self._executor = self._start()

    def close(self) -> None:
        if isinstance(self._executor, ProcessPoolExecutor):
            _stop(self._executor, grace=5.0)
        else:
            self._executor.shutdown(wait=True, cancel_futures=True)


def _stop(executor: ProcessPoolExecutor, grace: float = 0.0) -> None:
    """Shut the pool down; workers still busy after `grace` seconds are killed (a stuck one
    would make a plain shutdown wait forever)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.join(grace)
            if process.is_alive():
                process.kill()
                process.join(1.0)
        except (OSError, ValueError, AttributeError):
            pass
