"""`scrape clean --engine dask`: plan the partitions, run them on Dask, show progress, report.

stderr gets where the run goes (a LocalCluster or the scheduler's address, the dashboard when
there is one, how many partitions were already done), a progress bar on a terminal (bytes
of input, records/s, ETA), a skip line per skipped record (the first hundred of each
partition), one line per partition that failed for good, then records/s per worker and the
summary line the local engine prints, counted over every partition of the out-dir.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from typing import TextIO

from tqdm import tqdm

from ..config import Config
from ..engines.dask import ClusterInfo, DaskOptions, check_spans
from ..engines.dask import run as run_dask
from ..engines.manifest import Manifest, settings
from ..engines.partition import Job, PartitionResult
from ..engines.plan import Partition, plan
from ..errors import CleanTimeout, EmptyInput, NotAnArticle, SkipError, UnexpectedError, Unreadable
from ..io.inputs import STDIN
from ..io.outputs import format_for_path
from ..workers import CleanFunction
from .common import EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, is_tty, skip_line, summary_line, terminate_as_interrupt


def usage_error(args: argparse.Namespace) -> str | None:
    if not args.out_dir:
        return "--engine dask writes one file per partition: give --out-dir DIR"
    if args.output:
        return "--engine dask writes into --out-dir, not -o"
    if STDIN in args.paths:
        return "--engine dask cannot read - (stdin): its workers read the inputs themselves"
    return None


def run(args: argparse.Namespace, config: Config, clean: CleanFunction) -> int:
    """Run `scrape clean --engine dask`; returns the exit code."""
    wrong = usage_error(args)
    if wrong:
        print(f"scrape: {wrong}", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or format_for_path(None)
    partition_bytes = config.clean.partition_bytes
    manifest = Manifest(args.out_dir, settings(config, fmt, args.explain, partition_bytes))
    partitions, plan_skips = plan(args.paths, partition_bytes)
    job = Job(config=config, folder=manifest.parts, format=fmt, explain=args.explain, clean=clean)
    options = DaskOptions(scheduler=args.scheduler if args.scheduler is not None else config.clean.scheduler,
                          workers=args.workers or config.clean.workers)
    screen = Screen(sys.stderr, partitions, manifest, quiet=args.quiet)
    for skip in plan_skips:
        screen.line(skip_line(skip))
    try:
        with terminate_as_interrupt():
            run_dask(partitions, job, manifest, options, screen)
    finally:
        screen.close()
        manifest.close()
    results = [manifest.done[p.id] for p in partitions if p.id in manifest.done]
    return screen.report(results, len(plan_skips), check_spans(results))


class Screen:
    """The run's progress bar and lines on stderr (a `Watcher` of the engine)."""

    def __init__(self, stream: TextIO, partitions: list[Partition], manifest: Manifest, quiet: bool):
        self.stream = stream
        self.quiet = quiet
        self.total = len(partitions)
        self.already = sum(1 for p in partitions if p.id in manifest.done)
        self.todo_bytes = sum(p.size for p in partitions if p.id not in manifest.done)
        self.failures = 0
        self.started_at = time.monotonic()
        self.bar: tqdm | None = None
        self.bar_allowed = not quiet and is_tty(stream)
        self.per_worker: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])  # records, seconds, partitions

    def line(self, text: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream)

    def started(self, info: ClusterInfo) -> None:
        if not info.address:
            self.line(f"dask: all {self.total} partitions already done (see manifest.jsonl)")
            return
        where = f"a LocalCluster of {info.workers} workers" if info.local else f"{info.workers} workers"
        self.line(f"dask: {where} at {info.address}" + (f", dashboard {info.dashboard}" if info.dashboard else ""))
        self.line(f"dask: {self.total} partitions, {self.already} already done")
        self.started_at = time.monotonic()
        if self.bar_allowed and self.already < self.total:
            self.bar = tqdm(total=self.todo_bytes, unit="B", unit_scale=True, file=self.stream, dynamic_ncols=True)

    def progress(self, done_bytes: int, read: int) -> None:
        if self.bar is None:
            return
        self.bar.update(max(0, min(done_bytes, self.todo_bytes) - self.bar.n))
        rate = read / max(time.monotonic() - self.started_at, 1e-6)
        self.bar.set_postfix_str(f"{read} records, {rate:.0f} records/s", refresh=False)

    def finished(self, result: PartitionResult) -> None:
        tally = self.per_worker[result.worker or "?"]
        tally[0] += result.read
        tally[1] += result.seconds
        tally[2] += 1
        for skip in result.skips:
            self.line(skip_line_of(skip.input, skip.reason, skip.detail))
        hidden = sum(result.skipped.values()) - len(result.skips)
        if hidden > 0:
            self.line(f"skip {result.input}: {hidden} more skips in this partition (counted in the manifest)")

    def failed(self, partition: Partition, detail: str) -> None:
        self.failures += 1
        self.line(f"scrape: partition {partition.id} ({partition.input}) failed: {detail}; rerun to retry it")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def report(self, results: list[PartitionResult], plan_skips: int, broken: list[str]) -> int:
        """The per-worker and summary lines; returns the exit code."""
        cleaned = sum(r.cleaned for r in results)
        skips: Counter[str] = Counter()
        for result in results:
            skips.update(result.skipped)
        if plan_skips:
            skips["unreadable"] += plan_skips
        for name in broken:
            self.line(f"scrape: {name}: the byte ranges of this split WARC did not meet (a record may be missing "
                      "or doubled); clean it again with clean.partition_bytes = 0")
        elapsed = time.monotonic() - self.started_at
        for worker, (records, seconds, count) in sorted(self.per_worker.items()):
            self.line(f"worker {worker}: {int(count)} partitions, {int(records)} records in {seconds:.1f}s busy, "
                      f"{records / max(seconds, 1e-6):.1f} records/s")
        if self.per_worker:
            records = sum(t[0] for t in self.per_worker.values())
            self.line(f"dask: {int(records)} records in {elapsed:.1f}s, {records / max(elapsed, 1e-6):.1f} records/s")
        if not self.quiet:
            print(summary_line(cleaned, skips), file=self.stream)
        self.stream.flush()
        if self.failures or broken or skips:
            return EXIT_SKIPPED
        return EXIT_OK


_SKIPS: dict[str, type[SkipError]] = {kind.reason: kind for kind in
                                     (EmptyInput, Unreadable, NotAnArticle, CleanTimeout, UnexpectedError)}


def skip_line_of(name: str, reason: str, detail: str) -> str:
    """The local engine's skip line for a skip a worker reported."""
    return skip_line(_SKIPS.get(reason, SkipError)(detail, input=name))
