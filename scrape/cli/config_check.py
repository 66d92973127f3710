"""`scrape config check`: validate the config and print the one in effect, as TOML.

Reads the config as every command does (--config FILE, else ./config.toml, else the
built-in defaults), so an error is the same one-line message naming the key, with exit code 2;
a good config is printed with its defaults filled in and its paths resolved (relative paths
are taken from the config file's folder), ready to be read back.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os

from ..config import Config
from ..config.settings import builtin_rules
from .common import DEFAULT_CONFIG, EXIT_OK, resolve_config


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `config` command and its `check`."""
    config = subparsers.add_parser("config", help="check the config and print the one in effect",
                                   description="Commands about the config file.")
    config.set_defaults(help_of=config)
    actions = config.add_subparsers(dest="config_command", metavar="ACTION")
    check = actions.add_parser(
        "check", help="validate the config and print it with defaults and resolved paths",
        description="Validate the config (--config FILE, else ./config.toml, else the built-in defaults) "
                    "and print the config in effect as TOML: every key with its value, relative paths "
                    "resolved against the config file's folder. A bad config is one line naming the key, "
                    "and exit code 2.")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Run `scrape config check`; a bad config raises ConfigError (cli.main: exit code 2)."""
    path = args.config if args.config is not None else DEFAULT_CONFIG if os.path.isfile(DEFAULT_CONFIG) else None
    config = resolve_config(args.config)
    print(render_config(config, os.path.abspath(path) if path else None), end="")
    return EXIT_OK


def render_config(config: Config, path: str | None) -> str:
    """The config in effect as TOML: [clean], [crawl], then the [[site]] and [[source]] tables.
    The noise rules are counted in a comment (the built-in ones fill hundreds of lines)."""
    lines = [f"# scrape config check: {path or 'no config file, the built-in defaults'}"]
    builtin = len(builtin_rules()) if config.clean.builtin_rules else 0
    lines.append(f"# noise rules in effect: {len(config.rules)} ({builtin} built-in, {len(config.rules) - builtin} "
                 "from [[rule]] tables)")
    lines += _table("[clean]", config.clean)
    lines += _table("[crawl]", config.crawl)
    for site in config.sites:
        lines += _table("[[site]]", site)
    for source in config.sources:
        lines += _table("[[source]]", source)
    return "\n".join(lines) + "\n"


def _table(header: str, table: object) -> list[str]:
    lines = ["", header]
    for field in dataclasses.fields(table):  # type: ignore[arg-type]  # every table is a dataclass
        value = getattr(table, field.name)
        if value is not None:  # TOML has no null: an unset optional key is left out
            lines.append(f"{field.name} = {_toml_value(value)}")
    return lines


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string
