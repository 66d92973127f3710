"""One partition cleaned into one output file: what an engine's task runs on a worker.

The partition's pages are loaded by the same `io` loaders as the local engine's and cleaned
by the same `clean_page` through `workers.clean_pages`, in one child process (a Dask worker
runs tasks in threads, where the per-page alarm cannot fire). The child is spawned, not
forked from the threaded worker nor started from a forkserver (one more process holding the
cleaning modules), and kept for the worker's next partitions; after each partition both
give their free memory back to the OS (`workers.release_memory`). So a poison record is
skipped as it is locally: one that raises is an "error" skip, one that runs past
`clean.timeout` a "timeout" skip, one stuck where no alarm reaches it (C code) or that kills
its process is found by the pool, which replaces the child and skips that record alone; the
partition goes on. The output (`<id>.jsonl`, or .md, .txt) is written under a temporary name
and renamed when whole (`io.atomic`), so a task killed mid-way leaves no partial file, and its
retry writes the file again from the start.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..clean.page import clean_page
from ..config import Config
from ..errors import SkipError
from ..io.inputs import load_file, load_warc_span
from ..io.outputs import FileSink
from ..io.warc import Span
from ..models import Article, Page
from ..workers import STUCK_GRACE, CleanFunction, CleanOptions, clean_pages
from .plan import Partition

SUFFIXES = {"jsonl": ".jsonl", "md": ".md", "txt": ".txt"}
MAX_SKIP_LINES = 100  # skips a partition reports one by one; past that, only counted
PROGRESS_SECONDS = 1.0  # between two progress reports of a running partition

# (partition id, records read so far, bytes of input read so far)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Job:
    """What every partition of a run shares: the engine sends it to each worker once."""

    config: Config
    folder: str  # where the partitions' output files go (the out-dir's parts/)
    format: str = "jsonl"
    explain: bool = False
    clean: CleanFunction = clean_page  # must be a module-level (picklable) function
    stuck_grace: float = STUCK_GRACE

    def output(self, partition: Partition) -> str:
        return os.path.join(self.folder, partition.id + SUFFIXES[self.format])


@dataclass(frozen=True)
class SkipLine:
    input: str
    reason: str
    detail: str


@dataclass(frozen=True)
class PartitionResult:
    """A partition done: its manifest entry."""

    id: str
    input: str
    output: str  # the output file's name in the parts folder
    read: int  # records read: cleaned + skipped
    cleaned: int
    skipped: dict[str, int]  # by reason
    sha256: str  # of the output file
    bytes: int  # the output file's size
    seconds: float
    worker: str = ""
    files: int = 1  # inputs read (a shard's files)
    start: int = 0
    stop: int | None = None
    first: int | None = None  # a WARC range: the first record it read, and where the next begins
    next: int | None = None
    skips: tuple[SkipLine, ...] = field(default=())  # the first MAX_SKIP_LINES skips


class _HashingSink(FileSink):
    """A FileSink that hashes what it writes."""

    def __init__(self, path: str, fmt: str, explain: bool):
        super().__init__(path, fmt, explain)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, article: Article) -> None:
        data = self.render(article)
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)
        self.written += 1


def run_partition(partition: Partition, job: Job, progress: Progress | None = None,
                  worker: str = "") -> PartitionResult:
    """Clean one partition into its output file and say what was done.

    Raises:
        OutputError: the output could not be written (nothing is left half-written).
    """
    started = time.monotonic()
    span = Span(partition.start, partition.stop) if partition.is_range else None
    options = CleanOptions(config=job.config, explain=job.explain, jobs=1, timeout=job.config.clean.timeout,
                           stuck_grace=job.stuck_grace, start_method="spawn", keep_pool=True)
    sink = _HashingSink(job.output(partition), job.format, job.explain)
    counts = _Counts(partition, progress)
    committed = False
    try:
        results = clean_pages(_pages(partition, span, counts), options, job.clean)
        try:
            for result in results:
                counts.add(result, sink)
        finally:
            results.close()
        sink.close(commit=True)
        committed = True
    finally:
        if not committed:
            sink.close(commit=False)
    return PartitionResult(
        id=partition.id, input=partition.input, output=os.path.basename(sink.path), read=counts.read,
        cleaned=sink.written, skipped=dict(counts.skipped), sha256=sink.digest.hexdigest(), bytes=sink.size,
        seconds=round(time.monotonic() - started, 3), worker=worker, files=len(partition.names),
        start=partition.start, stop=partition.stop, first=span.first if span else None,
        next=span.next if span else None, skips=tuple(counts.lines))


def _pages(partition: Partition, span: Span | None, counts: _Counts) -> Iterator[Page | SkipError]:
    if span is not None:
        for item in load_warc_span(partition.input, span):
            if isinstance(item, Page) and item.source.offset is not None:
                counts.position = item.source.offset - partition.start
            yield item
        return
    for name in partition.names:
        yield from load_file(name)


class _Counts:
    """Tallies a partition's results and reports progress now and then."""

    def __init__(self, partition: Partition, progress: Progress | None):
        self.partition = partition
        self.progress = progress
        self.read = 0
        self.position = 0  # bytes of a WARC range read so far
        self.skipped: Counter[str] = Counter()
        self.lines: list[SkipLine] = []
        self.reported = time.monotonic()

    def add(self, result: Article | SkipError, sink: _HashingSink) -> None:
        self.read += 1
        if isinstance(result, SkipError):
            self.skipped[result.reason] += 1
            if len(self.lines) < MAX_SKIP_LINES:
                self.lines.append(SkipLine(result.input or self.partition.input, result.reason, result.detail))
        else:
            sink.write(result)
        now = time.monotonic()
        if self.progress is not None and now - self.reported >= PROGRESS_SECONDS:
            self.reported = now
            self.progress(self.partition.id, self.read, self.position)
