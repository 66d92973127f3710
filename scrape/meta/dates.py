"""Date parsing for metadata and bylines: ISO 8601 out, offset kept when the source gives one.

Numeric dates follow the page's locale: "05.04.2025" is 5 April (a dotted date is day first
in every language that writes one); "04/05/2025" is 5 April on an American English page
(or one whose language is unknown) and 4 May on any other.
A date with an offset keeps it. A date without one takes the site's timezone from config
when there is one (so the offset is known), else stays naive. A date without a time is
written as a plain date. No I/O.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

from ..config.lexicon import MONTHS, Lexicon, default_lexicon, word_trie

# A zone name dateutil does not know ("10:00 MSK") leaves the time naive, which is what an
# unknown offset means here; dateutil's warning about it would reach a cron job's stderr
# from every process that cleans (worker processes too: each imports this module).
warnings.filterwarnings("ignore", category=dateutil_parser.UnknownTimezoneWarning)

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

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_AMPM = re.compile(r"\b([ap])\.\s?m\.", re.IGNORECASE)
# A day and a month in numbers, in either order, with the year: "05.04.2025", "4/5/25".
_NUMERIC_DATE = re.compile(r"\b\d{1,2}([./-])\d{1,2}\1\d{2,4}\b")
# English outside these regions writes the day first ("en-GB", "en-AU", "en-IN"...).
_MONTH_FIRST_REGIONS = frozenset({"us", "ph", "pr", "um", "vi", "as", "gu", "mp", "fm", "mh", "pw"})
_EARLIEST_YEAR = 1990
_DATEUTIL = dateutil_parser.parserinfo()


@dataclass(frozen=True, eq=False)
class DateWords:
    """The words dates are printed with, from a lexicon, compiled for reading dates."""

    months: Mapping[str, str]  # a month name dateutil does not read -> the English one it does
    month_word: re.Pattern[str]
    # Labels, "on"/"at" and articles around a printed date ("Veröffentlicht am", "le"):
    # taken out before dateutil, which would read some of them ("at", "h") as its own.
    noise_words: re.Pattern[str]
    dotted_time: re.Pattern[str]  # "14.32 Uhr" is 14:32
    prefixed_time: re.Pattern[str]  # "kl. 14.30", "klo 14.30" is 14:30 (the word before the time)
    cjk_date: re.Pattern[str]
    afternoon: frozenset[str]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> DateWords:
        months = {name.lower(): MONTHS[index].capitalize()
                  for index, names in enumerate(lexicon.months) for name in names
                  if _DATEUTIL.month(name) is None}
        hours = lexicon.regex("hour_word", "hour_abbreviation")
        noise = lexicon.regex("published_label", "updated_label", "time_preposition", "definite_article",
                              "date_of", "hour_word", "hour_abbreviation")
        half_day = lexicon.regex("before_noon", "after_noon")
        return cls(
            months=months,
            month_word=re.compile(rf"\b({word_trie(months)})\b", re.IGNORECASE),
            noise_words=re.compile(rf"\b{noise}\b\.?:?", re.IGNORECASE),
            dotted_time=re.compile(rf"\b(\d{{1,2}})\.(\d{{2}})\s*{hours}\b", re.IGNORECASE),
            prefixed_time=re.compile(rf"\b({lexicon.regex('time_preposition')}\.?\s*)(\d{{1,2}})\.(\d{{2}})\b(?!\.\d)",
                                     re.IGNORECASE),
            # Chinese and Japanese "2016年10月14日07:17", Korean "2025년 6월 3일 오후 2:05".
            cjk_date=re.compile(
                r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]\s*(?:[(（][^)）]{1,3}[)）])?\s*"
                rf"(?:({half_day})\s*)?(?:(\d{{1,2}})\s*[:時时시]\s*(\d{{1,2}})?)?"
            ),
            afternoon=frozenset(lexicon.words("after_noon")),
        )


_WORDS = DateWords.from_lexicon(default_lexicon())


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


def _from_cjk(text: str, words: DateWords) -> ParsedDate | None:
    match = words.cjk_date.search(text)
    if not match:
        return None
    year, month, day, half, hour, minute = match.groups()
    hour_value = int(hour or 0) + (12 if half in words.afternoon and hour and int(hour) < 12 else 0)
    try:
        value = datetime(int(year), int(month), int(day), hour_value, int(minute or 0))
    except ValueError:
        return None
    return ParsedDate(value, has_time=hour is not None)


@lru_cache(maxsize=1)
def _tzinfos() -> dict[str, tzinfo]:
    return {abbr: ZoneInfo(name) for abbr, name in _ZONES.items()}


def month_first(language: str | None) -> bool:
    """Whether a page in `language` (a BCP 47 tag: "en-US", "de", "en_GB") writes numeric
    dates month first: American English, and a page whose language is unknown (dateutil's
    and most of the web's default); every other language writes the day first."""
    if not language:
        return True
    parts = language.strip().lower().replace("_", "-").split("-")
    if parts[0] != "en":
        return False
    return len(parts) == 1 or parts[1] in _MONTH_FIRST_REGIONS


def _day_first(text: str, language: str | None) -> bool:
    """Whether the numeric date in `text` has its day first."""
    match = _NUMERIC_DATE.search(text)
    if match is None:
        return False
    return match.group(1) == "." or not month_first(language)


# Two defaults for the fields a date leaves out: where the two readings differ, the text
# did not give that field.
_DEFAULTS = (datetime(1, 1, 1, 0, 0), datetime(2, 2, 2, 1, 1))
_PARSER: Any = dateutil_parser.DEFAULTPARSER  # (Any: its steps are in no type stubs)
# dateutil.parser.parse reads the text, then fills in the default: reading once for both
# defaults halves the cost. (Its steps are not public: a dateutil without them is called
# once per default.)
_ONE_READING = all(hasattr(_PARSER, step) for step in ("_parse", "_build_naive", "_build_tzaware"))


def _read_with_defaults(text: str, day_first: bool) -> tuple[datetime, datetime] | None:
    """dateutil's readings of `text` completed with each of _DEFAULTS (as
    dateutil.parser.parse gives them, fuzzy, with the zones known); None when it reads no
    date."""
    try:
        if not _ONE_READING:
            first, second = (dateutil_parser.parse(text, default=default, fuzzy=True, tzinfos=_tzinfos(),
                                                   dayfirst=day_first) for default in _DEFAULTS)
            return first, second
        read, _ = _PARSER._parse(text, dayfirst=day_first, fuzzy=True)
        if read is None or len(read) == 0:
            return None  # what parse raises a ParserError for
        first, second = (_PARSER._build_tzaware(_PARSER._build_naive(read, default), read, _tzinfos())
                         for default in _DEFAULTS)
        return first, second
    except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
        return None


def _from_words(text: str, words: DateWords, language: str | None = None) -> ParsedDate | None:
    """Free-form dates ("January 21, 2025 10:00 PM ET", "30. Juni 2025") via dateutil."""
    day_first = _day_first(text, language)
    text = words.month_word.sub(lambda m: words.months[m.group(1).lower()], text)
    text = _AMPM.sub(lambda m: m.group(1) + "m", text)
    text = words.dotted_time.sub(r"\1:\2", text)
    text = words.prefixed_time.sub(r"\1\2:\3", text)
    text = words.noise_words.sub(" ", text)
    text = re.sub(r"[|•·,]+", " ", text)
    results = _read_with_defaults(text, day_first)
    if results is None:
        return None
    first, second = results
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # day, month or year missing: not a full date
    has_time = (first.hour, first.minute) == (second.hour, second.minute)
    return ParsedDate(first, has_time)


def parse_date(text: str | None, site_timezone: str | None = None,
               words: DateWords | None = None, language: str | None = None) -> ParsedDate | None:
    """Parse one date string; None when it is not a plausible full date.

    A time without an offset takes `site_timezone` (an IANA name) when given. `words` are
    the month names and labels known (by default, the built-in lexicon's); `language`, the
    page's, decides the order of a numeric day and month (see `month_first`).
    """
    words = words or _WORDS
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
        parsed = _from_cjk(text, words)
    if parsed is None and re.search(r"\d", text):
        parsed = _from_words(text, words, language)
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
