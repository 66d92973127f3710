"""`scrape clean`: clean local HTML files, text dumps, JSONL and WARC files into articles.

Loads the inputs with `io.inputs`, cleans them with `workers` (worker processes), writes
them with `io.outputs`. Every skipped input gets one "skip <input>: <reason>" line on stderr, and
stderr ends with a summary such as "cleaned 120, skipped 3: 2 not an article, 1 unreadable".
Exit codes: 0 all cleaned, 1 some skipped, 2 usage error (no inputs, bad option, config).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from collections.abc import Generator
from contextlib import closing
from typing import TextIO

from tqdm import tqdm

from ..clean.page import clean_page
from ..config.settings import ENGINES
from ..errors import ScrapeError, SkipError
from ..io.inputs import STDIN, iter_pages
from ..io.outputs import FORMATS, Sink, format_for_path, open_sink
from ..io.remote import is_url
from ..models import Article
from ..workers import CleanFunction, CleanOptions, clean_pages
from . import clean_dask
from .common import (
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    NOISY_LOGGERS,
    is_tty,
    number_option,
    resolve_config,
    skip_line,
    summary_line,
    terminate_as_interrupt,
)

PROGRESS_MIN_INPUTS = 20  # a progress bar only once a run has this many inputs
# Libraries that log ordinary bad pages, even at ERROR ("parsed tree length: 0"); we report
# those pages as skips ourselves, so their logs show only with -v.


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `clean` command."""
    parser = subparsers.add_parser(
        "clean",
        help="clean local HTML, text dumps, JSONL or WARC files into articles",
        description="Clean local inputs into articles. An input is an HTML file, a plain-text dump, "
                    "a JSONL file (one record per line with `html` or `text`, optional `url`, `id`), "
                    "a WARC, any of these gzipped, a folder of them (recursive), or - for stdin. "
                    "Kinds are told apart by content.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="input file or folder; - reads stdin")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", metavar="FILE",
                        help="write all articles to FILE (atomically; default: stdout)")
    target.add_argument("--out-dir", metavar="DIR", help="write one file per article into DIR")
    parser.add_argument("--format", choices=FORMATS,
                        help="jsonl (default), md (YAML front matter + text) or txt (title + text); "
                             "default from the -o suffix (.md, .txt), else jsonl")
    parser.add_argument("--explain", action="store_true", help="list the noise removed from each article")
    parser.add_argument("-j", "--jobs", metavar="N",
                        type=number_option(int, 1, "not a number", "must be at least 1"),
                        help=f"worker processes (default: number of CPUs, {os.cpu_count()})")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar, skip lines or summary; the exit code tells")
    _engine_options(parser)
    parser.set_defaults(run=run)


def _engine_options(parser: argparse.ArgumentParser) -> None:
    """--engine dask and its options (cli/clean_dask.py runs it)."""
    parser.add_argument("--engine", choices=ENGINES,
                        help="where to clean: local (this machine's worker processes, the default) or dask "
                             "(one task per partition, one output file each in --out-dir, with manifest.jsonl)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="dask: an existing scheduler (tcp://host:8786); default: a LocalCluster here")
    parser.add_argument("--workers", metavar="N", type=number_option(int, 1, "not a number", "must be at least 1"),
                        help="dask: LocalCluster worker processes (default: number of CPUs)")


def run(args: argparse.Namespace, clean: CleanFunction = clean_page) -> int:
    """Run `scrape clean` with parsed arguments; returns the exit code. `clean` cleans one
    page (tests pass one that breaks)."""
    if not args.verbose:
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    wrong = _usage_error(args.paths)
    if wrong:
        print(f"scrape: {wrong}", file=sys.stderr)
        return EXIT_USAGE
    config = resolve_config(args.config)
    if (args.engine or config.clean.engine) == "dask":
        return clean_dask.run(args, config, clean)
    fmt = args.format or format_for_path(args.output)
    options = CleanOptions.from_config(config, explain=args.explain, jobs=args.jobs)
    sink = open_sink(fmt, args.explain, output=args.output, out_dir=args.out_dir)
    report = Report(sys.stderr, quiet=args.quiet)
    ended_early = _clean_into(sink, report, clean_pages(iter_pages(args.paths), options, clean))
    if ended_early is not None:
        return ended_early
    if report.total == 0:
        print(f"scrape: no inputs found in {', '.join(args.paths)}", file=sys.stderr)
        return EXIT_USAGE
    report.summary()
    return report.exit_code()


def _usage_error(paths: list[str]) -> str | None:
    """What is wrong with the inputs named, before any is read: stdin twice, or none exists."""
    if paths.count(STDIN) > 1:
        return "- (stdin) can be given only once"
    missing = [p for p in paths if p != STDIN and not is_url(p) and not os.path.exists(p)]
    if len(missing) == len(paths):
        return f"no inputs found: {', '.join(missing)}: no such file or directory"
    return None


def _clean_into(sink: Sink, report: Report, results: Generator[Article | SkipError, None, None]) -> int | None:
    """Write every article of `results` to `sink` and report every skip. Returns the exit
    code of a run that ended early (the reader of stdout went away, an internal error), or
    None when it got through its inputs.

    The output is committed when the run got through, or was interrupted (SIGINT, SIGTERM:
    what was cleaned so far is kept, whole); otherwise an existing output stays as it was.
    """
    commit = False
    interrupted = False
    try:
        # closing(): on any way out, the worker processes are stopped at once.
        with terminate_as_interrupt(), closing(results):
            for result in results:
                if isinstance(result, SkipError):
                    report.skip(result)
                else:
                    sink.write(result)
                    report.cleaned()
        commit = report.total > 0
    except KeyboardInterrupt:
        commit = interrupted = True
        raise
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to tell it
        _silence_stdout()
        return report.exit_code()
    except ScrapeError:
        raise  # cli.main turns it into a message and an exit code
    except Exception as exc:  # a bug outside the per-page guard: a message, not a traceback
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(f"scrape: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_SKIPPED
    finally:
        report.close()
        if commit:
            sink.close(commit=True)
        else:
            _close_quietly(sink)
        if interrupted:
            report.summary()  # how much was kept; cli.main then says "interrupted"
    return None


def _close_quietly(sink: Sink) -> None:
    try:
        sink.close(commit=False)
    except (OSError, ScrapeError):
        pass


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would complain about the closed pipe again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class Report:
    """Counts results, prints skip lines and the summary, and drives the progress bar."""

    def __init__(self, stream: TextIO, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.ok = 0
        self.skips: Counter[str] = Counter()
        self.bar: tqdm | None = None
        self.bar_allowed = not quiet and is_tty(stream)

    @property
    def total(self) -> int:
        return self.ok + sum(self.skips.values())

    def cleaned(self) -> None:
        self.ok += 1
        self._tick()

    def skip(self, error: SkipError) -> None:
        self.skips[error.reason] += 1
        if not self.quiet:
            self._print(skip_line(error))
        self._tick()

    def _tick(self) -> None:
        if not self.bar_allowed:
            return
        if self.bar is None and self.total >= PROGRESS_MIN_INPUTS:
            self.bar = _Progress(file=self.stream, unit="page", initial=self.total - 1, dynamic_ncols=True)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"skipped {sum(self.skips.values())}", refresh=False)

    def _print(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self) -> None:
        if not self.quiet:
            print(summary_line(self.ok, self.skips), file=self.stream)
        self.stream.flush()

    def exit_code(self) -> int:
        return EXIT_SKIPPED if self.skips else EXIT_OK


class _Progress(tqdm):  # type: ignore[misc]  # tqdm ships no types
    # No monitor thread: worker processes are forked, and forking beside threads is unsafe.
    monitor_interval = 0
