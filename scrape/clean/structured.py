"""The article's text as the page's structured data gives it, for when the page shows less.

Pages rendered by scripts, or whose markup the extraction cannot read, often still carry
the whole text in JSON-LD (`articleBody`) or mark its element with microdata
(`itemprop="articleBody"`). When what was read off the page holds less than half the words
of JSON-LD's copy, that copy is used instead, split at its line breaks (or read as markup,
when it holds tags). The microdata element is read like any article block, but only when
the reading found next to nothing: templates put much else in it. No I/O.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from ..dom import node_text
from .extract import read_block

_SHORTER = 0.5  # the page's text under this share of the structured copy's words is "much shorter"
_MIN_WORDS = 50  # a structured body shorter than this is a summary, not the article
_PARAGRAPH_TAGS = "p, h2, h3, h4, h5, h6, li, blockquote, pre, td"


def json_ld_paragraphs(raw: str) -> list[str]:
    """JSON-LD articleBody as paragraphs: its lines, or its markup's blocks when it holds tags."""
    if "<" in raw and ">" in raw:
        tree = LexborHTMLParser(f"<html><body>{raw}</body></html>")
        blocks = [text for node in tree.css(_PARAGRAPH_TAGS) if (text := node_text(node))]
        if blocks:
            return blocks
        body = tree.body
        raw = body.text(deep=True, separator="\n") if body is not None else ""
    return [" ".join(line.split()) for line in raw.splitlines() if line.strip()]


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def prefer_structured(lines: list[str], tree: LexborHTMLParser, article_body: str | None) -> list[str]:
    """`lines`, or the structured copy of the text when `lines` hold much less of it."""
    have = _words(lines)
    best: list[str] = []
    if article_body and len(article_body.split()) * _SHORTER > have:
        best = json_ld_paragraphs(article_body)
    # The microdata element holds whatever the template put in it (share bars, comments,
    # once a whole page): read only when the reading found next to nothing.
    marked = tree.css_first('[itemprop="articleBody"]') if have < _MIN_WORDS else None
    if marked is not None and len(node_text(marked).split()) * _SHORTER > max(have, _words(best)):
        read = read_block(tree, marked)
        if _words(read) > _words(best):
            best = read
    words = _words(best)
    if words >= _MIN_WORDS and have < _SHORTER * words:
        return best
    return lines
