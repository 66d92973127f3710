"""Every CLI command has help text and is documented in the README (sqlite-utils' habit)."""

import argparse
from pathlib import Path

from scrape.cli.main import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def _commands():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action, action.choices


def test_every_command_has_help_and_a_readme_section():
    action, commands = _commands()
    assert set(commands) >= {"clean", "crawl", "fetch"}
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    for name, sub in commands.items():
        assert helps.get(name), f"scrape {name} has no help line"
        assert f"### `scrape {name}" in README, f"README has no section for scrape {name}"
        for option in sub._actions:
            for flag in option.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"README does not mention {flag} of scrape {name}"


def test_every_config_table_is_documented():
    for table in ("[clean]", "[[rule]]", "[[site]]", "[crawl]", "[[source]]"):
        assert f"`{table}`" in README, table
