"""What the commands share: exit codes, number options, the config they read. No printing."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable
from typing import TypeVar

from ..config import Config, load_config
from ..io.outputs import format_name

Number = TypeVar("Number", int, float)

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def number_option(convert: Callable[[str], Number], minimum: Number, wrong_type: str,
                  too_small: str) -> Callable[[str], Number]:
    """An argparse `type=` that converts with `convert` and refuses values under `minimum`."""

    def parse(value: str) -> Number:
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{wrong_type}: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(too_small)
        return number

    return parse


def format_option(value: str) -> str:
    """An argparse `type=` for --format: a format's name or alias, as the format's name."""
    try:
        return format_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


FORMAT_HELP = ("jsonl (default; also ndjson), md (markdown: YAML front matter and the text), txt (text: "
               "title and text) or csv (a header, then one row per article); default from the -o suffix "
               "(.md, .txt, .csv), else jsonl")


def structure_for(config: Config, fmt: str) -> Config:
    """The config with `clean.structure` on when the output is Markdown, which shows it."""
    if fmt != "md" or config.clean.structure:
        return config
    return dataclasses.replace(config, clean=dataclasses.replace(config.clean, structure=True))


LINKS_HELP = "Markdown: keep the links of the article body, as [text](url)"


DEFAULT_CONFIG = "config.toml"  # read from the working folder when --config is not given

NOISY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer", "readability")


def resolve_config(path: str | None) -> Config:
    """--config FILE, else ./config.toml if there is one, else the built-in defaults."""
    if path is None and os.path.isfile(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    return load_config(path)
