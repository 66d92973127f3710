"""`scrape clean --engine dask`: the partitions of a run as tasks on Dask (dask.distributed).

Without a scheduler address a `LocalCluster` of `workers` processes (one thread each) starts
on this machine, on 127.0.0.1; with one, the run connects to an existing scheduler (a
cluster's: Kubernetes, Slurm through dask-jobqueue, `dask scheduler` by hand) whose workers
have scrape installed and see the inputs and the out-dir (a shared file system; inputs may
also be URLs, `io.remote`).

The `Job` (config, format, clean function) is scattered to every worker once, and each task
names it; a task is one partition (`partition.run_partition`), keyed by the partition's id,
so the scheduler's own retries do the fault handling: a worker that dies mid-task has its
task run again elsewhere (its output file was never renamed into place). Results come back
to this driver, which adds each to the manifest as it arrives; a task that fails for good
is reported and left out of the manifest, so the next run does it again. Workers send
progress (records read, bytes) as scheduler events every second.

dask is imported only here and only when the engine runs; without it, `EngineError` says how
to install the extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from ..errors import EngineError
from ..io.remote import install_hint
from ..workers import release_memory
from .manifest import Manifest
from .partition import Job, PartitionResult, run_partition
from .plan import Partition

CONNECT_SECONDS = 10.0  # to reach a scheduler before the run gives up on it
TOPIC = "scrape-progress"  # the scheduler event topic of running partitions' progress
POLL_SECONDS = 0.2  # between the driver's looks at finished tasks and progress
RETRIES = 1  # reruns of a task that raised (a worker's death is retried by the scheduler itself)
# The dask config a LocalCluster's workers start with: no statistical profiler, which samples
# the task thread's stack every 10 ms and keeps what it saw, memory a worker does not need
# here. A cluster's own workers take theirs from their own config (the environment variable
# DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False does the same there).
WORKER_CONFIG: dict[str, object] = {"distributed.worker.profile.enabled": False}


@dataclass(frozen=True)
class DaskOptions:
    scheduler: str = ""  # an existing scheduler's address; "" = a LocalCluster here
    workers: int = 0  # LocalCluster worker processes; 0 = the number of cores


@dataclass(frozen=True)
class ClusterInfo:
    address: str
    workers: int
    dashboard: str | None  # the dashboard's URL, when the scheduler serves one
    local: bool


class Watcher(Protocol):
    """What the driver tells the command line while it runs."""

    def started(self, info: ClusterInfo) -> None: ...

    def progress(self, done_bytes: int, read: int) -> None: ...

    def finished(self, result: PartitionResult) -> None: ...

    def failed(self, partition: Partition, detail: str) -> None: ...


def load_dask() -> ModuleType:
    """dask.distributed, or EngineError saying how to install it."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise EngineError(f"the dask engine needs dask.distributed: {install_hint()}") from None


# --- on a worker -------------------------------------------------------------------------


def clean_partition(partition: Partition, job: Job) -> PartitionResult:
    """The task: one partition, with progress sent to the scheduler as events.

    Afterwards the worker gives back the memory the partition's pages took (its cleaning
    child has done so already, before it was kept for the next partition)."""
    worker = importlib.import_module("distributed").get_worker()
    _allow_children()

    def progress(partition_id: str, read: int, position: int) -> None:
        worker.log_event(TOPIC, {"id": partition_id, "read": read, "bytes": position})

    try:
        return run_partition(partition, job, progress, worker=str(worker.address))
    finally:
        release_memory()


def _allow_children() -> None:
    """Let this worker start the partition's cleaning process.

    A nanny starts its worker as a daemonic process, and multiprocessing refuses children to
    those, lest they outlive it. The cleaning process ends by itself once this one is gone
    (`workers.exit_with`), which is what the rule is for."""
    process = multiprocessing.current_process()
    if process.daemon:
        process._config["daemon"] = False  # type: ignore[attr-defined]  # no public way


# --- on the driver -----------------------------------------------------------------------


def run(partitions: list[Partition], job: Job, manifest: Manifest, options: DaskOptions,
        watcher: Watcher) -> None:
    """Run every partition not yet in the manifest; each result goes to the manifest as it
    arrives.

    Raises:
        EngineError: dask is missing, the scheduler cannot be reached or is lost mid-run.
    """
    distributed = load_dask()
    if not logging.getLogger().isEnabledFor(logging.DEBUG):  # -v shows the scheduler's chatter
        logging.getLogger("distributed").setLevel(logging.ERROR)
    todo = [p for p in partitions if p.id not in manifest.done]
    if not todo:  # a rerun after a complete run: no cluster to start or reach
        watcher.started(ClusterInfo(address="", workers=0, dashboard=None, local=not options.scheduler))
        return
    with _client(distributed, options) as (client, info):
        watcher.started(info)
        _Driver(distributed, client, info.address, watcher).run(todo, job, manifest)


@contextmanager
def _client(distributed: ModuleType, options: DaskOptions) -> Iterator[tuple[Any, ClusterInfo]]:
    cluster = None
    address = options.scheduler
    try:
        if address:
            client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        else:
            cluster = _local_cluster(distributed, options.workers)
            client = distributed.Client(cluster, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address...
        raise EngineError(f"cannot reach the Dask scheduler: {_one_line(exc)}", address or "LocalCluster") from None
    try:
        yield client, _info(client, cluster is not None)
    finally:
        _close(client, cluster)


def _local_cluster(distributed: ModuleType, workers: int) -> Any:
    dashboard = ":8787" if importlib.util.find_spec("bokeh") else None  # the dashboard needs bokeh
    # Each nanny takes the config as it is when the nanny is made, for its worker and for the
    # worker it starts again if that one dies.
    with importlib.import_module("dask").config.set(WORKER_CONFIG):
        return distributed.LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=dashboard, silence_logs=logging.ERROR)


def _info(client: Any, local: bool) -> ClusterInfo:
    info = client.scheduler_info()
    dashboard = client.dashboard_link if "dashboard" in info.get("services", {}) else None
    return ClusterInfo(str(info.get("address", "")), len(info.get("workers", {})), dashboard, local)


def _close(client: Any, cluster: Any) -> None:
    for thing in (client, cluster):
        if thing is None:
            continue
        try:
            thing.close()
        except Exception:  # a lost scheduler: nothing left to close cleanly
            logging.getLogger(__name__).debug("closing %r", thing, exc_info=True)


class _Driver:
    """Submits the partitions, follows them to the end, records each result."""

    def __init__(self, distributed: ModuleType, client: Any, address: str, watcher: Watcher):
        self.distributed = distributed
        self.client = client
        self.address = address
        self.watcher = watcher
        self.lock = threading.Lock()
        self.running: dict[str, tuple[int, int]] = {}  # partition id -> (read, bytes) so far
        self.done_bytes = 0
        self.done_read = 0

    def run(self, todo: list[Partition], job: Job, manifest: Manifest) -> None:
        shared = self.client.scatter(job, broadcast=True, hash=False)  # to each worker once
        self.client.subscribe_topic(TOPIC, self._on_progress)
        run_id = uuid.uuid4().hex[:8]
        futures = {self.client.submit(clean_partition, partition, shared, key=f"scrape-{partition.id}-{run_id}",
                                      pure=False, retries=RETRIES): partition for partition in todo}
        pending = self.distributed.as_completed(list(futures), loop=self.client.loop)
        while not pending.is_empty():
            if not pending.has_ready():
                self._check_scheduler()
                self.watcher.progress(*self._progress())
                time.sleep(POLL_SECONDS)
                continue
            for future in pending.next_batch(block=False):
                self._collect(future, futures.pop(future), manifest)
        self.watcher.progress(*self._progress())

    def _collect(self, future: Any, partition: Partition, manifest: Manifest) -> None:
        try:
            result: PartitionResult = future.result()
        except Exception as exc:  # failed for good: KilledWorker, an OutputError on the worker...
            self._check_scheduler()
            self.watcher.failed(partition, _one_line(exc))
            return
        finally:
            future.release()  # the worker holds a task's result until no client wants it
            with self.lock:
                self.running.pop(partition.id, None)
        manifest.add(result)
        self.done_bytes += partition.size
        self.done_read += result.read
        self.watcher.finished(result)

    def _check_scheduler(self) -> None:
        if self.client.status not in ("running", "connecting"):
            raise EngineError("lost the Dask scheduler mid-run; rerun to finish (done partitions are kept)",
                              self.address)

    def _on_progress(self, event: tuple[float, dict[str, Any]]) -> None:  # on the client's thread
        message = event[1]
        with self.lock:
            self.running[str(message["id"])] = (int(message["read"]), int(message["bytes"]))

    def _progress(self) -> tuple[int, int]:
        with self.lock:
            live = list(self.running.values())
        return self.done_bytes + sum(b for _, b in live), self.done_read + sum(r for r, _ in live)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def check_spans(results: list[PartitionResult]) -> list[str]:
    """The split WARCs whose ranges did not meet (a record read twice or not at all), by name.

    Each range reads from its first record to the first record of the next (`io.split`);
    here every range of a file must begin where the one before it stopped."""
    ranges: dict[str, list[PartitionResult]] = {}
    for result in results:
        if result.start > 0 or result.stop is not None:
            ranges.setdefault(result.input, []).append(result)
    broken = []
    for name, parts in ranges.items():
        cursor: int | None = 0
        for part in sorted(parts, key=lambda r: r.start):
            if part.first is None:
                continue  # no record starts in this range
            if part.first != cursor:
                broken.append(name)
                break
            cursor = part.next
    return broken

