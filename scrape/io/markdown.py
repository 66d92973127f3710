"""Markdown for an article's body: its paragraphs with the structure the page gave them
(headings, bulleted and numbered lists, block quotes, tables, preformatted text) and, if
asked, its links. Without blocks (a text dump) the paragraphs as they are. Reads no config.
"""

from __future__ import annotations

import re
from itertools import groupby

from ..models import Article, Block

_PARAGRAPH = Block()
# A paragraph that Markdown would read as something else: a heading, a quote, a list item,
# a fence, a table row, a thematic break. Its first character is escaped.
_LOOKS_STRUCTURAL = re.compile(r"(?:#{1,6}(?:\s|$)|>|[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|```|~~~|\||={3,}\s*$)")
_ITEM_MARK = re.compile(r"^(?:[-*•]\s+)")


def markdown_body(article: Article, links: bool = False) -> str:
    """The article's text as Markdown; `links` keeps the links of the body."""
    paragraphs = article.text.split("\n\n") if article.text else []
    blocks = article.blocks if len(article.blocks) == len(paragraphs) else (_PARAGRAPH,) * len(paragraphs)
    pieces = list(zip(paragraphs, blocks, strict=True))
    chunks: list[str] = []
    for family, run in groupby(pieces, key=lambda piece: _family(piece[1].kind)):
        group = list(run)
        if family == "table":
            chunks.append(_table(group, links))
        elif family in ("ul", "ol"):
            chunks.append("\n".join(_item(family, n, text, block, links) for n, (text, block) in enumerate(group, 1)))
        elif family == "quote":
            chunks.append("\n>\n".join("> " + _inline(text, block, links) for text, block in group))
        elif family == "row":
            chunks.append("\n".join(text for text, _ in group))
        else:
            chunks.extend(_single(text, block, links) for text, block in group)
    return "\n\n".join(chunks)


def _family(kind: str) -> str:
    """Consecutive blocks of one family make one Markdown element (a list, a table)."""
    if kind in ("th", "td"):
        return "table"
    if kind in ("ul", "ol", "quote", "row"):
        return kind
    return "single"


def _single(text: str, block: Block, links: bool) -> str:
    kind = block.kind
    if len(kind) == 2 and kind[0] == "h" and kind[1].isdigit():
        return "#" * int(kind[1]) + " " + _inline(text, block, links)
    if kind == "pre":
        return "```\n" + text + "\n```"
    body = _inline(text, block, links)
    return "\\" + body if _LOOKS_STRUCTURAL.match(body) else body


def _item(kind: str, number: int, text: str, block: Block, links: bool) -> str:
    text = _ITEM_MARK.sub("", text, count=1)  # the extractors write "- item"
    return ("- " if kind == "ul" else f"{number}. ") + _inline(text, block, links)


def _table(cells: list[tuple[str, Block]], links: bool) -> str:
    """Table cells (one paragraph each, `row` telling which share a row) as a pipe table;
    the first row is the header, as Markdown requires one."""
    rows = [[_cell(text, block, links) for text, block in run] for _, run in groupby(cells, key=lambda c: c[1].row)]
    width = max(len(row) for row in rows)
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _cell(text: str, block: Block, links: bool) -> str:
    return _inline(text, block, links).replace("|", "\\|")


def _inline(text: str, block: Block, links: bool) -> str:
    """The text with its links as [text](href), each at its first place after the last."""
    if not links or not block.links:
        return text
    out, at = [], 0
    for anchor, href in block.links:
        found = text.find(anchor, at)
        if found < 0:
            continue
        target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
        label = anchor.replace("[", "\\[").replace("]", "\\]")
        out += [text[at:found], f"[{label}]({target})"]
        at = found + len(anchor)
    return "".join(out) + text[at:]
