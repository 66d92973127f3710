"""`scrape crawl` and `scrape fetch`: the network commands.

`scrape crawl` is made for cron: one run over the `[[source]]` tables of the config, with a
lock (a second run exits at once with code 3), limits (--max-pages, --max-seconds), a clean
stop on SIGTERM/SIGINT, logs on stderr and one summary line at the end. `scrape fetch URL...`
fetches and cleans the given URLs now and writes their records to stdout, keeping no state.

Exit codes: 0 done; 1 some URLs or sources failed (they are retried on a later run), or for
fetch some URLs gave no article;
2 usage or config error; 3 another crawl holds the lock; 130 stopped by a signal.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys

from ..config import Config
from ..errors import ScrapeError
from ..io.outputs import format_for_path, open_sink
from .common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    FORMAT_HELP,
    LINKS_HELP,
    NOISY_LOGGERS,
    format_option,
    number_option,
    resolve_config,
    structure_for,
)

log = logging.getLogger("scrape.crawl")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `crawl` and `fetch` commands."""
    crawl = subparsers.add_parser(
        "crawl", help="fetch what is new or changed in the configured sources (for cron)",
        description="One crawl run over the [[source]] feeds, sitemaps and seed pages of the config: "
                    "new and changed articles go to crawl.out_dir/YYYY/MM/DD/articles-<run start>.jsonl, "
                    "unchanged ones are asked for conditionally and not written again. A second run "
                    "started while one runs exits at once with code 3.")
    crawl.add_argument("--max-pages", type=number_option(int, 0, "not a whole number", "must not be negative"),
                       metavar="N", help="fetch at most N pages (default: crawl.max_pages)")
    crawl.add_argument("--max-seconds", type=number_option(float, 0.0, "not a number", "must not be negative"),
                       metavar="S", help="stop after S seconds, saving what is done (default: crawl.max_seconds)")
    crawl.add_argument("--stats-json", metavar="FILE", help="also write the run's stats to FILE as JSON")
    crawl.add_argument("--out-dir", metavar="DIR", help="output folder (default: crawl.out_dir)")
    crawl.add_argument("--state", metavar="FILE|URL",
                       help="state file, or postgresql://user@host/db shared by several workers (default: crawl.state)")
    crawl.add_argument("--worker-id", metavar="NAME",
                       help="this worker's name in a shared (postgresql) state; one run per name at a time "
                            "(default: host name and process id)")
    crawl.add_argument("--recheck-all", action="store_true",
                       help="ask again for every known URL (conditionally), whatever its lastmod says")
    crawl.add_argument("--no-clean", action="store_true",
                       help="fetch and record state only, writing no articles (for benchmarks)")
    crawl.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line")
    crawl.set_defaults(run=run_crawl_command)

    fetch = subparsers.add_parser(
        "fetch", help="fetch and clean the given URLs now, records to stdout or a file",
        description="Fetch each URL (robots.txt, limits and address safety as in crawl), clean it and "
                    "write its record to stdout (or -o FILE), in the order given. No state is read or kept.")
    fetch.add_argument("urls", nargs="*", metavar="URL", help="http or https URL")
    fetch.add_argument("-i", "--input", metavar="FILE", action="append", default=[],
                       help="read URLs from FILE, one a line (blank lines and # comments skipped); - is stdin")
    fetch.add_argument("-o", "--output", metavar="FILE", help="write the records to FILE (atomically; default: stdout)")
    fetch.add_argument("--format", type=format_option, metavar="FORMAT", help=FORMAT_HELP)
    fetch.add_argument("--explain", action="store_true", help="list the noise removed from each article")
    fetch.add_argument("--links", action="store_true", help=LINKS_HELP)
    fetch.set_defaults(run=run_fetch_command)


def _quiet_libraries(args: argparse.Namespace) -> None:
    if not args.verbose:
        for name in (*NOISY_LOGGERS, "httpx", "httpcore", "hpack"):
            logging.getLogger(name).setLevel(logging.ERROR)
        logging.getLogger("scrape").setLevel(logging.WARNING)


def _with_overrides(config: Config, args: argparse.Namespace) -> Config:
    """The config with --out-dir and --state in place of crawl.out_dir and crawl.state."""
    crawl = config.crawl
    if args.out_dir:
        crawl = dataclasses.replace(crawl, out_dir=args.out_dir)
    if args.state:
        crawl = dataclasses.replace(crawl, state=args.state)
    return config if crawl is config.crawl else dataclasses.replace(config, crawl=crawl)


def run_crawl_command(args: argparse.Namespace) -> int:
    """Run `scrape crawl` with parsed arguments; returns the exit code."""
    from ..crawl.run import CrawlOptions, run_crawl

    _quiet_libraries(args)
    config = _with_overrides(resolve_config(args.config), args)
    if not config.sources:
        print("scrape: config error: no [[source]] tables to crawl", file=sys.stderr)
        return EXIT_USAGE
    options = CrawlOptions(max_pages=args.max_pages, max_seconds=args.max_seconds, clean=not args.no_clean,
                           recheck_all=args.recheck_all, progress=not args.quiet, worker=args.worker_id or "")
    stats = run_crawl(config, options)
    if args.stats_json:
        from ..io.atomic import write_atomically

        write_atomically(args.stats_json, json.dumps(stats.as_dict(), indent=2).encode() + b"\n")
    if not args.quiet:
        print(stats.summary(), file=sys.stderr)
    if stats.stopped in ("SIGTERM", "SIGINT", "cancelled"):
        return EXIT_INTERRUPTED
    return EXIT_SKIPPED if stats.source_errors or stats.failed else EXIT_OK


def run_fetch_command(args: argparse.Namespace) -> int:
    """Run `scrape fetch` with parsed arguments; returns the exit code."""
    from ..crawl.fetch_now import fetch_and_clean

    _quiet_libraries(args)
    urls = list(args.urls)
    for path in args.input:
        try:
            urls += read_url_list(path)
        except OSError as exc:
            print(f"scrape: fetch: -i {path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    if not urls:
        print("scrape: fetch: no URLs given (as arguments or with -i FILE)", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or format_for_path(args.output)
    config = structure_for(resolve_config(args.config), fmt)
    sink = open_sink(fmt, args.explain, output=args.output, links=args.links)
    failed = 0

    async def go() -> None:
        nonlocal failed
        async for url, result in fetch_and_clean(config, urls, explain=args.explain):
            if isinstance(result, ScrapeError):
                failed += 1
                print(f"skip {url}: {result.detail}", file=sys.stderr)
            else:
                sink.write(result)
                sink.flush()

    commit = False
    try:
        asyncio.run(go())
        commit = True
    except KeyboardInterrupt:
        commit = True  # what was fetched so far is kept, as `scrape clean` keeps it
        raise
    finally:
        sink.close(commit=commit)
    return EXIT_SKIPPED if failed else EXIT_OK


def read_url_list(path: str) -> list[str]:
    """The URLs of a list file (one a line; blank lines and # comments skipped); - is stdin.

    Raises:
        OSError: the file cannot be read.
    """
    if path == "-":
        text = sys.stdin.read()
    else:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
