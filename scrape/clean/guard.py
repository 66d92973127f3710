"""The rule every removal in the pruning pass obeys: none may take the article.

A block is the article, for this purpose, when it holds most of the page's running text:
characters outside links, spaces left out. Counting text outside links, not <p> text, keeps
the measure honest on pages that write their paragraphs between <br>s in a <div> or a table
cell (an ASP.NET page wrapped whole in one <form>), and leaves menus and teaser lists,
which are mostly links, at nothing. A refused removal is recorded for --explain as
"refused:<rule>" and logged at debug level. No I/O.
"""

from __future__ import annotations

import logging

from selectolax.lexbor import LexborNode

from ..models import Removal
from .lines import snippet

log = logging.getLogger(__name__)

_MOST = 0.5  # a block holding this share of the page's running text is the article
_SMALL = 200  # blocks with fewer characters of text are never the article worth guarding
# A block with less than this share of all the page's text (links included) cannot hold
# most of its running text unless the rest of the page is nearly all links.
_SHARE_OF_ALL = 0.25


def _solid(text: str) -> int:
    """Characters that are not white space."""
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")


_SNIPPET_WORDS = 200  # more words than any snippet shows


def node_snippet(node: LexborNode) -> str:
    """`snippet(node_text(node))`, what --explain shows of a removed block, without collapsing
    the white space of all of a long block's text (a page's navigation, a form around it)."""
    words = node.text(deep=True, separator=" ").split(None, _SNIPPET_WORDS)
    return snippet(" ".join(words[:_SNIPPET_WORDS]))


def running_chars(node: LexborNode) -> int:
    """Characters of text under the node outside links, spaces left out (link text has
    few spaces: it is counted whole, which is cheaper)."""
    links = sum(len(a.text(deep=True)) for a in node.css("a"))
    return max(_solid(node.text(deep=True)) - links, 0)


class ArticleGuard:
    """Tells whether a block holds the article, against the page's text measured once,
    when first needed (after the removals made before, which took only noise)."""

    def __init__(self, root: LexborNode | None, removed: list[Removal]) -> None:
        self._root = root
        self._removed = removed
        self._all: int | None = None
        self._running: int | None = None

    def _page_all(self) -> int:
        if self._all is None:
            self._all = _solid(self._root.text(deep=True)) if self._root is not None else 0
        return self._all

    def _page_running(self) -> int:
        if self._running is None:
            self._running = running_chars(self._root) if self._root is not None else 0
        return self._running

    def holds_article(self, node: LexborNode) -> bool:
        """Whether `node` holds most of the page's running text."""
        text = node.text(deep=True)
        if len(text) < _SMALL:
            return False  # fewer characters than that, and fewer solid ones still
        solid = _solid(text)
        # Cheap tests first: most blocks (menus, footers, widgets) hold a small part of the
        # page's text, links and all; only the rest have their links counted.
        if solid < _SMALL or solid < _SHARE_OF_ALL * self._page_all():
            return False
        return running_chars(node) >= _MOST * self._page_running()

    def refuses(self, node: LexborNode, rule: str) -> bool:
        """True, with the refusal recorded, when removing `node` would take the article."""
        if not self.holds_article(node):
            return False
        shown = node_snippet(node)
        self._removed.append(Removal(f"refused:{rule}", shown))
        log.debug("refused %s: the block holds most of the page's text (%s)", rule, shown)
        return True
