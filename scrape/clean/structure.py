"""The structure of an article's text: which paragraphs are headings, list items, quotes,
preformatted text or table cells and rows, and the links in each.

Read off the pruned tree once the text is extracted, and matched to the text's paragraphs
by their text (spaces aside, since an extractor may space inline elements differently), so
that it holds whichever extractor read the text. Read only with `clean.structure` (Markdown
output turns it on); `Article.text` is the same with it or without it. No I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..dom import node_text
from ..models import Block

PARAGRAPH = Block()
_HEADINGS = "h1, h2, h3, h4, h5, h6"
# Elements whose text is a paragraph of its own, for finding which paragraph holds a link.
_PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote pre th td dd dt figcaption div".split())
_TABLE_RULE = re.compile(r"\|(?:\s*:?-+:?\s*\|)+")  # "|---|---|" under a table's header row
_NOT_LINKS = ("javascript:", "#", "data:")


def _key(text: str) -> str:
    return "".join(text.split())


def read_structure(tree: LexborHTMLParser, url: str | None = None) -> tuple[tuple[str, Block], ...]:
    """The kind and links of each structural block of a pruned page, keyed by its text
    (without spaces); the first block with a given text wins."""
    body = tree.body
    if body is None:
        return ()
    kinds: dict[str, Block] = {}
    for node in body.css(_HEADINGS):
        kinds.setdefault(_key(node_text(node)), Block(node.tag or "h2"))
    for node in body.css("li"):
        kind = Block("ol" if node.parent is not None and node.parent.tag == "ol" else "ul")
        text = _key(node_text(node))
        kinds.setdefault("-" + text, kind)  # the extractors write "- item"
        kinds.setdefault(text, kind)
    for quote in body.css("blockquote"):
        for node in quote.css("p") or [quote]:
            kinds.setdefault(_key(node_text(node)), Block("quote"))
    for node in body.css("pre"):
        kinds.setdefault(_key(node_text(node)), Block("pre"))
    _read_tables(body, kinds)
    links = _links(body, url)
    for key, found in links.items():
        kinds[key] = Block(kinds.get(key, PARAGRAPH).kind, tuple(found), kinds.get(key, PARAGRAPH).row)
    return tuple((key, block) for key, block in kinds.items() if key)


def _read_tables(body: LexborNode, kinds: dict[str, Block]) -> None:
    """Each cell (own reading: one paragraph a cell) and each row ("| a | b |": trafilatura)."""
    for number, row in enumerate(body.css("tr")):
        cells = [cell for cell in row.css("th, td") if cell.parent is not None and cell.parent.mem_id == row.mem_id]
        texts = [node_text(cell) for cell in cells]
        for cell, text in zip(cells, texts, strict=True):
            kinds.setdefault(_key(text), Block(cell.tag or "td", row=number))
        if texts:
            kinds.setdefault(_key("| " + " | ".join(texts) + " |"), Block("row"))


def _links(body: LexborNode, url: str | None) -> dict[str, list[tuple[str, str]]]:
    """(text, href) of every link, by the text of the paragraph-like element that holds it."""
    found: dict[str, list[tuple[str, str]]] = {}
    holders: dict[int, str] = {}
    for anchor in body.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        text = node_text(anchor)
        if not href or not text or href.lower().startswith(_NOT_LINKS):
            continue
        holder = anchor.parent
        while holder is not None and holder.tag not in _PARAGRAPH_TAGS:
            holder = holder.parent
        if holder is None:
            continue
        key = holders.get(holder.mem_id)
        if key is None:
            key = holders[holder.mem_id] = _key(node_text(holder))
        found.setdefault(key, []).append((text, urljoin(url, href) if url else href))
    return found


def label_blocks(text: str, structure: tuple[tuple[str, Block], ...]) -> tuple[Block, ...]:
    """One Block per paragraph of `text` (paragraphs are separated by a blank line); all
    plain paragraphs when nothing is known of the page's structure (a text dump)."""
    if not text:
        return ()
    kinds = dict(structure)
    blocks = []
    for paragraph in text.split("\n\n"):
        block = kinds.get(_key(paragraph))
        if block is None:
            block = Block("row") if _TABLE_RULE.fullmatch(paragraph) else PARAGRAPH
        blocks.append(block)
    return tuple(blocks)
