"""Date parsing for metadata and bylines: ISO 8601 out, offset kept when the source gives one.

A date with an offset keeps it. A date without one takes the site's timezone from config
when there is one (so the offset is known), else stays naive. A date without a time is
written as a plain date. No I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

# Abbreviations US and European news sites print after times. dateutil needs them spelled out.
_ZONES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "Z": "UTC", "BST": "Europe/London", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin", "IST": "Asia/Kolkata",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
}
TZ_ABBREVIATIONS = tuple(_ZONES)

# Month names in the languages news pages are most often in, mapped to English for dateutil.
_MONTHS = {
    "januar": "January", "jänner": "January", "janvier": "January", "enero": "January", "gennaio": "January",
    "januari": "January", "janeiro": "January", "styczeń": "January", "stycznia": "January",
    "februar": "February", "février": "February", "fevrier": "February", "febrero": "February",
    "febbraio": "February", "februari": "February", "fevereiro": "February",
    "märz": "March", "maerz": "March", "mars": "March", "marzo": "March", "maart": "March", "março": "March",
    "avril": "April", "abril": "April", "aprile": "April",
    "mai": "May", "mayo": "May", "maggio": "May", "mei": "May", "maio": "May",
    "juni": "June", "juin": "June", "junio": "June", "giugno": "June", "junho": "June",
    "juli": "July", "juillet": "July", "julio": "July", "luglio": "July", "julho": "July",
    "août": "August", "aout": "August", "agosto": "August", "augustus": "August",
    "septembre": "September", "septiembre": "September", "settembre": "September", "setembro": "September",
    "oktober": "October", "octobre": "October", "octubre": "October", "ottobre": "October", "outubro": "October",
    "novembre": "November", "noviembre": "November", "novembro": "November",
    "dezember": "December", "décembre": "December", "decembre": "December", "diciembre": "December",
    "dicembre": "December", "dezembro": "December",
}
MONTH_NAMES = tuple(_MONTHS)
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_NOISE_WORDS = re.compile(
    r"\b(published|updated|posted|last|modified|on|at|um|le|el|il|den|der|de|veröffentlicht|"
    r"aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|uhr|h)\b\.?:?",
    re.IGNORECASE,
)
# Chinese and Japanese "2016年10月14日07:17", Korean "2025년 6월 3일 오후 2:05".
_CJK_DATE = re.compile(
    r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]\s*(?:[(（][^)）]{1,3}[)）])?\s*"
    r"(?:(午前|午後|上午|下午|오전|오후)\s*)?(?:(\d{1,2})\s*[:時时시]\s*(\d{1,2})?)?"
)
_AFTERNOON = {"午後", "下午", "오후"}
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})\s*(?:uhr|h)\b", re.IGNORECASE)
_AMPM = re.compile(r"\b([ap])\.\s?m\.", re.IGNORECASE)
_EARLIEST_YEAR = 1990


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime
    has_time: bool

    def iso(self) -> str:
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.isoformat()


@lru_cache(maxsize=64)
def _zone(name: str | None) -> tzinfo | None:
    return ZoneInfo(name) if name else None


def _plausible(value: datetime) -> bool:
    latest = datetime.now().year + 1
    return _EARLIEST_YEAR <= value.year <= latest


def _from_iso(text: str) -> ParsedDate | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if offset:
        if offset == "Z":
            tz = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                return None  # no place on Earth is a day ahead
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        value = value.replace(tzinfo=tz)
    return ParsedDate(value, has_time=hour is not None)


def _from_cjk(text: str) -> ParsedDate | None:
    match = _CJK_DATE.search(text)
    if not match:
        return None
    year, month, day, half, hour, minute = match.groups()
    hour_value = int(hour or 0) + (12 if half in _AFTERNOON and hour and int(hour) < 12 else 0)
    try:
        value = datetime(int(year), int(month), int(day), hour_value, int(minute or 0))
    except ValueError:
        return None
    return ParsedDate(value, has_time=hour is not None)


@lru_cache(maxsize=1)
def _tzinfos() -> dict:
    return {abbr: ZoneInfo(name) for abbr, name in _ZONES.items()}


def _from_words(text: str) -> ParsedDate | None:
    """Free-form dates ("January 21, 2025 10:00 PM ET", "30. Juni 2025") via dateutil."""
    text = _MONTH_WORD.sub(lambda m: _MONTHS[m.group(1).lower()], text)
    text = _AMPM.sub(lambda m: m.group(1) + "m", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)  # "14.32 Uhr" is 14:32
    text = _NOISE_WORDS.sub(" ", text)
    text = re.sub(r"[|•·,]+", " ", text)
    results = []
    for default in (datetime(1, 1, 1, 0, 0), datetime(2, 2, 2, 1, 1)):
        try:
            results.append(dateutil_parser.parse(text, default=default, fuzzy=True, tzinfos=_tzinfos()))
        except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
            return None
    first, second = results
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # day, month or year missing: not a full date
    has_time = (first.hour, first.minute) == (second.hour, second.minute)
    return ParsedDate(first, has_time)


def parse_date(text: str | None, site_timezone: str | None = None) -> ParsedDate | None:
    """Parse one date string; None when it is not a plausible full date.

    A time without an offset takes `site_timezone` (an IANA name) when given.
    """
    if not text:
        return None
    text = " ".join(str(text).split())[:120]
    if not text:
        return None
    parsed = _from_iso(text)
    if parsed is None and re.fullmatch(r"\d{10}(\d{3})?", text):
        seconds = int(text[:10])
        parsed = ParsedDate(datetime.fromtimestamp(seconds, tz=UTC), has_time=True)
    if parsed is None and not text.isascii():
        parsed = _from_cjk(text)
    if parsed is None and re.search(r"\d", text):
        parsed = _from_words(text)
    if parsed is None or not _plausible(parsed.value):
        return None
    try:
        parsed.value.utcoffset()  # dateutil accepts offsets datetime cannot hold ("-2400")
    except ValueError:
        return None
    if parsed.has_time and parsed.value.tzinfo is None and site_timezone:
        parsed = ParsedDate(parsed.value.replace(tzinfo=_zone(site_timezone)), True)
    return parsed


def is_date_only(value: datetime | date) -> bool:
    return not isinstance(value, datetime)
