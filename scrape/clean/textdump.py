"""Cleaner for plain-text dumps: title line, paragraphs, inline noise, a byline at head or foot.

The same noise rules as for HTML, applied line by line, and widgets read by their shape
(lines.py); the byline becomes authors and date and leaves the body; the first line is the
title when it reads as a headline. A dump declares no language: it is told from its
stopwords (language.py), and numeric dates in its bylines are read day or month first as
that language prints them. No I/O.
"""

from __future__ import annotations

import re

from ..config import Config
from ..config.model import default_line_model
from ..models import Extract, Removal
from ..text import fold, normalise_paragraph
from .language import day_first, guess_language, read_numeric_dates
from .learned import LearntTemplate
from .learned_lines import learnt_lines
from .lines import FilterResult, filter_paragraphs, match_rule
from .linescore import FEATURES

_HEADLINE_MAX_WORDS = 30
_HEADLINE_MAX_CHARS = 250
# A line ending like this continues a sentence on the next line (a hard-wrapped paragraph).
_CONTINUES = re.compile(r"[\w,;\-–—]$")
# A hard-wrapped line runs close to the wrap width: this share of the block's longest line
# at least. A shorter one ends its paragraph (or is a line of a list: a teaser headline
# that starts in lower case is not the end of the headline before it).
_WRAPPED_SHARE = 0.6
_WRAP_MIN_CHARS = 40


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of its non-empty lines."""
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines of one paragraph; keep separate lines that end sentences, and
    lines too short to have been wrapped."""
    wrap = max(_WRAP_MIN_CHARS, _WRAPPED_SHARE * max(len(line) for line in lines)) if lines else 0
    paragraphs: list[str] = []
    previous = ""
    for line in lines:
        if paragraphs and _CONTINUES.search(previous) and line[:1].islower() and len(previous) >= wrap:
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        previous = line
    return paragraphs


def reads_as_headline(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= _HEADLINE_MAX_WORDS
        and len(line) <= _HEADLINE_MAX_CHARS
        and not line.rstrip().endswith((".", ",", ";", ":"))
        and any(ch.isalpha() for ch in line)
    )


def dump_paragraphs(text: str) -> list[str]:
    """A dump's paragraphs: its blank-line separated blocks, hard-wrapped lines joined."""
    return [para for block in _blocks(text) for para in _unwrap(block)]


def _block_starts(blocks: list[int]) -> frozenset[int]:
    """Which paragraphs begin a blank-line separated block, given each one's block number (a
    list set one item a line under its heading is one block)."""
    return frozenset(i for i, number in enumerate(blocks) if i == 0 or blocks[i - 1] != number)


def clean_text_dump(text: str, config: Config, learnt: LearntTemplate | None = None) -> Extract:
    """Split a text dump into title, body paragraphs, bylines and removed noise; `learnt`:
    the host's learnt template, whose lines go first. Learning takes those lines and no
    more: the rules then take no line they keep in the whole dump (filter_paragraphs'
    `unlearnt`), and two copies of a paragraph a learnt line stood between stay (`_undoubled`)."""
    split = _blocks(text)
    # Each paragraph and the number of its block: lines set one under another without a
    # blank line between them are one list (filter_paragraphs reads widgets by it).
    numbered = [(number, para) for number, block in enumerate(split) for para in _unwrap(block)]
    lines = [para for _, para in numbered]
    blocks = [number for number, _ in numbered]
    starts = _block_starts(blocks)
    line_rules, heading_rules = config.line_rules, config.heading_rules
    title = None
    removed: list[Removal] = []
    if lines and len(split[0]) == 1 and len(lines) > 1:
        candidate = lines[0]
        if (reads_as_headline(candidate) and match_rule(candidate, line_rules) is None
                and match_rule(candidate, heading_rules) is None):
            title = candidate
            lines, blocks = lines[1:], blocks[1:]
            removed.append(Removal("title", candidate[:80]))
    unlearnt: list[str] | None = None
    gone: set[int] = set()
    if learnt is not None:
        taken = 1 if title else 0
        if gone := learnt_lines(lines, learnt, removed, frozenset(i - taken for i in starts if i >= taken)):
            unlearnt, lines = lines, [p for i, p in enumerate(lines) if i not in gone]
            blocks = [b for i, b in enumerate(blocks) if i not in gone]
    result = filter_paragraphs(lines, line_rules, heading_rules, text_dump=True,
                               line_model=default_line_model().checked_against(FEATURES), title=title,
                               unlearnt=unlearnt, blocks=blocks)
    paragraphs = result.paragraphs
    undoubled = _undoubled(paragraphs, unlearnt, gone) if unlearnt is not None else None
    language = guess_language(" ".join(result.paragraphs))
    published, modified = _dates(result, day_first(language))
    return Extract(
        paragraphs=tuple(paragraphs if undoubled is None else undoubled),
        doubles_in_text=undoubled is None,
        titles=(title,) if title else (),
        authors=(tuple(a for b in result.bylines for a in b.authors),),
        # An update time alone is still the best date the dump gives; it goes last.
        published=published + modified,
        modified=modified,
        language=language,
        removed=tuple(removed + result.removed),
    )


def _undoubled(kept: list[str], unlearnt: list[str], gone: set[int]) -> list[str] | None:
    """The kept paragraphs without a copy of the paragraph just before it, where nothing
    parted the two in the dump but lines the rules took (what the text normaliser drops for
    a dump, `doubles_in_text`): two copies a learnt line stood between were apart in the
    dump, as they are without learning (a caption in a gallery and under its photo). None
    when the kept paragraphs cannot be found in the dump in order."""
    places, at = [], 0
    for paragraph in kept:
        while at < len(unlearnt) and (at in gone or normalise_paragraph(unlearnt[at]) != paragraph):
            at += 1
        if at == len(unlearnt):
            return None
        places.append(at)
        at += 1
    out: list[str] = []
    last_key, last_place = None, -1
    for paragraph, place in zip(kept, places, strict=True):
        key = fold(paragraph)
        if key == last_key and not any(last_place < i < place for i in gone):
            continue
        out.append(paragraph)
        last_key, last_place = key, place
    return out


def _dates(result: FilterResult, day_first_: bool | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The bylines' publication and update dates, numeric ones read in the dump's order."""
    published = tuple(read_numeric_dates(b.date_text, day_first_) for b in result.bylines if b.date_text)
    modified = tuple(read_numeric_dates(b.updated_text, day_first_) for b in result.bylines if b.updated_text)
    return published, modified
