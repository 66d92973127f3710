"""Learnt boilerplate in text dumps: a dump's paragraphs fingerprinted, and a host's learnt
lines removed (issue 18; the page side, and what is learnt and kept, is `learned`).

A paragraph's key is its folded text; a short label before a separator ("Read also: <a
headline>", "Lesetipp | ...") gives the line a *frame* too, so that it repeats whatever the
headline. A learnt line is removed unless it is main prose (a sentence whose nearest unlearnt
neighbour is prose), and a learnt heading that led teaser lines on most of its pages takes the
list under it: the rest of its block when the list is set one item a line, else the run of
headline-like lines after it. (What the built-in rules then do with the lines left is
textdump's: they take none they keep without learning.) No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..models import Removal
from .learned import (
    FRAME_MARK,
    HEADING_MAX_WORDS,
    KIND_FRAME,
    KIND_LINE,
    PROSE_NEIGHBOUR_WORDS,
    PROSE_WORDS,
    RUNNING_TEXT_END,
    TEASER_MAX_WORDS,
    LearntBlock,
    LearntTemplate,
    fingerprint,
    fold_text,
    reads_as_sentence,
)
from .lines import snippet

# A dump line's label before a separator ("Read also: <headline>"): its frame.
_LINE_FRAME = re.compile(r"^(\W{0,3}\w.{0,59}?)\s*(?:[:|»▸›•–—>\u2190-\u21ff\u27f0-\u27ff\u2900-\u297f]|\s-)\s*(\S.*)$")
HEADLINE_SHORT_WORDS = 12  # a line this short may end in a full stop and still be a headline
LABEL_MAX_WORDS = 6
TEASER_MAX_LINES = 12  # teaser lines taken after a learnt heading, at most


def dump_keys(paragraphs: Iterable[str]) -> list[tuple[int, int | None, str]]:
    """A dump's paragraphs as (fingerprint, frame fingerprint or None, paragraph). A line
    with a short label before a separator and a headline-like rest has a frame: its label."""
    return [(fingerprint(KIND_LINE, "", fold_text(p)), _line_frame(p), p) for p in paragraphs]


def _line_frame(text: str) -> int | None:
    match = _LINE_FRAME.match(text)
    if match is None or len(match.group(1).split()) > LABEL_MAX_WORDS:
        return None
    if not _headline_like(match.group(2)):
        return None
    return fingerprint(KIND_FRAME, "", fold_text(match.group(1)) + FRAME_MARK)


def leads_teasers(paragraphs: list[str], index: int) -> bool:
    """Whether a dump's paragraph reads as a heading followed by at least two teaser lines."""
    heading = paragraphs[index]
    if len(heading.split()) > HEADING_MAX_WORDS or RUNNING_TEXT_END.search(heading):
        return False
    following = paragraphs[index + 1:index + 3]
    return len(following) == 2 and all(_headline_like(p) for p in following)


def line_frame_text(text: str) -> str:
    match = _LINE_FRAME.match(text)
    return f"{match.group(1)} …" if match else text



def drop_learnt_lines(paragraphs: list[str], template: LearntTemplate, removed: list[Removal],
                      starts: frozenset[int] | None = None) -> list[str]:
    """A dump's paragraphs without the host's learnt lines (see `learnt_lines`)."""
    drop = learnt_lines(paragraphs, template, removed, starts)
    return [p for i, p in enumerate(paragraphs) if i not in drop] if drop else paragraphs


def learnt_lines(paragraphs: list[str], template: LearntTemplate, removed: list[Removal],
                 starts: frozenset[int] | None = None) -> set[int]:
    """The indexes of a dump's paragraphs that are the host's learnt lines (and the teaser
    lines a learnt heading leads), each recorded in `removed`. `starts`: the paragraphs that
    begin a blank-line separated block, when known: a heading with lines set under it in
    its block leads exactly those."""
    hits = {}
    for i, (key, frame, _) in enumerate(dump_keys(paragraphs)):
        learnt = template.blocks.get(key) or (template.blocks.get(frame) if frame is not None else None)
        if learnt is not None:
            hits[i] = learnt
    drop: set[int] = set()
    if not hits:
        return drop
    prose = {i for i, p in enumerate(paragraphs) if _is_prose_line(p, PROSE_WORDS)}
    copy = 2 * sum(i in hits for i in prose) > len(prose)  # the article itself was learnt
    for index, learnt in hits.items():
        rule = template.rule_name(learnt)
        if copy and index in prose:
            continue
        if index not in drop:  # (a learnt teaser another heading's list took is not judged again)
            if _protected_line(paragraphs, hits, index, learnt):
                continue
            drop.add(index)
            removed.append(Removal(rule, snippet(paragraphs[index])))
        for teaser in _teaser_lines(paragraphs, index, starts) if learnt.leads else ():
            if teaser not in drop:
                drop.add(teaser)
                removed.append(Removal(rule, snippet(paragraphs[teaser])))
    return drop


def _headline_like(text: str) -> bool:
    """A teaser headline: short, and not ending as running text unless very short."""
    words = len(text.split())
    return words <= TEASER_MAX_WORDS and (words <= HEADLINE_SHORT_WORDS or not RUNNING_TEXT_END.search(text))


def _is_prose_line(text: str, words: int) -> bool:
    return len(text.split()) >= words and reads_as_sentence(text)


def _protected_line(paragraphs: list[str], hits: Mapping[int, LearntBlock], index: int, learnt: LearntBlock) -> bool:
    """Main prose in a dump: a sentence-like paragraph whose nearest paragraph that is not
    learnt, before or after it, is prose too; unless it is pervasive."""
    if learnt.pervasive or not _is_prose_line(paragraphs[index], PROSE_WORDS):
        return False
    for step in (-1, 1):
        other = index + step
        while other in hits:
            other += step
        if 0 <= other < len(paragraphs) and _is_prose_line(paragraphs[other], PROSE_NEIGHBOUR_WORDS):
            return True
    return False


def _teaser_lines(paragraphs: list[str], index: int, starts: frozenset[int] | None = None) -> list[int]:
    """The teaser lines after a learnt heading: short lines that do not end as sentences
    (headlines), at least two of them, at most TEASER_MAX_LINES. Learnt lines among them
    (a teaser that was on several pages, the next widget's heading) are taken too; so is a
    short line ending in a full stop or colon when another teaser follows it (a headline
    such as "They just might be."), never as the last of the list."""
    heading = paragraphs[index]
    if len(heading.split()) > HEADING_MAX_WORDS or RUNNING_TEXT_END.search(heading):
        return []
    if starts is not None and index + 1 < len(paragraphs) and index + 1 not in starts:
        # The list is set under its heading, one item a line: the rest of the block.
        block = []
        for other in range(index + 1, len(paragraphs)):
            if other in starts:
                break
            block.append(other)
        return block if len(block) >= 2 and all(len(paragraphs[i].split()) <= TEASER_MAX_WORDS for i in block) else []
    found = []
    end = min(len(paragraphs), index + 1 + TEASER_MAX_LINES)
    for other in range(index + 1, end):
        text = paragraphs[other]
        if len(text.split()) > TEASER_MAX_WORDS:
            break
        if RUNNING_TEXT_END.search(text) and not (other + 1 < end and _strict_teaser(paragraphs[other + 1])):
            break
        found.append(other)
    return found if len(found) >= 2 else []


def _strict_teaser(text: str) -> bool:
    return len(text.split()) <= TEASER_MAX_WORDS and not RUNNING_TEXT_END.search(text)
