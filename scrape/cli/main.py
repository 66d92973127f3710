"""The command line: a thin layer over the library.

Each command lives in its own module (`cli/clean.py`, `cli/crawl.py`) and registers an argparse
subparser; this module dispatches and is the one place errors become messages and exit codes.

Exit codes: 0 all done; 1 some inputs skipped or failed; 2 usage or config error (or a crawl
state from a newer scrape); 3 another crawl holds the lock; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from .. import __doc__ as package_doc
from ..errors import ConfigError, EngineError, LockHeld, ScrapeError, StateError
from . import clean as cli_clean
from . import crawl as cli_crawl
from .common import EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_SKIPPED, EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scrape", description=package_doc.splitlines()[0])
    parser.add_argument("--config", metavar="FILE", help="config file (default: ./config.toml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail on stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    cli_clean.register(commands)
    cli_crawl.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    run: Callable[[argparse.Namespace], int] = args.run  # the command's, set by its register()
    try:
        return run(args)
    except ConfigError as exc:
        print(f"scrape: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StateError as exc:  # nothing was done; an upgrade (or another state file) is the fix
        print(f"scrape: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:  # the dask extra missing, a scheduler unreachable or lost
        print(f"scrape: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LockHeld as exc:
        print(f"scrape: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except ScrapeError as exc:
        print(f"scrape: {exc}", file=sys.stderr)
        return EXIT_SKIPPED
    except KeyboardInterrupt:
        print("scrape: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
