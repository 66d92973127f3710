"""The language of a text dump, told cheaply from its words, and how it prints numeric dates.

A dump declares no language, yet its dates need one: "06/01/2026" is the 6th of January in
French and June 1st in American English. Each lexicon file's `stopword` list is what tells
its language: the language whose stopwords the text uses most, by a clear margin, is the
text's (Chinese, Japanese and Korean, written without spaces, by their scripts instead).
`numeric_date_order` in a language's file says how it orders day and month; a language
that does not say orders them day first, as most do. No I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from ..config import Lexicon, default_lexicon
from ..config.rules import grammar_tokens

_SAMPLE_CHARS = 5_000  # the start of a long dump says as much as all of it
_MIN_HITS = 5  # stopwords a language needs in the text to be named
_MARGIN = 1.3  # how far ahead of the next language it must be
_DAY_FIRST = "day-month"
# Scripts written without spaces between words, where stopwords cannot be counted.
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SCRIPT_SHARE = 0.2  # of a text's letters, for a script to name its language
_SPACELESS = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u4e00-\u9fff]")
_LETTERS = re.compile(r"[^\W\d_]")
# A numeric date: day and month in some order, then the year ("06/01/2026", "5.11.25").
_CENTURY_TURN = 70  # a two-digit year below this is of this century ("05.11.25")
_NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d./-])")


def guess_language(text: str, lexicon: Lexicon | None = None) -> str | None:
    """The ISO 639-1 code of the language `text` is written in, when its words tell it
    clearly; None when they do not (too short, mixed, or a language no file knows)."""
    sample = text[:_SAMPLE_CHARS]
    by_script = _by_script(sample)
    if by_script is not None:
        return by_script
    stopwords = _stopwords_by_language(lexicon or default_lexicon())
    counts: Counter[str] = Counter()
    for token in grammar_tokens(sample):
        for language in stopwords.get(token, ()):
            counts[language] += 1
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < _MIN_HITS:
        return None
    if len(ranked) > 1 and ranked[0][1] < _MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]


def _by_script(sample: str) -> str | None:
    if not _SPACELESS.search(sample):
        return None  # most texts: no need to count their letters
    letters = len(_LETTERS.findall(sample))
    for pattern, language in ((_KANA, "ja"), (_HANGUL, "ko"), (_HAN, "zh")):
        if len(pattern.findall(sample)) >= _SCRIPT_SHARE * letters:
            return language
    return None


@lru_cache(maxsize=4)
def _stopwords_by_language(lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    """Each stopword and the languages it belongs to."""
    found: dict[str, list[str]] = {}
    for language, words in lexicon.by_language("stopword").items():
        for word in words:
            for token in grammar_tokens(word):
                if language not in found.setdefault(token, []):
                    found[token].append(language)
    return {token: tuple(languages) for token, languages in found.items()}


def day_first(language: str | None, lexicon: Lexicon | None = None) -> bool | None:
    """Whether the language prints numeric dates day first (None: no language known)."""
    if language is None:
        return None
    orders = (lexicon or default_lexicon()).by_language("numeric_date_order").get(language, ())
    return (orders[0] if orders else _DAY_FIRST) == _DAY_FIRST


def read_numeric_dates(text: str, day_first_: bool | None) -> str:
    """`text` with each numeric date written as ISO 8601 ("06/01/2026 à 14:16" in French is
    "2026-01-06 à 14:16"), read day first or month first as the language prints them. A
    date with dots is day first in every language that writes one; a number over 12 is the
    day whatever the order; with no language known, dates are left as they are."""

    def iso(match: re.Match[str]) -> str:
        first, separator, second, year = match.groups()
        a, b = int(first), int(second)
        if separator == "." or a > 12:
            day, month = a, b
        elif b > 12:
            month, day = a, b
        elif day_first_ is None:
            return match.group(0)
        else:
            day, month = (a, b) if day_first_ else (b, a)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match.group(0)
        full_year = int(year) if len(year) == 4 else int(year) + (2000 if int(year) < _CENTURY_TURN else 1900)
        return f"{full_year:04d}-{month:02d}-{day:02d}"

    return _NUMERIC_DATE.sub(iso, text)
