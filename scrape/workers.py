"""The one process pool: cleaning pages on worker processes, for `scrape clean -j N` and
beside the crawl. Reads `clean.timeout` and `crawl.clean_workers`.

Shared by both: a worker is given the clean function and the config once, when it starts,
and ends by itself when the process it works for is gone (SIGKILL), so a killed run leaves
no workers behind. Each page gets `clean.timeout` seconds (`clean_one`): an alarm inside the
worker turns a slow page into a `CleanTimeout` skip, any other exception into an
`UnexpectedError` skip, so one page never stops a run. A page stuck in C code ignores the
alarm: past its timeout plus `stuck_grace` the parent stops the workers, whatever they are
doing, and starts new ones, as it does when a worker dies (segfault, out of memory); the
pages that were in them run again one at a time, so only a page that fails alone is lost.

Two front ends:

- `clean_pages` (`scrape clean -j N`): results in input order. Pages go to forked workers in
  small chunks, a bounded number in flight, so memory does not grow with the input; loading
  skips (`SkipError`s from `io.inputs`) pass through in place.
- `Cleaner` (`scrape crawl`): awaits one page at a time beside the event loop, on
  `crawl.clean_workers` processes started from a forkserver (not forked from the threaded
  crawl) or, with 0, on one thread (which cannot be interrupted: no time limit there).
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import itertools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from types import FrameType

from .clean.page import clean_page
from .config import Config
from .errors import CleanTimeout, SkipError, UnexpectedError
from .models import Article, Page

log = logging.getLogger(__name__)

# Cleans one page; runs in a worker, so it must be a module-level (picklable) function.
CleanFunction = Callable[[Page, Config, bool], Article]

CHUNK_PAGES = 4  # pages sent to a worker at once: amortises the hand-over, keeps order cheap
CHUNK_BYTES = 8 * 1024 * 1024  # ... unless they are big
CHUNK_ITEMS = 64  # ... and loading skips between pages do not pile up in one chunk
CHUNKS_PER_JOB = 6  # chunks in flight per worker: a slow chunk at the head does not idle the others
# Seconds a worker may run past its pages' timeouts before it is taken for stuck and stopped.
STUCK_GRACE = 10.0
WATCH_INTERVAL = 0.5  # seconds between a worker's checks that the process it works for lives
CLOSE_GRACE = 5.0  # seconds the crawl's workers get to finish their page when the run ends
RELEASE_SECONDS = 30.0  # for a kept pool's idle worker to give its memory back, or it is not kept


# --- one page ------------------------------------------------------------------------------


class _Deadline(BaseException):
    """Raised by the alarm. A BaseException, so that `except Exception` in a library cannot
    swallow it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Deadline()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise _Deadline in this (main) thread after `seconds`; no limit when <= 0, or off the
    main thread or on a platform without setitimer, where the alarm cannot be used."""
    if (seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        # None: the old handler was not set from Python; the default is the closest we can do.
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def clean_one(page: Page, clean: CleanFunction, config: Config, explain: bool,
              timeout: float) -> Article | SkipError:
    """Clean one page within `timeout` seconds; every failure comes back as a SkipError."""
    name = str(page.source)
    try:
        with time_limit(timeout):
            return clean(page, config, explain)
    except _Deadline:
        return CleanTimeout(f"cleaning took longer than {timeout:g}s", input=name)
    except SkipError as exc:
        return exc if exc.input else exc.for_input(name)
    except Exception as exc:
        return UnexpectedError.from_exception(exc, name)


def _stuck(page: Page, timeout: float) -> SkipError:
    return CleanTimeout(f"cleaning took longer than {timeout:g}s (worker stopped)", input=str(page.source))


def _died(page: Page) -> SkipError:
    return UnexpectedError("the worker process cleaning it died", input=str(page.source))


# --- the worker side -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    """What every page a worker cleans shares; sent to each worker once, when it starts."""

    clean: CleanFunction
    config: Config
    explain: bool
    timeout: float

    def run(self, page: Page) -> Article | SkipError:
        return clean_one(page, self.clean, self.config, self.explain, self.timeout)


_task: _Task | None = None  # set in each worker by _init_worker


def _init_worker(task: _Task, parent: int) -> None:
    global _task
    # Ctrl-C reaches the whole process group; the parent alone handles it and ends workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent may have made it an interrupt
    _task = task
    # What the worker inherited from the parent (modules, config) lives as long as it does:
    # out of the collector's sight, the collector neither walks it nor writes to its pages,
    # which would copy them from the parent's one by one.
    gc.freeze()
    exit_with(parent)


def exit_with(pid: int) -> None:
    """End this worker process soon after process `pid` is gone.

    A pool worker blocks on its task queue forever when the process that feeds it is
    SIGKILLed; without this, every killed run would leave its workers behind (and, for the
    crawl, the forkserver, which lives while a worker does).
    """
    threading.Thread(target=_watch, args=(pid,), daemon=True, name="parent-watch").start()


def _watch(pid: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # alive, owned by someone else
            pass


def release_memory() -> bool:
    """Collect garbage, then give the C heap's free pages back to the OS; True when they were.

    Cleaning a page leaves its parse trees' memory free but scattered through the heap, where
    glibc keeps it mapped (its own trimming only gives back the heap's free top), so a process
    that has cleaned thousands of pages holds far more than it uses. `malloc_trim(0)` hands
    back every free page. Elsewhere (macOS, Windows, musl) this only collects: False."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # no such symbol: not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda pad: int(trim(pad))


# The form a result crosses back from a worker in: SkipError's constructor takes (detail,
# input), which default exception pickling loses, so a skip travels as its parts.
_Wire = Article | tuple[type[SkipError], str, str | None]


def _to_wire(result: Article | SkipError) -> _Wire:
    if isinstance(result, SkipError):
        return type(result), result.detail, result.input
    return result


def _from_wire(value: _Wire) -> Article | SkipError:
    if isinstance(value, tuple):
        kind, detail, input = value
        return kind(detail, input=input)
    return value


def _clean_in_worker(pages: list[Page]) -> list[_Wire]:
    task = _task
    assert task is not None, "a worker started without _init_worker"
    return [_to_wire(task.run(page)) for page in pages]


# --- pools ---------------------------------------------------------------------------------


def _start_pool(task: _Task, workers: int, start_method: str) -> ProcessPoolExecutor:
    """`workers` processes that clean for this one and end with it."""
    available = start_method in multiprocessing.get_all_start_methods()
    # Where the method is missing (fork on Windows), the platform's default.
    context: BaseContext = multiprocessing.get_context(start_method if available else None)
    if available and start_method == "forkserver":  # workers start with the cleaning modules imported
        context.set_forkserver_preload(["scrape.clean.page", "scrape.workers"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(task, os.getpid()))


def _stop_pool(executor: ProcessPoolExecutor, grace: float = 0.0) -> None:
    """Shut a pool down, killing the workers still busy after `grace` seconds (at once when 0).

    The executor has no way to stop a running task, and a stuck worker would make a plain
    shutdown wait forever.
    """
    # The executor keeps its processes private; without them there is nothing to kill.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    if grace <= 0:
        for process in processes:
            _end(process, 0.0)
        executor.shutdown(wait=True, cancel_futures=True)  # returns once the pool has seen them die
        return
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        _end(process, grace)


def _end(process: multiprocessing.process.BaseProcess, grace: float) -> None:
    """Give a worker `grace` seconds to finish, then kill it."""
    try:
        if grace > 0:
            process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(1.0)
    except (OSError, ValueError, AssertionError):  # already reaped, or not ours to join
        pass


# --- front end 1: an ordered stream (scrape clean -j N) -------------------------------------


@dataclass(frozen=True)
class CleanOptions:
    """How pages are cleaned."""

    config: Config
    explain: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # 1 = in this process
    timeout: float = 20.0  # seconds per page; 0 = no limit
    stuck_grace: float = STUCK_GRACE  # seconds past its pages' timeouts before a chunk is taken for stuck
    # "fork" for the CLI's one-threaded parent. Where the caller runs threads (a Dask worker's
    # task), "spawn" or "forkserver": there even one job cleans in a child process, since the
    # alarm that bounds a page works only in a process's main thread. (The Dask engine spawns:
    # a forkserver would be one more process per worker, holding the cleaning modules too.)
    start_method: str = "fork"
    # Keep the workers for the next call with the same config (`keep_pool`): a Dask worker
    # cleans partition after partition, and a new process would warm up again each time. A
    # pool is kept once its workers have given their memory back (`release_memory`).
    keep_pool: bool = False

    @classmethod
    def from_config(cls, config: Config, explain: bool = False, jobs: int | None = None) -> CleanOptions:
        return cls(config=config, explain=explain, jobs=jobs or os.cpu_count() or 1,
                   timeout=config.clean.timeout)


Item = Page | SkipError  # what `io.inputs.iter_pages` yields


def clean_pages(items: Iterable[Item], options: CleanOptions,
                clean: CleanFunction = clean_page) -> Generator[Article | SkipError, None, None]:
    """Clean every page, yielding one result per item, in the order of `items`.

    Args:
        items: pages and loading skips, as `io.inputs.iter_pages` yields them.
        options: config, explain, jobs and the per-page timeout.
        clean: the per-page function; must be a picklable module-level function.
    Yields:
        an Article per page cleaned, a SkipError (naming its input) for every other item.
        Closing the generator stops the workers at once.
    """
    task = _Task(clean, options.config, options.explain, options.timeout)
    isolated = options.start_method != "fork"  # the caller's thread cannot bound a page
    if options.jobs <= 1 and not isolated:
        yield from _in_process(items, task)
        return
    chunks = _chunks(items)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if (first is None or second is None) and not isolated:  # too little work to be worth starting a pool
        yield from _in_process(first or [], task)
        return
    runner = _OrderedPool(options, task)
    try:
        yield from runner.run(itertools.chain([chunk for chunk in (first, second) if chunk is not None], chunks))
    finally:
        runner.close()


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    pages = size = 0
    for item in items:
        chunk.append(item)
        if isinstance(item, Page):
            pages += 1
            size += len(item.body)
        if pages >= CHUNK_PAGES or size >= CHUNK_BYTES or len(chunk) >= CHUNK_ITEMS:
            yield chunk
            chunk, pages, size = [], 0, 0
    if chunk:
        yield chunk


def _in_process(items: Iterable[Item], task: _Task) -> Iterator[Article | SkipError]:
    for item in items:
        yield task.run(item) if isinstance(item, Page) else item


@dataclass
class _Slot:
    """One chunk: its items (pages and pass-through skips) and, once submitted, its future."""

    items: list[Item]
    future: Future[list[_Wire]] | None = None

    @property
    def pages(self) -> list[Page]:
        return [item for item in self.items if isinstance(item, Page)]

    def ready(self) -> bool:
        return self.future is None or self.future.done()


class _OrderedPool:
    """Keeps a window of chunks in flight on a process pool and resolves them in order.

    When a chunk fails (a worker died, or the chunk is stuck past its time), the workers are
    replaced and the chunk is split into single pages that run one at a time ("careful"),
    so a page that fails alone is known to be the culprit and the only one lost. Work that
    was in flight elsewhere died with the workers and is submitted again.
    """

    def __init__(self, options: CleanOptions, task: _Task):
        self.options = options
        self.task = task
        self.window: deque[_Slot] = deque()
        self.executor: ProcessPoolExecutor | None = None
        self.careful = 0  # slots at the head of the window that must run alone

    def _pool(self) -> ProcessPoolExecutor:
        if self.executor is None and self.options.keep_pool:
            self.executor = _kept.take(self._key())
        if self.executor is None:
            # fork: workers start at once, with the cleaning modules already imported.
            self.executor = _start_pool(self.task, max(1, self.options.jobs), self.options.start_method)
        return self.executor

    def _key(self) -> tuple[object, ...]:
        task, options = self.task, self.options
        return (id(task.config), task.clean, task.explain, task.timeout, options.jobs, options.start_method)

    def _pump(self) -> None:
        """Submit what may run now: everything, or only the head slot while careful."""
        for index, slot in enumerate(self.window):
            if self.careful and index > 0:
                break
            if slot.future is None and slot.pages:
                slot.future = self._pool().submit(_clean_in_worker, slot.pages)

    def run(self, chunks: Iterator[list[Item]]) -> Iterator[Article | SkipError]:
        limit = max(1, self.options.jobs * CHUNKS_PER_JOB)
        for chunk in chunks:
            self.window.append(_Slot(chunk))
            self._pump()
            while self.window and (len(self.window) >= limit or self.window[0].ready()):
                yield from self._resolve_head()
        while self.window:
            yield from self._resolve_head()

    def _resolve_head(self) -> Iterator[Article | SkipError]:
        self._pump()
        slot = self.window[0]
        if slot.future is None:  # nothing to clean in it: its items are all skips
            self.window.popleft()
            self.careful = max(0, self.careful - 1)
            yield from (item for item in slot.items if isinstance(item, SkipError))
            return
        wait = None
        if self.options.timeout > 0:
            wait = len(slot.pages) * self.options.timeout + self.options.stuck_grace
        try:
            results = [_from_wire(value) for value in slot.future.result(timeout=wait)]
        except FutureTimeout:
            self._recover(lambda page: _stuck(page, self.options.timeout))
            return
        except BrokenProcessPool:
            self._recover(_died)
            return
        self.window.popleft()
        self.careful = max(0, self.careful - 1)
        results.reverse()
        for item in slot.items:
            yield results.pop() if isinstance(item, Page) else item

    def _recover(self, verdict: Callable[[Page], SkipError]) -> None:
        """The head slot failed: replace the workers, then judge or split the slot."""
        self._stop_workers()
        failed = self.window.popleft()
        for slot in self.window:  # their work died with the workers
            slot.future = None
        if self.careful or len(failed.pages) == 1:
            # It ran alone (or is one page), so it is the culprit.
            self.careful = max(0, self.careful - 1)
            items: list[Item] = [verdict(item) if isinstance(item, Page) else item for item in failed.items]
            self.window.appendleft(_Slot(items))
            return
        singles = [_Slot([item]) for item in failed.items]
        self.window.extendleft(reversed(singles))
        self.careful = len(singles)

    def _stop_workers(self) -> None:
        executor, self.executor = self.executor, None
        if executor is not None:
            _stop_pool(executor)

    def close(self) -> None:
        if self.executor is not None and not self.window:
            executor, self.executor = self.executor, None
            if not self.options.keep_pool:
                executor.shutdown(wait=True)
            elif _released(executor, max(1, self.options.jobs)):
                _kept.keep(self._key(), self.task.config, executor)
            else:  # a worker that does not answer while idle is not one to keep
                _stop_pool(executor)
        else:  # interrupted or abandoned mid-run
            self._stop_workers()


def _released(executor: ProcessPoolExecutor, jobs: int) -> bool:
    """Have an idle pool's workers give their memory back (`release_memory`) before it is kept
    for the next call; False when they could not. With several workers the requests go to
    whichever is free, so only a pool of one (the Dask engine's) is sure to have each do it."""
    try:
        for future in [executor.submit(release_memory) for _ in range(jobs)]:
            future.result(timeout=RELEASE_SECONDS)
    except (FutureTimeout, BrokenProcessPool):
        return False
    return True


class _Kept:
    """The one pool kept between calls (`CleanOptions.keep_pool`), with the key of its task.

    A caller takes it (so two threads never share it) and gives it back when done; a pool of
    another task is shut down. The config is held too, so that its id stays its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple[object, ...], Config, ProcessPoolExecutor] | None = None

    def take(self, key: tuple[object, ...]) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._kept is None or self._kept[0] != key:
                return None
            executor, self._kept = self._kept[2], None
            return executor

    def keep(self, key: tuple[object, ...], config: Config, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            old, self._kept = self._kept, (key, config, executor)
        if old is not None:
            _stop_pool(old[2])

    def clear(self) -> None:
        """Stop the kept pool, if there is one."""
        with self._lock:
            old, self._kept = self._kept, None
        if old is not None:
            _stop_pool(old[2])


_kept = _Kept()


# --- front end 2: page by page beside the crawl's event loop --------------------------------


@dataclass(frozen=True)
class _Failed:
    """The workers got stuck or died while this page was in them: `skip` if it fails alone."""

    skip: SkipError


class Cleaner:
    """Cleans the crawl's pages with `clean` (default `clean_page`, as `scrape clean` does) in
    `crawl.clean_workers` processes, or in one thread of this process when that is 0.

    No more pages are handed to the workers than there are workers, so a page's wait is its
    own cleaning time. A page whose workers got stuck or died runs again with the workers to
    itself, so that only a page that fails alone is skipped and its neighbours are not lost.
    """

    def __init__(self, config: Config, clean: CleanFunction = clean_page, stuck_grace: float = STUCK_GRACE,
                 explain: bool = False):
        self._task = _Task(clean, config, explain, config.clean.timeout)
        self._stuck_grace = stuck_grace
        self._workers = config.crawl.clean_workers
        self._width = max(1, self._workers)
        self._slots = asyncio.Semaphore(self._width)  # pages in the workers at once
        self._alone = asyncio.Lock()  # held by a page that runs again by itself
        self._executor: Executor = self._start()

    def _start(self) -> Executor:
        if self._workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="clean")
        # forkserver: workers start from a clean process, not a fork of this threaded one.
        return _start_pool(self._task, self._workers, "forkserver")

    async def clean(self, page: Page) -> Article | SkipError:
        """The page's article, or the SkipError (naming the page) it gave instead."""
        if self._workers <= 0:
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._task.run, page)
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
            log.warning("cleaning %s: %s", page.url, result.skip.detail)
            return result.skip
        return result

    async def _attempt(self, page: Page) -> Article | SkipError | _Failed:
        executor = self._executor
        timeout = self._task.timeout
        try:
            [wire] = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(executor, _clean_in_worker, [page]),
                timeout + self._stuck_grace if timeout > 0 else None)
        except TimeoutError:
            self._replace(executor)
            return _Failed(_stuck(page, timeout))
        except Exception:  # BrokenProcessPool: a worker died (or was stopped for another page)
            self._replace(executor)
            return _Failed(_died(page))
        return _from_wire(wire)

    def _replace(self, executor: Executor) -> None:
        """Stop `executor`'s workers, whatever they are doing, and start new ones (once)."""
        if executor is not self._executor:
            return
        assert isinstance(executor, ProcessPoolExecutor)
        _stop_pool(executor)
        self._executor = self._start()

    def close(self) -> None:
        """Stop the workers: a page still being cleaned gets `CLOSE_GRACE` seconds."""
        if isinstance(self._executor, ProcessPoolExecutor):
            _stop_pool(self._executor, grace=CLOSE_GRACE)
        else:
            self._executor.shutdown(wait=True, cancel_futures=True)
