"""The selectolax pruning pass: remove what can never be article body before extraction.

In order: signup boxes (the small block around an e-mail field); the "selector" rules and the
site's `drop` selectors; then, block by block, text the noise rules recognise (ad labels,
promos, share bars: "line" rules), widgets led by a noise heading ("Trending on X Videos",
"Related stories": "heading" rules), teaser lists and one-link teaser paragraphs (by
structure), and byline blocks (parsed for their authors and date). (Doubled blocks, the
last step, are doubles.py's.) Everything removed is recorded as a `Removal` for `--explain`. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config import Config, NoiseRule, RuleSet
from ..dom import ancestors, css_class, find_ancestor, node_text, paragraph_chars
from ..meta.bylines import BY_PREFIX, Byline, has_date_label, parse_byline
from ..models import Removal
from .guard import ArticleGuard, node_snippet, running_chars
from .lines import AD_SLOT_RULE, PITCH_RULE, WIDGET_SHAPE_RULE, snippet
from .linescore import is_pitch_beside_button, names_the_ad_slot
from .lineshape import ends_sentence, is_heading_shaped, reads_as_headline, word_count

# Elements whose whole text is checked against "line" rules. Inline ones only count when
# they stand alone in their parent (so the word "ad" inside a sentence is never touched).
_BLOCK_TAGS = frozenset(
    "p div li ul ol section aside figcaption h2 h3 h4 h5 h6 header footer dd dt td center blockquote".split()
)
_INLINE_TAGS = frozenset("span strong small em b i label font cite".split())
_CANDIDATE_TAGS = _BLOCK_TAGS | _INLINE_TAGS
_CANDIDATES = ",".join(sorted(_CANDIDATE_TAGS))
_HEADING_TAGS = frozenset("h2 h3 h4 h5 h6 strong b header p span div".split())
# Headings proper: one a line rule calls noise ("Lesen Sie auch", "Veja também") is taken
# with the block of links or teaser cards it leads, as a widget heading is.
_WIDGET_HEADS = frozenset("h2 h3 h4 h5 h6".split())
_STRUCTURAL = frozenset(("teaser-list", "byline"))
_AD_LABEL_RULE = "ad-label"
_CARDS_MIN = 2  # found by structure, not by a heading's words
_LIST_TAGS = frozenset(("ul", "ol"))
_TEASER_CONTEXT = frozenset(("aside", "nav", "footer"))
# Containers never removed whole, whatever their text.
_KEEP_TAGS = frozenset(("html", "body", "main", "article", "-undef", "-document"))
# A widget container stops growing when it reaches this much text or holds real prose.
_WIDGET_MAX_CHARS = 1500
_WIDGET_PROSE_SLACK = 120  # chars of running text (not links, not headings) a widget may hold
_NON_PROSE_TAGS = frozenset(("a", "h1", "h2", "h3", "h4", "h5", "h6", "time", "figcaption", "button", "label"))
_TEASER_MIN_ITEMS = 3
_TEASER_ITEM_PROSE = 200  # a teaser card's description is a line or two, not a story
_NOISE_MAX_RAW_CHARS = 1000  # raw text (with markup whitespace) beyond which a block is not a label
# In the DOM, "line" rules look at blocks of up to this many words: longer noise (a long
# legal notice) is rare, costly to match on every paragraph of prose, and still meets the
# same rules in the line filter if the extraction keeps it.
_DOM_RULE_MAX_WORDS = 40
_BYLINE_MAX_CHARS = 160
_LABELLED_MAX_CHARS = 300  # a labelled ad: "Sponsored" and a link or two
_BOX_MAX_BLOCKS = 4  # a promo box: a title, a pitch, a button, a small print
_SIGNUP_MAX_CHARS = 500  # a signup box is a heading, a pitch and a field, not an article
_SIGNUP_MAX_LINKS = 3  # more links than this and the climb has reached a sidebar
# The page frame (header, footer, aside) is never removed holding this much paragraph text.
_GUARD_CHARS = 1200
_NOSCRIPT_MIN_CHARS = 200  # a <noscript> with less text is a notice or a pixel, not the article
_ALWAYS_SAFE = frozenset(("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"))
# Every date a byline prints has a year, a clock time or a numeric date.
_DATE_HINT = re.compile(r"\b(?:19|20)\d\d\b|\d:\d\d|\d\.\d\d|\d[./]\d{1,2}[./]\d")
_DIGIT = re.compile(r"\d")  # scanned for first: five times faster than the hint, and most blocks have none
_HEADINGS = "h1,h2,h3,h4,h5,h6"
# A teaser paragraph may carry a label beside its one link ("Read also:", "» Mehr dazu"):
# of this many words and characters at most, the link of this many words at least.
_LINK_LABEL_MAX_WORDS = 4
_LINK_LABEL_MAX_CHARS = 40
_LINK_TEASER_MIN_WORDS = 3
_LINK_TEASER_MAX_SPACES = 30  # the label and a headline: longer is a paragraph


def _stands_alone(node: LexborNode) -> bool:
    """True when the node's siblings hold no text: it is a block of its own, not a word in a sentence."""
    parent = node.parent
    if parent is None:
        return True
    child = parent.child
    while child is not None:
        if child.mem_id != node.mem_id:
            if child.tag == "-text":
                if (child.text_content or "").strip():
                    return False
            elif child.tag != "_comment" and child.text(deep=True).strip():
                return False
        child = child.next
    return True


def _in_caption(node: LexborNode) -> bool:
    """Inside a picture caption, where a span beside the caption text is its credit line."""
    return find_ancestor(node, lambda a: a.tag == "figcaption" or "caption" in css_class(a), levels=3) is not None


def _in_list_item(node: LexborNode) -> bool:
    return find_ancestor(node, lambda a: a.tag == "li", levels=4, self_too=True) is not None


def _in_teaser_context(node: LexborNode) -> bool:
    """The node is, or is inside, a sidebar, a navigation or the page's footer."""
    return find_ancestor(node, _is_teaser_context, self_too=True) is not None


def _is_teaser_context(node: LexborNode) -> bool:
    if node.tag == "footer":
        # An <article>'s own footer holds its author's line ("Posted by Alon Zakai.").
        return find_ancestor(node, lambda parent: parent.tag == "article") is None
    return node.tag in _TEASER_CONTEXT or node.attributes.get("role") in ("complementary", "navigation")


def _has_marked_ancestor(node: LexborNode, marked: Container[int]) -> bool:
    return any(a.mem_id in marked for a in ancestors(node))


def _holds_widgets(node: LexborNode) -> bool:
    """Whether the node holds several widgets (two headings, a list, many blocks): then its
    children are looked at one by one, for a "line" rule matching the whole text would take
    them all. A small promo box (a title, a pitch, a button) is still matched whole."""
    if node.css_first("ul, ol") is not None or len(node.css(_HEADINGS)) > 1:
        return True
    carrying = 0
    child = node.child
    while child is not None:
        if child.tag in _BLOCK_TAGS and child.text(deep=True).strip():
            carrying += 1
        child = child.next
    return carrying > _BOX_MAX_BLOCKS


def _only_child(node: LexborNode) -> bool:
    """No sibling elements, and no sibling text but whitespace."""
    child = node.parent.child if node.parent is not None else None
    while child is not None:
        if child.mem_id != node.mem_id and (child.tag != "-text" or (child.text_content or "").strip()):
            return False
        child = child.next
    return True


def drop_invisible(tree: LexborHTMLParser) -> None:
    """Scripts, styles, templates, embeds: never text, removed before anything reads text.
    A <noscript> goes too, unless it holds more text than the rest of the page: then it is
    the only readable copy of the article (a page its scripts render), and is opened."""
    for node in tree.css(",".join(sorted(_ALWAYS_SAFE - {"noscript"}))):
        node.decompose()
    body = tree.body
    fallbacks = body.css("noscript") if body is not None else []
    # Markup left as text (a parser that runs scripts reads <noscript> so) is never a page.
    sizes = [0 if "<" in node.text(deep=True) else running_chars(node) for node in fallbacks]
    rest = 0
    if body is not None and sizes and max(sizes) >= _NOSCRIPT_MIN_CHARS:
        rest = running_chars(body) - sum(sizes)
    for node, size in zip(fallbacks, sizes, strict=True):
        if size >= _NOSCRIPT_MIN_CHARS and size > rest:
            node.unwrap()
        else:
            node.decompose()
    for node in tree.css("noscript"):  # those in <head>
        node.decompose()


def drop_selectors(tree: LexborHTMLParser, selectors: Iterable[str], rule_name: str, removed: list[Removal],
                   guard: ArticleGuard, explain_with: Config | None = None) -> None:
    """Remove every element the CSS selectors match, never one holding the article (some
    sites wrap the whole page in a <form>, or mark the article aria-hidden while it loads).
    With `explain_with`, the noise the config's text rules find inside each removed element
    is listed too, under those rules' names."""
    for selector in selectors:
        try:
            nodes = tree.css(selector)
        except Exception:  # selectolax raises plain exceptions on bad selectors
            continue
        tag = selector.split("[")[0].split(".")[0]
        for node in nodes:
            if tag not in _ALWAYS_SAFE:
                if node.tag in _KEEP_TAGS or guard.refuses(node, rule_name):
                    continue
                if shown := node_snippet(node):
                    removed.append(Removal(rule_name, shown))
                    if explain_with is not None:
                        _explain_inside(node, explain_with, removed)
            node.decompose()


def _explain_inside(node: LexborNode, config: Config, removed: list[Removal]) -> None:
    """The labels, promos and widget headings inside a block removed whole, for --explain."""
    seen: set[str] = set()
    for block in node.css(_CANDIDATES):
        text = node_text(block)
        if not text or text in seen or text.count(" ") >= _DOM_RULE_MAX_WORDS:
            continue
        seen.add(text)
        rule = config.line_rules.match(text) or config.heading_rules.match(text)
        if rule is not None:
            removed.append(Removal(rule.name, snippet(text)))


def drop_page_frame(tree: LexborHTMLParser, removed: list[Removal], guard: ArticleGuard) -> None:
    """The page's own header, footer and asides, outside the article: never its text, and
    a quarter of what trafilatura would otherwise parse and walk. Kept when inside an
    <article> or <main>, when holding paragraphs of prose, or when holding the article
    (some sites misuse them)."""
    for node in tree.css("header, footer, aside"):
        if find_ancestor(node, lambda a: a.tag in ("article", "main")) or paragraph_chars(node) > _GUARD_CHARS \
                or guard.refuses(node, "page-frame"):
            continue
        if shown := node_snippet(node):
            removed.append(Removal("page-frame", shown))
        node.decompose()


def drop_signup_widgets(tree: LexborHTMLParser, removed: list[Removal], guard: ArticleGuard) -> None:
    """Newsletter and membership boxes: the small block around an e-mail field."""
    marked: dict[int, LexborNode] = {}
    for field in tree.css('input[type="email"], input[name*="email" i], input[placeholder*="mail" i]'):
        node = field
        while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
            parent = node.parent
            if (_text_longer_than(parent, _SIGNUP_MAX_CHARS) or len(parent.css("a")) > _SIGNUP_MAX_LINKS
                    or len(parent.css(_HEADINGS)) > 1 or guard.refuses(parent, "membership-promo")):
                break  # the parent holds other widgets too (a sidebar), or the article: stop at the box
            node = parent
        if node is not field and node.mem_id not in marked:
            marked[node.mem_id] = node
    for node in marked.values():
        if not _has_marked_ancestor(node, set(marked) - {node.mem_id}):
            if shown := node_snippet(node):
                removed.append(Removal("membership-promo", shown))
            node.decompose()


def _outermost_same_text(node: LexborNode, text: str, texts: dict[int, str | None]) -> LexborNode:
    """Climb to the largest ancestor whose text is still just `text` (the ad slot, not its
    label). `texts`: the blocks' texts read so far, not read again."""
    while (parent := node.parent) is not None and parent.tag not in _KEEP_TAGS:
        known = texts.get(parent.mem_id)
        if known is not None:
            if known != text:
                break
        elif not _collapses_to(parent.text(deep=True, separator=" "), text):
            break
        node = parent
    return node


def _collapses_to(raw: str, text: str) -> bool:
    """Whether `raw` with its white space collapsed is `text` (collapsed already). The first
    and last words first: a long block's text is then seldom split whole."""
    ends = raw.split(None, 1)
    if not ends:
        return not text
    if ends[0] != text.split(" ", 1)[0] or raw.rsplit(None, 1)[-1] != text.rsplit(" ", 1)[-1]:
        return False
    return " ".join(raw.split()) == text


def _prose_chars(node: LexborNode, limit: int, known: tuple[LexborNode, int] | None = None) -> int:
    """Characters of running text in `node`: text outside links and headings, counted up
    to just past `limit` (all callers ask whether there is more than that, and the node
    may hold a whole article). `known`: a child of `node` and its own count (no more than
    `limit`), which is not walked again.

    Teaser lists and "most read" boxes are made of links and card headings; an article
    is made of prose. This tells them apart without looking at class names.
    """
    # Depth first in page order, never into a link or a heading (what they hold is not
    # prose, however deep): no climb from each text back up to `node`.
    total, skip = 0, None
    if known is not None:
        skip = known[0].mem_id
        total = 0 if known[0].tag in _NON_PROSE_TAGS else known[1]  # (a link's text is no prose here)
    below: list[LexborNode | None] = []  # where to go on once a subtree is done
    child = node.child
    while child is not None or below:
        if child is None:
            child = below.pop()
            continue
        if skip is not None and child.mem_id == skip:
            child = child.next  # counted already
            continue
        tag = child.tag
        if tag == "-text":
            value = child.text_content
            if value and not value.isspace():
                total += len(value.strip())
                if total > limit:
                    break
        elif tag not in _NON_PROSE_TAGS and (first := child.child) is not None:
            below.append(child.next)
            child = first
            continue
        child = child.next
    return total


def _teaser_items(node: LexborNode) -> list[LexborNode]:
    """The items of a list, or the child elements of a block of cards."""
    if node.tag in _LIST_TAGS:
        return [li for li in node.iter() if li.tag == "li"]
    return [child for child in node.iter() if child.tag != "-text" and child.text(deep=True).strip()]


def _is_teaser_list(node: LexborNode) -> bool:
    """At least three items, each led by a link of a few words (a headline), each with at
    most a line or two of description: a related-stories list or a block of cards."""
    items = _teaser_items(node)
    if len(items) < _TEASER_MIN_ITEMS:
        return False
    led_by_link = 0
    for item in items:
        link = item.css_first("a") if item.tag != "a" else item
        link_text = node_text(link) if link is not None else ""
        if len(link_text.split()) >= 3 and node_text(item).startswith(link_text[:20]):
            led_by_link += 1
    most_prose = _TEASER_ITEM_PROSE * len(items)
    return led_by_link >= 0.8 * len(items) and _prose_chars(node, most_prose) <= most_prose


def _is_teaser_card(node: LexborNode) -> bool:
    """One story's card: led by a link of a few words (its headline), with a line or two
    of description after it."""
    link = node.css_first("a")
    if link is None or len((headline := node_text(link)).split()) < 3:
        return False  # (the link's words before the walk over the card's text)
    return _prose_chars(node, _TEASER_ITEM_PROSE) <= _TEASER_ITEM_PROSE and node_text(node).startswith(headline[:20])


def _widget_container(heading: LexborNode, rule: str, guard: ArticleGuard) -> LexborNode:
    """The block a noise heading leads: climb while the ancestor adds only links, headings
    and teaser cards (a list of stories) or nothing (a video player), never prose, and
    never up to the block holding the article (a short one, of one-line paragraphs)."""
    node = heading
    inner: int | None = None  # the running text of `node`, when counted whole
    while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
        parent = node.parent
        if _text_longer_than(parent, _WIDGET_MAX_CHARS):
            break
        # The block climbed from is not walked again: its count (when not cut short at the
        # slack) is part of its parent's. A teaser box of many links was walked at each level.
        prose = _prose_chars(parent, _WIDGET_PROSE_SLACK, None if inner is None else (node, inner))
        if prose > _WIDGET_PROSE_SLACK and not _only_teasers_besides(parent, node):
            break
        if guard.refuses(parent, rule):
            break
        node, inner = parent, (prose if prose <= _WIDGET_PROSE_SLACK else None)
    return node


def _only_teasers_besides(parent: LexborNode, branch: LexborNode) -> bool:
    """Whether the children of `parent` other than `branch` are teaser lists and teaser
    cards, with no more running text besides them, all together, than a widget's slack (a
    block of short paragraphs is an article, however short each one is)."""
    prose = 0
    child = parent.child
    while child is not None:
        if child.mem_id != branch.mem_id and child.tag != "-text" and child.text(deep=True).strip():
            if not _is_teaser_list(child) and not _is_teaser_card(child):
                prose += _prose_chars(child, _WIDGET_PROSE_SLACK)
        elif child.tag == "-text" and (child.text_content or "").strip():
            return False
        if prose > _WIDGET_PROSE_SLACK:
            return False
        child = child.next
    return True


def _is_link_paragraph(node: LexborNode, text: str) -> bool:
    """A paragraph that is nothing but one link of a few words: an inline "related story"
    teaser ("SEAN SPICER ELIMINATED FROM 'DWTS'"), never running text."""
    if len(text.split()) < 3:
        return False  # the word count first: it spares a selector pass over most paragraphs
    links = node.css("a")
    return len(links) == 1 and node_text(links[0]) == text


def _is_labelled_link(node: LexborNode, text: str) -> bool:
    """A paragraph of one link and a short label beside it, whatever the label's words: a
    read-also teaser ("Mehr zum Thema: <a>Wie die Bahn ihre Preise macht</a>"), never running
    text: the link reads as a headline and the words outside it are a label's few (a
    sentence around a link has more)."""
    links = node.css("a")
    if len(links) != 1:
        return False
    link = node_text(links[0])
    at = text.find(link) if link else -1
    if at < 0 or word_count(link) < _LINK_TEASER_MIN_WORDS or not reads_as_headline(link):
        return False
    label = (text[:at] + " " + text[at + len(link):]).strip()
    return (word_count(label) <= _LINK_LABEL_MAX_WORDS and len(label) <= _LINK_LABEL_MAX_CHARS
            and not ends_sentence(label) and _DIGIT.search(label) is None)


def _byline(tag: str, text: str) -> Byline | None:
    """A short block (of tag `tag`) that is a byline ("By Jane Doe | March 3, 2024"); it
    must name someone, so a date heading in a timeline stays."""
    if len(text) > _BYLINE_MAX_CHARS or tag in _LIST_TAGS:
        return None
    # Cheap tests first: most short blocks are neither led by "By" nor dated.
    if not BY_PREFIX.match(text) and not (_DIGIT.search(text) and _DATE_HINT.search(text)):
        return None
    # A date alone counts when it is labelled ("PUBLISHED: 14:32 GMT, 3 March 2025"); an
    # unlabelled one may be a heading in a timeline.
    return parse_byline(text, require_name=not has_date_label(text))


class _Marks:
    """The blocks taken so far (a node always before its ancestors), each recorded as a
    Removal when taken; nothing is removed from the tree until `decompose`."""

    def __init__(self, removed: list[Removal]):
        self.nodes: dict[int, LexborNode] = {}
        # The elements inside the blocks taken: whether a block lies inside one is then a
        # set lookup, not a climb to the root for each of the page's candidate blocks.
        self.covered: set[int] = set()
        self.removed = removed

    def inside(self, node: LexborNode) -> bool:
        """Inside a marked block (not the block itself)."""
        return node.mem_id in self.covered

    def mark(self, target: LexborNode | None, rule_name: str, shown: str) -> None:
        if target is None or target.mem_id in self.nodes or target.mem_id in self.covered:
            return
        self.nodes[target.mem_id] = target
        own = target.mem_id
        self.covered.update(element.mem_id for element in target.traverse() if element.mem_id != own)
        self.removed.append(Removal(rule_name, snippet(shown)))

    def taken(self, node: LexborNode) -> bool:
        """Marked itself, or inside a marked block."""
        return node.mem_id in self.nodes or node.mem_id in self.covered

    def decompose(self) -> None:
        for node in self.nodes.values():
            node.decompose()


class _Noise(NamedTuple):
    """What a block is: the rule that names it, what to remove for it (None: not noise),
    the text --explain shows, and the byline it is when that byline is the page's own."""

    rule: str
    target: LexborNode | None
    shown: str
    page_byline: Byline | None = None


def prune_noise_blocks(tree: LexborHTMLParser, config: Config, removed: list[Removal],
                       guard: ArticleGuard) -> list[Byline]:
    """Remove noise blocks, widgets, teasers and bylines; return the bylines, in page order.

    Two passes: first the blocks the text and structure name on their own (labels, promos,
    teaser lists, bylines), then the widgets led by a noise heading, which may hold some of
    those; so --explain names the "Sponsored" box inside a "Most read" sidebar too.
    """
    root = tree.body or tree.root
    if root is None:
        return []
    found = _Found(_Marks(removed), config.line_rules)
    texts = found.texts
    # The candidates in page order, by their tag: a walk over the elements costs half the
    # selector for twenty-one tags, and gives each tag at once.
    for node in root.traverse():
        tag = node.tag
        if tag not in _CANDIDATE_TAGS or found.marks.inside(node):
            continue  # not a candidate, or inside a block already taken
        text = _block_text(node, tag, texts)
        if text:
            found.read(node, tag, text)
    for slot in found.ad_slots:
        _mark_ad_slot_blocks(slot, found.marks)
    _mark_widgets(found.headings, config.heading_rules, found.marks, guard)
    for node, noise in found.led:
        found.marks.mark(_widget_container(node, noise.rule, guard), noise.rule, noise.shown)
    _mark_shaped_widgets(found.headings, found.marks)  # after the widgets a rule names
    _mark_pitches(root, found.marks)
    found.marks.decompose()
    return found.bylines


class _Found:
    """What the first pass found: blocks taken, bylines, headings to look at again, and
    headings the line rules call noise, whose widgets are taken in the second pass."""

    def __init__(self, marks: _Marks, line_rules: RuleSet) -> None:
        self.marks = marks
        self.line_rules = line_rules
        self.bylines: list[Byline] = []
        self.headings: list[tuple[LexborNode, str]] = []
        self.led: list[tuple[LexborNode, _Noise]] = []
        self.ad_slots: list[LexborNode] = []  # blocks the ad-label rule took
        self.texts: dict[int, str | None] = {}  # text of each block read (None: too long to be noise)

    def read(self, node: LexborNode, tag: str, text: str) -> None:
        """One candidate block of the first pass (its tag is `tag`)."""
        if tag in _INLINE_TAGS and not _in_caption(node):
            # An inline element standing alone is read with the block around it (same text);
            # one beside text is read only as a label beside links ("Sponsored" + an ad
            # link), where the small block is the ad.
            _take_ad_label(node, text, self.line_rules, self.marks, self.texts)
            if tag in _HEADING_TAGS:
                self.headings.append((node, text))
            return
        noise = _classify(node, tag, text, self.line_rules, self.texts)
        if noise.page_byline is not None:
            self.bylines.append(noise.page_byline)
        if noise.target is not None and tag in _WIDGET_HEADS and noise.rule not in _STRUCTURAL:
            self.led.append((node, noise))  # a heading the rules call noise leads a widget
        elif noise.target is not None:
            self.marks.mark(noise.target, noise.rule, noise.shown)
            if noise.rule == _AD_LABEL_RULE:
                self.ad_slots.append(noise.target)
        elif tag in _HEADING_TAGS:
            self.headings.append((node, text))


def _block_text(node: LexborNode, tag: str, texts: dict[int, str | None]) -> str | None:
    """The block's text (its tag is `tag`), whitespace collapsed; None when it is too long
    to be noise (long lists are still read: they may be teaser lists)."""
    parent = node.parent
    if parent is not None and parent.mem_id in texts and _only_child(node):
        # An only child holds its parent's text: not read again (this keeps 100,000 nested
        # <div>s linear instead of quadratic).
        text = texts[node.mem_id] = texts[parent.mem_id]
        return text
    raw = node.text(deep=True, separator=" ")
    if len(raw) > _NOISE_MAX_RAW_CHARS and tag not in _LIST_TAGS:
        texts[node.mem_id] = None
        return None
    text = texts[node.mem_id] = _collapsed(raw)
    return text


def _text_longer_than(node: LexborNode, limit: int) -> bool:
    """Whether node_text(node) is longer than `limit`; a text no longer than that before its
    white space is collapsed is not collapsed at all."""
    raw = node.text(deep=True, separator=" ")
    return len(raw) > limit and len(_collapsed(raw)) > limit


def _collapsed(raw: str) -> str:
    """`raw` with its white space collapsed, as " ".join(raw.split()). Half the blocks have
    nothing to collapse: printable (no white space but the plain space), no double space
    and none at the ends; they are returned as they are, without splitting them into words."""
    if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
        return raw
    return " ".join(raw.split())


def _take_ad_label(node: LexborNode, text: str, line_rules: RuleSet, marks: _Marks,
                   texts: dict[int, str | None]) -> None:
    """Mark the small block around an inline element beside other text, when the element
    is a noise label for the links beside it ("Sponsored" and an ad link): the block is the
    ad. `texts`: the blocks' texts read so far."""
    parent = node.parent
    if parent is None:
        return
    known = texts.get(parent.mem_id)
    if known is not None and len(known) > _LABELLED_MAX_CHARS:
        return  # a word in a paragraph read already, too long to be a labelled ad: no rule asked
    if (rule := line_rules.match(text)) is None or _stands_alone(node):
        return  # the rule first: most inline elements are words of prose, and it is memoised
    if _labels_links(node, text):
        marks.mark(parent, rule.name, node_text(parent))


def _mark_ad_slot_blocks(slot: LexborNode, marks: _Marks) -> None:
    """The blocks right beside an ad slot that name the ad ("Story resumes below the ad"):
    the lines the line filter takes beside an ad label in a dump (lines.py)."""
    for sibling in (_element_beside(slot, forward=False), _element_beside(slot, forward=True)):
        if sibling is None or sibling.tag not in _BLOCK_TAGS or marks.taken(sibling):
            continue
        text = node_text(sibling)
        if text and names_the_ad_slot(text) and parse_byline(text) is None:
            marks.mark(sibling, AD_SLOT_RULE, text)


def _mark_pitches(root: LexborNode, marks: _Marks) -> None:
    """An offer no rule knew and its button: a link or button naming the offer ("Start
    trial") right after a block that pitches it (linescore.is_pitch_beside_button; the line
    filter takes the same pair of lines in a dump)."""
    for button in root.css("a, button"):
        pitch = _element_beside(button, forward=False)
        if pitch is None or pitch.tag not in _BLOCK_TAGS or marks.taken(pitch):
            continue  # the button may be taken already: "Subscribe now" is a rule's
        label = node_text(button)
        if not label:
            continue  # (before reading the pitch's text, which may be a long block's)
        text = node_text(pitch)
        if text and is_pitch_beside_button(text, label) and parse_byline(text) is None:
            marks.mark(pitch, PITCH_RULE, text)
            marks.mark(button, PITCH_RULE, label)


def _mark_shaped_widgets(headings: list[tuple[LexborNode, str]], marks: _Marks) -> None:
    """Widgets by their shape, whatever their heading says: a heading-shaped block right
    before a teaser list or teaser cards goes with them (the line filter takes a heading-like
    line before a run of other stories' headlines in a dump the same way: lines.py)."""
    for node, text in headings:
        if marks.taken(node) or _element_beside(node, forward=True) is None:
            continue  # the cheap tests first: taken already, or nothing after it to lead
        if not is_heading_shaped(text) or text.endswith("?") or parse_byline(text) is not None:
            continue  # a question heads the article's own part (a FAQ's links)
        teasers = _teasers_after(node)
        if teasers:
            marks.mark(node, WIDGET_SHAPE_RULE, text)
            for teaser in teasers:
                marks.mark(teaser, WIDGET_SHAPE_RULE, node_text(teaser))


def _teasers_after(node: LexborNode) -> list[LexborNode]:
    """The teaser list right after the node, or the run of teaser cards (two at least)."""
    following = _element_beside(node, forward=True)
    if following is not None and following.tag in _LIST_TAGS:
        return [following] if _is_teaser_list(following) else []
    cards: list[LexborNode] = []
    while following is not None and following.tag not in _WIDGET_HEADS and _is_teaser_card(following):
        cards.append(following)
        following = _element_beside(following, forward=True)
    return cards if len(cards) >= _CARDS_MIN else []


def _element_beside(node: LexborNode, forward: bool) -> LexborNode | None:
    """The element right before or after the node, past whitespace and comments (None: text
    or nothing is there)."""
    sibling = node.next if forward else node.prev
    while sibling is not None and (sibling.tag == "_comment" or (
            sibling.tag == "-text" and not (sibling.text_content or "").strip())):
        sibling = sibling.next if forward else sibling.prev
    return None if sibling is None or sibling.tag == "-text" else sibling


def _mark_widgets(headings: list[tuple[LexborNode, str]], heading_rules: RuleSet, marks: _Marks,
                  guard: ArticleGuard) -> None:
    """The widgets led by a noise heading ("Most read", "Related stories"), heading and all."""
    for node, text in headings:
        if not marks.taken(node) and (rule := heading_rules.match(text)) is not None:
            marks.mark(_widget_container(node, rule.name, guard), rule.name, text)


def _classify(node: LexborNode, tag: str, text: str, line_rules: RuleSet, texts: dict[int, str | None]) -> _Noise:
    """Which noise `node` (of tag `tag`) is and what to remove for it (no target: not
    noise); for a byline, whether it is the page's own. `texts`: the blocks' texts read so
    far. Changes nothing."""
    if tag in _LIST_TAGS and _is_teaser_list(node):
        return _Noise("teaser-list", node, text)
    if tag == "p" and _is_link_paragraph(node, text):
        return _Noise("teaser-list", node, text)
    if text.count(" ") < _DOM_RULE_MAX_WORDS and (rule := line_rules.match(text)) is not None \
            and not _holds_widgets(node):
        return _Noise(rule.name, _outermost_same_text(node, text, texts),
                      _shown(text, _telling_part(node, rule, line_rules)))
    if (byline := _byline(tag, text)) is not None:
        own = _is_page_byline(node, text, byline)
        return _Noise("byline", _outermost_same_text(node, text, texts), text, byline if own else None)
    if tag == "p" and text.count(" ") <= _LINK_TEASER_MAX_SPACES and _is_labelled_link(node, text):
        return _Noise("teaser-list", node, text)  # after the rules, which name a label they know
    return _Noise("", None, text)


def _is_page_byline(node: LexborNode, text: str, byline: Byline) -> bool:
    """A byline in a sidebar is a teaser's, and so is one in a list item that names no
    author but a headline ("Street Sweeping Announced · Posted on: March 28"), or has neither
    "By" nor a date label: removed, but not the page's own. A dated block led by a heading,
    not by "By", is a teaser: the heading is its headline."""
    in_item = _in_list_item(node)
    own = byline.explicit or not in_item or (has_date_label(text) and not byline.authors)
    headed = not byline.explicit and node.css_first("h1, h2, h3, h4, h5, h6") is not None
    return own and not headed and not _in_teaser_context(node)


def _telling_part(node: LexborNode, rule: NoiseRule, line_rules: RuleSet) -> str | None:
    """For a box matched whole, the text of the child the rule matches on its own ("© Site
    2024" at the end of a footer), so that --explain shows what made it noise."""
    for child in node.iter():
        if child.tag == "-text":
            continue
        text = node_text(child)
        if text and line_rules.match(text) is rule:
            return text
    return None


def _shown(text: str, telling: str | None) -> str:
    """The box's opening words, and the telling part when the snippet would not reach it."""
    if not telling or telling in text[:70] or text.startswith(telling[:40]):
        return text
    return f"{text[:34]} … {telling[:42]}"


def _labels_links(label: LexborNode, text: str) -> bool:
    """Whether the label's parent is small and holds nothing but the label and links."""
    parent = label.parent
    return (parent is not None and parent.tag not in _KEEP_TAGS and parent.css_first("a") is not None
            and not _text_longer_than(parent, _LABELLED_MAX_CHARS)
            and _prose_chars(parent, len(text) + 2) <= len(text) + 2)
