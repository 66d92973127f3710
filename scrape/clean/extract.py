"""Main text of a pruned page, read straight off the selectolax tree, where that is safe.

The article is the smallest element that holds nearly all of the page's prose (or most of
it, when that element is an <article> or is named as an article body). Its text is read in
document order as lines, broken where a browser breaks them, leaving out blocks named as
boilerplate (comments, share bars, related lists...) and lines or lists that are mostly
links. On the zyte pages it costs under 1 ms a page, against about 6 ms for trafilatura's
fast mode on the same pruned page. It declines (returns None) when the page has little
prose or when the chosen block is full of other things: cards, menus, teasers. The caller
then runs trafilatura. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config.lexicon import default_lexicon
from ..dom import ancestors, link_chars, node_text

_PROSE_MIN_CHARS = 80  # a paragraph this long is prose, not a label or a link
_PROSE_MAX_LINK_SHARE = 0.3  # more link text than this and it is a teaser, not prose
_MIN_PROSE_TOTAL = 400  # less prose than this on the page: too little to be sure
_CONTAINER_SHARE = 0.85  # the container holds this share of the page's prose...
_ARTICLE_SHARE = 0.5  # ...or this share, when it is an <article> or an article body
_GUARD_SHARE = 0.5  # an element named like boilerplate but holding this much prose is kept
# The container's prose over its raw text (with the whitespace between tags, which grows
# with the number of elements). Below this it is full of small blocks: cards, menus, bars,
# which trafilatura sorts out better. Measured on the corpora: 0.45 let in pages that lost
# precision; 0.75 sent good pages to trafilatura for nothing. When no element below <body>
# holds the prose, the page is more often a mix of stories: a stricter bar.
_MIN_DENSITY = 0.5
_MIN_BODY_DENSITY = 0.6
_SHORT_LINE = 100  # a line shorter than this is dropped at 70% link text, a longer one at 90%
_SHORT_LINK_SHARE = 0.7
_LONG_LINK_SHARE = 0.9
_LIST_LINK_SHARE = 0.6  # a list with more link text than this is a list of links

_BLOCK = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section summary "
    "table tbody thead tfoot tr td th ul caption".split()
)
# Never article text (the pruning pass removed most already; a site's own rules may not).
_SKIP = frozenset(
    "script style noscript template svg iframe object embed canvas form button select input "
    "textarea figure figcaption picture video audio map nav aside footer menu head title math "
    "img source track area link meta".split()
)
# Elements whose own text (not their children's) can be a paragraph: older templates write
# paragraphs straight into a <div> or a cell, separated by <br>.
_LOOSE_TEXT_HOLDERS = "div, td, section, article, main, center, font, blockquote, div > span"
_LISTS = frozenset(("ul", "ol"))
_CAPTION_HOLDERS = frozenset(("p", "div"))
_CAPTION_MAX_CHARS = 250  # an image's block with less text than this is a captioned picture
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())

# Class and id words of blocks that are never the article: comments, share and follow bars,
# related and popular lists, tags, author boxes and bylines, ads, newsletter and consent
# boxes, navigation, captions and photos, elements hidden by a class. Mostly the families
# trafilatura discards, as one expression (the words are the lexicon's boilerplate_class).
_LEXICON = default_lexicon()
_BOILERPLATE = re.compile(_LEXICON.alternation("boilerplate_class"), re.IGNORECASE)
# Class and id words of the block that holds an article's text.
_ARTICLE_BODY = re.compile(_LEXICON.alternation("article_body_class"), re.IGNORECASE)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MEMO_LIMIT = 50_000  # class and id strings remembered; pages of one site repeat them


_memo: dict[str, bool] = {}


def forget() -> None:
    """Drop the class-name memo (benchmarks use it to time pages as if never seen)."""
    _memo.clear()


def _marked(node: LexborNode) -> bool:
    """Whether the element's class or id names a boilerplate block, or its style hides it."""
    attrs = node.attributes
    style = attrs.get("style")
    if style and _HIDDEN.search(style):
        return True
    for key in ("class", "id"):
        value = attrs.get(key)
        if value:
            hit = _memo.get(value)
            if hit is None:
                if len(_memo) > _MEMO_LIMIT:
                    _memo.clear()
                hit = _memo[value] = bool(_BOILERPLATE.search(value))
            if hit:
                return True
    return False


def _prose_blocks(body: LexborNode) -> Iterator[tuple[LexborNode, int]]:
    """Paragraphs of prose with their length: <p> elements, and the text written straight
    into a <div> or a table cell (older templates separate paragraphs with <br>)."""
    for p in body.css("p"):
        text = node_text(p)
        if len(text) >= _PROSE_MIN_CHARS:
            if link_chars(p) <= _PROSE_MAX_LINK_SHARE * len(text):
                yield p, len(text)
    for block in body.css(_LOOSE_TEXT_HOLDERS):
        size = len(block.text(deep=False).strip())
        if size >= _PROSE_MIN_CHARS:
            yield block, size


def _prose_weights(body: LexborNode) -> tuple[dict[int, int], int, dict[int, LexborNode]]:
    """Prose characters under each element, summed up from the prose paragraphs outside
    boilerplate blocks. A block named like boilerplate that holds most of the prose is the
    article all the same (a "has-sidebar" page wrapper, say)."""
    paragraphs: list[tuple[int, list[int]]] = []
    everything: dict[int, int] = {}
    marked: set[int] = set()
    seen: dict[int, LexborNode] = {}
    for p, size in _prose_blocks(body):
        chain = []
        node = p.parent if p.tag == "p" else p
        while node is not None and node.tag != "html":
            key = node.mem_id
            if key not in seen:
                seen[key] = node
                if _marked(node):
                    marked.add(key)
            chain.append(key)
            everything[key] = everything.get(key, 0) + size
            node = node.parent
        paragraphs.append((size, chain))
    guard = _GUARD_SHARE * sum(size for size, _ in paragraphs)
    weights: dict[int, int] = {}
    total = 0
    for size, chain in paragraphs:
        if any(key in marked and everything[key] < guard for key in chain):
            continue
        total += size
        for key in chain:
            weights[key] = weights.get(key, 0) + size
    return weights, total, seen


def _container(body: LexborNode, weights: dict[int, int], total: int, nodes: dict[int, LexborNode]) -> LexborNode:
    """Walk down from body while one child still holds nearly all the prose, or holds most
    of it and is an <article> or is marked as the article's body: the prose around an
    article is then other stories' teasers. Not when another block of its kind holds
    prose too: that is an article body cut into chunks (to put ads between them)."""
    node = body
    while True:
        best = None
        for child in node.iter():
            weight = weights.get(child.mem_id, 0)
            if weight >= _CONTAINER_SHARE * total:
                best = child
            elif weight >= _ARTICLE_SHARE * total and _is_article(child) and not _chunked(child, weights, nodes):
                best = child
            if best is not None:
                break
        if best is None:
            return node
        node = best


def _kind(node: LexborNode) -> tuple[str, str]:
    classes = (node.attributes.get("class") or "").split()
    return node.tag or "", classes[0] if classes else ""


def _chunked(block: LexborNode, weights: dict[int, int], nodes: dict[int, LexborNode]) -> bool:
    """Whether prose also sits in another block of the same tag and first class, outside
    this one."""
    kind = _kind(block)
    inside = weights[block.mem_id]
    for key, node in nodes.items():
        if key != block.mem_id and weights.get(key, 0) and weights[key] < inside and _kind(node) == kind:
            if all(a.mem_id != block.mem_id for a in ancestors(node)):
                return True
    return False


def _is_article(node: LexborNode) -> bool:
    """An <article> (not a list of them), or a block marked as an article's body."""
    if node.tag == "article":
        return len(node.css("article")) == 1  # the css() matches include the node itself
    attrs = node.attributes
    if attrs.get("itemprop") == "articleBody":
        return True
    return any(_ARTICLE_BODY.search(value) for key in ("class", "id") if (value := attrs.get(key)))


class _Lines:
    """Text runs gathered into lines; a block boundary or <br> ends the line."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int, str]] = []  # text, link characters, block tag
        self._parts: list[str] = []
        self._links = 0

    def add(self, text: str, in_link: bool) -> None:
        self._parts.append(text)
        if in_link:
            self._links += len(text.strip())

    def end(self, tag: str) -> None:
        if self._parts:
            text = " ".join("".join(self._parts).split())
            if text:
                self.lines.append((text, self._links, tag))
        self._parts = []
        self._links = 0


class _Walker:
    """Reads the container's text into lines, skipping what is never the article's."""

    def __init__(self, weights: dict[int, int], total: int) -> None:
        self.out = _Lines()
        self._weights = weights
        self._guard = _GUARD_SHARE * total

    def walk(self, node: LexborNode, block: str, in_link: bool) -> None:
        out = self.out
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                out.add(child.text_content or "", in_link)
            elif tag in _SKIP or tag == "-comment":
                continue
            elif tag == "br":
                out.end(block)
            elif _marked(child) and self._weights.get(child.mem_id, 0) < self._guard:
                continue
            elif tag in _BLOCK:
                if (tag in _LISTS and _link_list(child)) or (tag in _CAPTION_HOLDERS and _captioned_image(child)):
                    continue
                out.end(block)
                self.walk(child, tag, in_link)
                out.end(tag)
            else:
                self.walk(child, block, in_link or tag == "a")


def _link_list(node: LexborNode) -> bool:
    """A list that is mostly links: related stories, tags, "more from" menus."""
    text = len(node_text(node))
    if not text:
        return False
    return link_chars(node) > _LIST_LINK_SHARE * text


def _captioned_image(node: LexborNode) -> bool:
    """A picture with a line under it: <p><img><br><em>Caption. Photo: agency</em></p>."""
    return node.css_first("img") is not None and len(node_text(node)) < _CAPTION_MAX_CHARS


def _keep(text: str, links: int, tag: str) -> bool:
    """Drop lines that are mostly link text: short ones (menus, "read more", a related-story
    box) at 70%, long ones only when nearly all link (a farm of teaser links). Headings stay:
    a linked subhead is still the article's."""
    if tag in _HEADINGS:
        return True
    if len(text) < _SHORT_LINE:
        return links <= _SHORT_LINK_SHARE * len(text)
    return links <= _LONG_LINK_SHARE * len(text)


def extract_lines(tree: LexborHTMLParser) -> list[str] | None:
    """The main text's lines, or None when the page is not clear enough to be sure."""
    body = tree.body
    if body is None:
        return None
    weights, total, nodes = _prose_weights(body)
    if total < _MIN_PROSE_TOTAL:
        return None
    container = _container(body, weights, total, nodes)
    density = weights.get(container.mem_id, 0) / max(len(container.text()), 1)
    if density < (_MIN_BODY_DENSITY if container.tag == "body" else _MIN_DENSITY):
        return None
    walker = _Walker(weights, total)
    tag = container.tag or ""
    try:
        walker.walk(container, tag, False)
    except RecursionError:  # markup nested deeper than Python recurses: trafilatura's turn
        return None
    walker.out.end(tag)
    lines = []
    for text, links, tag in walker.out.lines:
        if _keep(text, links, tag) and any(ch.isalnum() for ch in text):
            lines.append("- " + text if tag == "li" else text)
    return lines or None
