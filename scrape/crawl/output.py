"""A crawl run's output files: the articles JSONL and, optionally, the raw responses WARC.

Reads `crawl.out_dir` and `crawl.warc`. A run writes `out_dir/YYYY/MM/DD/articles-<run
start>.jsonl` (run start in UTC, `20261127T061500Z`) and, with `warc = true`,
`responses-<run start>.warc.gz` beside it, which `scrape clean` can re-clean.

Exactly once, also across SIGKILL. Records reach a file in three steps, each one safe to be
killed in:

1. `State.record_page` commits an article record to the `pending` table together with the
   URL's state (so the record exists if and only if the URL counts as done);
2. `export_run` assigns the run's pending records to a file name (a commit) and writes them
   to it atomically (`io.atomic`: a temporary file, fsynced, renamed into place);
3. it then deletes the records from `pending` (a commit).

`recover` runs at the start of every run, under the lock: a file named in `pending` that
exists was written whole (step 3 was cut short), so its records are dropped; one that does
not exist is written now. Records of runs that were killed before step 2 are exported to
those runs' own file names. A record is thus in exactly one output file. A run that stops
because it cannot write (a full disk) is left to the next run the same way.

Workers sharing a PostgreSQL state each write their own files, named with the worker id
(`articles-<run start>-<worker>.jsonl`), and recover only the runs of their own machine
whose worker stopped beating (`crawl.lease`), one worker at a time (`recovery_lock`).

A killed run's WARC is cut at its last whole record and renamed into place by `recover`
(each record is one gzip member, so a whole member is a whole record).
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from ..errors import OutputError
from ..io.atomic import AtomicFile, fsync_folder, remove_stale_temps, temp_prefix
from ..models import Page
from .state import StateStore

log = logging.getLogger(__name__)


def run_stamp(started_at: datetime, worker: str = "") -> str:
    """The run's part of its file names: its start, and the worker's id when several workers
    share the state (so that their files never meet)."""
    stamp = started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{_WORKER_NAME.sub('_', worker)[:64]}" if worker else stamp


_WORKER_NAME = re.compile(r"[^A-Za-z0-9._-]")  # what a worker id keeps in a file name


def run_dir(out_dir: str, started_at: datetime) -> Path:
    return Path(out_dir) / started_at.astimezone(UTC).strftime("%Y/%m/%d")


def _free_path(folder: Path, stem: str, suffix: str) -> Path:
    """`stem` + `suffix` in `folder`, or `stem-2` + `suffix`, ...: the first that does not exist
    (two runs can start in the same second)."""
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        if not path.exists():
            return path
    raise OutputError("no free output name", str(folder))


def _choose_path(state: StateStore, out_dir: str, started_at: datetime, worker: str = "") -> str:
    folder = run_dir(out_dir, started_at)
    taken = set(state.assigned_exports())
    stem = f"articles-{run_stamp(started_at, worker)}"
    for n in range(1, 10_000):
        path = str(folder / (f"{stem}.jsonl" if n == 1 else f"{stem}-{n}.jsonl"))
        if path not in taken and not os.path.exists(path):
            return path
    raise OutputError("no free output name", str(folder))


def check_writable(out_dir: str) -> None:
    """Make `out_dir` if need be and create (then remove) a file in it, so that a run that
    could not write its output stops before it fetches anything.

    Raises:
        OutputError: the folder cannot be made or written.
    """
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise OutputError("not a folder (a file of that name is there)", out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".probe-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", out_dir) from None


def _write_file(state: StateStore, path: str) -> int:
    """Write the records assigned to `path` atomically; returns how many. The temporary file
    of an export that was killed is removed first (a full disk wants its space back, and so
    does one whose write failed)."""
    folder, name = os.path.split(path)
    remove_stale_temps(folder, temp_prefix(name))
    count = 0
    try:
        target = AtomicFile(path)
        try:
            for record in state.records_for(path):
                target.write(record + b"\n")
                count += 1
        except BaseException:
            target.discard()
            raise
        target.commit()
    except OutputError as exc:
        raise OutputError(f"cannot write: {exc.detail}", path) from None
    return count


def export_run(state: StateStore, run_id: int, out_dir: str, started_at: datetime,
               worker: str = "") -> tuple[str | None, int]:
    """Move a run's pending records into a new output file; (path, count), or (None, 0)."""
    if not state.pending_count(run_id):
        return None, 0
    path = _choose_path(state, out_dir, started_at, worker)
    if not state.assign_export(run_id, path):
        return None, 0
    count = _write_file(state, path)
    state.drop_exported(path)
    return path, count


def recover(state: StateStore, out_dir: str, current_run: int | None = None) -> list[str]:
    """Finish the exports of killed runs; returns the files written now."""
    written = []
    for path in state.assigned_exports():
        if os.path.exists(path):
            log.warning("recovery: %s was written; dropping its pending copy", path)
        else:
            _write_file(state, path)
            written.append(path)
            log.warning("recovery: wrote %s", path)
        state.drop_exported(path)
    for run_id, started_at in state.unfinished_runs(exclude=current_run):
        worker = state.run_worker(run_id)
        warc = salvage_warc(out_dir, started_at, worker)
        if warc:
            written.append(warc)
        exported, count = export_run(state, run_id, out_dir, started_at, worker)
        if exported:
            written.append(exported)
            log.warning("recovery: run %d was killed; wrote its %d articles to %s", run_id, count, exported)
        state.mark_killed(run_id)
    for run_id in state.runs_with_unassigned():  # a finished run whose export failed
        if run_id != current_run:
            exported, _ = export_run(state, run_id, out_dir, state.run_started(run_id), state.run_worker(run_id))
            if exported:
                written.append(exported)
    return written


def _whole_gzip_members(path: Path) -> int:
    """The length of the longest head of the file made of whole gzip members."""
    whole = offset = 0
    inflater = zlib.decompressobj(31)
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            while block:
                try:
                    inflater.decompress(block, 1 << 20)  # the output is not kept; bounded per call
                except zlib.error:
                    return whole
                if inflater.eof:
                    offset += len(block) - len(inflater.unused_data)
                    whole = offset
                    block = inflater.unused_data
                    inflater = zlib.decompressobj(31)
                else:
                    offset += len(block) - len(inflater.unconsumed_tail)
                    block = inflater.unconsumed_tail
    return whole


def salvage_warc(out_dir: str, started_at: datetime, worker: str = "") -> str | None:
    """Finish the WARC of a killed run: its whole records, renamed into place; None if it
    had none (then the partial file is removed)."""
    folder, stem = run_dir(out_dir, started_at), f"responses-{run_stamp(started_at, worker)}"
    part = folder / f".{stem}.warc.gz.part"
    if not part.exists():
        return None
    try:
        final = _free_path(folder, stem, ".warc.gz")
        whole = _whole_gzip_members(part)
        if not whole:
            part.unlink()
            return None
        os.truncate(part, whole)
        with open(part, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(part, final)
        fsync_folder(str(final.parent))
    except OSError as exc:
        raise OutputError(f"cannot finish the WARC: {exc.strerror or exc}", str(part)) from None
    log.warning("recovery: kept the %d whole bytes of a killed run's WARC in %s", whole, final)
    return str(final)


class RunStatsRecord(TypedDict):
    """`RunStats.as_dict()`: the stats of a run as `--stats-json` writes them."""

    started_at: str
    finished_at: str | None
    seconds: float | None
    discovered: int
    fetched: int
    new: int
    changed: int
    unchanged: int
    not_modified: int
    not_due: int
    skipped: dict[str, int]
    failed: dict[str, int]
    source_errors: int
    sources_fetched: int
    sources_not_modified: int
    too_old: int
    written: int
    output: str | None
    warc: str | None
    recovered: list[str]
    stopped: str | None


@dataclass
class RunStats:
    """What one run did; the summary line and `--stats-json` come from here."""

    started_at: datetime
    finished_at: datetime | None = None
    discovered: int = 0  # distinct page URLs the sources gave
    fetched: int = 0  # responses with a body
    new: int = 0
    changed: int = 0
    unchanged: int = 0  # same content hash, or 304
    not_modified: int = 0  # of those, 304s
    not_due: int = 0  # known URLs whose lastmod says nothing changed: not asked
    skipped: Counter[str] = field(default_factory=Counter)  # by reason
    failed: Counter[str] = field(default_factory=Counter)  # by reason
    source_errors: int = 0
    sources_fetched: int = 0  # feeds, sitemaps and seed pages read from a fresh response
    sources_not_modified: int = 0  # of those asked conditionally, the ones that answered 304
    too_old: int = 0  # sitemap entries (pages and sitemaps) dropped for a lastmod older than since_days
    written: int = 0  # records in this run's output
    output: str | None = None
    warc: str | None = None
    recovered: list[str] = field(default_factory=list)  # files finished for killed runs
    stopped: str | None = None  # why the run ended early: max-pages, max-seconds, SIGTERM, SIGINT

    def as_dict(self) -> RunStatsRecord:
        """The stats as JSON (`--stats-json`, and each run's row in the state)."""
        return {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "seconds": round((self.finished_at - self.started_at).total_seconds(), 3) if self.finished_at else None,
            "discovered": self.discovered, "fetched": self.fetched, "new": self.new, "changed": self.changed,
            "unchanged": self.unchanged, "not_modified": self.not_modified, "not_due": self.not_due,
            "skipped": dict(sorted(self.skipped.items())), "failed": dict(sorted(self.failed.items())),
            "source_errors": self.source_errors, "sources_fetched": self.sources_fetched,
            "sources_not_modified": self.sources_not_modified, "too_old": self.too_old,
            "written": self.written, "output": self.output,
            "warc": self.warc, "recovered": self.recovered, "stopped": self.stopped,
        }

    def summary(self) -> str:
        def by_reason(counter: Counter[str]) -> str:
            total = sum(counter.values())
            inner = ", ".join(f"{reason} {n}" for reason, n in sorted(counter.items()))
            return f"{total}" + (f" ({inner})" if inner else "")

        seconds = (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0
        line = (f"crawl: {self.fetched} fetched, {self.new} new, {self.changed} changed, "
                f"{self.unchanged} unchanged ({self.not_modified} not modified), {self.not_due} not due, "
                f"skipped {by_reason(self.skipped)}, failed {by_reason(self.failed)} in {seconds:.1f}s; "
                f"sources: {self.sources_fetched} fetched, {self.sources_not_modified} not modified")
        if self.too_old:
            line += f", {self.too_old} sitemap entries older than since_days"
        if self.source_errors:
            line += f"; {self.source_errors} sources failed"
        if self.stopped:
            line += f"; stopped early: {self.stopped}"
        if self.output:
            line += f" -> {self.output}"
        return line


class WarcOutput:
    """Raw responses of one run, as `responses-<run start>.warc.gz` (`-2`, ... when a run
    that started in the same second has that name), renamed into place on close, so a file
    with that name is complete."""

    def __init__(self, out_dir: str, started_at: datetime, worker: str = ""):
        from warcio.warcwriter import WARCWriter

        self._folder, self._stem = run_dir(out_dir, started_at), f"responses-{run_stamp(started_at, worker)}"
        self.path = self._folder / f"{self._stem}.warc.gz"  # or -2, -3...: a run of the same second has it
        self._temp = self._folder / f".{self._stem}.warc.gz.part"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self._temp, "wb")
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", str(self._temp)) from None
        self._writer = WARCWriter(self._file, gzip=True)
        self.count = 0

    def write(self, page: Page) -> None:
        """Append a fetched page as a response record (URL, status, headers, body, fetch time)."""
        from warcio.statusandheaders import StatusAndHeaders

        # The body is stored decoded, so the headers that described its transfer go.
        kept = [(k, v) for k, v in page.headers if k.lower() not in ("content-encoding", "content-length",
                                                                     "transfer-encoding")]
        kept.append(("Content-Length", str(len(page.body))))
        status = page.status or 200
        http_headers = StatusAndHeaders(f"{status} OK" if status == 200 else str(status), kept, protocol="HTTP/1.1")
        fetched_at = page.fetched_at or datetime.now(UTC)
        record = self._writer.create_warc_record(
            page.url or page.source.path, "response", payload=io.BytesIO(page.body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
        try:
            self._writer.write_record(record)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", str(self._temp)) from None
        self.count += 1

    def close(self) -> str | None:
        """Rename the WARC into place (None when it holds nothing). On an error the partial
        file stays, for the next run's `recover` to finish."""
        try:
            if self._file.closed:  # an earlier close failed
                return None
            try:
                self._file.flush()
                os.fsync(self._file.fileno())
            finally:
                self._file.close()
            if not self.count:
                self._temp.unlink(missing_ok=True)
                return None
            self.path = _free_path(self._folder, self._stem, ".warc.gz")
            os.replace(self._temp, self.path)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", str(self._temp)) from None
        return str(self.path)
