"""A byline that is a name alone under the headline ("<h1>…</h1><p>Anna Keller</p>"). No I/O.

Some pages mark their byline with no class, no author link and no "By": the writer's name
stands alone in the block under the headline. candidates.py asks here only when the page
credits no one otherwise, and meta/authors.py still checks that the name reads as a person's.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config import SiteRule
from .bylines import looks_like_name

_BLOCKS = 2  # blocks under the headline a bare name may stand in (after a kicker or a dek)
_MAX_CHARS = 40
_MIN_WORDS, _MAX_WORDS = 2, 4  # a full name: one word alone is a label ("Politik")


def headline_node(tree: LexborHTMLParser, scope: LexborNode | None, site: SiteRule | None) -> LexborNode | None:
    """The page's headline element: the site's title selector, else the article's h1."""
    if site and site.title and (node := tree.css_first(site.title)) is not None:
        return node
    return (scope.css_first("h1") if scope is not None else None) or tree.css_first("h1")


def bare_name_under(headline: LexborNode | None) -> str | None:
    """The first of the next blocks after the headline (or after its wrapper) whose whole
    text is a person's full name, if any."""
    node = headline
    for _ in range(2):  # the headline's own next blocks, then its wrapper's
        if node is None:
            return None
        seen, sibling = 0, node.next
        while sibling is not None and seen < _BLOCKS:
            text = " ".join((sibling.text(deep=True, separator=" ") or "").split())
            if not (sibling.tag or "-").startswith("-") and text:
                seen += 1
                if len(text) <= _MAX_CHARS and _MIN_WORDS <= len(text.split()) <= _MAX_WORDS \
                        and looks_like_name(text):
                    return text
            sibling = sibling.next
        node = node.parent
    return None
