"""Clean a stream of pages on several processes, giving results back in input order.

Pages go to worker processes in small chunks, with a bounded number of chunks in flight,
so memory does not grow with the input. Loading skips (`SkipError`s from `sources`) pass
through in place. Each page gets `clean.timeout` seconds (config): an alarm inside the
process that cleans it turns a slow page into a `CleanTimeout` skip. A page stuck in C code
ignores the alarm; in a pool the parent then gives up waiting, replaces the workers and
re-runs the chunk one page at a time, so only the stuck page is lost. A worker that dies
(segfault, out of memory) is handled the same way. Any other exception from cleaning a page
becomes an `UnexpectedError` skip for that page: one page never stops a run.
A worker ends by itself when the process it works for is gone (SIGKILL), so a killed
run leaves no workers behind.

Reads `clean.timeout` (via `CleanOptions.from_config`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field

from .clean.page import clean_page
from .config import Config
from .errors import CleanTimeout, SkipError, UnexpectedError
from .models import Article, Page

CleanFunction = Callable[[Page, Config, bool], Article]

CHUNK_PAGES = 4  # pages sent to a worker at once: amortises the hand-over, keeps order cheap
CHUNK_BYTES = 8 * 1024 * 1024  # ... unless they are big
CHUNK_ITEMS = 64  # ... and loading skips between pages do not pile up in one chunk
CHUNKS_PER_JOB = 6  # chunks in flight per worker: a slow chunk at the head does not idle the others
# A chunk may take its pages' timeouts plus this before the parent declares it stuck.
STUCK_GRACE = 10.0
WATCH_INTERVAL = 0.5  # seconds between a worker's checks that the process it works for lives


@dataclass(frozen=True)
class CleanOptions:
    """How pages are cleaned."""

    config: Config
    explain: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # 1 = in this process
    timeout: float = 20.0  # seconds per page; 0 = no limit

    @classmethod
    def from_config(cls, config: Config, explain: bool = False, jobs: int | None = None) -> CleanOptions:
        return cls(config=config, explain=explain, jobs=jobs or os.cpu_count() or 1,
                   timeout=config.clean.timeout)


def clean_pages(items: Iterable[Page | SkipError], options: CleanOptions,
                clean: CleanFunction = clean_page) -> Iterator[Article | SkipError]:
    """Clean every page, yielding one result per item, in the order of `items`.

    Args:
        items: pages and loading skips, as `sources.iter_pages` yields them.
        options: config, explain, jobs and the per-page timeout.
        clean: the per-page function; must be a picklable module-level function.
    Yields:
        an Article per page cleaned, a SkipError (naming its input) for every other item.
    """
    if options.jobs <= 1:
        yield from _in_process(items, options, clean)
        return
    chunks = _chunks(items)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None:  # too little work to be worth starting a pool
        yield from _in_process(first or [], options, clean)
        return
    runner = _PoolRunner(options, clean)
    try:
        yield from runner.run(_prepend([first, second], chunks))
    finally:
        runner.close()


def _prepend(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _chunks(items: Iterable[Page | SkipError]) -> Iterator[list[Page | SkipError]]:
    chunk: list[Page | SkipError] = []
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


def _in_process(items: Iterable[Page | SkipError], options: CleanOptions, clean: CleanFunction):
    for item in items:
        if isinstance(item, Page):
            yield clean_one(item, clean, options.config, options.explain, options.timeout)
        else:
            yield item


# --- one page ------------------------------------------------------------------------------


class _Deadline(BaseException):
    """Raised by the alarm. A BaseException, so that `except Exception` in a library cannot
    swallow it."""


def _on_alarm(signum, frame):
    raise _Deadline()


@contextmanager
def time_limit(seconds: float):
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


# --- worker processes ----------------------------------------------------------------------

# Set in each worker by _init_worker, so the config crosses to a worker once, not per chunk.
_worker_setup: tuple[CleanFunction, Config, bool, float] | None = None


def _init_worker(clean: CleanFunction, config: Config, explain: bool, timeout: float, parent: int) -> None:
    global _worker_setup
    # Ctrl-C reaches the whole process group; the parent alone handles it and ends workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent may have made it an interrupt
    _worker_setup = (clean, config, explain, timeout)
    # What the worker inherited from the parent (modules, config) lives as long as it does:
    # out of the collector's sight, the collector neither walks it nor writes to its pages,
    # which would copy them from the parent's one by one.
    gc.freeze()
    exit_with(parent)


def exit_with(pid: int) -> None:
    """End this worker process soon after process `pid` is gone.

    A pool worker blocks on its task queue forever when the process that feeds it is
    SIGKILLed; without this, every killed run would leave its workers behind.
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


def _clean_chunk(pages: list[Page]) -> list:
    assert _worker_setup is not None
    clean, config, explain, timeout = _worker_setup
    return [_to_wire(clean_one(page, clean, config, explain, timeout)) for page in pages]


def _to_wire(result: Article | SkipError):
    # SkipError's constructor takes (detail, input), which default exception pickling loses.
    if isinstance(result, SkipError):
        return ("skip", type(result), result.detail, result.input)
    return result


def _from_wire(value) -> Article | SkipError:
    if isinstance(value, tuple) and value and value[0] == "skip":
        _, kind, detail, input = value
        return kind(detail, input=input)
    return value


@dataclass
class _Slot:
    """One chunk: its items (pages and pass-through skips) and, once submitted, its future."""

    items: list[Page | SkipError]
    future: Future | None = None

    @property
    def pages(self) -> list[Page]:
        return [item for item in self.items if isinstance(item, Page)]


class _PoolRunner:
    """Keeps a window of chunks in flight on a process pool and resolves them in order.

    When a chunk fails (a worker died, or the chunk is stuck past its time), the workers are
    replaced and the chunk is split into single pages that run one at a time ("careful"),
    so a page that fails alone is known to be the culprit and the only one lost. Work that
    was in flight elsewhere died with the workers and is submitted again.
    """

    def __init__(self, options: CleanOptions, clean: CleanFunction):
        self.options = options
        self.clean = clean
        self.window: deque[_Slot] = deque()
        self.executor: ProcessPoolExecutor | None = None
        self.careful = 0  # slots at the head of the window that must run alone

    def _start(self) -> ProcessPoolExecutor:
        if self.executor is None:
            methods = multiprocessing.get_all_start_methods()
            # fork: workers start at once, with the cleaning modules already imported.
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self.executor = ProcessPoolExecutor(
                max_workers=self.options.jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self.clean, self.options.config, self.options.explain, self.options.timeout,
                          os.getpid()),
            )
        return self.executor

    def _pump(self) -> None:
        """Submit what may run now: everything, or only the head slot while careful."""
        for index, slot in enumerate(self.window):
            if self.careful and index > 0:
                break
            if slot.future is None and slot.pages:
                slot.future = self._start().submit(_clean_chunk, slot.pages)

    def run(self, chunks: Iterator[list[Page | SkipError]]) -> Iterator[Article | SkipError]:
        limit = max(1, self.options.jobs * CHUNKS_PER_JOB)
        for chunk in chunks:
            self.window.append(_Slot(chunk))
            self._pump()
            while self.window and (len(self.window) >= limit or _ready(self.window[0])):
                yield from self._resolve_head()
        while self.window:
            yield from self._resolve_head()

    def _resolve_head(self) -> Iterator[Article | SkipError]:
        self._pump()
        slot = self.window[0]
        if slot.future is None:  # nothing to clean in it
            self.window.popleft()
            self.careful = max(0, self.careful - 1)
            yield from slot.items
            return
        wait = None
        if self.options.timeout > 0:
            wait = len(slot.pages) * self.options.timeout + STUCK_GRACE
        try:
            results = [_from_wire(value) for value in slot.future.result(timeout=wait)]
        except FutureTimeout:
            self._recover(lambda page: CleanTimeout(
                f"cleaning took longer than {self.options.timeout:g}s (worker stopped)", input=str(page.source)))
            return
        except BrokenProcessPool:
            self._recover(lambda page: UnexpectedError(
                "the worker process cleaning it died", input=str(page.source)))
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
            items = [verdict(item) if isinstance(item, Page) else item for item in failed.items]
            self.window.appendleft(_Slot(items))
            return
        singles = [_Slot([item]) for item in failed.items]
        self.window.extendleft(reversed(singles))
        self.careful = len(singles)

    def _stop_workers(self) -> None:
        executor, self.executor = self.executor, None
        if executor is None:
            return
        # The executor has no way to stop a running task; end its processes, then let go.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            try:
                process.kill()
            except (OSError, AttributeError):
                pass
        executor.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        if self.executor is not None and not self.window:
            executor, self.executor = self.executor, None
            executor.shutdown(wait=True)
        else:  # interrupted or abandoned mid-run
            self._stop_workers()


def _ready(slot: _Slot) -> bool:
    return slot.future is None or slot.future.done()
