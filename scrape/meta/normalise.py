"""Extract → Article: tidy text, pick and clean metadata. No I/O.

Text: NFC; whitespace collapsed inside paragraphs; one blank line between paragraphs; the
title not repeated in the body; no paragraph twice in a row.
Authors: people only (scrape/authors.py).
Titles: the structured headline, the on-page h1 or <title>, without the site's tail.
Dates: ISO 8601; the first candidate that parses wins (candidates come best first, structured
data before guesses); an offset when the page gives one, else the site's timezone from config,
else naive.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from ..config import SiteRule
from ..models import Article, Extract, Source
from ..text import fold, normalise_paragraph
from .authors import clean_credit
from .candidates import PageMeta
from .dates import ParsedDate, parse_date
from .titles import TitleCandidate, choose_titles

_MAX_TITLE_CHARS = 400
_MAX_SITE_NAME_CHARS = 200
_MAX_DESCRIPTION_CHARS = 2000
_MAX_TAGS = 50


def normalise_text(paragraphs: Iterable[str], titles: Iterable[str | None] = (), drop_doubled: bool = True,
                   names: Iterable[str] = ()) -> str:
    """Join paragraphs with one blank line; drop empties, the title, a paragraph that is a
    credited name alone (a bare byline: `names`), and (with `drop_doubled`) a paragraph
    identical to the one before it. HTML pages drop doubled blocks in the DOM instead, where
    a copy can be told from the author's own repetition."""
    kept: list[str] = []
    last_key = None
    # The headline in any of its forms (h1, og:title, <title>) repeated in the body.
    title_keys = {fold(t) for t in titles if t} | {fold(n) for n in names}
    for raw in paragraphs:
        for para in raw.split("\n"):
            para = normalise_paragraph(para)
            if not para:
                continue
            key = fold(para)
            # Repeats further apart are kept: interviews repeat their questions and recipes
            # their lines, and the corpora's human-checked text keeps them.
            if drop_doubled and kept and key == last_key:
                continue
            if key in title_keys:
                continue
            last_key = key
            kept.append(para)
    return "\n\n".join(kept)



def rank_titles(meta: PageMeta) -> list[str]:
    """Title candidates best first, each without the site's affixes, chosen by agreement
    between the page's sources (meta/titles.py)."""
    candidates = list(meta.titles)
    if meta.headline:
        candidates.append(TitleCandidate("h1", meta.headline))
    if meta.document_title:
        candidates.append(TitleCandidate("title", meta.document_title))
    return choose_titles(candidates, meta.site_names, meta.canonical_url)


def pick_title(extract: Extract) -> str | None:
    """The on-page headline when the metadata agrees with it, else the cleanest candidate."""
    candidates = [normalise_paragraph(t) for t in extract.titles if t and normalise_paragraph(t)]
    if not candidates:
        return None
    return candidates[0]


def pick_date(candidates: Iterable[str], site_timezone: str | None, others: Iterable[str] = (),
              language: str | None = None) -> str | None:
    """The first candidate that parses; but when it is in UTC and the page shows its own
    offset, the same instant in that offset: the local calendar day is the one the page shows.
    The offset comes from a later candidate for the same instant, from a naive wall time the
    page prints for it, or from `others` (the page's other dates, as the modified time)."""
    found = (p for p in (parse_date(raw, site_timezone, language=language) for raw in candidates) if p is not None)
    first = next(found, None)
    if first is None:
        return None
    if first.has_time and first.value.utcoffset():
        return first.iso()  # a time with its own offset: no later candidate says more (and parsing is costly)
    parsed = [first, *found]
    best = _fullest(parsed)
    if best.has_time and best.value.utcoffset() == timedelta(0):
        local = _in_page_offset(best, parsed[1:], others)
        if local is not None:
            return local
    return best.iso()


def _fullest(parsed: list[ParsedDate]) -> ParsedDate:
    """The first date, or a later one for the same day or time that says more: with its
    time, or with its offset."""
    best = parsed[0]
    if not best.has_time:
        # A plain date, and the same day with its time further down: take the fuller one.
        fuller = next((p for p in parsed[1:] if p.has_time and p.value.date() == best.value.date()), None)
        if fuller is not None:
            best = fuller
    if best.has_time and best.value.tzinfo is None:
        # "2019-11-19 02:24:00" in one place and "... 02:24:00 UTC" in another: the offset is known.
        aware = next((p for p in parsed[1:] if p.has_time and p.value.tzinfo is not None
                      and abs(p.value.replace(tzinfo=None) - best.value) < timedelta(seconds=1)), None)
        if aware is not None:
            best = aware
    return best


def _in_page_offset(utc: ParsedDate, later: list[ParsedDate], others: Iterable[str]) -> str | None:
    """The UTC instant in the offset the page shows for it (ISO), if it shows one."""
    for other in later:
        if not other.has_time:
            continue
        offset = other.value.utcoffset()
        if offset and abs((other.value - utc.value).total_seconds()) < 60:
            # The instant of the first (it may carry seconds), in the page's own offset.
            return utc.value.astimezone(other.value.tzinfo).isoformat()
        if other.value.tzinfo is None and (local := _local_offset(utc.value, other.value)) is not None:
            return utc.value.astimezone(timezone(local)).isoformat()
    for raw in others:
        near = parse_date(raw)
        if near is not None and near.has_time and near.value.utcoffset() \
                and abs(near.value - utc.value) < _SAME_OFFSET_SPAN:
            return utc.value.astimezone(near.value.tzinfo).isoformat()
    return None


_SAME_OFFSET_SPAN = timedelta(days=7)  # dates this close share the site's offset (summer time aside)


def _local_offset(utc: datetime, wall: datetime) -> timedelta | None:
    """The offset at which the UTC instant reads as the naive wall time the page prints
    ("2019-11-19T04:58:46Z" beside "2019-11-18 20:58:46": -08:00), when it is one a time
    zone can have: a whole quarter hour, to the minute, between -11:45 and +14:00. Twelve
    hours either way is a 12-hour clock without its "pm" ("5:09" for 17:09), not an offset."""
    difference = wall.replace(second=0, microsecond=0) - utc.replace(tzinfo=None, second=0, microsecond=0)
    if wall.second and wall.second != utc.second:
        return None
    if not difference or difference % timedelta(minutes=15):
        return None
    twelve = timedelta(hours=12)
    if abs(difference) == twelve or not -twelve < difference <= timedelta(hours=14):
        return None
    return difference


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def count_words(text: str) -> int:
    """Whitespace words, with each CJK character counted as a word (those scripts use no spaces)."""
    cjk = len(_CJK.findall(text)) if not text.isascii() else 0
    if not cjk:
        return len(text.split())
    return cjk + len(_CJK.sub(" ", text).split())


def _language(raw: str | None) -> str | None:
    if not raw:
        return None
    code = raw.strip().replace("_", "-").split("-")[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def build_article(extract: Extract, url: str | None = None, site: SiteRule | None = None,
                  source: Source | None = None, record_id: str | None = None) -> Article:
    """Normalise an Extract into the Article record."""
    title = pick_title(extract)
    site_name = normalise_paragraph(extract.site_name) if extract.site_name else None
    if site_name and len(site_name) > _MAX_SITE_NAME_CHARS:
        site_name = None  # a page's text stuffed into og:site_name is no name
    publishers = [p for p in extract.publishers if len(p) <= _MAX_SITE_NAME_CHARS] or ([site_name] if site_name else [])
    credit = clean_credit(extract.authors, publishers, url, extract.organisations)
    text = normalise_text(extract.paragraphs, (title, *extract.titles), drop_doubled=extract.doubles_in_text,
                          names=credit.people)
    tz = site.timezone if site else None
    tags = tuple(dict.fromkeys(t for t in (normalise_paragraph(t) for t in extract.tags) if 0 < len(t) <= 100))
    tags = tags[:_MAX_TAGS]
    description = normalise_paragraph(extract.description) if extract.description else None
    if description and len(description) > _MAX_DESCRIPTION_CHARS:
        description = None  # a whole text stuffed into a meta tag is no summary
    return Article(
        text=text,
        title=title,
        authors=credit.people,
        author_organisations=credit.organisations,
        published=pick_date(extract.published, tz, others=extract.modified, language=extract.language),
        modified=pick_date(extract.modified, tz, language=extract.language),
        url=url,
        canonical_url=extract.canonical_url,
        site_name=site_name or None,
        language=_language(extract.language),
        description=description,
        tags=tags,
        word_count=count_words(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        id=record_id,
        source=source,
        removed=extract.removed,
    )
