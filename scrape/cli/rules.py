"""`scrape rules learnt HOST`: the boilerplate learnt for a host, and on how many pages.

Reads the crawl state (`crawl.state`, or `--state FILE|URL`, SQLite or PostgreSQL), where `scrape crawl` keeps what it
learns; with `--from PATH...`, learns from those inputs instead, as `scrape clean` does. Each
learnt block is one line: its id (the one `--explain` names), on how many of the host's pages
it was seen, its kind (a block, a frame: the text around a block's links, or a dump's line),
its coarse DOM path and its text. Exit codes: 0 listed (also when nothing is learnt), 2 usage
or config error.
"""

from __future__ import annotations

import argparse
import os

from ..clean.learned import KIND_NAMES, host_of
from ..clean.learning import MIN_HOST_PAGES, HostLearner
from ..io.learn import learn_from_paths
from .common import EXIT_OK, EXIT_USAGE, resolve_config


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `rules` command."""
    rules = subparsers.add_parser("rules", help="show the rules scrape applies",
                                  description="Show the rules scrape applies.")
    kinds = rules.add_subparsers(dest="rules_command", metavar="WHICH", required=True)
    learnt = kinds.add_parser("learnt", help="the boilerplate learnt for a host",
                              description="List the template blocks learnt for HOST (from the crawl state, "
                                          "or from --from inputs), with the pages each was seen on.")
    learnt.add_argument("host", metavar="HOST", help="host name or URL (www. is ignored)")
    learnt.add_argument("--state", metavar="FILE|URL", help="crawl state (default: crawl.state)")
    learnt.add_argument("--from", dest="inputs", metavar="PATH", nargs="+",
                        help="learn from these inputs (folders, WARC, JSONL) instead of the state")
    learnt.set_defaults(run=run_learnt)


def _from_state(spec: str, host: str) -> HostLearner | None:
    from ..crawl.state import is_shared, open_state, sqlite_path  # opened only when asked for

    if not is_shared(spec) and not os.path.isfile(sqlite_path(spec)):  # opening would make an empty one
        return None
    state = open_state(spec)
    try:
        return next((HostLearner.from_bytes(h, data) for h, data in state.learnt_counts() if h == host), None)
    finally:
        state.close()


def run_learnt(args: argparse.Namespace) -> int:
    host = host_of(args.host if "://" in args.host else f"http://{args.host}")
    if host is None:
        print(f"scrape: not a host name: {args.host!r}", flush=True)
        return EXIT_USAGE
    if args.inputs:
        learner = learn_from_paths(args.inputs).learner.hosts.get(host)
        where = " ".join(args.inputs)
    else:
        where = args.state or resolve_config(args.config).crawl.state
        learner = _from_state(where, host)
    if learner is None or learner.pages == 0:
        print(f"{host}: nothing learnt (no pages of it in {where})")
        return EXIT_OK
    blocks = list(learner.learnt())
    print(f"{host}: {len(blocks)} template blocks learnt from {learner.pages} pages "
          f"({len(learner.to_bytes()):,} bytes kept)")
    if learner.pages < MIN_HOST_PAGES:
        print(f"  (a host needs {MIN_HOST_PAGES} pages before anything is learnt)")
    for block in blocks:
        print(f"  #{block.id}  {block.pages:>4}/{learner.pages:<4} {KIND_NAMES[block.kind]:<5}  "
              f"{block.path or '-':<28}  {block.text}")
    return EXIT_OK
