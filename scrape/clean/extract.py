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
from .flow import head_elements, headline_before

_PROSE_MIN_CHARS = 80  # a paragraph this long is prose, not a label or a link
_PROSE_MAX_LINK_SHARE = 0.3  # more link text than this and it is a teaser, not prose
_MIN_PROSE_TOTAL = 400  # less prose than this on the page: too little to be sure
_CONTAINER_SHARE = 0.85  # the container holds this share of the page's prose...
_ARTICLE_SHARE = 0.5  # ...or this share, when it is an <article> or an article body
_GUARD_SHARE = 0.5  # an element named like boilerplate but holding this much prose is kept
# ...or this much, when its boilerplate words are only the names of the tags it is filed
# under: a post's own container, beside readers' comments that outweigh it.
_FILED_GUARD_SHARE = 0.25
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
_HEAD_REPEAT_REACH = 5  # a standfirst the body repeats does so in its first paragraphs
_DESCRIBED_SHARE = 0.6  # this share of a line's words in the page's description: it is the standfirst
_HEAD_MIN_WORDS = 5  # shorter lines between the headline and the body are kickers, labels, stamps

# Class and id words of blocks that are never the article: comments, share and follow bars,
# related and popular lists, tags, author boxes and bylines, ads, newsletter and consent
# boxes, navigation, captions and photos, elements hidden by a class. Mostly the families
# trafilatura discards, as one expression (the words are the lexicon's boilerplate_class).
_LEXICON = default_lexicon()
_BOILERPLATE = re.compile(_LEXICON.alternation("boilerplate_class"), re.IGNORECASE)
# The same, case-sensitive, for lower-cased ASCII names: three times faster than ignoring
# case, and the same matches when the pattern is plain ASCII with no capital letter, no
# character escape (a "\x41" is one) and no inline flag (see _is_boilerplate).
_CASED = re.compile(r"[A-Z]|\\[xuUN0-7]|\(\?[aiLmsux-]")
_BOILERPLATE_LOWER = (re.compile(_BOILERPLATE.pattern)
                      if _BOILERPLATE.pattern.isascii() and not _CASED.search(_BOILERPLATE.pattern) else None)
# Class and id words of the block that holds an article's text.
_ARTICLE_BODY = re.compile(_LEXICON.alternation("article_body_class"), re.IGNORECASE)
# A post's own container (WordPress post_class, Ghost), and the taxonomy classes on it.
_POST_CONTAINER = re.compile(r"(?:^|\s)(?:hentry|post-\d+)(?:\s|$)")
_TERM_CLASS = re.compile(r"(?:^|\s)(?:tag|category|post_tag|format|status)-\S+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MEMO_LIMIT = 50_000  # class and id strings remembered; pages of one site repeat them


_memo: dict[str, int] = {}  # class or id string -> what it says (_NO_HINT, _HINT, _FILED_HINT)


def forget() -> None:
    """Drop the class-name memo (benchmarks use it to time pages as if never seen)."""
    _memo.clear()


def _hidden(attrs: dict[str, str | None]) -> bool:
    """Whether an element's style (of its `attributes`) hides it."""
    style = attrs.get("style")
    return bool(style and _HIDDEN.search(style))


_NO_HINT, _HINT, _FILED_HINT = 0, 1, 2


def _hint(attrs: dict[str, str | None]) -> int:
    """What an element's class and id (of its `attributes`) say: nothing, a boilerplate
    block, or a boilerplate word only in the terms a post is filed under."""
    found = _NO_HINT
    for key in ("class", "id"):
        value = attrs.get(key)
        if value:
            hit = _memo.get(value)
            if hit is None:
                if len(_memo) > _MEMO_LIMIT:
                    _memo.clear()
                hit = _memo[value] = _read_hint(value)
            if hit == _HINT:
                return hit
            found = max(found, hit)
    return found


def _read_hint(value: str) -> int:
    """WordPress and Ghost give a post's container a class per tag and category ("post-41
    hentry category-social tag-sponsored"): a term's name says nothing about the block."""
    if not _is_boilerplate(value):
        return _NO_HINT
    if _POST_CONTAINER.search(value) is None or _is_boilerplate(_TERM_CLASS.sub(" ", value)):
        return _HINT
    return _FILED_HINT


def _is_boilerplate(value: str) -> bool:
    """Whether a class or id names a boilerplate block (_BOILERPLATE, ignoring case)."""
    if _BOILERPLATE_LOWER is not None and value.isascii():
        return _BOILERPLATE_LOWER.search(value.lower()) is not None
    return _BOILERPLATE.search(value) is not None


def _in_running_text(node: LexborNode) -> bool:
    """Whether text runs on either side of the element: a word of a sentence (an auto-tag
    link on a name, a highlighted phrase), not a block of its own."""
    for sibling in (node.prev, node.next):
        if sibling is not None and sibling.tag == "-text" and (sibling.text_content or "").strip():
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
    filed: set[int] = set()  # posts whose only boilerplate words are their tags' names
    seen: dict[int, LexborNode] = {}
    up: dict[int, int | None] = {}  # each seen element's parent (None: the top, below <html>)
    for p, size in _prose_blocks(body):
        chain = _chain(p.parent if p.tag == "p" else p, seen, up, marked, filed)
        for key in chain:
            everything[key] = everything.get(key, 0) + size
        paragraphs.append((size, chain))
    every = sum(size for size, _ in paragraphs)
    guard, filed_guard = _GUARD_SHARE * every, _FILED_GUARD_SHARE * every
    weights: dict[int, int] = {}
    total = 0
    for size, chain in paragraphs:
        if any((key in marked and everything[key] < guard) or (key in filed and everything[key] < filed_guard)
               for key in chain):
            continue
        total += size
        for key in chain:
            weights[key] = weights.get(key, 0) + size
    return weights, total, seen


def _chain(node: LexborNode | None, seen: dict[int, LexborNode], up: dict[int, int | None], marked: set[int],
           filed: set[int]) -> list[int]:
    """The ids of `node` and its ancestors below <html>. Elements met for the first time are
    added to `seen`, with their parent in `up` and what their class says; the rest of the
    way up is read off `up` (paragraphs share most of their ancestors: reading each from the
    tree again made most of this stage's time)."""
    fresh: list[int] = []
    known: int | None = None  # the first ancestor seen before
    while node is not None and node.tag != "html":
        key = node.mem_id
        if key in seen:
            known = key
            break
        seen[key] = node
        attrs = node.attributes
        if _hidden(attrs) or (hint := _hint(attrs)) == _HINT:
            marked.add(key)
        elif hint == _FILED_HINT:
            filed.add(key)
        fresh.append(key)
        node = node.parent
    if fresh:
        for below, above in zip(fresh, [*fresh[1:], known], strict=True):
            up[below] = above
    chain = fresh
    while known is not None:
        chain.append(known)
        known = up[known]
    return chain


def _container(body: LexborNode, weights: dict[int, int], total: int, nodes: dict[int, LexborNode]) -> LexborNode:
    """Walk down from body while one child still holds nearly all the prose, or holds most
    of it and is an <article> or is marked as the article's body: the prose around an
    article is then other stories' teasers. Not into a block when another block of its
    kind holds prose too: that is an article body cut into chunks (to put ads or a paywall
    between them), and the chunks are read together from where they meet."""
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


def _chunks(block: LexborNode, weights: dict[int, int]) -> list[LexborNode]:
    """The block with its siblings of the same tag and classes that hold prose too, in
    page order: a body cut in pieces around an ad slot or before a paywall."""
    classes = block.attributes.get("class")
    parent = block.parent
    if not classes or parent is None:
        return [block]
    return [child for child in parent.iter() if child.mem_id == block.mem_id or (
        weights.get(child.mem_id, 0) and child.tag == block.tag and child.attributes.get("class") == classes)]


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

    def __init__(self, weights: dict[int, int], total: int, described: frozenset[str] = frozenset()) -> None:
        self.out = _Lines()
        self._weights = weights
        self._guard = _GUARD_SHARE * total
        self._described = described

    def walk(self, node: LexborNode, block: str, in_link: bool) -> None:
        for child in node.iter(include_text=True):
            self.visit(child, block, in_link)

    def visit(self, child: LexborNode, block: str, in_link: bool) -> None:
        """Read one node of the container (and what it holds) into lines."""
        out = self.out
        tag = child.tag or ""
        if tag == "-text":
            out.add(child.text_content or "", in_link)
        elif tag in _SKIP or tag == "-comment":
            return
        elif tag == "br":
            out.end(block)
        elif self._left_out(child, tag):
            return
        elif tag in _BLOCK:
            if (tag in _LISTS and _link_list(child)) or (tag in _CAPTION_HOLDERS and _captioned_image(child)):
                return
            out.end(block)
            self.walk(child, tag, in_link)
            out.end(tag)
        else:
            self.walk(child, block, in_link or tag == "a")

    def _left_out(self, node: LexborNode, tag: str) -> bool:
        """Hidden by its style, or named as boilerplate by its class or id. A class hint
        never takes a block that holds most of the prose, an inline element inside running
        text (a name behind an auto-tag link), or the block that is the page's summary
        (a standfirst classed as a "teaser")."""
        attrs = node.attributes
        if _hidden(attrs):
            return True
        if _hint(attrs) == _NO_HINT or self._weights.get(node.mem_id, 0) >= self._guard:
            return False
        if tag not in _BLOCK and _in_running_text(node):
            return False
        return not (self._described and _describes(node_text(node), self._described))


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


def extract_lines(tree: LexborHTMLParser, description: str | None = None) -> list[str] | None:
    """The main text's lines, or None when the page is not clear enough to be sure.
    `description` is the page's summary (meta description): the standfirst repeats it."""
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
    try:
        described = frozenset((description or "").casefold().split())
        chunks = _chunks(container, weights)
        head = _head_lines(body, chunks[0], weights, total, described)
        walker = _Walker(weights, total, described)
        for chunk in chunks:
            tag = chunk.tag or ""
            walker.walk(chunk, tag, False)
            walker.out.end(tag)
    except RecursionError:  # markup nested deeper than Python recurses: trafilatura's turn
        return None
    lines = _kept_lines(walker.out.lines)
    if head:
        opening = " ".join(" ".join(lines[:_HEAD_REPEAT_REACH]).casefold().split())
        seen: set[str] = set()  # a standfirst printed twice (a subtitle and a summary) is read once
        for line in head:
            key = " ".join(line.casefold().split())
            if key not in opening and key not in seen:
                seen.add(key)
                lines.insert(len(seen) - 1, line)
    return lines or None


def read_block(tree: LexborHTMLParser, block: LexborNode) -> list[str]:
    """One block of the pruned page read as the article's (a fallback: the block a page
    marks as its article body, when the reading found much less)."""
    body = tree.body
    if body is None:
        return []
    weights, total, _ = _prose_weights(body)
    walker = _Walker(weights, total)
    tag = block.tag or ""
    try:
        walker.walk(block, tag, False)
    except RecursionError:
        return []
    walker.out.end(tag)
    return _kept_lines(walker.out.lines)


def _kept_lines(raw: list[tuple[str, int, str]]) -> list[str]:
    lines = []
    for text, links, tag in raw:
        if _keep(text, links, tag) and any(ch.isalnum() for ch in text):
            lines.append("- " + text if tag == "li" else text)
    return lines


def _head_lines(body: LexborNode, container: LexborNode, weights: dict[int, int], total: int,
                described: frozenset[str]) -> list[str]:
    """The article's head outside its body block: what sits between the headline and the
    body (standfirst, lead), read like the body."""
    headline = headline_before(body, container)
    if headline is None:
        return []
    walker = _Walker(weights, total, described)
    for node in head_elements(headline, container):
        walker.visit(node, "div", False)
        walker.out.end("div")
    return [line for line in _kept_lines(walker.out.lines) if len(line.split()) >= _HEAD_MIN_WORDS
            and (_share_in(line, described) >= _DESCRIBED_SHARE or _sentence_like(line))]


_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")
_STAMP = re.compile(r"\b(?:19|20)\d\d\b|\d:\d\d|\d[./]\d{1,2}[./]\d")


def _sentence_like(line: str) -> bool:
    return (len(line.split()) >= 8 and not line.startswith("- ") and _SENTENCE_END.search(line) is not None
            and _STAMP.search(line) is None)


def _share_in(line: str, words: frozenset[str]) -> float:
    mine = line.casefold().split()
    return sum(w in words for w in mine) / max(len(mine), 1)


def _describes(text: str, described: frozenset[str]) -> bool:
    """Whether a block's text is the page's summary: nearly all its words are the
    description's, and it holds most of them."""
    mine = text.casefold().split()
    return len(mine) >= _HEAD_MIN_WORDS and len(mine) >= 0.5 * len(described) \
        and _share_in(text, described) >= _DESCRIBED_SHARE
