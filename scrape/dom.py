"""Small helpers over the selectolax (Lexbor) tree, shared by the cleaning stages. No I/O."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from selectolax.lexbor import LexborNode


def node_text(node: LexborNode) -> str:
    """The node's text, whitespace collapsed."""
    return " ".join(node.text(deep=True, separator=" ").split())


def link_chars(node: LexborNode) -> int:
    """Characters of link text under the node: how much of it is a pointer elsewhere."""
    return sum(len(node_text(a)) for a in node.css("a"))


def paragraph_chars(node: LexborNode) -> int:
    """Characters of <p> text under the node: how much article prose it holds."""
    return sum(len(p.text(deep=True)) for p in node.css("p"))


def ancestors(node: LexborNode, levels: int | None = None, self_too: bool = False) -> Iterator[LexborNode]:
    """The node's parent, grandparent... (the node first with `self_too`), `levels` at most."""
    current = node if self_too else node.parent
    while current is not None and (levels is None or levels > 0):
        yield current
        current = current.parent
        if levels is not None:
            levels -= 1


def find_ancestor(node: LexborNode, test: Callable[[LexborNode], bool], levels: int | None = None,
                  self_too: bool = False) -> LexborNode | None:
    """The nearest ancestor passing `test`, within `levels`; None when there is none."""
    return next((a for a in ancestors(node, levels, self_too) if test(a)), None)


def ancestor_ids(node: LexborNode, levels: int) -> set[int]:
    """The ids of the node's nearest `levels` ancestors."""
    return {a.mem_id for a in ancestors(node, levels)}


def css_class(node: LexborNode) -> str:
    return (node.attributes.get("class") or "").lower()


CANONICAL_REACH = 65536  # characters of a page's start searched for its canonical link
_CANONICAL_TAG = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def canonical_href(page: str) -> str | None:
    """The href of a page's `<link rel=canonical>` as written (entities decoded), found in
    its first CANONICAL_REACH characters without parsing the page; None when there is none."""
    tag = _CANONICAL_TAG.search(page, 0, CANONICAL_REACH)
    href = _HREF.search(tag.group(0)) if tag else None
    if href is None:
        return None
    return html.unescape(next(g for g in href.groups() if g is not None)).strip() or None
