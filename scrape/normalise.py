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
from datetime import datetime, timedelta, timezone

from .bylines import BY_PREFIX, PARTICLES, ROLE_WORDS
from .config import SiteRule
from .dates import parse_date
from .models import Article, Extract, Source

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")  # str.split() takes \t-\r and \x1c-\x1f
# Words that make an author string a role, a desk or a placeholder rather than a person.
_NOT_PEOPLE = re.compile(
    r"^(?:staff|staff writers?|staff reports?|admin|administrator|username|user|editor|editors|"
    r"editorial( staff| board| team)?|redaktion|rédaction|redacción|redazione|newsroom|news desk|"
    r"web desk|desk|team|guest|guest author|contributor|anonymous|unknown|author|authors|"
    r"reporter|correspondent|news|online|digital|the editors|editorial board|associated press staff|"
    r"about the author|about us|contributors?|fail|null|none|n/a|admin(istrator)?|webmaster|"
    r"more|read more|share|comments?|follow|email|e-mail|facebook|twitter|agencies|agency|wires)$",
    re.IGNORECASE,
)
_ROLE_WORDS = ROLE_WORDS
# "and" in the languages of the sites we see most: en, de, fr, es/pt, it, nl, nordic, tr, ru.
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|\||/|•|·|\s&\s|\s(?:and|und|et|y|e|en|og|och|ve|и|és|oraz|ja)\s)\s*", re.IGNORECASE
)
# Company forms and newsroom words: an author string holding one is not a person.
_ORGANISATION = re.compile(
    r"\b(?:gmbh|ag|inc|ltd|llc|plc|s\.?a\.?|corp|corporation|company|verlag|media group|"
    r"publishing|nachrichten|news agency|newsroom|redaktion|rédaction|redacción|redazione|project|"
    r"institute|foundation|association|university|council|committee|department|ministry|ministries|"
    r"agency|media)\b\.?"
    r"|-redaktion\b|\bnews$|^news\b",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"(?:ma|ms|msc|bsc|ba|phd|ph\.d\.|md|m\.d\.|rn|jd|mba|mph|dr|prof|rd|rdn|ld|ldn|cde|np|dvm|dds|"
    r"pharmd|lcsw|msw|mfa|cscs|facs|cpt)\.?",
    re.IGNORECASE,
)
_INTERFACE_WORDS = re.compile(
    r"\b(?:share|copy link|print|e-?mail|follow|subscribe|comments?|read more|sign in|log in|menu|"
    r"view more|more articles|all articles|view all|see all)\b",
    re.IGNORECASE,
)
_MAX_TITLE_CHARS = 400
_MAX_SITE_NAME_CHARS = 200
_MAX_DESCRIPTION_CHARS = 2000
_MAX_TAGS = 50
_SOURCE_PREFIX = re.compile(
    r"^(?:quelle|source|fuente|fonte|bron|kilde|källa|author|autor|auteur|text|texto|testo|tekst|текст|"
    r"автор)\s*:\s*",
    re.IGNORECASE,
)
# Wire services credited by their initials. fundus-dev's truths count them as authors
# ("Felix Schröder, Jörg Soldwisch, dpa"), and so does scrape; other initials after a
# writer's name are the outlet the story came from ("Sandee LaMotte, CNN" on MSN).
_WIRE_INITIALS = frozenset({"ap", "afp", "dpa", "epd", "kna", "sid", "apa", "sda", "ansa", "efe", "pti", "ians",
                            "ani", "upi", "anp", "ntb", "tt", "ctk", "pap", "mti", "bta", "dapd", "ddp", "aa"})
_INITIALS = re.compile(r"[A-Z]{2,5}")
# A site account: "admin", "jdadmin", "siteadmin".
_ADMIN_ACCOUNT = re.compile(r"^\w*admin\w*$", re.IGNORECASE)
# "Finian Cunningham. Sputnik International": a sentence break after a full name ends it.
# An initial ("Sarah E. Needleman") is one letter, so it needs two before the stop.
_NAME_THEN_SENTENCE = re.compile(r"^(\S+\s+\S*\w\w)\.\s+(?=[A-Z])")
# A domain in any case: "Spacetoday.net", "NJ.com".
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|co|de|fr|uk|in|ru|it|es|nl|io|news|ca|au)$",
                     re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Names in brackets between a given name and a surname are the person's own middle names:
# "Bruno (Henrique Zecchin) Rodrigues". Elsewhere a bracket holds an agency, a site or a note.
_MIDDLE_NAMES = re.compile(r"(?<=[^\W\d_] )\((?:[A-Z][a-z][\w'’-]*\s?){1,3}\)(?= [A-Z][a-z])")
# Credits for work other than the writing ("Edited by", "Photos by"): those named are not
# the authors. Cut up to the next ";" or "|", where the next credit may be a writer's.
_OTHER_CREDIT = re.compile(
    r"\b(?:edited|editing|translated|translation|photos?|photographs?|photography|pictures?|"
    r"illustrations?|illustrated|graphics|video|produced|production|fact[- ]checked|"
    r"fotos?|bilder|redigiert|übersetzt|übersetzung)\s+(?:by|von)\b[^;|]*",
    re.IGNORECASE,
)
# Where the writer filed from, after the name: "Jon Henley in Paris", "Marie Dubois à Lyon".
_FILED_FROM = re.compile(r"\s+(?:in|à)\s+(?=[A-ZÀ-ÖØ-Þ])[^,;|]*$")
# Tokens only from their start ((?<!\S)): "\S+@" tried at every offset of a long token is quadratic.
_EMAIL_URL = re.compile(r"(?<!\S)[^\s@]+@\S+|https?://\S+|www\.\S+")
_SITE_TAIL = re.compile(r"\s+[|–—:•·»-]\s+[^|–—:•·»]{1,60}$")


def normalise_paragraph(text: str) -> str:
    """NFC; zero-width and control characters out; every run of whitespace (line and
    paragraph separators included) one space."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    return " ".join(text.split())


def normalise_text(paragraphs, titles=(), drop_doubled: bool = True) -> str:
    """Join paragraphs with one blank line; drop empties, the title, and (with
    `drop_doubled`) a paragraph identical to the one before it. HTML pages drop doubled
    blocks in the DOM instead, where a copy can be told from the author's own repetition."""
    kept: list[str] = []
    last_key = None
    # The headline in any of its forms (h1, og:title, <title>) repeated in the body.
    title_keys = {_key(t) for t in titles if t}
    for raw in paragraphs:
        for para in raw.split("\n"):
            para = normalise_paragraph(para)
            if not para:
                continue
            key = _key(para)
            # Repeats further apart are kept: interviews repeat their questions and recipes
            # their lines, and the corpora's human-checked text keeps them.
            if drop_doubled and kept and key == last_key:
                continue
            if key in title_keys:
                continue
            last_key = key
            kept.append(para)
    return "\n\n".join(kept)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _split_authors(raw: str) -> list[str]:
    return [name for name, _ in _split_marked(raw)]


def _split_marked(raw: str) -> list[tuple[str, bool]]:
    """Names in an author string, each with whether it is the second of "Full Name, X", where
    X may be a second person or the writer's outlet or town ("Charlie Wood, Business Insider")."""
    raw = normalise_paragraph(raw)
    # Before URLs: "(www.dw.com)" goes whole.
    raw = _PARENS.sub(lambda m: m[0] if _MIDDLE_NAMES.match(m.string, m.start()) else " ", raw)
    raw = _OTHER_CREDIT.sub(" ", raw)
    raw = _EMAIL_URL.sub(" ", raw)
    raw = " ".join(raw.split())
    raw = BY_PREFIX.sub("", raw.strip())
    raw = _SOURCE_PREFIX.sub("", raw)
    parts = [p.strip(" ,.:-–—") for p in _AUTHOR_SPLIT.split(raw)]
    out: list[tuple[str, bool]] = []
    for part in parts:
        part = _FILED_FROM.sub("", part)
        sentence = _NAME_THEN_SENTENCE.match(part)
        if sentence:
            part = sentence.group(1)
        if not part:
            continue
        if "," in part:
            pieces = [p.strip() for p in part.split(",") if p.strip()]
            # "Doe, Jane" is one person; "Jane Doe, John Roe" two; "Jane Doe, Reporter" one.
            if len(pieces) == 2 and len(pieces[0].split()) == 1 and not _ROLE_WORDS.search(pieces[1]) \
                    and 1 <= len(pieces[1].split()) <= 3:
                out.append((part, False))
                continue
            kept = [p for p in pieces if not _ROLE_WORDS.search(p) and not _DEGREE.fullmatch(p)]
            second = len(kept) == 2 and len(kept[0].split()) >= 2
            out.extend((p, second and i == 1) for i, p in enumerate(kept))
            continue
        out.append((part, False))
    return out


def _site_keys(site_names, url: str | None) -> set[str]:
    """The publisher's names as author (and title tail) keys: "Deutsche Welle (www.dw.com)"
    gives "deutsche welle" too, as an author string is read the same way."""
    keys = {_key(s) for s in site_names if s}
    keys |= {_key(name) for s in site_names if s for name in _split_authors(s)}
    # A site named by its domain is named by the domain's name too: "DW.COM", "DW".
    keys |= {_key(s.strip().lower().removeprefix("www.").split(".")[0])
             for s in site_names if s and "." in s and " " not in s.strip()}
    if url:
        host = re.sub(r"^www\.", "", (re.match(r"^\w+://([^/:]+)", url) or [None, ""])[1] or "")
        if host:
            keys.add(_key(host))
            keys.add(_key(host.split(".")[0]))
    return keys


def _mentions_site(name: str, site_keys: set[str]) -> bool:
    """'NZZ-Redaktion', 'Deutsche Welle (DW)', 'India Post News Weekly': the publisher's name
    inside an author string. A one-word author that the site's domain begins with is the
    site's own account: "Beachbody" on beachbodyondemand.com, "gto" on gto-normativy.ru."""
    key = _key(name)
    padded = f" {key} "
    if any(len(site) >= 3 and (f" {site} " in padded or key.startswith(site + "-")) for site in site_keys):
        return True
    return " " not in key and any(site.startswith(key + "-") or (len(key) >= 5 and site.startswith(key))
                                  for site in site_keys if " " not in site)


def clean_authors(author_groups, site_names=(), url: str | None = None) -> tuple[str, ...]:
    """People's names from the first source group that names any.

    Sources disagree in form ("Jane Doe" in JSON-LD, "Doe, Jane" in citation meta), so
    groups are never mixed; a group holding only publishers or junk gives way to the next.
    """
    site_keys = _site_keys(site_names, url)
    groups = [found for found in (_people(g, site_keys) for g in author_groups) if found[0]]
    if not groups:
        return ()
    chosen, seconds = groups[0]
    keys = {_key(n) for n in chosen}
    outlets: set[str] = set()
    # "Charlie Wood, Business Insider" reads as two people; when another source names the
    # writers without the part after the comma, that part was their outlet or town.
    if seconds:
        core = tuple(n for n in chosen if _key(n) not in seconds)
        core_keys = {_key(n) for n in core}
        if core and any({_key(n) for n in later} == core_keys for later, _ in groups[1:]):
            chosen, keys, outlets = core, core_keys, seconds
    groups = [people for people, _ in groups]
    # Structured data may name only the lead author while the byline names all of them
    # (Ghost does this): a later group holding every chosen name and more is the fuller one.
    for later in groups[1:]:
        later_keys = {_key(n) for n in later}
        extra = later_keys - keys
        # Extra names must be full names (a lone "Zürich" after the author is the dateline)
        # and not a chosen one with words stuck on ("Rosa Delgado Sonoran Post").
        # Nor one found above to be the writer's outlet.
        if (extra and keys <= later_keys and all(len(e.split()) >= 2 for e in extra)
                and not any(k in e for k in keys for e in extra) and not extra & outlets):
            chosen, keys = later, later_keys
    return chosen


def _people(raw_authors, site_keys: set[str]) -> tuple[tuple[str, ...], set[str]]:
    """The people among a source's author strings, and the keys of those that were the
    second of "Full Name, X" (see _split_marked)."""
    seen: set[str] = set()
    out: list[str] = []
    seconds: set[str] = set()
    for raw in raw_authors:
        marked = _split_marked(raw)
        names = [name for name, _ in marked]
        # "hessenschau.de, Frankfurt, Germany": a publisher with its town, not people.
        # ("Meg Kinnard and Errin Haines, Associated Press" names people beside the publisher.)
        if len(names) > 1 and "," in raw and any(_key(n) in site_keys or _ORGANISATION.search(n) for n in names) \
                and all(len(n.split()) == 1 or _key(n) in site_keys or _ORGANISATION.search(n) for n in names):
            continue
        for name, second in marked:
            name = BY_PREFIX.sub("", name).strip(" ,.:-–—(")
            if not name or _NOT_PEOPLE.match(name) or _key(name) in site_keys:
                continue
            if _ROLE_WORDS.search(name):  # "Staff Writer", "Nippon Herald Staff Writer"
                continue
            if _ORGANISATION.search(name) or _mentions_site(name, site_keys):
                continue
            if "-" in name and " " not in name and name.lower() == name:  # a URL slug, "jane-doe"
                continue
            if _INTERFACE_WORDS.search(name):  # "Kochi Share Via Copy Link": a byline bar's buttons
                continue
            if len(name) > 60 or len(name.split()) > 6 or any(ch.isdigit() for ch in name) or "@" in name:
                continue
            if _DOMAIN.match(name) or _ADMIN_ACCOUNT.match(name):  # "Spacetoday.net", "jdadmin"
                continue
            if not _reads_as_a_name(name):
                continue
            if second and _INITIALS.fullmatch(name) and name.lower() not in _WIRE_INITIALS:
                continue
            key = _key(name)
            if key not in seen:
                seen.add(key)
                out.append(name)
                if second:
                    seconds.add(key)
    return tuple(_without_joined(out)), seconds


_PRONOUNS = {"Our", "My", "Your", "This", "These", "Its", "Their"}


def _reads_as_a_name(name: str) -> bool:
    """False for phrases: "Syrian defense ministries", "Our Beautiful Universe", "The Russian"
    (but "The Associated Press" is a wire's credit). A name's words are capitalised but for
    particles ("van", "de"); all-lower names ("dpa", "ssi") are initials and agency codes,
    and scripts without case are let be."""
    words = name.split()
    if len(words) >= 2 and words[0] in _PRONOUNS or len(words) == 2 and words[0] == "The":
        return False
    lower = [w for w in words if w[:1].islower() and w.lower() not in PARTICLES]
    return not (len(lower) >= 2 and len(lower) < len(words))


def _without_joined(names: list[str]) -> list[str]:
    """Names minus any that is two others run together: "ERIC TUCKER Associated Press" when
    "ERIC TUCKER" and "Associated Press" are both there (a byline and its credit line)."""
    keys = {_key(n) for n in names}
    return [n for n in names
            if not any(_key(n).startswith(k + " ") and _key(n)[len(k) + 1:] in keys for k in keys)]


_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " • ", " · ", " » ", "：", "｜", " / ")
_DATE_TAIL = re.compile(r"[\d\s./-]+")  # "| 28.04.2023", "- 2024-04-28"


def strip_site_tail(title: str, site_names=(), known_only: bool = False) -> str:
    """'Headline | Site' → 'Headline' (also ' - Site', ' — Site', and a date after it:
    'Headline | Site | 28.04.2023'). A tail naming the site always goes; with `known_only`
    false, so does any short tail after a longer head, which is what a <title> carries."""
    keys = _site_keys(site_names, None)
    while True:
        for sep in _TITLE_SEPARATORS:
            if sep in title:
                head, _, tail = title.rpartition(sep)
                head = head.strip()
                if not head:
                    continue
                if _key(tail) in keys or _DATE_TAIL.fullmatch(tail):
                    title = head
                    break
                if not known_only and len(tail.split()) <= 4 and len(head.split()) >= 3:
                    return head
        else:
            return title


def rank_titles(meta) -> list[str]:
    """Title candidates best first, each without a site-name tail: the structured headline
    (JSON-LD, then Open Graph, Twitter, Dublin Core), then the on-page h1, then <title>.

    Measured on fundus-dev: JSON-LD headline is right on 84% of the pages that have one,
    og:title 78%, the h1 74%, <title> 59%; trying them in that order gets 82%. A structured
    headline loses only a tail that names the site (or a date): "Rückschlag im Titelkampf -
    Liverpool verliert bei Everton" is the whole headline, and when the page's h1 reads the
    same, that settles it. Only <title> loses any short tail. (85% on fundus-dev.)
    """
    sites = meta.site_names
    on_page = _key(meta.headline or "")
    ranked = [_as_on_page(t, meta.headline) for t in meta.titles if t]
    ranked = [t if _key(t) == on_page else strip_site_tail(t, sites, known_only=True) for t in ranked]
    if meta.headline and not meta.titles and meta.document_title \
            and not _shares_a_word(meta.headline, _key(meta.document_title)):
        # No structured title, and an h1 the <title> shares no word with: the h1 is the
        # site's logo ("엔터 미디어") when the <title> reads "Headline - Site".
        head = strip_site_tail(meta.document_title, sites)
        if head != meta.document_title and len(head) >= _HEADLINE_MIN_CHARS:
            return [head, meta.headline]
    if meta.headline:
        if meta.document_title and on_page in _key(meta.document_title):
            # The h1 and <title> agree; a structured title sharing no word with either names
            # something else (Wikipedia's JSON-LD "headline" is the subject's description).
            told = f"{on_page} {_key(meta.document_title)}"
            related = [_shares_a_word(t, told) for t in ranked]
            ranked = [t for t, near in zip(ranked, related) if near] + [meta.headline] + \
                     [t for t, near in zip(ranked, related) if not near]
        else:
            ranked.append(meta.headline)
    if meta.document_title:
        ranked.append(strip_site_tail(meta.document_title, sites))
    return [t for t in ranked if len(t) <= _MAX_TITLE_CHARS]  # longer is a page's text, not a title


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_HEADLINE_MIN_CHARS = 15
_TITLE_CUT_MIN_CHARS = 20  # a structured title cut short still holds most of the headline


def _as_on_page(title: str, headline: str | None) -> str:
    """The h1 in place of a structured title that is the h1 give or take what the metadata
    did to it: cut short ("…third Beijing local to contract"), straight quotes for curly, or
    a one-word section label before or after it ("Opinion | …", "… | Editorial"). A longer
    part ("Rückschlag im Titelkampf - …") is a kicker and the headline's own."""
    if not headline:
        return title
    loose, on_page = _key(title).translate(_QUOTES), _key(headline).translate(_QUOTES)
    if loose == on_page:
        return headline
    if len(loose) >= _TITLE_CUT_MIN_CHARS and on_page.startswith(loose + " "):
        return headline
    for sep in _TITLE_SEPARATORS:
        label = loose.removesuffix(sep + on_page) if loose.endswith(sep + on_page) else \
            loose.removeprefix(on_page + sep) if loose.startswith(on_page + sep) else None
        if label is not None and len(label.split()) == 1:
            return headline
    return title


def _shares_a_word(title: str, text: str) -> bool:
    """Whether a word of three or more characters of `title` is in `text`. CJK has no
    spaces, so there a word is a whole run of characters between punctuation."""
    return any(word in text for word in re.findall(r"\w{3,}", _key(title)))


def pick_title(extract: Extract) -> str | None:
    """The on-page headline when the metadata agrees with it, else the cleanest candidate."""
    candidates = [normalise_paragraph(t) for t in extract.titles if t and normalise_paragraph(t)]
    if not candidates:
        return None
    return candidates[0]


def pick_date(candidates, site_timezone: str | None, others=()) -> str | None:
    """The first candidate that parses; but when it is in UTC and the page shows its own
    offset, the same instant in that offset: the local calendar day is the one the page shows.
    The offset comes from a later candidate for the same instant, from a naive wall time the
    page prints for it, or from `others` (the page's other dates, as the modified time)."""
    parsed = [p for p in (parse_date(raw, site_timezone) for raw in candidates) if p is not None]
    if not parsed:
        return None
    best = parsed[0]
    if not best.has_time:
        # A plain date, and the same day with its time further down: take the fuller one.
        fuller = next((p for p in parsed[1:] if p.has_time and p.value.date() == best.value.date()), None)
        if fuller is not None:
            best = fuller
    if best.has_time and best.value.tzinfo is None:
        # "2019-11-19 02:24:00" in one place and "... 02:24:00 UTC" in another: the offset is known.
        aware = next((p for p in parsed[1:] if p.has_time and p.value.tzinfo is not None
                      and p.value.replace(tzinfo=None) == best.value), None)
        if aware is not None:
            best = aware
    if best.has_time and best.value.utcoffset() == timedelta(0):
        for other in parsed[1:]:
            if not other.has_time:
                continue
            offset = other.value.utcoffset()
            if offset and abs((other.value - best.value).total_seconds()) < 60:
                # The instant of the first (it may carry seconds), in the page's own offset.
                return best.value.astimezone(other.value.tzinfo).isoformat()
            if other.value.tzinfo is None and (local := _local_offset(best.value, other.value)) is not None:
                return best.value.astimezone(timezone(local)).isoformat()
        for raw in others:
            other = parse_date(raw)
            if other is not None and other.has_time and other.value.utcoffset() \
                    and abs(other.value - best.value) < _SAME_OFFSET_SPAN:
                return best.value.astimezone(other.value.tzinfo).isoformat()
    return best.iso()


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
    text = normalise_text(extract.paragraphs, (title, *extract.titles), drop_doubled=extract.doubles_in_text)
    tz = site.timezone if site else None
    tags = tuple(dict.fromkeys(t for t in (normalise_paragraph(t) for t in extract.tags) if 0 < len(t) <= 100))
    tags = tags[:_MAX_TAGS]
    description = normalise_paragraph(extract.description) if extract.description else None
    if description and len(description) > _MAX_DESCRIPTION_CHARS:
        description = None  # a whole text stuffed into a meta tag is no summary
    site_name = normalise_paragraph(extract.site_name) if extract.site_name else None
    if site_name and len(site_name) > _MAX_SITE_NAME_CHARS:
        site_name = None  # a page's text stuffed into og:site_name is no name
    return Article(
        text=text,
        title=title,
        authors=clean_authors(extract.authors, [p for p in extract.publishers if len(p) <= _MAX_SITE_NAME_CHARS]
                              or ([site_name] if site_name else ()), url),
        published=pick_date(extract.published, tz, others=extract.modified),
        modified=pick_date(extract.modified, tz),
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
