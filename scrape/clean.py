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

import re

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from .config import Config, NoiseRule, SiteRule
from .linefilter import filter_paragraphs, snippet
from .metadata import PageMeta, read_metadata
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
_WIDGET_PROSE_SLACK = 120  # chars of running text (not links, not headings) a widget may hold
_NON_PROSE_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "time", "figcaption", "button", "label"}
_TEASER_MIN_ITEMS = 3
_DOUBLE_TAGS = "p,h2,h3,h4,h5,h6,blockquote,figcaption"
_NOISE_MAX_RAW_CHARS = 1000  # raw text (with markup whitespace) beyond which a block is not a label
_SIGNUP_MAX_CHARS = 500  # a signup box is a heading, a pitch and a field, not an article
# Structural selectors never remove a node holding this much paragraph text (some sites
# wrap the whole page in a <form> or mark the article aria-hidden while it loads).
_GUARD_CHARS = 1200
_ALWAYS_SAFE = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"}
# A page's longest paragraph at least this long must appear in the extraction, else the
# slower full mode is tried.
_LONG_PARAGRAPH = 200
_SPLIT_MIN_CHARS = 100  # paragraphs shorter than this are not added from split body blocks
_MIN_PROSE_SHARE = 0.5  # below this the fast extraction is probably a menu or a list
_MIN_TEXT_CHARS = 250


def _node_text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


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


def _prose_chars(node: LexborNode) -> int:
    """Characters of running text in `node`: text outside links and headings.

    Teaser lists and "most read" boxes are made of links and card headings; an article
    is made of prose. This tells them apart without looking at class names.
    """
    total = 0
    for child in node.traverse(include_text=True):
        if child.tag != "-text":
            continue
        value = child.text_content
        if not value or value.isspace():
            continue
        parent = child.parent
        while parent is not None and parent is not node and parent.mem_id != node.mem_id:
            if parent.tag in _NON_PROSE_TAGS:
                break
            parent = parent.parent
        else:
            total += len(value.strip())
    return total


def _widget_container(heading: LexborNode) -> LexborNode:
    """The block a noise heading leads: climb while the ancestor adds only links, headings
    (a list of teasers) or nothing (a video player), never prose."""
    node = heading
    while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
        parent = node.parent
        if len(_node_text(parent)) > _WIDGET_MAX_CHARS or _prose_chars(parent) > _WIDGET_PROSE_SLACK:
            break
        node = parent
    return node


def _is_teaser_list(node: LexborNode) -> bool:
    """A list of at least three items, each led by a link of a few words (a headline)."""
    items = [li for li in node.iter() if li.tag == "li"] if node.tag in ("ul", "ol") else []
    if len(items) < _TEASER_MIN_ITEMS:
        return False
    led_by_link = 0
    for item in items:
        link = item.css_first("a")
        link_text = _node_text(link) if link is not None else ""
        if len(link_text.split()) >= 3 and _node_text(item).startswith(link_text[:20]):
            led_by_link += 1
    return led_by_link >= 0.8 * len(items) and _prose_chars(node) <= _WIDGET_PROSE_SLACK * len(items) // 2


def _is_link_paragraph(node: LexborNode, text: str) -> bool:
    """A paragraph that is nothing but one link of a few words: an inline "related story"
    teaser ("SEAN SPICER ELIMINATED FROM 'DWTS'"), never running text."""
    links = node.css("a")
    return len(links) == 1 and len(text.split()) >= 3 and _node_text(links[0]) == text


def _drop_signup_widgets(tree: LexborHTMLParser, removed: list[Removal]) -> None:
    """Newsletter and membership boxes: the small block around an e-mail field."""
    marked: dict[int, LexborNode] = {}
    for field in tree.css('input[type="email"], input[name*="email" i], input[placeholder*="mail" i]'):
        node = field
        while node.parent is not None and node.parent.tag not in _KEEP_TAGS:
            if len(_node_text(node.parent)) > _SIGNUP_MAX_CHARS:
                break
            node = node.parent
        if node is not field and node.mem_id not in marked:
            marked[node.mem_id] = node
    for node in marked.values():
        if not _has_marked_ancestor(node, set(marked) - {node.mem_id}):
            if text := _node_text(node):
                removed.append(Removal("membership-promo", snippet(text)))
            node.decompose()


# Teaser lists are found by structure, not by a configurable pattern.
_TEASER_RULE = NoiseRule(name="teaser-list", kind="selector", patterns=())


def _prune_noise_blocks(tree: LexborHTMLParser, config: Config, removed: list[Removal]) -> None:
    """Remove blocks whose whole text is noise, and widgets led by a noise heading."""
    root = tree.body or tree.root
    if root is None:
        return
    line_rules, heading_rules = config.line_rules, config.heading_rules
    marked: dict[int, LexborNode] = {}
    for node in root.css(f"{_BLOCK_TAGS},{_INLINE_TAGS}"):
        raw = node.text(deep=True, separator=" ")
        # Noise blocks are short; long ones are only looked at as possible teaser lists.
        if len(raw) > _NOISE_MAX_RAW_CHARS and node.tag not in ("ul", "ol"):
            continue
        text = " ".join(raw.split())
        if not text:
            continue
        if node.tag in _INLINE_TAGS and not _stands_alone(node):
            continue
        rule = line_rules.match(text)
        target = None
        if node.tag in ("ul", "ol") and _is_teaser_list(node):
            rule, target = _TEASER_RULE, node
        elif node.tag == "p" and _is_link_paragraph(node, text):
            rule, target = _TEASER_RULE, node
        elif rule is not None:
            target = _outermost_same_text(node, text)
        elif node.tag in _HEADING_TAGS and (rule := heading_rules.match(text)) is not None:
            target = _widget_container(node)
        if target is None or target.mem_id in marked or _has_marked_ancestor(target, set(marked)):
            continue
        marked[target.mem_id] = target
        removed.append(Removal(rule.name, snippet(text)))
    for node in marked.values():
        node.decompose()


def _is_inside(node: LexborNode, ancestor: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == ancestor.mem_id:
            return True
        parent = parent.parent
    return False


def _same_parent(a: LexborNode, b: LexborNode) -> bool:
    return a.parent is not None and b.parent is not None and a.parent.mem_id == b.parent.mem_id


def _drop_doubled_blocks(tree: LexborHTMLParser, removed: list[Removal]) -> None:
    """A block whose text repeats the block just before it, from another container, is a
    second copy (desktop and mobile versions, a caption twice). Identical paragraphs side by
    side in one container are the author's and stay."""
    previous, previous_text = None, None
    doubled = []
    for node in tree.css(_DOUBLE_TAGS):
        text = _node_text(node)
        if not text:
            continue
        if previous is not None and _is_inside(node, previous):
            continue  # a <p> inside the <blockquote> just seen is the same block
        if (text == previous_text and len(text.split()) >= 3
                and not _same_parent(node, previous)):
            doubled.append(node)
            continue
        previous, previous_text = node, text
    for node in doubled:
        removed.append(Removal("doubled-block", snippet(_node_text(node))))
        node.decompose()


def _prose(lines: list[str]) -> tuple[int, float]:
    """Characters in sentence-like lines (8+ words), and their share of all characters.
    A menu or tag cloud extracted as text is many short lines: a low share."""
    total = sum(len(line) for line in lines)
    prose = sum(len(line) for line in lines if len(line.split()) >= 8)
    return prose, (prose / total if total else 0.0)


def _longest_paragraph(tree: LexborHTMLParser) -> str:
    """The page's longest <p>: a good extraction of an article page contains it."""
    return max((_node_text(p) for p in tree.css("p")), key=len, default="")


def _contains(lines: list[str], paragraph: str) -> bool:
    """Whether the middle of `paragraph` appears in the extracted lines (whitespace-blind)."""
    squashed = "".join(paragraph.split())
    middle = squashed[len(squashed) // 2 - 30 : len(squashed) // 2 + 30]
    return middle in "".join("".join(lines).split())


_SOURCE_NEWLINES = re.compile(r"[ \t]*[\r\n]+\s*")
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
    if document is None or not getattr(document, "text", None):
        return []
    return [line for line in document.text.split("\n") if line.strip()]


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
    matched_parents: set[int] = set()
    kinds: set[tuple[str, str]] = set()
    paragraphs = [(p, _node_text(p)) for p in tree.css("p")]
    paragraphs = [(p, text) for p, text in paragraphs if len(text) >= _SPLIT_MIN_CHARS]
    found = []
    for p, text in paragraphs:
        hit = _middle(text) in joined
        found.append(hit)
        parent = p.parent
        if hit and parent is not None and parent.attributes.get("class"):
            matched_parents.add(parent.mem_id)
            kinds.add((parent.tag, parent.attributes["class"]))
    if not kinds:
        return lines
    out = list(lines)
    insert_at = 0
    added = 0
    for (p, text), hit in zip(paragraphs, found):
        if hit:
            middle = _middle(text)
            for index in range(insert_at, len(out)):
                if middle in "".join(out[index].split()):
                    insert_at = index + 1
                    break
            continue
        parent = p.parent
        if parent is None or parent.mem_id in matched_parents:
            continue
        if (parent.tag, parent.attributes.get("class")) not in kinds:
            continue
        if _link_share(p, text) > 0.3:
            continue
        out.insert(insert_at, text)
        insert_at += 1
        added += 1
    return out if added else lines


def _link_share(node: LexborNode, text: str) -> float:
    links = sum(len(_node_text(a)) for a in node.css("a"))
    return links / len(text) if text else 0.0


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
    html = _fold_source_newlines(html)
    lines = _trafilatura_lines(html, url, config, fast=True)
    got = sum(len(line) for line in lines)
    longest = _longest_paragraph(tree)
    missed_main = len(longest) >= _LONG_PARAGRAPH and not _contains(lines, longest)
    prose, share = _prose(lines)
    if got < _MIN_TEXT_CHARS or missed_main or share < _MIN_PROSE_SHARE:
        # The fast pass found little, missed the page's main paragraph or returned a menu:
        # try trafilatura's full mode (readability and justext fallbacks); keep it if better.
        slower = _trafilatura_lines(html, url, config, fast=False)
        slower_got = sum(len(line) for line in slower)
        slower_prose, slower_share = _prose(slower)
        if (
            (missed_main and _contains(slower, longest))
            or (got < _MIN_TEXT_CHARS and slower_got > got)
            or (share < _MIN_PROSE_SHARE and slower_share > share and slower_prose >= 0.8 * prose)
        ):
            lines, got = slower, slower_got
    lines = _add_split_body(tree, lines)
    got = sum(len(line) for line in lines)
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
    _drop_signup_widgets(tree, removed)
    _drop_selectors(tree, [p for r in config.rules_of("selector") for p in r.patterns], "structural-noise", removed)
    if site and site.drop:
        _drop_selectors(tree, site.drop, f"site:{site.domain}", removed)
    _prune_noise_blocks(tree, config, removed)
    _drop_doubled_blocks(tree, removed)
    lines = extract_text(tree, url, config, site)
    result = filter_paragraphs(lines, config.line_rules, config.heading_rules)
    removed.extend(result.removed)

    authors = [tuple(g) for g in meta.author_groups]
    authors.append(tuple(a for b in result.bylines for a in b.authors))
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
        doubles_in_text=False,
    )
