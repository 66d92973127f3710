"""Read metadata candidates from a parsed page: structured data first, then the page.

Order of trust, best first: JSON-LD (`NewsArticle`, `Article`, ...), Open Graph and
`article:` meta, other common meta names, then the page itself (the `h1` headline, a byline
block, `<time datetime>`), then `<title>`. This module only collects raw candidates into a
`PageMeta`; the normaliser picks and tidies them. No I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config import SiteRule
from ..config.lexicon import default_lexicon
from ..dom import ancestor_ids, ancestors, css_class
from .bare_names import bare_name_under, headline_node
from .titles import TitleCandidate

# schema.org types whose fields describe the article itself.
_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "socialmediaposting",
    "liveblogposting", "techarticle", "scholarlyarticle", "report", "webpage", "posting",
    "creativework", "medicalwebpage", "satiricalarticle", "advertisercontentarticle",
}
# Weaker types: used only when no article type is present.
# (A VideoObject is a clip on the page, often a trending one, never the article itself.)
_PAGE_TYPES = {"webpage", "creativework"}
_PERSON_TYPES = {"person"}
_ORG_TYPES = {"organization", "newsmediaorganization", "corporation", "organisation"}

_META_TITLE = ("og:title", "twitter:title", "dc.title", "citation_title", "parsely-title", "sailthru.title")
_TITLE_SOURCES = {"og:title": "og", "twitter:title": "twitter"}
_META_AUTHOR = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dc:creator", "citation_author",
    "byl", "dcterms.creator", "cxenseparse:author", "twitter:creator:name", "twitter:misc:written by",
)
_META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
    "sailthru.date", "pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "dcterms.date", "citation_publication_date",
    "citation_date", "article.published", "og:published_time", "published_time", "release_date",
    "cxenseparse:recs:publishtime", "original-publish-date", "displaydate", "dc.date.created",
)
_META_MODIFIED = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "lastmod", "dc.date.modified", "article.updated",
)
_META_SITE = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
_META_DESCRIPTION = ("og:description", "description", "twitter:description", "dc.description")
_META_TAGS = ("article:tag", "keywords", "news_keywords", "parsely-tags", "sailthru.tags")

# Byline elements found by attribute or by where they link, for pages with no structured
# author. Tried in order within the article first, then the whole page; the first that
# matches gives one group of candidates.
_LEXICON = default_lexicon()
_BYLINE_SELECTORS = (
    '[itemprop="author"] [itemprop="name"]', '[itemprop="author"]', '[rel="author"]',
    '[class*="byline" i] [class*="author" i]', '[class*="byline" i] a', '[class*="author-name" i]',
    '[class*="authorname" i]', '[data-testid*="author" i]', 'address[class*="author" i]',
    # Links to an author's page: "/author/", "/autor/", "/auteur/"...
    *(f'a[href*="/{word}/"]' for word in _LEXICON.words("author_path")),
    '[class*="byline" i]', '[class*="author" i]:not([class*="authority" i]) a',
    '[class*="author" i]:not([class*="authority" i])',
)
_COMMENT_MARKS = _LEXICON.words("comment_class")  # class and id words of a comment section
_BYLINE_MAX_CHARS = 120
_HEADING_MIN_CHARS = 12  # shorter headings ("News", "Sport") are found in titles by chance
_TITLE_TAIL_START = re.compile(r"$|\s*[|–—:•·»/-]\s|\s*[|｜_]")  # where a title's site tail begins
_BYLINE_BLOCK_CHARS = 160  # names, a date, a label; a teaser or the article says more
_BLOCK_LEVELS = 5  # how far above an author's name their byline block may reach
_NOT_A_BYLINE_BLOCK = frozenset({"li", "ul", "ol", "article", "section", "main", "aside", "nav", "body", "html"})
_BYLINE_MAX_ITEMS = 5  # a list of more author links than this is a menu of writers
# Some CMSs wrap JSON-LD in a (commented) CDATA section for old XHTML parsers.
_CDATA = re.compile(r"^\s*(?://|/\*)?\s*<!\[CDATA\[|(?://|/\*)?\s*\]\]>\s*(?:\*/)?\s*$")


@dataclass
class PageMeta:
    """Metadata candidates gathered from one page, best first in each list."""

    # Structured titles with their source ("json-ld", "og", "twitter", "meta"), in order of trust.
    titles: list[TitleCandidate] = field(default_factory=list)
    headline: str | None = None  # the on-page h1
    document_title: str | None = None  # <title>
    # Raw author strings grouped by where they came from, most trusted source first:
    # the site's configured selector, JSON-LD, each <meta> key, byline elements.
    author_groups: list[list[str]] = field(default_factory=list)
    # Author names JSON-LD types as organisations ("author": {"@type": "Organization", ...}).
    organisations: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    structured_date: bool = False  # a date came from JSON-LD or article meta
    # The article's text as its JSON-LD gives it (articleBody, the longest), raw: line breaks
    # and any markup kept, for the cleaner to fall back on when the page shows less.
    article_body: str | None = None


def squash(text: str | None) -> str:
    """Whitespace collapsed; HTML entities some sites leave in JSON-LD and meta decoded."""
    text = text or ""
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())  # (split and \\s take the same characters for white space)


def _text(node: LexborNode | None) -> str:
    return squash(node.text(deep=True, separator=" ")) if node is not None else ""


# A JSON value as orjson reads it; JSON-LD objects are its dicts.
JSON = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None
JSONObject = dict[str, JSON]
_JSON_LD_DEPTH = 6  # nesting deeper than this is not metadata about the page
_NESTED_KEYS = ("@graph", "mainEntity", "itemListElement")


def _json_ld_objects(tree: LexborHTMLParser) -> list[JSONObject]:
    """Every JSON object in the page's JSON-LD, @graph and nesting flattened."""
    found: list[JSONObject] = []
    for script in tree.css('script[type="application/ld+json"]'):
        data = _parse_json_ld(script.text() or "")
        if data is not None:
            _flatten(data, found)
    return found


def _parse_json_ld(text: str) -> JSON | None:
    """One script's JSON, or None when it is empty or not JSON even after the usual repairs."""
    # (The markers looked for first: the regex tries every position of a long script.)
    raw = (_CDATA.sub("", text) if "<![CDATA[" in text or "]]>" in text else text).strip()
    if not raw:
        return None
    try:
        data: JSON = orjson.loads(raw)
        return data
    except orjson.JSONDecodeError:
        pass
    # Some sites leave raw newlines or trailing commas in their JSON-LD.
    try:
        repaired: JSON = orjson.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")))
        return repaired
    except orjson.JSONDecodeError:
        return None


def _flatten(value: JSON, found: list[JSONObject], depth: int = 0) -> None:
    """Add every object in `value` to `found`, parents before the objects they nest."""
    if depth > _JSON_LD_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            _flatten(item, found, depth + 1)
    elif isinstance(value, dict):
        found.append(value)
        for key in _NESTED_KEYS:
            if key in value:
                _flatten(value[key], found, depth + 1)


def _types(obj: JSONObject) -> set[str]:
    kind = obj.get("@type", ())
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _names(value: JSON, people_only: bool = True) -> list[str]:
    """Author names from a JSON-LD author value (string, object or list of either)."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and not (people_only and _types(item) & _ORG_TYPES):
            if name := _object_name(item):
                out.append(name)
    return [squash(n) for n in out if squash(n)]


def _object_name(item: JSONObject) -> str | None:
    """A person's or an organisation's name: "name" (a list of parts joined), else the
    given and family names."""
    name = item.get("name")
    if isinstance(name, list):
        name = " ".join(str(n) for n in name)
    if not name and (item.get("givenName") or item.get("familyName")):
        name = f"{item.get('givenName', '')} {item.get('familyName', '')}"
    return name if isinstance(name, str) and name.strip() else None


def _resolved(value: JSON, nodes: dict[str, JSONObject]) -> JSON:
    """A JSON-LD value with each bare {"@id": …} reference replaced by the node it names."""
    if isinstance(value, list):
        return [_resolved(item, nodes) for item in value]
    if isinstance(value, dict) and len(value) == 1 and isinstance(reference := value.get("@id"), str):
        return nodes.get(reference, value)
    return value


def _str(value: JSON) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return squash(str(value)) if isinstance(value, (str, int, float)) and str(value).strip() else None


def _read_json_ld(tree: LexborHTMLParser, meta: PageMeta) -> list[str]:
    """Candidates from JSON-LD; returns the dateCreated values, which go after every other
    publication date."""
    created: list[str] = []
    objects = _json_ld_objects(tree)
    articles = [o for o in objects if _types(o) & (_ARTICLE_TYPES - _PAGE_TYPES)]
    if not articles:
        articles = [o for o in objects if _types(o) & _PAGE_TYPES]
    # Yoast and others put each node in an @graph once and refer to it by @id elsewhere:
    # "author": {"@id": "https://site/#/schema/person/4749…"}.
    nodes = {key: o for o in objects if isinstance(key := o.get("@id"), str) and len(o) > 1}
    for obj in articles:
        _read_article(obj, nodes, meta, created)
    for obj in objects:
        if _types(obj) & (_ORG_TYPES | {"website"}) and (name := _str(obj.get("name"))):
            meta.site_names.append(name)
    return created


def _read_article(obj: JSONObject, nodes: dict[str, JSONObject], meta: PageMeta, created: list[str]) -> None:
    """The fields of one article object: headline, authors, dates, language, description,
    body, publisher, keywords."""
    for key in ("headline", "name", "alternativeHeadline"):
        if value := _str(obj.get(key)):
            meta.titles.append(TitleCandidate("json-ld", value))
            break
    author = _resolved(obj.get("author"), nodes)
    people = _names(author) or _names(_resolved(obj.get("creator"), nodes))
    # An organisation credited as the author (BBC News, an agency) is credited too, apart.
    organisations = [n for n in _names(author, people_only=False) if n not in people]
    if people or organisations:
        meta.author_groups.append(people + organisations)
        meta.organisations.extend(organisations)
    _read_article_dates(obj, meta, created)
    if value := _str(obj.get("inLanguage")):
        meta.language = meta.language or value
    if value := _str(obj.get("description")):
        meta.description = meta.description or value
    body = obj.get("articleBody")
    if isinstance(body, str) and body.strip() and len(body) > len(meta.article_body or ""):
        meta.article_body = body
    publisher = _resolved(obj.get("publisher"), nodes)
    if isinstance(publisher, dict) and (name := _str(publisher.get("name"))):
        meta.site_names.append(name)
    keywords = obj.get("keywords")
    if isinstance(keywords, str):
        meta.tags.extend(k.strip() for k in keywords.split(","))
    elif isinstance(keywords, list):
        meta.tags.extend(k.strip() for k in keywords if isinstance(k, str))


def _read_article_dates(obj: JSONObject, meta: PageMeta, created: list[str]) -> None:
    """An article object's publication date (or, apart, its creation date) and update."""
    if value := _str(obj.get("datePublished")):
        meta.published.append(value)
        meta.structured_date = True
    elif value := _str(obj.get("dateCreated")):
        # When the record was made, which may be a re-import: The Telegraph's is a day
        # after the article:published_time it shows. Any publication date goes first.
        created.append(value)
        meta.structured_date = True
    if value := _str(obj.get("dateModified")):
        meta.modified.append(value)


def _meta_values(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """<meta> values by lower-cased name/property, in document order."""
    values: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        keys = attrs.get("property") or attrs.get("name")
        if not keys and (keys := attrs.get("itemprop")) and _of_another_item(node):
            continue
        content = attrs.get("content")
        if keys and content and content.strip():
            # RDFa allows several properties in one attribute ("dc:creator twitter:creator");
            # but "twitter:misc:Written by" is one name with a space in it.
            names = keys.lower().split()
            if not all(":" in n or "." in n for n in names):
                names = [" ".join(names)]
            for key in names:
                values.setdefault(key, []).append(squash(content))
    return values


# Meta keys of publication dates that are structured data, not a guess.
_STRUCTURED_DATE_KEYS = ("article:", "og:", "datepublished", "parsely", "sailthru", "dc.", "dcterms", "citation")
_META_LANGUAGE = ("og:locale", "content-language", "language", "dc.language")


def _read_meta_tags(tree: LexborHTMLParser, meta: PageMeta) -> None:
    """Candidates from <meta> tags, each kind's keys in order of trust."""
    values = _meta_values(tree)

    def first(keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        for key in keys:
            for value in values.get(key, ()):
                yield key, value

    meta.titles.extend(TitleCandidate(_TITLE_SOURCES.get(k, "meta"), v) for k, v in first(_META_TITLE))
    for key in _META_AUTHOR:
        if found := [v for v in values.get(key, ()) if not v.startswith(("http://", "https://"))]:
            meta.author_groups.append(found)
    for key, value in first(_META_PUBLISHED):
        meta.published.append(value)
        meta.structured_date = meta.structured_date or key.startswith(_STRUCTURED_DATE_KEYS)
    meta.modified.extend(v for _, v in first(_META_MODIFIED))
    meta.site_names.extend(v for _, v in first(_META_SITE) if not v.startswith("@"))
    meta.description = meta.description or next((v for _, v in first(_META_DESCRIPTION)), None)
    for _, value in first(_META_TAGS):
        meta.tags.extend(t.strip() for t in value.split(","))
    meta.language = meta.language or next((v for _, v in first(_META_LANGUAGE)), None)


# The author-page link selectors, with the part of the href each looks for.
_AUTHOR_LINK_PARTS = {f'a[href*="/{word}/"]': f"/{word}/" for word in _LEXICON.words("author_path")}
_AUTHOR_LINKS = ", ".join(_AUTHOR_LINK_PARTS)


def _byline_matches(scope: LexborNode) -> Iterator[list[LexborNode]]:
    """What each byline selector matches in `scope`, in order. The links to author pages
    are found in one pass for all the author paths (a pass for each was a tenth of the
    metadata's time) and told apart by their href, as each selector would (case and all)."""
    links: list[tuple[LexborNode, str]] | None = None
    for selector in _BYLINE_SELECTORS:
        part = _AUTHOR_LINK_PARTS.get(selector)
        if part is None:
            yield scope.css(selector)
            continue
        if links is None:
            links = [(a, a.attributes.get("href") or "") for a in scope.css(_AUTHOR_LINKS)]
        yield [a for a, href in links if part in href]


def _byline_group(scope: LexborNode) -> list[str]:
    """Author strings from the first byline selector that matches inside `scope`."""
    for matched in _byline_matches(scope):
        nodes = [n for n in matched
                 if (t := _text(n)) and len(t) <= _BYLINE_MAX_CHARS and not _in_comments(n) and not _in_menu(n)]
        if nodes:
            # Only the first byline's own block: author links elsewhere on the page belong
            # to teasers and sidebars.
            home = ancestor_ids(nodes[0], 2)
            block = _names_block(nodes[0])
            return list(dict.fromkeys(
                _text(n) for n in nodes
                if home & ancestor_ids(n, 2) or (block is not None and block in ancestor_ids(n, _BLOCK_LEVELS))))
    return []


def _names_block(node: LexborNode) -> int | None:
    """The id of the widest ancestor above the first two that holds no more than a row of
    names: a byline that gives each author a box of their own (name, photo link) has them
    all there. It stops below a list, a heading or longer text, where teasers begin. None
    when the grandparent is already past that."""
    found = None
    for level, parent in enumerate(ancestors(node, _BLOCK_LEVELS)):
        if level < 2:
            continue
        if (parent.tag in _NOT_A_BYLINE_BLOCK or len(_text(parent)) > _BYLINE_BLOCK_CHARS
                or parent.css_first("h1, h2, h3, h4, h5, h6") is not None):
            break
        found = parent.mem_id
    return found


def _in_menu(node: LexborNode) -> bool:
    """In the site's navigation, or in a long list of links (a menu of the site's writers,
    "Andy Serwer, Brittany Jones-Cooper, ..." under an "Authors" tab): not a byline."""
    for parent in ancestors(node, 4):
        if parent.tag == "nav" or parent.attributes.get("role") == "navigation":
            return True
        if parent.tag in ("ul", "ol"):
            return sum(1 for child in parent.iter() if child.tag == "li") > _BYLINE_MAX_ITEMS
    return False


def _in_comments(node: LexborNode) -> bool:
    """Inside a readers' comment section, whose "author" names are commenters."""
    for parent in ancestors(node):
        if parent.tag in ("body", "html"):
            return False
        marks = f"{css_class(parent)} {(parent.attributes.get('id') or '').lower()}"
        if any(word in marks for word in _COMMENT_MARKS):
            return True
    return False


def _read_page(tree: LexborHTMLParser, meta: PageMeta, site: SiteRule | None) -> None:
    """Candidates from the visible page: headline, byline, <time>, <title>, canonical, lang."""
    scope = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    _read_headline(tree, scope, meta, site)
    _read_byline(tree, scope, meta, site)
    _read_dates(tree, scope, meta, site)
    link = tree.css_first('link[rel="canonical"]')
    if link is not None and (href := link.attributes.get("href")):
        meta.canonical_url = href.strip()
    html = tree.css_first("html")
    if not meta.language and html is not None:
        meta.language = html.attributes.get("lang") or html.attributes.get("xml:lang")


def _read_headline(tree: LexborHTMLParser, scope: LexborNode | None, meta: PageMeta, site: SiteRule | None) -> None:
    """The on-page headline (the site's title selector, else the article's h1) and <title>."""
    h1 = tree.css_first(site.title) if site and site.title else None
    if h1 is None:
        h1 = scope.css_first("h1") if scope is not None else None
    if h1 is None:
        h1 = tree.css_first("h1")
    # No separator between inline children: "<span>Kicker</span>: Title" reads "Kicker: Title".
    if h1 is not None and (text := squash(h1.text(deep=True, separator=""))):
        meta.headline = text
    title = tree.css_first("title")
    if title is not None and (text := _text(title)):
        meta.document_title = text
    if meta.document_title and _folded(meta.headline or "") not in _folded(meta.document_title):
        # An h1 the <title> does not repeat is the site's or the section's ("Allergies Health
        # Center"); a heading the <title> does repeat is the article's.
        meta.headline = _heading_in_title(tree, meta.document_title) or meta.headline


def _read_byline(tree: LexborHTMLParser, scope: LexborNode | None, meta: PageMeta, site: SiteRule | None) -> None:
    """Author strings: the site's author selector first, then the first byline found in the
    article, else in the whole page."""
    if site and site.author:
        if configured := [t for n in tree.css(site.author) if (t := _text(n))]:
            meta.author_groups.insert(0, configured)
    for where in dict.fromkeys((scope, tree.body or tree.root)):
        if where is not None and (group := _byline_group(where)):
            meta.author_groups.append(group)
            return
    if not meta.author_groups and (name := bare_name_under(headline_node(tree, scope, site))):
        meta.author_groups.append([name])


def _read_dates(tree: LexborHTMLParser, scope: LexborNode | None, meta: PageMeta, site: SiteRule | None) -> None:
    """Publication dates on the page: the site's date selector first, then the first
    <time datetime>, then microdata's datePublished."""
    if site and site.date:
        for node in tree.css(site.date):
            if configured := node.attributes.get("datetime") or node.attributes.get("content") or _text(node):
                meta.published.insert(0, configured)
                meta.structured_date = True
    root = tree.root
    if root is not None and (shown := _first_time(scope or root) or _first_time(root, outside_teasers=True)):
        meta.published.append(shown)
    for node in tree.css('[itemprop="datePublished"]'):
        if _of_another_item(node):
            continue
        if value := node.attributes.get("datetime") or node.attributes.get("content"):
            meta.published.append(value)
            meta.structured_date = True


# Microdata items whose properties are never the article's. (Not "Person": CNET nests the
# story's datePublished in its byline's Person item.)
_OTHER_ITEMS = frozenset({"videoobject", "audioobject", "imageobject", "mediaobject", "clip", "comment"})


def _of_another_item(node: LexborNode) -> bool:
    """A microdata property of a clip or a comment on the page: a VideoObject's
    datePublished (Yahoo puts a clip's before the story's)."""
    for parent in ancestors(node):
        if "itemscope" in parent.attributes:
            kind = (parent.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            return kind in _OTHER_ITEMS
    return False


_TEASER_PLACES = frozenset({"li", "aside", "nav", "footer"})


def _first_time(scope: LexborNode, outside_teasers: bool = False) -> str | None:
    """The first <time datetime> in `scope` that is not marked as the update. Across the
    whole page (MSN's byline sits outside its <article>), only one outside lists, sidebars,
    navigation, footers and comments, where the times are teasers'."""
    for node in scope.css("time[datetime]"):
        value = node.attributes.get("datetime")
        if not value or "modified" in (node.attributes.get("itemprop") or "").lower():
            continue
        if outside_teasers and (_in_comments(node) or any(p.tag in _TEASER_PLACES for p in ancestors(node))):
            continue
        return value
    return None


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _heading_in_title(tree: LexborHTMLParser, document_title: str) -> str | None:
    """The first h1 or h2 that the <title> is, before any tail ("Heading | Site"). A heading
    the title holds only in part ("How to retire early" in "How to retire early so you
    can...") is a section of the article, not its headline."""
    folded_title = _folded(document_title)
    for node in tree.css("h1, h2"):
        text = squash(node.text(deep=True, separator=""))
        folded = _folded(text)
        if (len(text) >= _HEADING_MIN_CHARS and folded_title.startswith(folded)
                and _TITLE_TAIL_START.match(folded_title, len(folded))):
            return text
    return None


# Matched by lexbor itself, on class names as written (lower case): each word is a pass
# over the page's elements (0.8 ms a zyte page with ids, any case and twelve words; about
# 0.25 ms like this).
_CLOCK_SELECTOR = ", ".join(f'[class*="{word}"]' for word in _LEXICON.words("clock_class"))
_CLOCK_MAX_CHARS = 80
# A "clock" icon beside the story's own date sits inside these: only the frame's clock goes.
_STORY_TAGS = frozenset({"article", "main"})


def drop_clock_widgets(tree: LexborHTMLParser) -> None:
    """Remove the page frame's clock or today's date ("Montag, 07.12.2026 · 11:02 Uhr" in a
    `div.clock`): its date is the reader's day, never the article's, and a date-only line
    there would otherwise be read as a byline's stamp. Not inside the article or <main>, nor
    one holding a <time>: there a "clock" class marks the story's own date."""
    if not _CLOCK_SELECTOR:
        return
    for node in tree.css(_CLOCK_SELECTOR):
        text = _text(node)
        if (len(text) <= _CLOCK_MAX_CHARS and any(ch.isdigit() for ch in text) and node.css_first("time") is None
                and not any(parent.tag in _STORY_TAGS for parent in ancestors(node))):
            node.decompose()


def read_metadata(tree: LexborHTMLParser, site: SiteRule | None = None) -> PageMeta:
    """Gather metadata candidates from a parsed page (call before pruning scripts). Clock
    widgets leave the tree (drop_clock_widgets): no stage should read their date."""
    drop_clock_widgets(tree)
    meta = PageMeta()
    created = _read_json_ld(tree, meta)
    _read_meta_tags(tree, meta)
    _read_page(tree, meta, site)
    meta.published.extend(created)
    return meta
