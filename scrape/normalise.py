"""Extract → Article: tidy text, pick and clean metadata. No I/O.

Text: NFC; whitespace collapsed inside paragraphs; one blank line between paragraphs; the
title not repeated in the body; no paragraph twice in a row.
Authors: people only ("By", dates, roles, publisher/site names and junk like "Staff" out;
"A and B", "A, B" split; "Surname, Given" kept as one person).
Dates: ISO 8601; the first candidate that parses wins (candidates come best first, structured
data before guesses); an offset when the page gives one, else the site's timezone from config,
else naive.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .bylines import BY_PREFIX, looks_like_name
from .config import SiteRule
from .dates import parse_date
from .models import Article, Extract, Source

_WS = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Words that make an author string a role, a desk or a placeholder rather than a person.
_NOT_PEOPLE = re.compile(
    r"^(?:staff|staff writers?|staff reports?|admin|administrator|username|user|editor|editors|"
    r"editorial( staff| board| team)?|redaktion|rédaction|redacción|redazione|newsroom|news desk|"
    r"web desk|desk|team|guest|guest author|contributor|anonymous|unknown|author|authors|"
    r"reporter|correspondent|news|online|digital|the editors|editorial board|ap|associated press staff)$",
    re.IGNORECASE,
)
_ROLE_WORDS = re.compile(
    r"\b(?:editor|editors|writer|reporter|correspondent|columnist|contributor|contributing|staff|"
    r"producer|journalist|analyst|director|chief|senior|associate|deputy|managing|bureau|"
    r"photographer|anchor|host|intern|fellow|professor|head of|opinion|critic|"
    r"redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|journaliste|periodista|giornalista)\b",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||/|•|·|\s&\s|\sand\s|\sund\s|\set\s|\sy\s|\se\s)\s*", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_EMAIL_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_SITE_TAIL = re.compile(r"\s+[|–—:•·»-]\s+[^|–—:•·»]{1,60}$")


def normalise_paragraph(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    return _WS.sub(" ", text).strip()


def normalise_text(paragraphs, title: str | None = None) -> str:
    """Join paragraphs with one blank line; drop empties, repeated paragraphs and the title."""
    kept: list[str] = []
    last_key = None
    title_key = _key(title) if title else None
    for raw in paragraphs:
        for para in raw.split("\n"):
            para = normalise_paragraph(para)
            if not para:
                continue
            key = _key(para)
            # A paragraph identical to the one before it is a doubled block (desktop and
            # mobile copies, a caption twice). Repeats further apart are kept: interviews
            # repeat their questions and recipes their lines, and the corpora's truth keeps them.
            if kept and key == last_key:
                continue
            if key == title_key:  # the headline repeated in the body, usually at the top
                continue
            last_key = key
            kept.append(para)
    return "\n\n".join(kept)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _split_authors(raw: str) -> list[str]:
    raw = normalise_paragraph(raw)
    raw = _EMAIL_URL.sub(" ", raw)
    raw = _PARENS.sub(" ", raw)
    raw = BY_PREFIX.sub("", raw.strip())
    parts = [p.strip(" ,.:-–—") for p in _AUTHOR_SPLIT.split(raw)]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if "," in part:
            pieces = [p.strip() for p in part.split(",") if p.strip()]
            # "Doe, Jane" is one person; "Jane Doe, John Roe" two; "Jane Doe, Reporter" one.
            if len(pieces) == 2 and len(pieces[0].split()) == 1 and not _ROLE_WORDS.search(pieces[1]) \
                    and 1 <= len(pieces[1].split()) <= 3:
                out.append(part)
                continue
            out.extend(p for p in pieces if not _ROLE_WORDS.search(p))
            continue
        out.append(part)
    return out


def _site_keys(site_names, url: str | None) -> set[str]:
    keys = {_key(s) for s in site_names if s}
    if url:
        host = re.sub(r"^www\.", "", (re.match(r"^\w+://([^/:]+)", url) or [None, ""])[1] or "")
        if host:
            keys.add(_key(host))
            keys.add(_key(host.split(".")[0]))
    return keys


def clean_authors(raw_authors, site_names=(), url: str | None = None) -> tuple[str, ...]:
    """People's names from raw author strings; publishers, roles and junk dropped."""
    site_keys = _site_keys(site_names, url)
    seen: set[str] = set()
    out: list[str] = []
    for raw in raw_authors:
        for name in _split_authors(raw):
            name = BY_PREFIX.sub("", name).strip(" ,.:-–—")
            if not name or _NOT_PEOPLE.match(name) or _key(name) in site_keys:
                continue
            if _ROLE_WORDS.search(name) and not looks_like_name(name):
                continue
            if len(name) > 60 or len(name.split()) > 6 or any(ch.isdigit() for ch in name):
                continue
            if "." in name and " " not in name and name.lower() == name:  # a domain, "site.com"
                continue
            key = _key(name)
            if key not in seen:
                seen.add(key)
                out.append(name)
    return tuple(out)


def strip_site_tail(title: str, site_names=()) -> str:
    """'Headline | Site' → 'Headline' (also ' - Site', ' — Site')."""
    keys = {_key(s) for s in site_names if s}
    for sep in (" | ", " - ", " – ", " — ", " :: ", " • ", " · ", " » "):
        if sep in title:
            head, _, tail = title.rpartition(sep)
            if head and (_key(tail) in keys or len(tail.split()) <= 4 and len(head.split()) >= 3):
                return head.strip()
    return title


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", _key(text)))


def _agrees(headline: str, other: str) -> bool:
    """The h1 and a metadata title name the same story (one may carry a site tail or kicker)."""
    a, b = _key(headline), _key(other)
    if a == b or a in b or b in a:
        return True
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta and tb) and len(ta & tb) / min(len(ta), len(tb)) >= 0.6


def rank_titles(meta) -> list[str]:
    """Title candidates best first: the on-page h1 when metadata agrees with it, then
    structured titles and <title>, each without a site-name tail."""
    sites = meta.site_names
    structured = [strip_site_tail(t, sites) for t in meta.titles if t]
    document = strip_site_tail(meta.document_title, sites) if meta.document_title else None
    others = structured + ([document] if document else [])
    ranked: list[str] = []
    headline = meta.headline
    if headline and len(headline) <= 300 and (not others or any(_agrees(headline, o) for o in others)):
        ranked.append(headline)
    ranked.extend(others)
    if headline and headline not in ranked:
        ranked.append(headline)
    return ranked


def pick_title(extract: Extract) -> str | None:
    """The on-page headline when the metadata agrees with it, else the cleanest candidate."""
    candidates = [normalise_paragraph(t) for t in extract.titles if t and normalise_paragraph(t)]
    if not candidates:
        return None
    return candidates[0]


def pick_date(candidates, site_timezone: str | None) -> str | None:
    for raw in candidates:
        parsed = parse_date(raw, site_timezone)
        if parsed is not None:
            return parsed.iso()
    return None


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def count_words(text: str) -> int:
    """Whitespace words, with each CJK character counted as a word (those scripts use no spaces)."""
    cjk = len(_CJK.findall(text))
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
    text = normalise_text(extract.paragraphs, title)
    tz = site.timezone if site else None
    tags = tuple(dict.fromkeys(t for t in (normalise_paragraph(t) for t in extract.tags) if t))
    site_name = normalise_paragraph(extract.site_name) if extract.site_name else None
    return Article(
        text=text,
        title=title,
        authors=clean_authors(extract.authors, [site_name] if site_name else (), url),
        published=pick_date(extract.published, tz),
        modified=pick_date(extract.modified, tz),
        url=url,
        canonical_url=extract.canonical_url,
        site_name=site_name or None,
        language=_language(extract.language),
        description=normalise_paragraph(extract.description) if extract.description else None,
        tags=tags,
        word_count=count_words(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        id=record_id,
        source=source,
        removed=extract.removed,
    )
