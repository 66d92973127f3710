"""The line filter: noise rules applied to paragraphs of text.

Runs on text dumps line by line and on what trafilatura extracts from HTML, so both paths
drop the same ad labels, promos, share bars and widget headings. Bylines at the head or
foot of the text are taken out and returned as authors and date. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..config import NoiseRule, RuleSet
from ..meta.bylines import Byline, parse_byline
from ..models import Removal
from ..text import normalise_paragraph

# How far from either end of the text a byline is looked for (in paragraphs).
_BYLINE_REACH = 3
# After a widget heading ("Trending on X", "Related stories") the teaser lines that follow
# are short and end without a full stop; at most this many are taken with it.
_TEASER_MAX_LINES = 12
_TEASER_MAX_WORDS = 16
# Teaser headlines may end in "?" or "!"; running text ends in a full stop or a quote.
_SENTENCE_END = re.compile(r"[.:;…\"”’)]$")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·▪►]|\d+[.)])\s+")


@dataclass
class FilterResult:
    paragraphs: list[str]
    removed: list[Removal] = field(default_factory=list)
    bylines: list[Byline] = field(default_factory=list)


def snippet(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def match_rule(text: str, rules: RuleSet) -> NoiseRule | None:
    """The first rule whose patterns match the whole of `text` (a list marker aside), if any."""
    return rules.match(" ".join(_LIST_MARK.sub("", text).split()))


def _is_teaser(text: str) -> bool:
    """A teaser headline, or a comma-separated list of tags."""
    words = text.split()
    if not words or _SENTENCE_END.search(text.strip()):
        return False
    if len(words) <= _TEASER_MAX_WORDS:
        return True
    segments = text.split(",")
    return len(segments) >= 4 and len(words) / len(segments) <= 5


def filter_paragraphs(paragraphs: Iterable[str], line_rules: RuleSet, heading_rules: RuleSet,
                      find_bylines: bool = True) -> FilterResult:
    """Drop noise paragraphs; take bylines from the head and foot.

    Args:
        paragraphs: text blocks in reading order.
        line_rules: rules whose match removes just the block.
        heading_rules: rules whose match removes the block and the teaser lines after it.
        find_bylines: look for bylines near either end.
    """
    result = FilterResult(paragraphs=[])
    kept: list[str] = []
    skip_teasers = False
    for para in paragraphs:
        text = normalise_paragraph(para)  # rules see the paragraph as it will be written
        if not text:
            continue
        rule = match_rule(text, line_rules)
        if rule is not None:
            result.removed.append(Removal(rule.name, snippet(text)))
            continue
        rule = match_rule(text, heading_rules)
        if rule is not None:
            result.removed.append(Removal(rule.name, snippet(text)))
            skip_teasers = True
            teasers = 0
            continue
        if skip_teasers and teasers < _TEASER_MAX_LINES and _is_teaser(text) and parse_byline(text) is None:
            result.removed.append(Removal("trending-widget", snippet(text)))
            teasers += 1
            continue
        skip_teasers = False
        kept.append(text)

    if find_bylines:
        kept = _take_bylines(kept, result)
    result.paragraphs = kept
    return result


def _take_bylines(kept: list[str], result: FilterResult) -> list[str]:
    """Remove byline paragraphs near either end, recording what they say.

    "Near" counts paragraphs that are not bylines: a head of four bylines ("By", "Published",
    "Updated", "Reporting by") is taken whole, and what remains has no byline left at its
    ends to find on a second cleaning. The head's bylines come first in `result.bylines`.
    """
    drop: set[int] = set()
    for indexes in (range(len(kept)), range(len(kept) - 1, -1, -1)):
        prose_seen = 0
        for index in indexes:
            if prose_seen >= _BYLINE_REACH:
                break
            if index in drop:
                continue
            byline = parse_byline(kept[index])
            if byline is None:
                prose_seen += 1
                continue
            drop.add(index)
            result.bylines.append(byline)
            result.removed.append(Removal("byline", snippet(kept[index])))
    return [p for i, p in enumerate(kept) if i not in drop]
