"""`scrape clean`: clean local HTML files, text dumps, JSONL and WARC files into articles.

Loads the inputs with `io.inputs`, cleans them with `workers` (worker processes), writes
them with `io.outputs` (and the visual report, `--explain-html`, with `io.report`). With
`clean.learn` (the default) each host's template is learnt first from the inputs, or from the
`--learn-from` folders (`io.learn`), and every page is cleaned with its host's. Every skipped
input gets one "skip <input>: <reason>" line on stderr, and
stderr ends with a summary such as "cleaned 120, skipped 3: 2 not an article, 1 unreadable".
Exit codes: 0 all cleaned, 1 some skipped, 2 usage error (no inputs, bad option, config).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import replace
from functools import partial
from typing import TextIO

from tqdm import tqdm

from ..clean.page import clean_page
from ..config import Config
from ..config.settings import ENGINES
from ..crawl.urls import check_url
from ..errors import ScrapeError, SkipError, UnsafeURL
from ..io.inputs import STDIN, iter_pages
from ..io.learn import learn_from_paths
from ..io.outputs import Sink, format_for_path, open_sink
from ..io.remote import is_url
from ..io.report import ReportSink
from ..models import Article, Page, Source
from ..workers import CleanFunction, CleanOptions, Item, clean_pages
from . import clean_dask
from .common import (
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    FORMAT_HELP,
    LINKS_HELP,
    NOISY_LOGGERS,
    format_option,
    is_tty,
    number_option,
    resolve_config,
    skip_line,
    structure_for,
    summary_line,
    terminate_as_interrupt,
)
from .progress import Work

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
    parser.add_argument("--format", type=format_option, metavar="FORMAT", help=FORMAT_HELP)
    parser.add_argument("--explain", action="store_true",
                        help="list the noise removed from each article (in every format)")
    parser.add_argument("--explain-html", metavar="DIR",
                        help="also write DIR/index.html and one HTML page per article showing the text kept "
                             "beside what was removed, by rule (learnt rules apart)")
    parser.add_argument("--learn-from", metavar="PATH", action="append",
                        help="learn each host's boilerplate from PATH (a folder, WARC or JSONL of the same "
                             "sites; repeatable) instead of from the inputs; learns even with clean.learn = false")
    parser.add_argument("--links", action="store_true", help=LINKS_HELP)
    parser.add_argument("--url", metavar="URL",
                        help="the URL of pages that carry none (a saved HTML file): it is their record's url "
                             "and chooses their [[site]] rules (without it, a page's canonical URL chooses them)")
    parser.add_argument("--lang", metavar="CODES", type=_language_codes,
                        help="keep only articles in these languages (ISO 639-1, comma-separated: de,en); "
                             "the language is the page's own, else detected from the text")
    parser.add_argument("--dedup", action="store_true",
                        help="drop an article whose content_hash was already written in this run")
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
    wrong = _usage_error(args.paths) or _learn_from_error(args.learn_from) or _url_error(args.url)
    if wrong:
        print(f"scrape: {wrong}", file=sys.stderr)
        return EXIT_USAGE
    config = resolve_config(args.config)
    if (args.engine or config.clean.engine) == "dask":
        # A collection is not read twice on a cluster: the Dask engine learns templates only
        # from --learn-from (in the driver, sent to the workers once with the config).
        learn_from = args.learn_from if clean is clean_page else None
        return clean_dask.run(args, config, _learnt_clean(learn_from, args.quiet) if learn_from else clean)
    fmt = args.format or format_for_path(args.output)
    config = structure_for(config, fmt)
    options = CleanOptions.from_config(config, explain=args.explain or bool(args.explain_html), jobs=args.jobs)
    clean = _with_learnt(clean, config, args)
    sink: Sink = open_sink(fmt, args.explain, output=args.output, out_dir=args.out_dir, links=args.links)
    if args.explain_html:
        sink = ReportSink(sink, args.explain_html)
    report = Report(sys.stderr, quiet=args.quiet, paths=args.paths)
    pages = iter_pages(args.paths)
    if args.url:
        pages = _with_url(pages, args.url)
    keep = Selection(args.lang, args.dedup)
    ended_early = _clean_into(sink, report, clean_pages(pages, options, clean), keep)
    if ended_early is not None:
        return ended_early
    if report.total == 0:
        print(f"scrape: no inputs found in {', '.join(args.paths)}", file=sys.stderr)
        return EXIT_USAGE
    report.summary()
    return report.exit_code()


def _with_learnt(clean: CleanFunction, config: Config, args: argparse.Namespace) -> CleanFunction:
    """clean_page given the templates learnt from the inputs (or --learn-from), when there are
    any; another `clean` (a test's) as it is."""
    if clean is not clean_page or not (config.clean.learn or args.learn_from):
        return clean
    return _learnt_clean(args.learn_from or args.paths, args.quiet)


def _learnt_clean(paths: list[str], quiet: bool) -> CleanFunction:
    """clean_page with the templates learnt from `paths` (clean_page itself when none were)."""
    learnt = learn_from_paths(paths)
    if not learnt.templates:
        return clean_page
    if not quiet:
        print(learnt.summary(), file=sys.stderr)
    return partial(clean_page, learnt=learnt.templates)


def _learn_from_error(paths: list[str] | None) -> str | None:
    missing = [p for p in paths or () if p == STDIN or not os.path.exists(p)]
    return f"--learn-from {missing[0]}: no such file or directory" if missing else None


def _usage_error(paths: list[str]) -> str | None:
    """What is wrong with the inputs named, before any is read: stdin twice, or none exists."""
    if paths.count(STDIN) > 1:
        return "- (stdin) can be given only once"
    missing = [p for p in paths if p != STDIN and not is_url(p) and not os.path.exists(p)]
    if len(missing) == len(paths):
        return f"no inputs found: {', '.join(missing)}: no such file or directory"
    return None


def _url_error(url: str | None) -> str | None:
    """What is wrong with --url: it must be an http(s) URL with a host, as a fetched one."""
    if url is None:
        return None
    try:
        check_url(url)
    except (UnsafeURL, ValueError) as exc:
        return f"--url {url}: not an http or https URL with a host ({getattr(exc, 'detail', exc)})"
    return None


def _with_url(items: Iterator[Item], url: str) -> Iterator[Item]:
    """The pages with `url` where they carry no URL of their own (a WARC record has one)."""
    for item in items:
        yield replace(item, url=url) if isinstance(item, Page) and item.url is None else item


def _language_codes(value: str) -> frozenset[str]:
    """--lang: "de,en" as {"de", "en"}."""
    codes = frozenset(code.strip().lower() for code in value.split(",") if code.strip())
    wrong = sorted(code for code in codes if not re.fullmatch(r"[a-z]{2,3}", code))
    if not codes or wrong:
        raise argparse.ArgumentTypeError(f"not language codes: {value!r} (use ISO 639-1 codes: de,en)")
    return codes


class Selection:
    """Which cleaned articles are written: --lang (their language among these) and --dedup
    (a content hash not written before in this run)."""

    def __init__(self, languages: frozenset[str] | None = None, dedup: bool = False):
        self.languages = languages
        self.seen: set[str] | None = set() if dedup else None

    def dropped(self, article: Article) -> str | None:
        """Why the article is not written ("other language", "duplicate"), or None to write it."""
        if self.languages is not None and article.language not in self.languages:
            return "other language"
        if self.seen is not None:
            if article.content_hash in self.seen:
                return "duplicate"
            self.seen.add(article.content_hash)
        return None


def _clean_into(sink: Sink, report: Report, results: Generator[Article | SkipError, None, None],
                keep: Selection | None = None) -> int | None:
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
                elif keep is not None and (why := keep.dropped(result)):
                    report.drop(why, result.source)
                else:
                    sink.write(result)
                    report.cleaned(result.source)
        report.finished()
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

    def __init__(self, stream: TextIO, quiet: bool = False, paths: list[str] | None = None):
        self.stream = stream
        self.quiet = quiet
        self.ok = 0
        self.skips: Counter[str] = Counter()
        self.drops: Counter[str] = Counter()  # cleaned, and left out by --lang or --dedup
        self.bar: tqdm | None = None
        self.bar_allowed = not quiet and is_tty(stream)
        # The inputs' sizes, for a bar with a total and an ETA (only when a bar may be shown).
        self.work = Work.of(paths) if self.bar_allowed and paths else None
        self.started = time.monotonic()

    @property
    def total(self) -> int:
        return self.ok + sum(self.skips.values()) + sum(self.drops.values())

    def cleaned(self, source: Source | None = None) -> None:
        self.ok += 1
        self._tick(source)

    def drop(self, reason: str, source: Source | None = None) -> None:
        self.drops[reason] += 1
        self._tick(source)

    def skip(self, error: SkipError) -> None:
        self.skips[error.reason] += 1
        if not self.quiet:
            self._print(skip_line(error))
        self._tick(error)

    def _tick(self, where: Source | SkipError | None) -> None:
        """Move the bar: by bytes when the inputs' sizes are known (a total and an ETA), else
        by pages; the pages' rate either way."""
        if not self.bar_allowed:
            return
        position = self.work.position(where) if self.work is not None else self.total
        if self.bar is None and self.total >= PROGRESS_MIN_INPUTS:
            if self.work is not None:
                self.bar = _Progress(file=self.stream, total=self.work.total, unit="B", unit_scale=True,
                                     unit_divisor=1024, dynamic_ncols=True)
            else:
                self.bar = _Progress(file=self.stream, unit="page", dynamic_ncols=True)
        if self.bar is not None:
            self.bar.update(position - self.bar.n)
            rate = self.total / max(time.monotonic() - self.started, 1e-3)
            self.bar.set_postfix_str(f"{self.total} pages, {rate:.1f} pages/s, skipped {sum(self.skips.values())}",
                                     refresh=False)

    def _print(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def finished(self) -> None:
        """Every input is read: the bar to its total (the last file's tail after its last record)."""
        if self.bar is not None and self.work is not None:
            self.bar.update(self.work.total - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def summary(self) -> None:
        if not self.quiet:
            print(summary_line(self.ok, self.skips, self.drops), file=self.stream)
        self.stream.flush()

    def exit_code(self) -> int:
        return EXIT_SKIPPED if self.skips else EXIT_OK


class _Progress(tqdm):  # type: ignore[misc]  # tqdm ships no types
    # No monitor thread: worker processes are forked, and forking beside threads is unsafe.
    monitor_interval = 0
