"""Cleaner for HTML: one selectolax parse, metadata read, noise pruned, then trafilatura.

1. Parse once with selectolax; read metadata candidates (JSON-LD, meta, h1, byline, time)
   before anything is removed.
2. Prune what can never be body: the "selector" rules (scripts, forms, navigation, ad
   slots...), the site's `drop` selectors, blocks whose whole text is noise ("line" rules:
   ad labels, promos, share bars) and widgets led by a noise heading ("heading" rules:
   "Trending on X Videos", "Related stories"...).
3. trafilatura extracts the main text from the pruned page (or from the site's `body`
   selector); when that is empty or far shorter than the page's main block, fall back to
   trafilatura's slower full mode, then to the page's paragraphs.
4. The line filter drops what is left of the noise and takes bylines out of the text.
No I/O.
"""

from __future__ import annotations

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .config import Config, NoiseRule, SiteRule
from .linefilter import filter_paragraphs, snippet
from .metadata import PageMeta, read_metadata, squash
from .models import Extract, Removal
from .normalise import rank_titles

# Elements whose whole text is checked against "line" rules. Inline ones only count when
# they stand alone in their parent (so the word "ad" inside a sentence is never touched).
_BLOCK_TAGS = "p,div,li,ul,section,aside,figcaption,h2,h3,h4,h5,h6,header,footer,dd,dt,td,center,blockquote"
_INLINE_TAGS = "span,a,strong,small,em,b,i,label,font"
_HEADING_TAGS = "h2,h3,h4,h5,h6,strong,b,header,p,span,div"
# Containers never removed whole, whatever their text.
_KEEP_TAGS = {"html", "body", "main", "article", "-undef", "-document"}
# A widget container stops growing when it reaches this much text or holds real prose.
_WIDGET_MAX_CHARS = 1500
_PROSE_MIN_CHARS = 160
# Structural selectors never remove a node holding this much paragraph text (some sites
# wrap the whole page in a <form> or mark the article aria-hidden while it loads).
_GUARD_CHARS = 1200
_ALWAYS_SAFE = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"}
# trafilatura output shorter than this share of the page's paragraph text triggers fallback.
_FALLBACK_RATIO = 0.5
_MIN_TEXT_CHARS = 250


def _node_text(node: LexborNode) -> str:
    return squash(node.text(deep=True, separator=" "))


def _paragraph_chars(node: LexborNode) -> int:
    return sum(len(p.text(deep=True)) for p in node.css("p"))


def _drop_selectors(tree: LexborHTMLParser, selectors, rule_name: str, removed: list[Removal]) -> None:
    for selector in selectors:
        try:
            nodes = tree.css(selector)
        except Exception:  # selectolax raises plain exceptions on bad selectors
            continue
        tag = selector.split("[")[0].split(".")[0]
        for node in nodes:
            if tag not in _ALWAYS_SAFE:
                if node.tag in _KEEP_TAGS or _paragraph_chars(node) > _GUARD_CHARS:
                    continue
                text = _node_text(node)
                if text:
                    removed.append(Removal(rule_name, snippet(text)))
            node.decompose()


def _outermost_same_text(node: LexborNode, text: str) -> LexborNode:
    """Climb to the largest ancestor whose text is still just `text` (the ad slot, not its label)."""
    while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
        if _node_text(node.parent) != text:
            break
        node = node.parent
    return node


def _has_marked_ancestor(node: LexborNode, marked: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in marked:
            return True
        parent = parent.parent
    return False


def _match(text: str, rules: tuple[NoiseRule, ...]) -> NoiseRule | None:
    for rule in rules:
        if rule.matches(text):
            return rule
    return None


def _widget_container(heading: LexborNode) -> LexborNode:
    """The block a noise heading leads: climb while the ancestor is small and holds no prose."""
    node = heading
    while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
        parent = node.parent
        text = _node_text(parent)
        if len(text) > _WIDGET_MAX_CHARS:
            break
        if any(len(p.text(deep=True)) >= _PROSE_MIN_CHARS and not p.css_first("a") for p in parent.css("p")):
            break
        node = parent
    return node


def _prune_noise_blocks(tree: LexborHTMLParser, config: Config, removed: list[Removal]) -> None:
    """Remove blocks whose whole text is noise, and widgets led by a noise heading."""
    root = tree.body or tree.root
    if root is None:
        return
    line_rules, heading_rules = config.rules_of("line"), config.rules_of("heading")
    marked: dict[int, LexborNode] = {}
    for node in root.css(f"{_BLOCK_TAGS},{_INLINE_TAGS}"):
        text = _node_text(node)
        if not text or len(text) > 400:
            continue
        if node.tag in _INLINE_TAGS and node.parent is not None and _node_text(node.parent) != text:
            continue
        rule = _match(text, line_rules)
        target = None
        if rule is not None:
            target = _outermost_same_text(node, text)
        elif node.tag in _HEADING_TAGS and (rule := _match(text, heading_rules)) is not None:
            target = _widget_container(node)
        if target is None or target.mem_id in marked or _has_marked_ancestor(target, set(marked)):
            continue
        marked[target.mem_id] = target
        removed.append(Removal(rule.name, snippet(text)))
    for node in marked.values():
        node.decompose()


def _main_block_chars(tree: LexborHTMLParser) -> int:
    """Paragraph text of the page's densest container: what a good extraction should reach."""
    containers = tree.css("article, main, [itemprop=articleBody]")
    if not containers and tree.body is not None:
        containers = [tree.body]
    return max((_paragraph_chars(c) for c in containers), default=0)


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
    if document is None or not getattr(document, "text", None):
        return []
    return [line for line in document.text.split("\n") if line.strip()]


def _paragraph_fallback(tree: LexborHTMLParser) -> list[str]:
    scope = tree.css_first("article") or tree.css_first("main") or tree.body
    if scope is None:
        return []
    return [t for p in scope.css("p, h2, h3, li") if len((t := _node_text(p)).split()) >= 8 or p.tag in ("h2", "h3")]


def extract_text(tree: LexborHTMLParser, url: str | None, config: Config, site: SiteRule | None) -> list[str]:
    """Main text lines of a pruned page: site body selector, trafilatura, then fallbacks."""
    html = None
    if site and site.body:
        nodes = tree.css(site.body)
        if nodes:
            html = "<html><body>" + "".join(n.html or "" for n in nodes) + "</body></html>"
    if html is None:
        html = tree.html or ""
    lines = _trafilatura_lines(html, url, config, fast=True)
    reach = _main_block_chars(tree)
    got = sum(len(line) for line in lines)
    if got < _MIN_TEXT_CHARS or got < reach * _FALLBACK_RATIO:
        slower = _trafilatura_lines(html, url, config, fast=False)
        if sum(len(line) for line in slower) > got:
            lines, got = slower, sum(len(line) for line in slower)
    if got < _MIN_TEXT_CHARS:
        paragraphs = _paragraph_fallback(tree)
        if sum(len(p) for p in paragraphs) > got:
            lines = paragraphs
    return lines


def _guess_date(html: str) -> str | None:
    """htmldate's guess, for pages whose markup gives no date."""
    from htmldate import find_date  # imported late: only pages without structured dates need it

    try:
        return find_date(html, original_date=True, extensive_search=False)
    except Exception:  # htmldate raises assorted errors on odd markup; a missing date is fine
        return None


def clean_html_document(html: str, url: str | None, config: Config, site: SiteRule | None) -> Extract:
    """Clean one decoded HTML document into an Extract."""
    tree = LexborHTMLParser(html)
    meta: PageMeta = read_metadata(tree, site)
    removed: list[Removal] = []
    _drop_selectors(tree, [p for r in config.rules_of("selector") for p in r.patterns], "structural-noise", removed)
    if site and site.drop:
        _drop_selectors(tree, site.drop, f"site:{site.domain}", removed)
    _prune_noise_blocks(tree, config, removed)
    lines = extract_text(tree, url, config, site)
    result = filter_paragraphs(lines, config.rules_of("line"), config.rules_of("heading"))
    removed.extend(result.removed)

    authors = meta.authors or meta.byline_authors or [a for b in result.bylines for a in b.authors]
    published = list(meta.published) + [b.date_text for b in result.bylines if b.date_text and not b.updated]
    if not published:
        guessed = _guess_date(html)
        if guessed:
            published.append(guessed)
    return Extract(
        paragraphs=tuple(result.paragraphs),
        titles=tuple(rank_titles(meta)),
        authors=tuple(authors),
        published=tuple(published),
        modified=tuple(meta.modified) + tuple(b.date_text for b in result.bylines if b.date_text and b.updated),
        site_name=meta.site_names[0] if meta.site_names else None,
        language=meta.language,
        description=meta.description,
        tags=tuple(t for t in meta.tags if t),
        canonical_url=meta.canonical_url,
        removed=tuple(removed),
    )
