"""Cleaner for HTML: one selectolax parse, metadata read, noise pruned, main text extracted.

1. Parse once with selectolax; read metadata candidates (JSON-LD, meta, h1, byline, time)
   before anything is removed.
2. Prune what can never be body: the "selector" rules (scripts, forms, navigation, ad
   slots...), the site's `drop` selectors, blocks whose whole text is noise ("line" rules:
   ad labels, promos, share bars) and widgets led by a noise heading ("heading" rules:
   "Trending on X Videos", "Related stories"...).
3. The main text: the site's `body` selector when it has one; else scrape's own reading of
   the pruned tree (extract.py) when the page is clear enough for it to be sure; else
   trafilatura on the pruned page, falling back to its slower full mode when that is empty
   or reads like a menu, then to the page's paragraphs.
4. The line filter drops what is left of the noise and takes bylines out of the text.
No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config import Config, SiteRule
from ..config.model import default_line_model
from ..dom import ancestor_ids, find_ancestor, link_chars, node_text
from ..errors import Unreadable
from ..meta.candidates import PageMeta, read_metadata
from ..meta.dates import parse_date
from ..meta.normalise import rank_titles
from ..models import Extract, Removal
from .doubles import drop_doubled_blocks
from .extract import extract_lines
from .guard import ArticleGuard
from .learned import LearntTemplates, drop_learnt_blocks
from .lines import filter_paragraphs
from .linescore import FEATURES
from .prune import (
    drop_invisible,
    drop_page_frame,
    drop_selectors,
    drop_signup_widgets,
    prune_noise_blocks,
)
from .structure import read_structure
from .structured import prefer_structured

_SPLIT_MIN_CHARS = 100  # paragraphs shorter than this are not added from split body blocks
_MIN_PROSE_SHARE = 0.5  # below this the fast extraction is probably a menu or a list
_MIN_TEXT_CHARS = 250


def _prose(lines: list[str]) -> tuple[int, float]:
    """Characters in sentence-like lines (8+ words), and their share of all characters.
    A menu or tag cloud extracted as text is many short lines: a low share."""
    total = sum(len(line) for line in lines)
    prose = sum(len(line) for line in lines if len(line.split()) >= 8)
    return prose, (prose / total if total else 0.0)


_SOURCE_NEWLINES = re.compile(r"[\r\n]\s*")  # spaces left before it are collapsed later
_PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.IGNORECASE | re.DOTALL)


def _fold_source_newlines(html: str) -> str:
    """Turn line breaks in the HTML source into spaces, as a browser does outside <pre>,
    so that a hard-wrapped paragraph stays one paragraph in trafilatura's text output."""
    if "<pre" not in html and "<PRE" not in html:
        return _SOURCE_NEWLINES.sub(" ", html)
    parts = _PRE_BLOCK.split(html)
    return "".join(part if i % 2 else _SOURCE_NEWLINES.sub(" ", part) for i, part in enumerate(parts))


def _trafilatura_lines(html: str, url: str | None, config: Config, fast: bool) -> list[str]:
    document = trafilatura.bare_extraction(
        html,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        favor_precision=config.clean.favor_precision,
        with_metadata=False,
    )
    text = getattr(document, "text", None)
    if not isinstance(text, str) or not text:
        return []
    return [line for line in text.split("\n") if line.strip()]


def _middle(text: str) -> str:
    squashed = "".join(text.split())
    half = len(squashed) // 2
    return squashed[max(half - 30, 0) : half + 30]


def _add_split_body(tree: LexborHTMLParser, lines: list[str]) -> list[str]:
    """Add paragraphs from the other parts of a body split into same-class containers.

    Some templates cut the article into several sibling blocks of one class (to put ads
    between them); trafilatura then keeps only one. Paragraphs of prose in another block
    of the same tag and class as a block it kept belong to the article too.
    """
    joined = "".join("".join(lines).split())
    paragraphs = [(p, text) for p in tree.css("p") if len(text := node_text(p)) >= _SPLIT_MIN_CHARS]
    found = [_middle(text) in joined for _, text in paragraphs]
    kept = _KeptBlocks.of(p for (p, _), hit in zip(paragraphs, found, strict=True) if hit)
    if not kept.kinds:
        return lines
    out = list(lines)
    insert_at = 0
    added = 0
    for (p, text), hit in zip(paragraphs, found, strict=True):
        if hit:
            # Later additions go after the kept paragraph they follow on the page.
            middle = _middle(text)
            insert_at = next((i + 1 for i in range(insert_at, len(out)) if middle in "".join(out[i].split())),
                             insert_at)
        elif kept.has_sibling_of(p) and _link_share(p, text) <= _SPLIT_MAX_LINK_SHARE:
            out.insert(insert_at, text)
            insert_at += 1
            added += 1
    return out if added else lines


_SPLIT_MAX_LINK_SHARE = 0.3  # more link text than this and a paragraph is a teaser


@dataclass
class _KeptBlocks:
    """The classed blocks holding paragraphs the extraction kept: their ids, their (tag,
    class) kinds, where they sit (the ids of their parents and grandparents) and in which
    <article>. The blocks of a split body sit together, under one parent or grandparent,
    and in the same <article>: an infinite-scroll page appends the next story in blocks of
    the same class."""

    parents: set[int] = field(default_factory=set)
    kinds: set[tuple[str, str]] = field(default_factory=set)
    homes: set[int] = field(default_factory=set)
    articles: set[int | None] = field(default_factory=set)

    @classmethod
    def of(cls, kept_paragraphs: Iterable[LexborNode]) -> _KeptBlocks:
        blocks = cls()
        for p in kept_paragraphs:
            parent = p.parent
            if parent is not None and (kind := parent.attributes.get("class")):
                blocks.parents.add(parent.mem_id)
                blocks.kinds.add((parent.tag or "", kind))
                blocks.homes |= ancestor_ids(parent, 2)
                blocks.articles.add(_article_of(parent))
        return blocks

    def has_sibling_of(self, p: LexborNode) -> bool:
        """Whether the paragraph's block is another block of a kept kind, beside a kept one."""
        parent = p.parent
        if parent is None or parent.mem_id in self.parents:
            return False
        if (parent.tag or "", parent.attributes.get("class")) not in self.kinds:
            return False
        return bool(self.homes & ancestor_ids(parent, 2)) and _article_of(parent) in self.articles


def _article_of(node: LexborNode) -> int | None:
    article = find_ancestor(node, lambda a: a.tag == "article")
    return article.mem_id if article is not None else None


def _link_share(node: LexborNode, text: str) -> float:
    return link_chars(node) / len(text) if text else 0.0


def _paragraph_fallback(tree: LexborHTMLParser) -> list[str]:
    scope = tree.css_first("article") or tree.css_first("main") or tree.body
    if scope is None:
        return []
    return [t for p in scope.css("p, h2, h3, li") if len((t := node_text(p)).split()) >= 8 or p.tag in ("h2", "h3")]


def extract_text(tree: LexborHTMLParser, url: str | None, config: Config, site: SiteRule | None,
                 description: str | None = None) -> list[str]:
    """Main text lines of a pruned page: the site's body selector, else scrape's own reading
    where it is sure, else trafilatura, then fallbacks."""
    html = None
    if site and site.body:
        nodes = tree.css(site.body)
        if nodes:
            html = "<html><body>" + "".join(n.html or "" for n in nodes) + "</body></html>"
    if html is None:
        if config.clean.extractor == "auto" and (lines := extract_lines(tree, description)) is not None:
            return lines
        html = tree.html or ""
    html = _fold_source_newlines(html)
    lines = _trafilatura_lines(html, url, config, fast=True)
    got = sum(len(line) for line in lines)
    prose, share = _prose(lines)
    if got < _MIN_TEXT_CHARS or share < _MIN_PROSE_SHARE:
        # The fast pass found little or returned a menu: try trafilatura's full mode
        # (readability and justext fallbacks) and keep it if it does better. (A test for
        # "missed the page's longest paragraph" fired on 24 of 181 zyte pages and helped
        # none: that paragraph is most often a disclaimer.)
        slower = _trafilatura_lines(html, url, config, fast=False)
        slower_got = sum(len(line) for line in slower)
        slower_prose, slower_share = _prose(slower)
        if (got < _MIN_TEXT_CHARS and slower_got > got) or (
            share < _MIN_PROSE_SHARE and slower_share > share and slower_prose >= 0.8 * prose
        ):
            lines, got = slower, slower_got
    lines = _add_split_body(tree, lines)
    got = sum(len(line) for line in lines)
    if got < _MIN_TEXT_CHARS:
        paragraphs = _paragraph_fallback(tree)
        if sum(len(p) for p in paragraphs) > got:
            lines = paragraphs
    return lines


_DATELINE = re.compile(
    r"^[A-ZÀ-Þ][\w .,'’-]{1,50}\(([^()]{6,40})\)\s*[—–-]"  # "MILLBROOK, Ore. (April 8, 2025) —"
    r"|^([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})\s*(?:--|[—–])\s"  # "April 17, 2015 -- Imagine ..."
)


def _dateline_date(paragraphs: Sequence[str]) -> str | None:
    """The date in a wire-style dateline opening the text: "MILLBROOK, Ore. (April 8, 2025) —",
    "April 17, 2015 -- "."""
    for paragraph in paragraphs[:3]:
        if (match := _DATELINE.match(paragraph)) and parse_date(stamp := match.group(1) or match.group(2)):
            return stamp
    return None


def _guess_date(html: str) -> str | None:
    """htmldate's guess, for pages whose markup gives no date."""
    from htmldate import find_date  # imported late: only pages without structured dates need it

    try:
        return find_date(html, original_date=True, extensive_search=False)
    except Exception:  # htmldate raises assorted errors on odd markup; a missing date is fine
        return None


_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)")
_MONSTER_TAG = re.compile(r"<([a-zA-Z][\w-]*)[^<>]{65536,}>")
_DEPTH_CHECK_TAGS = 50_000  # pages with fewer tags cannot nest deep enough to matter
_MAX_DEPTH = 5_000  # HTML parsers slow down with the square of nesting; real pages nest < 100


def _max_depth(html: str) -> int:
    depth = deepest = 0
    for match in _TAG.finditer(html):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif match.group(2).lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _guard_markup(html: str) -> str:
    """Refuse nesting tens of thousands deep; strip the attributes of a tag carrying tens
    of thousands of them. Both cost parsers time with the square of their size, in C code
    where no timeout can interrupt them. Cheap counts decide whether to look at all."""
    tags = html.count("<")
    if tags > _DEPTH_CHECK_TAGS and (depth := _max_depth(html)) > _MAX_DEPTH:
        raise Unreadable(f"markup nested {depth:,} levels deep")
    if html.count("=") > 20 * tags + 10_000:
        html = _MONSTER_TAG.sub(r"<\1>", html)
    return html


def clean_html_document(html: str, url: str | None, config: Config, site: SiteRule | None,
                        explain: bool = False, learnt: LearntTemplates | None = None) -> Extract:
    """Clean one decoded HTML document into an Extract. `explain` only adds detail to the
    removals (what noise a block removed whole held); the text is the same either way.
    `learnt`: learnt templates; the one of the page's host (its URL, else its canonical URL)
    removes what the built-in rules left of the host's template.

    Raises:
        Unreadable: markup no page needs and no parser handles in linear time.
    """
    html = _guard_markup(html)
    tree = LexborHTMLParser(html)
    meta: PageMeta = read_metadata(tree, site)
    removed: list[Removal] = []
    # The structural selectors (navigation, sidebars, forms...) go before the text rules:
    # the rules then read far fewer blocks (this order halved the pruning time). With
    # --explain, the noise inside each removed block is named too ("Most read" in a sidebar).
    drop_invisible(tree)
    guard = ArticleGuard(tree.body, removed)
    if site and site.drop:
        drop_selectors(tree, site.drop, f"site:{site.domain}", removed, guard)
    drop_signup_widgets(tree, removed, guard)
    drop_selectors(tree, config.noise_selectors, "structural-noise", removed, guard,
                   explain_with=config if explain else None)
    page_bylines = prune_noise_blocks(tree, config, removed, guard)
    drop_page_frame(tree, removed, guard)
    if learnt and (template := learnt.for_url(url or meta.canonical_url)):
        drop_learnt_blocks(tree, template, removed)  # after the bylines were read
    drop_doubled_blocks(tree, removed)
    lines = prefer_structured(extract_text(tree, url, config, site, meta.description), tree, meta.article_body)
    titles = rank_titles(meta)
    # The learned scorer weighs only a page's lines that speak the noise vocabulary (lines.py).
    result = filter_paragraphs(lines, config.line_rules, config.heading_rules,
                               line_model=default_line_model().checked_against(FEATURES),
                               title=titles[0] if titles else None)
    structure = read_structure(tree, url) if config.clean.structure else ()
    removed.extend(result.removed)

    bylines = page_bylines + result.bylines
    authors = [tuple(g) for g in meta.author_groups]
    authors.extend(b.authors for b in page_bylines if b.authors and b.explicit)
    authors.extend(tuple(a for a in b.authors if " " in a) for b in page_bylines if not b.explicit)
    authors.extend(b.authors for b in result.bylines if b.authors)
    # Structured dates first, then what a visible byline prints, then a guess.
    published = list(meta.published) + [b.date_text for b in bylines if b.date_text]
    updated = [b.updated_text for b in bylines if b.updated_text]
    modified = list(meta.modified) + updated
    if not published and updated:
        published = updated[:1]  # "Updated March 3" alone is still the best date the page prints
    if not published and (dateline := _dateline_date(result.paragraphs)):
        published.append(dateline)
    if not published:
        guessed = _guess_date(html)
        if guessed:
            published.append(guessed)
    return Extract(
        paragraphs=tuple(result.paragraphs),
        titles=tuple(titles),
        authors=tuple(authors),
        organisations=tuple(meta.organisations),
        published=tuple(published),
        modified=tuple(modified),
        site_name=meta.site_names[0] if meta.site_names else None,
        publishers=tuple(dict.fromkeys(meta.site_names)),
        language=meta.language,
        description=meta.description,
        tags=tuple(t for t in meta.tags if t),
        canonical_url=meta.canonical_url,
        removed=tuple(removed),
        doubles_in_text=False,
        structure=structure,
    )
