"""Author strings into the credit: people's names, and organisations credited as authors. No I/O.

People: "By", dates, roles, degrees, other credits ("Edited by") and junk like "Staff" out;
"A and B", "A, B" split; "Surname, Given" kept as one person; a writer's outlet or town
after a comma out when another source names the writer alone.
Organisations (`Credit.organisations`): wire services ("dpa", "AFP", "Reuters", "Anadolu
Ajansı"), agencies credited in general ("Agenturen"), the publisher credited by its name or
domain ("DER SPIEGEL", "sportschau.de"), and what the page's structured data types as an
organisation. They go beside the people of the same source; a page that credits no person
credits its first source's organisations (fundus-dev's truths credit them so).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ..config.lexicon import default_lexicon
from ..text import fold, normalise_paragraph
from .bylines import BY_PREFIX, PARTICLES, ROLE_WORDS

_LEXICON = default_lexicon()
_ROLE_WORDS = ROLE_WORDS
# Author strings that are a role, a desk or a placeholder rather than a person. (Strings
# holding a role, a newsroom, an organisation or a button's word are caught by those tests.)
_NOT_PEOPLE = re.compile(rf"^{_LEXICON.regex('not_person')}$", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(rf"\s*(?:;|\||/|•|·|\s&\s|\s{_LEXICON.regex('name_joiner')}\s)\s*", re.IGNORECASE)
# Company forms and newsroom words: an author string holding one is not a person.
_NEWSROOM = _LEXICON.regex("newsroom_word")
_NEWS = _LEXICON.regex("news_word")
_ORGANISATION = re.compile(
    rf"\b(?:{_LEXICON.regex('organisation_word', 'newsroom_word')})\b\.?|-{_NEWSROOM}\b|\b{_NEWS}$|^{_NEWS}\b",
    re.IGNORECASE,
)
_DEGREE = re.compile(rf"{_LEXICON.regex('degree')}\.?", re.IGNORECASE)
_INTERFACE_WORDS = re.compile(rf"\b{_LEXICON.regex('interface_word')}\b", re.IGNORECASE)
_SOURCE_PREFIX = re.compile(rf"^{_LEXICON.regex('author_label')}\s*:\s*", re.IGNORECASE)
# Wire services credited by their initials. fundus-dev's truths count them as authors
# ("Felix Schröder, Jörg Soldwisch, dpa"), and so does scrape; other initials after a
# writer's name are the outlet the story came from ("Sandee LaMotte, CNN" on MSN).
_WIRE_INITIALS = frozenset(w.lower() for w in _LEXICON.words("wire_initials"))
_WIRE_NAMES = frozenset(w.lower() for w in _LEXICON.words("wire_name"))
_WIRES = _WIRE_INITIALS | _WIRE_NAMES
# A wire credited by its name and a word: "Anadolu Ajansı", "Bloomberg News", "Reuters Staff".
# (The wire's name first: "Michael Bloomberg" is a person.)
_WIRE_WORDS = 3
_AGENCIES = re.compile(rf"^{_LEXICON.regex('agency_word')}$", re.IGNORECASE)  # "Agenturen", "agencies"
_INITIALS = re.compile(r"[A-Z]{2,5}")
# One capitalised word of four letters or more is a station's call sign or a brand, not a
# person's byline; two or three are a writer's initials ("AS").
_CALL_SIGN = re.compile(r"[A-Z]{4,}")
# A site account: "admin", "jdadmin", "siteadmin".
_ADMIN_ACCOUNT = re.compile(r"^\w*admin\w*$", re.IGNORECASE)
# "Finian Cunningham. Sputnik International": a sentence break after a full name ends it.
# An initial ("Sarah E. Needleman") is one letter, so it needs two before the stop.
_NAME_THEN_SENTENCE = re.compile(r"^(\S+\s+\S*\w\w)\.\s+(?=[A-Z])")
_ABBREVIATIONS = frozenset(w.lower() for w in _LEXICON.words("name_abbreviation"))  # "Jean St. Clair"
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
    rf"\b{_LEXICON.regex('other_credit')}\s+{_LEXICON.regex('by_word')}\b[^;|]*", re.IGNORECASE)
# Where the writer filed from, after the name: "Jon Henley in Paris", "Marie Dubois à Lyon".
_FILED_FROM = re.compile(rf"\s+{_LEXICON.regex('place_preposition')}\s+(?=[A-ZÀ-ÖØ-Þ])[^,;|]*$")
# Tokens only from their start ((?<!\S)): "\S+@" tried at every offset of a long token is quadratic.
_EMAIL_URL = re.compile(r"(?<!\S)[^\s@]+@\S+|https?://\S+|www\.\S+")


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
        if sentence and sentence.group(1).rsplit(None, 1)[-1].lower() not in _ABBREVIATIONS:
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


def site_name_keys(site_names: Collection[str], url: str | None) -> set[str]:
    """The publisher's names as author (and title tail) keys: "Deutsche Welle (www.dw.com)"
    gives "deutsche welle" too, as an author string is read the same way."""
    keys = {fold(s) for s in site_names if s}
    keys |= {fold(name) for s in site_names if s for name in _split_authors(s)}
    # A site named by its domain is named by the domain's name too: "DW.COM", "DW".
    keys |= {fold(s.strip().lower().removeprefix("www.").split(".")[0])
             for s in site_names if s and "." in s and " " not in s.strip()}
    if url:
        host = re.sub(r"^www\.", "", (re.match(r"^\w+://([^/:]+)", url) or [None, ""])[1] or "")
        if host:
            keys.add(fold(host))
            keys.add(fold(host.split(".")[0]))
    return keys


def _mentions_site(name: str, site_keys: set[str]) -> bool:
    """'NZZ-Redaktion', 'Deutsche Welle (DW)', 'India Post News Weekly': the publisher's name
    inside an author string. A one-word author that the site's domain begins with is the
    site's own account: "Beachbody" on beachbodyondemand.com, "gto" on gto-normativy.ru."""
    key = fold(name)
    padded = f" {key} "
    if any(len(site) >= 3 and (f" {site} " in padded or key.startswith(site + "-")) for site in site_keys):
        return True
    return " " not in key and any(site.startswith(key + "-") or (len(key) >= 5 and site.startswith(key))
                                  for site in site_keys if " " not in site)


@dataclass(frozen=True, slots=True)
class Credit:
    """Who a page credits as its authors: people, and organisations (agencies, publishers)."""

    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()


@dataclass
class _Group:
    """One source's author strings, read: its people, the keys of those that were the second
    of "Full Name, X" (see _split_marked), and its organisations."""

    people: tuple[str, ...] = ()
    seconds: set[str] = field(default_factory=set)
    organisations: list[str] = field(default_factory=list)


def clean_authors(author_groups: Iterable[Iterable[str]], site_names: Collection[str] = (),
                  url: str | None = None) -> tuple[str, ...]:
    """People's names from the first source group that names any (see `clean_credit`)."""
    return clean_credit(author_groups, site_names, url).people


def clean_credit(author_groups: Iterable[Iterable[str]], site_names: Collection[str] = (),
                 url: str | None = None, organisations: Collection[str] = ()) -> Credit:
    """The credit of the first source group that names people or a wire: its people (or a
    later group's that names them all and more) and the organisations it credits beside
    them; with no such group, the first group's organisations (the publisher).

    Sources disagree in form ("Jane Doe" in JSON-LD, "Doe, Jane" in citation meta), so
    groups are never mixed; a group holding only publishers or junk gives way to the next.
    `organisations` are names the page's structured data types as organisations.
    """
    site_keys = site_name_keys(site_names, url)
    typed = {fold(name) for name in organisations}
    read = [_read_group(g, site_keys, typed) for g in author_groups]
    # A source crediting people or a wire decides; one naming only the publisher gives way
    # to it, as structured data often names the publisher where the byline names the writer.
    crediting = [group for group in read if group.people or any(_is_wire(o) for o in group.organisations)]
    if not crediting:
        credited = next((group.organisations for group in read if group.organisations), [])
        return Credit((), tuple(credited))
    first = crediting[0]
    if not first.people:
        return Credit((), tuple(first.organisations))
    people = _fullest_people([group for group in crediting if group.people])
    keys = {fold(n) for n in people}
    return Credit(people, tuple(o for o in first.organisations if fold(o) not in keys))


def _fullest_people(groups: list[_Group]) -> tuple[str, ...]:
    """The first group's people, or a later group's that names them all and more."""
    chosen, seconds = groups[0].people, groups[0].seconds
    keys = {fold(n) for n in chosen}
    # A later name holding one of these is a chosen name or credit with words stuck on.
    credited = keys | {fold(o) for o in groups[0].organisations}
    outlets: set[str] = set()
    # "Charlie Wood, Business Insider" reads as two people; when another source names the
    # writers without the part after the comma, that part was their outlet or town.
    if seconds:
        core = tuple(n for n in chosen if fold(n) not in seconds)
        core_keys = {fold(n) for n in core}
        if core and any({fold(n) for n in later.people} == core_keys for later in groups[1:]):
            chosen, keys, outlets = core, core_keys, seconds
    # Structured data may name only the lead author while the byline names all of them
    # (Ghost does this): a later group holding every chosen name and more is the fuller one.
    for later in groups[1:]:
        later_keys = {fold(n) for n in later.people}
        extra = later_keys - keys
        # Extra names must be full names (a lone "Zürich" after the author is the dateline)
        # and not a chosen one with words stuck on ("Rosa Delgado Sonoran Post").
        # Nor one found above to be the writer's outlet.
        if (extra and keys <= later_keys and all(len(e.split()) >= 2 for e in extra)
                and not any(k in e for k in credited for e in extra) and not extra & outlets):
            chosen, keys = later.people, later_keys
    return chosen


def _read_group(raw_authors: Iterable[str], site_keys: set[str], typed: set[str]) -> _Group:
    """The people and the organisations among one source's author strings."""
    group = _Group()
    seen: set[str] = set()
    people: list[str] = []
    for raw in raw_authors:
        whole = _SOURCE_PREFIX.sub("", BY_PREFIX.sub("", normalise_paragraph(raw)))
        if fold(whole) in site_keys:  # "Mac & i": the publisher's name, not two names
            group.organisations.append(whole)
            continue
        marked = _split_marked(raw)
        if _publisher_with_town(raw, [name for name, _ in marked], site_keys):
            group.organisations.extend(n for n, _ in marked if _is_publisher(n, site_keys))
            continue
        for name, second in marked:
            name = BY_PREFIX.sub("", name).strip(" ,.:-–—(")
            key = fold(name)
            if not name or key in seen:
                continue
            if _is_organisation(name, site_keys, typed):
                seen.add(key)
                group.organisations.append(name)
            elif _is_person(name, second, site_keys):
                seen.add(key)
                people.append(name)
                if second:
                    group.seconds.add(key)
    group.people = tuple(_without_joined(people, group.organisations))
    return group


def _is_organisation(name: str, site_keys: set[str], typed: set[str]) -> bool:
    """A wire, agencies in general, the publisher, or a name typed as an organisation."""
    if fold(name) in typed or _is_wire(name) or _AGENCIES.match(name):
        return True
    return _is_publisher(name, site_keys)


def _is_wire(name: str) -> bool:
    """"dpa", "Reuters", "The Associated Press", "Anadolu Ajansı", "Bloomberg News"."""
    key = fold(name)
    if key in _WIRES or key.removeprefix("the ") in _WIRES:
        return True
    words = key.split()
    return 1 < len(words) <= _WIRE_WORDS and words[0] in _WIRE_NAMES


def _is_publisher(name: str, site_keys: set[str]) -> bool:
    """The publisher credited by name or domain ("DER SPIEGEL", "NDR.de", "NZZ-Redaktion")."""
    if fold(name) in site_keys or _DOMAIN.match(name):
        return True
    return (_mentions_site(name, site_keys) and len(name.split()) <= _WIRE_WORDS
            and not _ROLE_WORDS.search(name) and not _INTERFACE_WORDS.search(name))


def _publisher_with_town(raw: str, names: list[str], site_keys: set[str]) -> bool:
    """"hessenschau.de, Frankfurt, Germany": a publisher with its town, not people. ("Meg
    Kinnard and Errin Haines, Associated Press" names people beside the publisher.)"""
    def publisher(name: str) -> bool:
        return fold(name) in site_keys or _ORGANISATION.search(name) is not None

    return (len(names) > 1 and "," in raw and any(publisher(n) for n in names)
            and all(len(n.split()) == 1 or publisher(n) for n in names))


def _is_person(name: str, second: bool, site_keys: set[str]) -> bool:
    """Whether one name from an author string is a person's: not a role, a desk, the
    publisher, an organisation, a slug, a button, a domain or an account; read as a name;
    and initials only when a wire's."""
    if not name or _NOT_PEOPLE.match(name) or fold(name) in site_keys:
        return False
    if _ROLE_WORDS.search(name) or _ORGANISATION.search(name) or _mentions_site(name, site_keys):
        return False  # "Staff Writer", "Nippon Herald Staff Writer", "NZZ-Redaktion"
    if "-" in name and " " not in name and name.lower() == name:  # a URL slug, "jane-doe"
        return False
    if _INTERFACE_WORDS.search(name):  # "Kochi Share Via Copy Link": a byline bar's buttons
        return False
    if len(name) > 60 or len(name.split()) > 6 or any(ch.isdigit() for ch in name) or "@" in name:
        return False
    if _DOMAIN.match(name) or _ADMIN_ACCOUNT.match(name) or not _reads_as_a_name(name):  # "Spacetoday.net"
        return False
    # The one word after "Full Name, ": the writer's town or outlet ("Anna Sleegers,
    # Frankfurt"); people are credited by their full names. (A wire there is credited apart.)
    if second and len(name.split()) == 1:
        return False
    return not (_CALL_SIGN.fullmatch(name) and name.lower() not in _WIRES)  # "KWCHCIK", "WKYC"


# A name's first word, capitalised, that starts a phrase instead ("Our Beautiful Universe").
_PRONOUNS = frozenset(w.capitalize() for w in _LEXICON.words("name_determiner"))
_ARTICLES = frozenset(w.capitalize() for w in _LEXICON.words("name_article"))  # "The Russian"


def _reads_as_a_name(name: str) -> bool:
    """False for phrases: "Syrian defense ministries", "Our Beautiful Universe", "The Russian"
    (but "The Associated Press" is a wire's credit). A name's words are capitalised but for
    particles ("van", "de"); all-lower names ("dpa", "ssi") are initials and agency codes,
    and scripts without case are let be."""
    words = name.split()
    if len(words) >= 2 and words[0] in _PRONOUNS or len(words) == 2 and words[0] in _ARTICLES:
        return False
    lower = [w for w in words if w[:1].islower() and w.lower() not in PARTICLES]
    return not (len(lower) >= 2 and len(lower) < len(words))


def _without_joined(names: list[str], credited: Iterable[str] = ()) -> list[str]:
    """Names minus any that is two others run together: "ERIC TUCKER Associated Press" when
    "ERIC TUCKER" and "Associated Press" are both there (a byline and its credit line)."""
    keys = {fold(n) for n in (*names, *credited)}
    return [n for n in names
            if not any(fold(n).startswith(k + " ") and fold(n)[len(k) + 1:] in keys for k in keys)]
