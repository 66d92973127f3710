"""What the commands share: exit codes, number options, the config they read, SIGTERM as an
interrupt, and the skip and summary lines (`clean` and `clean --engine dask` print them). No
printing."""

from __future__ import annotations

import argparse
import dataclasses
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


def summary_line(cleaned: int, skips: Counter[str], drops: Counter[str] | None = None) -> str:
    """ "cleaned 120, skipped 3: 2 not an article, 1 unreadable" (most frequent reason first),
    and "; dropped 4: 3 other language, 1 duplicate" when --lang or --dedup left some out."""
    line = f"cleaned {cleaned}, " + _counted("skipped", skips)
    if drops:
        line += "; " + _counted("dropped", drops)
    return line


def _counted(what: str, reasons: Counter[str]) -> str:
    total = sum(reasons.values())
    line = f"{what} {total}"
    if total:
        parts = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        line += ": " + ", ".join(f"{count} {reason}" for reason, count in parts)
    return line
