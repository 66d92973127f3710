"""`scrape state`: look at a crawl's state and move it between back-ends.

    scrape state stats [--json]              frontier size, claimed, done, errors by host, workers seen
    scrape state export --to sqlite PATH     copy the state (URLs, articles, runs, unexported records)
                                             into a new SQLite file
    scrape state import --from sqlite PATH   copy a SQLite state into the configured (empty) state

The state is `crawl.state` of the config, or `--state`. A copy carries what both back-ends
hold (see `crawl.state.COPIED`); the shared frontier and hosts are rebuilt by the next run.

Exit codes: 0 done; 1 the state could not be read or written; 2 usage error, or a copy into
a state that holds records already.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import TYPE_CHECKING

from .common import EXIT_OK, EXIT_USAGE, resolve_config

if TYPE_CHECKING:
    from ..crawl.state import StateStats, StateStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `state` command and its `stats`, `export` and `import` subcommands."""
    state = subparsers.add_parser(
        "state", help="statistics of the crawl state; copy it between SQLite and PostgreSQL",
        description="Look at the crawl state (crawl.state, or --state) or copy it between back-ends.")
    state.add_argument("--state", metavar="FILE|URL", help="the state (default: crawl.state)")
    actions = state.add_subparsers(dest="action", metavar="ACTION", required=True)
    stats = actions.add_parser("stats", help="frontier size, claimed, done, errors by host, workers seen")
    stats.add_argument("--json", action="store_true", help="as one JSON object")
    export = actions.add_parser("export", help="copy the state into a new SQLite file")
    export.add_argument("--to", required=True, choices=["sqlite"], help="the back-end to copy to")
    export.add_argument("path", metavar="PATH", help="the SQLite file to create")
    load = actions.add_parser("import", help="copy a SQLite state into the configured, empty state")
    load.add_argument("--from", dest="source", required=True, choices=["sqlite"], help="the back-end to copy from")
    load.add_argument("path", metavar="PATH", help="the SQLite file to read")
    state.set_defaults(run=run_state_command)


def run_state_command(args: argparse.Namespace) -> int:
    """Run `scrape state ACTION` with parsed arguments; returns the exit code."""
    from ..crawl.state import is_shared, open_state, sqlite_path

    spec = args.state or resolve_config(args.config).crawl.state
    if not is_shared(spec) and not os.path.isfile(sqlite_path(spec)):  # opening it would make an empty one
        print(f"scrape: {sqlite_path(spec)}: no such state file", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "import" and not os.path.isfile(args.path):
        print(f"scrape: {args.path}: no such state file", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "export" and os.path.exists(args.path):
        print(f"scrape: {args.path}: exists already; export writes a new file", file=sys.stderr)
        return EXIT_USAGE
    state = open_state(spec)
    try:
        if args.action == "stats":
            _print_stats(state.stats(), args.json)
        else:
            _copy(state, args)
    finally:
        state.close()
    return EXIT_OK


def _copy(configured: StateStore, args: argparse.Namespace) -> None:
    from ..crawl.state import State, copy_state

    other = State(args.path)
    try:
        if args.action == "export":
            copied = copy_state(configured, other)
            where = f"{configured.path} -> {args.path}"
        else:
            copied = copy_state(other, configured)
            where = f"{args.path} -> {configured.path}"
    finally:
        other.close()
    print(f"{args.action}ed {', '.join(f'{n} {table}' for table, n in copied.items())}: {where}", file=sys.stderr)


def _print_stats(stats: StateStats, as_json: bool) -> None:
    if as_json:
        print(json.dumps(dataclasses.asdict(stats), indent=2))
        return
    lines = [
        f"state: {stats.backend}, schema version {stats.schema_version}",
        f"urls: {stats.urls} ({stats.done} done), articles: {stats.articles}, runs: {stats.runs}, "
        f"records not yet in a file: {stats.pending}",
        f"frontier: {stats.queued} queued, {stats.claimed} claimed",
        "errors by host: " + (", ".join(f"{host} {n}" for host, n in stats.errors_by_host.items()) or "none"),
        "workers seen: " + ("; ".join(
            f"{w.worker} on {w.machine}: {w.runs} runs, last seen {w.last_seen}{', running' if w.running else ''}"
            for w in stats.workers) or "none recorded (a SQLite state has one worker)"),
    ]
    print("\n".join(lines))
