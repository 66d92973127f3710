"""The page's title, chosen by agreement between its sources. No I/O.

Publishers write their headline in several places, and the places disagree: JSON-LD
`headline`, `og:title`, `twitter:title`, other meta titles, the on-page `h1` and `<title>`.
Each may carry the site's name ("Headline | The Daily Clarion", "Headline - clarion.com"),
a section label ("Opinion | Headline", "Headline - Politik") or a date; a structured title
may be cut short or have straight quotes where the h1 has curly ones.

So, in order:
1. The site's affixes are learnt from the page itself: the names it gives its publisher
   (og:site_name, JSON-LD publisher, application-name), its domain (canonical URL or the
   page's URL), and what `<title>` adds to another source's text ("Headline" in the h1 and
   "Headline - News - SRF" in `<title>`: " - News - SRF" is the site's).
2. Each candidate loses those affixes, at either end, and a structured title that is the h1
   give or take what metadata does to a headline (cut short, straight quotes, a one-word
   section label) is read as the h1.
3. Candidates are grouped by their words (punctuation and case aside: "Kicker: Title" and
   "Kicker - Title" are one headline), and the group most sources agree on wins; a tie goes
   to the most trusted source. A URL slug or a label (a short text only one source gives,
   beside a longer headline) never wins.

Measured on fundus-dev (its truths are per-publisher parsers' titles), see `choose_titles`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from ..text import fold, normalise_paragraph
from .authors import site_name_keys

# Where a title candidate came from, most trusted first: ties between groups of equal
# support go to the group holding the earliest of these.
SOURCES = ("json-ld", "og", "twitter", "meta", "h1", "title")
STRUCTURED = frozenset({"json-ld", "og", "twitter", "meta"})

_MAX_TITLE_CHARS = 400  # longer is a page's text stuffed into a title tag
_LABEL_MAX_CHARS = 14  # "Lorem", "Sport", "엔터 미디어": a label, beside a longer headline
_TITLE_CUT_MIN_CHARS = 20  # a structured title cut short still holds most of the headline
_AFFIX_MAX_WORDS = 6  # what <title> adds to a headline: a site's name, a section, a date
_SITE_AND_WORDS = 3  # "Mirror Online", "BBC News Mundo"
_SHORT_TAIL_WORDS = 4  # "Headline - Some Site Name": a tail no longer than this after...
_SHORT_TAIL_HEAD_WORDS = 3  # ...a head at least this long
# Between a headline and an affix: spaced bars, dashes, bullets, slashes, colons; unspaced
# full-width bars and colons and underscores (Chinese and Japanese titles: "标题_科技_腾讯网").
_SEPARATOR = re.compile(r"\s+(?:[|–—•·»/:-]|::)\s+|\s*[｜：_]\s*|\s+\|")
_DATE_AFFIX = re.compile(r"[\d\s./-]+")  # "| 28.04.2023", "- 2024-04-28"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")  # "chelsea-beat-spurs", "news_2024_04"
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class TitleCandidate:
    """One title as a source gives it."""

    source: str  # one of SOURCES
    text: str


def words_key(text: str) -> str:
    """A title's words alone: punctuation, quotes, case and spacing aside ("Demo / Der 9. Juli"
    and "DemoDer 9. Juli" are one headline)."""
    return "".join(_WORDS.findall(fold(text)))


def _compact(text: str) -> str:
    return "".join(_WORDS.findall(fold(text)))


def _split_segments(title: str) -> list[str]:
    """A title cut at its separators: "A | B - C" → ["A", "B", "C"]."""
    return [part.strip() for part in _SEPARATOR.split(title)]


@dataclass(frozen=True)
class _Affixes:
    """What may stand before or after a headline on this page, as comparison keys."""

    site_keys: frozenset[str]  # the publisher's names and domain, folded
    compact_keys: frozenset[str]  # the same with only their letters and digits
    learnt: frozenset[str]  # whole affixes <title> was seen to add to a headline, folded

    def names_site(self, segment: str) -> bool:
        key = fold(segment)
        if key in self.site_keys or key in self.learnt or _DATE_AFFIX.fullmatch(segment):
            return True
        compact = _compact(segment)
        if not compact:
            return True  # punctuation alone
        if compact in self.compact_keys:  # "Tageblatt.lu" for tageblatt.lu
            return True
        # "Mirror Online" for a site named "mirror": the site's name and a word or two.
        words = key.split()
        return len(words) <= _SITE_AND_WORDS and any(
            _compact(" ".join(words[:n])) in self.compact_keys for n in range(1, len(words)))


def _learn_affixes(candidates: Sequence[TitleCandidate], site_names: Collection[str], url: str | None) -> _Affixes:
    """The page's affixes: its publisher's names and domain, and each tail that <title> (or a
    structured title) adds to another source's whole text."""
    keys = frozenset(k for k in site_name_keys(site_names, url) if k)
    compact = frozenset(c for c in (_compact(k) for k in keys) if len(c) >= 2)
    learnt: set[str] = set()
    texts = {fold(c.text) for c in candidates}
    for candidate in candidates:
        folded = fold(candidate.text)
        for other in texts:
            if other != folded:
                learnt.update(_affixes_around(folded, other))
        # A short h1 that is a later part of another's title is the section's label
        # ("Politik" in the h1, "Headline | Politik | Site" in <title>).
        if candidate.source == "h1" and _is_label(candidate.text) \
                and any(folded in _split_segments(other)[1:] for other in texts):
            learnt.add(folded)
    return _Affixes(keys, compact, frozenset(learnt))


def _affixes_around(title: str, other: str) -> list[str]:
    """What `title` adds to the whole of `other` when that is an affix: a tail shorter than
    the headline it follows ("Europe" in the h1 and "Europe : les ventes ont progressé" in
    <title> is a section and its headline, not a headline and its site), or one word before
    it ("draft-04 - remoteStorage")."""
    if title.startswith(other):
        match = _SEPARATOR.match(title, len(other))
        rest = title[match.end():] if match else ""
        if match and rest and len(rest.split()) <= min(_AFFIX_MAX_WORDS, len(other.split()) - 1):
            return [rest, *_split_segments(rest)]
    elif title.endswith(other):
        head = title[: -len(other)]
        match = _SEPARATOR.search(head)
        if match and match.end() == len(head) and len(head[: match.start()].split()) == 1:
            return [head[: match.start()].strip()]
    return []


def _without_affixes(title: str, affixes: _Affixes) -> str:
    """The title without the site's affixes at either end (several: "A - News - SRF")."""
    while True:
        cuts = list(_SEPARATOR.finditer(title))
        if not cuts:
            return title
        first, last = cuts[0], cuts[-1]
        before_last, tail = title[:last.start()].strip(), title[last.end():].strip()
        head, after_first = title[:first.start()].strip(), title[first.end():].strip()
        if before_last and affixes.names_site(tail):
            title = before_last
        elif after_first and affixes.names_site(head):
            title = after_first
        else:
            return title


def _without_short_tail(title: str) -> str:
    """A <title> no other source agrees with, without a short tail after a longer head: the
    name of a site the page names nowhere else ("Headline - Entermedia")."""
    cuts = list(_SEPARATOR.finditer(title))
    if not cuts:
        return title
    last = cuts[-1]
    head, tail = title[:last.start()].strip(), title[last.end():].strip()
    if len(tail.split()) <= _SHORT_TAIL_WORDS and len(head.split()) >= _SHORT_TAIL_HEAD_WORDS:
        return head
    return title


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " • ", " · ", " » ", "：", "｜", " / ")


def _as_on_page(title: str, headline: str | None) -> str:
    """The h1 in place of a structured title that is the h1 give or take what the metadata
    did to it: cut short ("…third Beijing local to contract"), straight quotes for curly, or
    a one-word section label before or after it ("Opinion | …", "… | Editorial"). A longer
    part ("Rückschlag im Titelkampf - …") is a kicker and the headline's own."""
    if not headline:
        return title
    loose, on_page = fold(title).translate(_QUOTES), fold(headline).translate(_QUOTES)
    if loose == on_page:
        return headline
    if len(loose) >= _TITLE_CUT_MIN_CHARS and on_page.startswith(loose + " "):
        return headline
    for sep in _TITLE_SEPARATORS:
        if loose.endswith(sep + on_page):
            label = loose.removesuffix(sep + on_page)
        elif loose.startswith(on_page + sep):
            label = loose.removeprefix(on_page + sep)
        else:
            continue
        if len(label.split()) == 1:
            return headline
    return title


def _is_slug(text: str) -> bool:
    """"chelsea-beat-spurs": a URL's words, never a headline."""
    return bool(_SLUG.fullmatch(text.strip()))


def _is_label(text: str) -> bool:
    """Short enough to be a section label or a logo rather than a headline."""
    return len(text) <= _LABEL_MAX_CHARS


def _cleaned(candidates: Sequence[TitleCandidate], affixes: _Affixes) -> list[TitleCandidate]:
    """Candidates without affixes, structured ones read as the h1 where they are it."""
    headline = next((c.text for c in candidates if c.source == "h1"), None)
    out = []
    for candidate in candidates:
        text = normalise_paragraph(candidate.text)
        if not text or len(text) > _MAX_TITLE_CHARS or _is_slug(text):
            continue
        stripped = _without_affixes(text, affixes)
        if candidate.source != "h1":
            stripped = _as_on_page(stripped, headline)
        out.append(TitleCandidate(candidate.source, stripped))
    keys = [words_key(c.text) for c in out]
    return [TitleCandidate(c.source, _without_affixes(_without_short_tail(c.text), affixes))
            if c.source == "title" and keys.count(keys[i]) == 1 else c for i, c in enumerate(out)]


@dataclass
class _Group:
    key: str
    members: list[TitleCandidate]

    @property
    def rank(self) -> int:
        return min(SOURCES.index(m.source) for m in self.members)

    def support(self, sources: Collection[str]) -> int:
        """How many sources give this title; twitter:title only where the page has no
        og:title, as it is most often a copy of it (counting it twice cost fundus-dev 2 pages)."""
        given = {m.source for m in self.members}
        if "og" in sources:
            given.discard("twitter")
        return len(given)

    def text(self, sources: Collection[str] = SOURCES) -> str:
        """The group's title as most of its sources write it (punctuation differs: "Kicker:
        Title", "Kicker - Title"), a tie to the most trusted source's writing."""
        counted = [m for m in self.members if not (m.source == "twitter" and "og" in sources)] or self.members
        writings = Counter(m.text for m in counted)
        return min(counted, key=lambda m: (-writings[m.text], SOURCES.index(m.source))).text


def _groups(candidates: Iterable[TitleCandidate]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for candidate in candidates:
        key = words_key(candidate.text) or fold(candidate.text)
        groups.setdefault(key, _Group(key, [])).members.append(candidate)
    return list(groups.values())


def _order(groups: list[_Group]) -> list[_Group]:
    """Most support first, ties to the most trusted source; a label one source gives goes
    after every longer headline."""
    sources = {m.source for g in groups for m in g.members}

    def score(group: _Group) -> tuple[bool, int, int]:
        support = group.support(sources)
        return (support <= 1 and _is_label(group.text(sources)), -support, group.rank)
    return sorted(groups, key=score)


def choose_titles(candidates: Sequence[TitleCandidate], site_names: Collection[str] = (),
                  url: str | None = None) -> list[str]:
    """Title candidates best first, each without the site's affixes (see the module doc)."""
    affixes = _learn_affixes(candidates, site_names, url)
    cleaned = _cleaned(candidates, affixes)
    sources = {c.source for c in cleaned}
    ranked = [g.text(sources) for g in _order(_groups(cleaned))]
    return list(dict.fromkeys(ranked))


def strip_site_tail(title: str, site_names: Collection[str] = (), url: str | None = None) -> str:
    """'Headline | Site' → 'Headline', for one title alone (the site named by `site_names`
    or the domain of `url`, or a date)."""
    return _without_affixes(title, _learn_affixes((), site_names, url))


