"""What the commands share: exit codes, number options, the config they read. No printing."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TypeVar

from ..config import Config, load_config

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


DEFAULT_CONFIG = "config.toml"  # read from the working folder when --config is not given

NOISY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer", "readability")


def resolve_config(path: str | None) -> Config:
    """--config FILE, else ./config.toml if there is one, else the built-in defaults."""
    if path is None and os.path.isfile(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    return load_config(path)
