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
from .. import __version__
from ..errors import ConfigError, EngineError, LockHeld, ScrapeError, StateError
from . import clean as cli_clean
from . import config_check as cli_config
from . import crawl as cli_crawl
from . import rules as cli_rules
from . import state as cli_state
from .common import EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_SKIPPED, EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scrape", description=package_doc.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"scrape {__version__}")
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    cli_clean.register(commands)
    cli_crawl.register(commands)
    cli_rules.register(commands)
    cli_state.register(commands)
    cli_config.register(commands)
    _global_options_after_commands(parser)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, after_command: bool = False) -> None:
    """--config and -v. After a command they are accepted too (`scrape crawl --config x`),
    with no default there, so that one given before the command is not reset."""
    default: dict[str, object] = {"default": argparse.SUPPRESS} if after_command else {}
    parser.add_argument("--config", metavar="FILE", help="config file (default: ./config.toml if present)",
                        **default)  # type: ignore[arg-type]  # argparse's stub has no keyword for SUPPRESS
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail on stderr",
                        **default)  # type: ignore[arg-type]


def _global_options_after_commands(parser: argparse.ArgumentParser) -> None:
    """Give every command (and every command of a command) the global options."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _add_global_options(command, after_command=True)
                _global_options_after_commands(command)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:  # bare `scrape` (or a command group alone): its help
        (getattr(args, "help_of", None) or parser).print_help()
        return EXIT_OK
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
