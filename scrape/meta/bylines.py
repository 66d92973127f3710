"""Recognise byline lines ("By Jane Doe | Updated March 3, 2024 4:30 PM ET",
"Ed Morrissey 10:00 PM | January 21, 2025") and split them into authors and a date.

A line is a byline when, once its date, time and label words are taken out, what is left
is empty or a list of person-like names, and it either starts with "By" or holds a date.
Used by the text-dump cleaner and by the line filter after HTML extraction. No I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .dates import MONTH_NAMES, TZ_ABBREVIATIONS

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?"
_TZ = r"(?:" + "|".join(TZ_ABBREVIATIONS) + r"|[+-]\d{2}:?\d{2})"
_TIME = (
    rf"\d{{1,2}}(?::\d{{2}}){{1,2}}\s*(?:[ap]\.?\s?m\.?|uhr\b)?(?:\s*{_TZ})?"
    rf"|\d{{1,2}}\s*[ap]\.?\s?m\.?(?:\s*{_TZ})?"
    r"|\d{1,2}[.:]\d{2}\s*(?:uhr|h)\b"
)
_DATE = (
    rf"(?:{_WEEKDAY}\s*)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|(?:{_WEEKDAY}\s*)?\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일](?:\s*(?:午前|午後|上午|下午|오전|오후)?\s*\d{1,2}[:時时시]\d{2})?"
)
# A stamp starts a word: tried only at word starts, a text with no date in it is searched in
# half the time (this runs on every short block with a digit in it).
_DATE_RE = re.compile(rf"\b(?:(?:{_DATE})(?:,?\s*(?:at\s+)?(?:{_TIME}))?|(?:{_TIME}))", re.IGNORECASE)
# What may stand between a time and its date within one stamp: "6:02 a.m. EST, Feb. 11, 2025",
# "10:00 PM | January 21, 2025".
_STAMP_GAP = re.compile(r"[\s,.|•·/-]*(?:(?:at|on|um|à|alle|a las|ore)\b[\s,.]*)?", re.IGNORECASE)
_RELATIVE = re.compile(r"\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\b", re.IGNORECASE)
_LABEL = re.compile(
    r"\b(?:published|updated|last updated|posted|modified|first published|originally published|date|"
    r"on|at|um|alle|ore|à|a las|às|datum|fecha|article|artikel|"
    # A label with the word for "on" after it: "veröffentlicht am", "publié le", "publicado el".
    r"(?:veröffentlicht|publiziert|erschienen|aktualisiert)(?: am)?|(?:publié|mis à jour)(?: le)?|"
    r"(?:publicado|actualizado)(?: el| en)?|(?:pubblicato|aggiornato)(?: il)?|gepubliceerd(?: op)?|"
    r"stand|bijgewerkt|son güncelleme|güncelleme|giriş|yayınlanma|opublikowano|publicerad|publisert|udgivet)\b:?",
    re.IGNORECASE,
)
_UPDATED = re.compile(r"\b(?:updated|modified|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt|güncelleme)\b",
                      re.IGNORECASE)
_PUBLISHED = re.compile(
    r"\b(?:published|posted|date|datum|veröffentlicht|publiziert|erschienen|publié|publicado|pubblicato|fecha|"
    r"gepubliceerd|publicerad|publisert|udgivet|opublikowano)\b",
    re.IGNORECASE,
)
BY_PREFIX = re.compile(
    # "Photo by X" is a credit, not a byline: photos and video are not lead words here.
    r"^(?:(?:written|posted|reported|reporting|story|words|text|analysis|opinion|commentary|review|"
    r"column|essay|interview)(?: and \w+)?\s+)?"
    r"(?:by|von|par|por|door|di|av|af|author|authors|autor|autorin|autorin/autor|autoren|auteur|autore)"
    r"\s*:?\s+",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"\s*(?:[|•·/,;]|\s[-–—]\s|\s(?:and|&|und|et|y|e|og|och|ve|en)\s)\s*", re.IGNORECASE
)
# "By Jane Doe FOR THE DAILY CLARION", "von Anna Müller für die Zeitung": the outlet, not a name.
_FOR_OUTLET = re.compile(
    r"\s+(?:for|für|pour|para|per)\s+(?:the|der|die|das|le|la|les|el|il|lo)?\s*[\w.&'’ -]{2,40}$",
    re.IGNORECASE,
)
# Newsroom roles, in the languages we see most; a byline's parenthetical or suffix naming one
# marks the line as a signature: "Jean Dupont (Nantes, correspondant)".
ROLE_WORDS = re.compile(
    r"\b(?:editor|editors|writer|reporter|correspondent|columnist|contributor|contributing|staff|"
    r"producer|journalist|analyst|director|chief|senior|associate|deputy|managing|bureau|"
    r"photographer|anchor|host|intern|fellow|professor|head of|opinion|critic|"
    r"redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|journaliste|periodista|giornalista|"
    r"correspondant(?:e)?|envoyée? spéciale?|corresponsal|enviad[oa] especial|inviat[oa])\b",
    re.IGNORECASE,
)
_MAX_CHARS = 400
_SIGNED_MAX_WORDS = 6
_SIGNATURE = re.compile(r"^(?P<name>[^()]{3,60}?)\s*\((?P<note>[^()]{2,80})\)$")
PARTICLES = {"de", "da", "del", "della", "di", "do", "dos", "du", "van", "von", "der", "den", "ter", "ten",
             "la", "le", "bin", "binti", "al", "el", "y", "st.", "mc", "mac"}


@dataclass(frozen=True, slots=True)
class Byline:
    authors: tuple[str, ...]
    date_text: str | None  # the publication date as printed, for parse_date
    updated_text: str | None = None  # a date labelled as an update ("Updated 9:14 a.m.")
    # Led by "By"/"Von"/"Author:" (or a signature's role): its names are surely people. A
    # name beside a date alone may be a place or a label ("Birmingham", "Güncelleme").
    explicit: bool = False


def has_date_label(text: str) -> bool:
    """Whether the text names its date ("Published:", "Updated", "Veröffentlicht")."""
    return bool(_PUBLISHED.search(text) or _UPDATED.search(text))


def looks_like_name(text: str) -> bool:
    """True for "Jane Doe", "J. R. R. Tolkien", "Ludwig van Beethoven", "JÖRG ZSCHOCHE"."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5:
        return False
    capitalised = 0
    for token in tokens:
        if any(ch.isdigit() for ch in token) or "@" in token or token.endswith(":"):
            return False
        if token.lower() in PARTICLES:
            continue
        if not token[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 1


@lru_cache(maxsize=4096)  # nested blocks of one byline ask the same question several times
def parse_byline(line: str, require_name: bool = False) -> Byline | None:
    """Split a byline into authors and date; None when the line is not a byline.

    Args:
        line: one line or short block of text.
        require_name: refuse date-only lines (used where a bare date could be content).
    """
    if len(line) > _MAX_CHARS:
        return None  # bylines are short; and a long token would cost the date regex dearly
    text = " ".join(line.split())
    if text.endswith(".") and len(text.split()) <= _SIGNED_MAX_WORDS and BY_PREFIX.match(text):
        text = text[:-1]  # "Posted by Alon Zakai." signs the post; a longer "By ..." is prose
    if not text or len(text.split()) > 24 or text.endswith((".", "?", "!")) and not _DATE_RE.search(text[-12:]):
        return None
    signature = _SIGNATURE.match(text)
    if signature and ROLE_WORDS.search(signature.group("note")) and looks_like_name(signature.group("name")):
        return Byline((signature.group("name").strip(),), None, explicit=True)
    has_by = bool(BY_PREFIX.match(text))
    if not has_by and not _DATE_RE.search(text):
        return None  # neither "By" nor a date: not a byline (and the costly parts are skipped)
    published, updated = _stamps(text)
    rest = _DATE_RE.sub(" ", text)
    rest = _RELATIVE.sub(" ", rest)
    rest = BY_PREFIX.sub("", rest.strip())
    rest = _LABEL.sub(" ", rest)
    rest = _FOR_OUTLET.sub("", " ".join(rest.split()))
    parts = [p.strip(" .:-–—") for p in _SEPARATORS.split(rest)]
    # "Posted on March 3, 2024 by Jane Doe": the "by" comes after the date.
    has_by = has_by or any(BY_PREFIX.match(p) for p in parts)
    parts = [BY_PREFIX.sub("", p) for p in parts]
    # "By Kenji Watanabe / Staff Writer": the role goes, the person stays.
    parts = [p for p in parts if p and not ROLE_WORDS.search(p)]
    names = [p for p in parts if looks_like_name(p)]
    if len(names) != len(parts):
        return None
    dated = published or updated
    if not names and (require_name or not dated):
        return None
    if not has_by and not dated:
        return None
    return Byline(tuple(names), published, updated, explicit=has_by)


def _stamps(text: str) -> tuple[str | None, str | None]:
    """The publication and the update stamp of a byline. A stamp is a date with its time
    ("6:02 a.m. EST, Feb. 11, 2025"); one led by "Updated" is the update."""
    stamps: list[list] = []  # [start, end, text]
    for match in _DATE_RE.finditer(text):
        if stamps and _STAMP_GAP.fullmatch(text[stamps[-1][1] : match.start()]):
            stamps[-1][1] = match.end()
            if match.group(0) != stamps[-1][2]:  # a stamp printed twice (a copy for small screens)
                stamps[-1][2] += " " + match.group(0)
        else:
            stamps.append([match.start(), match.end(), match.group(0)])
    published = updated = None
    previous_end = 0
    for start, end, stamp in stamps:
        label = text[previous_end:start]
        if _UPDATED.search(label) and not _PUBLISHED.search(label):
            updated = updated or stamp
        else:
            published = published or stamp
        previous_end = end
    return published, updated
