"""What the commands share: exit codes, number options, the config they read, SIGTERM as an
interrupt, and the skip and summary lines (`clean` and `clean --engine dask` print them). No
printing."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO, TypeVar

from ..config import Config, load_config
from ..errors import SkipError

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


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service manager, `timeout`) stops the run as Ctrl-C does: what was cleaned
    so far is committed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def skip_line(error: SkipError) -> str:
    """ "skip <input>: <reason>[: <detail>]", the detail left out when it says the same."""
    detail = " ".join(error.detail.split())
    message = detail if detail.lower().startswith(error.reason) else f"{error.reason}: {detail}"
    return f"skip {error.input or '?'}: {message}"


def summary_line(cleaned: int, skips: Counter[str]) -> str:
    """ "cleaned 120, skipped 3: 2 not an article, 1 unreadable" (most frequent reason first)."""
    skipped = sum(skips.values())
    line = f"cleaned {cleaned}, skipped {skipped}"
    if skipped:
        parts = sorted(skips.items(), key=lambda item: (-item[1], item[0]))
        line += ": " + ", ".join(f"{count} {reason}" for reason, count in parts)
    return line
