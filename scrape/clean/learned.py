"""Learnt boilerplate: what repeats on many pages of one host is that host's template (issue 18).

Hand rules only catch noise someone has seen before; a site's template repeats (the same promo,
"more from this section" heading, newsletter box and footer lines on every article of a host)
while its articles do not. The pure parts live here:

- **fingerprints**: a page's text blocks (each block element's text, digits folded, with a
  coarse DOM path, the tags of the block and its three nearest ancestors; a block with links
  also gets a *frame*, its text outside the links, so that "Read also: <headline>" repeats
  whatever the headline), as 64-bit keys (`html_blocks`);
- **the template** of one host (`LearntTemplate`, frozen and picklable, built by
  `learning.HostLearner`) and of many (`LearntTemplates`, picked by the page's host: its URL's,
  else its canonical URL's);
- **the removal** from a parsed page (`drop_learnt_blocks`). A learnt block is removed only
  when it is not the page's main prose: a block that reads as sentences among the page's
  other prose stays (a quote stories share), unless it is on most of the host's pages (at
  least `PERVASIVE_PAGES` and `PERVASIVE_SHARE` of them), which no quote is; and no prose goes
  from a page whose prose is mostly learnt (a copy, not a template). A learnt heading goes
  with the teaser list it leads (the teasers change from page to page).

A dump's lines are fingerprinted and removed the same way by `learned_lines`. No I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..models import Removal
from .lines import snippet

# Elements whose text is one block; text in inline elements belongs to the nearest of these.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body button caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup li main nav ol p pre section "
    "summary table tbody td tfoot th thead tr ul".split())
# Text under these is never read (code, styles, form options, embedded documents).
SKIP_TAGS = frozenset("script style noscript template svg math head title select option textarea iframe".split())
PATH_LEVELS = 3  # ancestors in a block's coarse path
MAX_BLOCK_CHARS = 2000  # longer blocks are article prose or data, never template lines
PROSE_WORDS = 15  # a block of this many words ending as a sentence reads as prose
PROSE_NEIGHBOUR_WORDS = 8  # the other prose around it: paragraphs of this many words
# A learnt block seen on this many of the host's pages, and on at least this share of them,
# is boilerplate even among prose (a promo paragraph a CMS puts into every story); a quote
# two or three stories share is neither.
PERVASIVE_PAGES = 5
PERVASIVE_SHARE = 0.6
HEADING_MAX_WORDS = 12  # a learnt block this short, not a sentence, may lead a teaser list
TEASER_MAX_WORDS = 20
TEASER_LINK_SHARE = 0.5  # a teaser block is mostly link text
WIDGET_LEVELS = 5  # ancestors climbed from a learnt heading to the widget it leads
RULE_PREFIX = "learnt:"

_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]$")
# Teaser headlines may end in "?", "!" or a quote; running text ends in a full stop.
RUNNING_TEXT_END = re.compile(r"[.:;…]$")
FRAME_MARK = "\u2039\u203a"  # where links were, in a frame's text
KIND_BLOCK, KIND_FRAME, KIND_LINE = 0, 1, 2
KIND_NAMES = ("block", "frame", "line")


def fold_text(text: str) -> str:
    """The text as fingerprints see it: NFKC, casefolded, every number one digit, whitespace
    collapsed ("12 comments" and "240 Comments" are one line)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_DIGITS.sub("0", text).split())


def fingerprint(kind: int, path: str, folded: str) -> int:
    """A 64-bit key of a block's kind, path and folded text (stable across processes, unlike
    hash())."""
    digest = hashlib.blake2b(f"{kind}\x1f{path}\x1f{folded}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def host_of(url: str | None) -> str | None:
    """The host learnt rules are kept for: lowercased, without a leading "www."."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def reads_as_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


# --- the blocks of a page --------------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """One text block of a parsed page, in document order."""

    node: LexborNode
    path: str
    pieces: list[str] = field(default_factory=list)
    in_link: list[bool] = field(default_factory=list)
    under_link: bool = False  # the block itself sits in a link (a teaser card: <a><h4>...)
    ancestry: tuple[int, ...] = ()  # ids of its ancestors, nearest first
    text: str = ""
    words: int = 0
    link_share: float = 0.0
    key: int = 0
    frame_key: int | None = None

    def finish(self) -> None:
        self.text = " ".join(" ".join(self.pieces).split())
        self.words = len(self.text.split())
        total = sum(len(p.strip()) for p in self.pieces) or 1
        pairs = zip(self.pieces, self.in_link, strict=True)
        links = total if self.under_link else sum(len(p.strip()) for p, a in pairs if a)
        self.link_share = links / total
        self.key = fingerprint(KIND_BLOCK, self.path, fold_text(self.text))
        if any(self.in_link) and not self.under_link:
            frame = fold_text(" ".join(FRAME_MARK if a else p for p, a in zip(self.pieces, self.in_link, strict=True)))
            if any(ch.isalpha() for ch in frame.replace(FRAME_MARK, "")):
                self.frame_key = fingerprint(KIND_FRAME, self.path, frame)

    @property
    def prose(self) -> bool:
        return self.words >= PROSE_WORDS and reads_as_sentence(self.text)

    def frame_text(self) -> str:
        return " ".join(" ".join("…" if a else p for p, a in zip(self.pieces, self.in_link, strict=True)).split())


def _climb(text_node: LexborNode) -> tuple[LexborNode | None, bool]:
    """The block a text node belongs to, and whether a link sits between them; None when the
    text is in an element never read."""
    in_link = False
    node = text_node.parent
    while node is not None:
        tag = node.tag or ""
        if tag in SKIP_TAGS:
            return None, False
        if tag in BLOCK_TAGS:
            return node, in_link
        if tag == "a":
            in_link = True
        node = node.parent
    return None, False


def _describe(node: LexborNode) -> tuple[str, bool, tuple[int, ...]]:
    """A block's coarse path (its tag and its ancestors' tags), whether it sits in a link
    within that path, and its ancestors' ids."""
    tags = [node.tag or ""]
    ids: list[int] = []
    under_link = False
    parent = node.parent
    while parent is not None:
        if len(tags) <= PATH_LEVELS:
            tags.append(parent.tag or "")
            under_link = under_link or parent.tag == "a"
        ids.append(parent.mem_id)
        parent = parent.parent
    return ">".join(reversed(tags)), under_link, tuple(ids)


def html_blocks(tree: LexborHTMLParser) -> list[Block]:
    """The page's text blocks in document order, each with its fingerprints."""
    root = tree.body
    if root is None:
        return []
    blocks: dict[int, Block] = {}
    for node in root.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = node.text_content
        if not text or text.isspace():
            continue
        owner, in_link = _climb(node)
        if owner is None:
            continue
        block = blocks.get(owner.mem_id)
        if block is None:
            path, under_link, ancestry = _describe(owner)
            block = blocks[owner.mem_id] = Block(owner, path, under_link=under_link, ancestry=ancestry)
        block.pieces.append(text)
        block.in_link.append(in_link)
    out = []
    for block in blocks.values():
        block.finish()
        if block.text and len(block.text) <= MAX_BLOCK_CHARS and any(ch.isalnum() for ch in block.text):
            out.append(block)
    return out


def canonical_url(tree: LexborHTMLParser) -> str | None:
    """The page's own idea of its URL (<link rel=canonical>, og:url), for saved pages."""
    for selector, attribute in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        value = node.attributes.get(attribute) if node is not None else None
        if value and value.startswith(("http://", "https://")):
            return value
    return None


# --- the template ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearntBlock:
    """One learnt template block of a host."""

    key: int
    kind: int  # KIND_BLOCK, KIND_FRAME or KIND_LINE
    pages: int  # pages of the host it was seen on
    share: float  # of the host's pages since it was first seen
    path: str
    text: str  # as last seen (a snippet), for --explain and `scrape rules learnt`
    leads: bool = False  # a dump line that led teaser lines on most of its pages

    @property
    def id(self) -> str:
        return f"{self.key:016x}"[:8]

    @property
    def pervasive(self) -> bool:
        return self.pages >= PERVASIVE_PAGES and self.share >= PERVASIVE_SHARE


@dataclass(frozen=True)
class LearntTemplate:
    """The learnt template of one host: its blocks by fingerprint, and on how many pages
    they were learnt. Frozen and picklable: it travels to worker processes with the page."""

    host: str
    pages: int
    blocks: Mapping[int, LearntBlock] = field(hash=False, compare=False)

    def rule_name(self, block: LearntBlock) -> str:
        """The name --explain gives a removal: the host, the block's id and its pages."""
        return f"{RULE_PREFIX}{self.host}#{block.id} (seen on {block.pages} of {self.pages} pages)"

    def match(self, block: Block) -> LearntBlock | None:
        found = self.blocks.get(block.key)
        if found is None and block.frame_key is not None:
            found = self.blocks.get(block.frame_key)
        return found


@dataclass(frozen=True)
class LearntTemplates:
    """Learnt templates by host; `for_url` picks a page's."""

    hosts: Mapping[str, LearntTemplate] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def of(cls, templates: Iterable[LearntTemplate]) -> LearntTemplates:
        return cls({t.host: t for t in templates if t.blocks})

    def for_url(self, url: str | None) -> LearntTemplate | None:
        """The template of the URL's host (as learning took it: a fetched or recorded page's
        URL, else a saved page's canonical URL), if one was learnt."""
        host = host_of(url)
        return self.hosts.get(host) if host is not None else None

    def __bool__(self) -> bool:
        return bool(self.hosts)

    def __len__(self) -> int:
        return len(self.hosts)


# --- removal from a page ---------------------------------------------------------------------


@dataclass
class _Page:
    """The blocks of one page, with what the removal decisions ask of them."""

    blocks: list[Block]
    hits: dict[int, LearntBlock]  # block index -> the learnt block it matched
    counts: dict[int, int] = field(default_factory=dict)  # ancestor id -> blocks under it
    copy: bool = False  # most of its prose is learnt: a copy of pages learnt from, not a template
    homes: list[int | None] = field(default_factory=list)  # block index -> its home
    prose_at: dict[int, int] = field(default_factory=dict)  # home -> prose blocks not learnt

    def __post_init__(self) -> None:
        for block in self.blocks:
            for ancestor in block.ancestry:
                self.counts[ancestor] = self.counts.get(ancestor, 0) + 1
        # A block's home: its nearest ancestor that holds another block too (a quote's
        # <blockquote> holds only the quote; the body column around it holds the article).
        self.homes = [next((a for a in block.ancestry if self.counts.get(a, 0) > 1), None)
                      for block in self.blocks]
        for index, (block, home) in enumerate(zip(self.blocks, self.homes, strict=True)):
            if home is not None and index not in self.hits and block.words >= PROSE_NEIGHBOUR_WORDS:
                self.prose_at[home] = self.prose_at.get(home, 0) + 1
        prose = [i for i, block in enumerate(self.blocks) if block.prose]
        self.copy = 2 * sum(i in self.hits for i in prose) > len(prose)

    def protected(self, index: int) -> bool:
        """Main prose: a sentence-like block whose home holds two more prose blocks that are
        not learnt (the article's paragraphs around a quote), unless it is pervasive; every
        sentence-like block of a page whose prose is mostly learnt (a copy of pages learnt
        from, which no template is)."""
        if not self.blocks[index].prose:
            return False
        if self.copy:  # the article itself was learnt (its copies under other URLs): keep it
            return True
        if self.hits[index].pervasive:
            return False
        home = self.homes[index]
        return home is not None and self.prose_at.get(home, 0) >= 2

    def widget(self, index: int) -> tuple[LexborNode, list[int]]:
        """What a learnt block takes with it: when it is a heading that leads a teaser list,
        the widget holding both and the teasers; else the block alone."""
        block = self.blocks[index]
        if block.words > HEADING_MAX_WORDS or RUNNING_TEXT_END.search(block.text):
            return block.node, []
        target, teasers = block.node, []
        node = block.node.parent
        for _ in range(WIDGET_LEVELS):
            if node is None or node.tag in ("body", "html", "main", "article"):
                break
            inside = self._under(node.mem_id, index)
            if inside is None:
                break
            if inside:
                target, teasers = node, inside
            node = node.parent
        return target, teasers

    def _under(self, ancestor: int, index: int) -> list[int] | None:
        """The blocks after `index` under `ancestor` when `index` is its first block and all
        the others are teasers ([] when it holds only `index`); None otherwise."""
        if index > 0 and ancestor in self.blocks[index - 1].ancestry:
            return None
        inside = []
        for other in range(index + 1, len(self.blocks)):
            candidate = self.blocks[other]
            if ancestor not in candidate.ancestry:
                break
            if other not in self.hits and not _teaser(candidate):
                return None
            inside.append(other)
        if inside and len(inside) < 2:
            return None
        return inside


def _teaser(block: Block) -> bool:
    """A teaser card: a short block that is mostly link (its headline may end in "?")."""
    return block.link_share >= TEASER_LINK_SHARE and block.words <= TEASER_MAX_WORDS


def drop_learnt_blocks(tree: LexborHTMLParser, template: LearntTemplate, removed: list[Removal]) -> None:
    """Remove the host's learnt blocks from a parsed page (see the module docstring)."""
    blocks = html_blocks(tree)
    hits = {i: learnt for i, block in enumerate(blocks) if (learnt := template.match(block)) is not None}
    if not hits:
        return
    page = _Page(blocks, hits)
    targets: dict[int, LexborNode] = {}
    taken: set[int] = set()
    for index, learnt in hits.items():
        if index in taken or page.protected(index):
            continue
        node, teasers = page.widget(index)
        targets[node.mem_id] = node
        rule = template.rule_name(learnt)
        removed.append(Removal(rule, snippet(blocks[index].text)))
        for teaser in teasers:
            if teaser not in taken:
                taken.add(teaser)
                removed.append(Removal(rule, snippet(blocks[teaser].text)))
    for node in targets.values():
        if not any(a in targets for a in _ancestor_ids(node)):
            node.decompose()


def _ancestor_ids(node: LexborNode) -> Iterable[int]:
    parent = node.parent
    while parent is not None:
        yield parent.mem_id
        parent = parent.parent


