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

from ..config.lexicon import Lexicon, default_lexicon, word_trie
from .dates import TZ_ABBREVIATIONS

_MAX_CHARS = 400
_SIGNED_MAX_WORDS = 6
_LABEL_MAX_WORDS = 4  # words of a date label no lexicon holds ("Mis en ligne", "Online seit")
_DIGIT = re.compile(r"\d")
_SIGNATURE = re.compile(r"^(?P<name>[^()]{3,60}?)\s*\((?P<note>[^()]{2,80})\)$")
_TZ = r"(?:" + "|".join(TZ_ABBREVIATIONS) + r"|[+-]\d{2}:?\d{2})"
_FIELD_SEPARATOR = re.compile(r"[|•·]|\s[-–—]\s")  # between a byline's fields, not its names
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")  # what "Anna Weber (05.03.2024)" leaves


def _lookahead(starts: set[str], digits: bool = False) -> str:
    """A lookahead for a character that may start a match (one of `starts`, or a figure):
    a regex of many words is then tried only where one of them can start, one look at a
    character instead of trying every branch (searches take about half the time)."""
    chars = (r"\d" if digits else "") + "".join(re.escape(char) for char in sorted(starts) if char)
    return f"(?=[{chars}])" if chars else "(?!)"


def _word_starts(lexicon: Lexicon, *categories: str) -> set[str]:
    """The first characters of the words of the categories."""
    return {word[:1] for category in categories for word in lexicon.words(category)}


def _date_starts(lexicon: Lexicon) -> set[str]:
    """The first characters of a stamp's words: its weekday or its month (or a figure)."""
    return _word_starts(lexicon, "weekdays") | {name[:1] for names in lexicon.months for name in names}


def _date_regex(lexicon: Lexicon) -> str:
    """A date stamp with its time, or a time alone, in the forms bylines print them."""
    weekday = lexicon.regex("weekdays") + r"\.?,?"
    month = word_trie(name for names in lexicon.months for name in names) + r"\.?"
    date_of = lexicon.regex("date_of")  # "3 de marzo de 2024"
    ordinal = lexicon.regex("ordinal_suffix")  # "March 3rd"
    at = lexicon.regex("time_preposition")  # "March 3, 2024 at 10:00"
    # "14:26 Uhr", "19:06 h", "10.30 h"; a letter also stands between hours and minutes ("7h22").
    hours, letters = lexicon.regex("hour_word", "hour_abbreviation"), lexicon.regex("hour_abbreviation")
    half_day = lexicon.regex("before_noon", "after_noon")
    time = (
        rf"\d{{1,2}}(?::\d{{2}}){{1,2}}\s*(?:[ap]\.?\s?m\.?|{hours}\b)?(?:\s*{_TZ})?"
        rf"|\d{{1,2}}\s*[ap]\.?\s?m\.?(?:\s*{_TZ})?"
        rf"|\d{{1,2}}[.:]\d{{2}}\s*{hours}\b"
        rf"|\d{{1,2}} ?{letters} ?\d{{2}}\b"  # "7h22", "14 h 16"
    )
    date = (
        rf"(?:{weekday}\s*)?{month}\s+\d{{1,2}}{ordinal}?,?\s+\d{{4}}"
        rf"|(?:{weekday}\s*)?\d{{1,2}}{ordinal}?\.?\s+(?:{date_of}\s+)?{month},?\s+(?:{date_of}\s+)?\d{{4}}"
        r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
        rf"|(?:{weekday}\s*)?\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}"
        rf"|\d{{4}}\s*[年년]\s*\d{{1,2}}\s*[月월]\s*\d{{1,2}}\s*[日일](?:\s*{half_day}?\s*\d{{1,2}}[:時时시]\d{{2}})?"
    )
    # A stamp starts a word: tried only at word starts, a text with no date in it is searched
    # in half the time (this runs on every short block with a digit in it); and only at a
    # word starting as a stamp can, with a figure, a weekday or a month.
    lead = _lookahead(_date_starts(lexicon), digits=True)
    return rf"\b{lead}(?:(?:{date})(?:,?\s*(?:{at}\s+)?(?:{time}))?|(?:{time}))"


@dataclass(frozen=True, eq=False)
class BylineGrammar:
    """The regexes a byline is read with, built from a lexicon's words."""

    date: re.Pattern[str]
    # A date with the article some languages print before it ("Par Jean Dupont, le 3 mars
    # 2024", "el 3 de marzo"): taken out with the date, so that the article is no name.
    dated: re.Pattern[str]
    # What may stand between a time and its date within one stamp: "6:02 a.m. EST, Feb. 11,
    # 2025", "10:00 PM | January 21, 2025".
    stamp_gap: re.Pattern[str]
    relative: re.Pattern[str]  # "3 hours ago"
    label: re.Pattern[str]  # date labels and "on"/"at", taken out of what names the authors
    updated: re.Pattern[str]
    published: re.Pattern[str]
    # "By", "Von", "Author:", after an optional lead ("Written and edited by"). "Photo by X"
    # is a credit, not a byline: photos and video are not lead words.
    by_prefix: re.Pattern[str]
    separators: re.Pattern[str]  # between two authors
    # "By Jane Doe FOR THE DAILY CLARION", "von Anna Müller für die Zeitung": the outlet, not a name.
    for_outlet: re.Pattern[str]
    # Newsroom roles; a byline's parenthetical or suffix naming one marks the line as a
    # signature: "Jean Dupont (Nantes, correspondant)".
    role_words: re.Pattern[str]
    particles: frozenset[str]
    # News agencies credited by one word ("Reuters", "AFP"): beside a person, still a credit.
    wires: frozenset[str] = frozenset()

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> BylineGrammar:
        joiners = lexicon.regex("name_joiner")
        label_words = ("published_label", "updated_label", "byline_label", "time_preposition")
        labels = _lookahead(_word_starts(lexicon, *label_words)) + lexicon.regex(*label_words)
        # Word lists led by a lookahead for their first characters (see _lookahead).
        updated = _lookahead(_word_starts(lexicon, "updated_label")) + lexicon.regex("updated_label")
        published = _lookahead(_word_starts(lexicon, "published_label")) + lexicon.regex("published_label")
        roles = _lookahead(_word_starts(lexicon, "role_word")) + lexicon.regex("role_word")
        dated_lead = _lookahead(_word_starts(lexicon, "definite_article") | _date_starts(lexicon), digits=True)
        return cls(
            date=re.compile(_date_regex(lexicon), re.IGNORECASE),
            dated=re.compile(rf"{dated_lead}(?:\b{lexicon.regex('definite_article')}\s+)?{_date_regex(lexicon)}",
                             re.IGNORECASE),
            stamp_gap=re.compile(rf"[\s,.|•·/-]*(?:{lexicon.regex('time_preposition')}\b[\s,.]*)?", re.IGNORECASE),
            relative=re.compile(rf"\b{lexicon.alternation('relative_time')}\b", re.IGNORECASE),
            label=re.compile(rf"\b{labels}\b:?", re.IGNORECASE),
            updated=re.compile(rf"\b{updated}\b", re.IGNORECASE),
            published=re.compile(rf"\b{published}\b", re.IGNORECASE),
            by_prefix=re.compile(
                rf"^(?:{lexicon.regex('byline_lead')}(?: {joiners} \w+)?\s+)?{lexicon.regex('by_word')}\s*:?\s+",
                re.IGNORECASE),
            # (A separator starts with a space or a mark: looked for only there, see _lookahead.)
            separators=re.compile(rf"(?=[\s|•·/,;])\s*(?:[|•·/,;]|\s[-–—]\s|\s(?:&|{joiners})\s)\s*",
                                  re.IGNORECASE),
            for_outlet=re.compile(
                rf"\s+{lexicon.regex('outlet_for')}\s+{lexicon.regex('definite_article')}?\s*[\w.&'’ -]{{2,40}}$",
                re.IGNORECASE),
            role_words=re.compile(rf"\b{roles}\b", re.IGNORECASE),
            particles=frozenset(word.lower() for word in lexicon.words("name_particle")),
            wires=frozenset(word.lower() for word in lexicon.words("wire_initials") + lexicon.words("wire_name")),
        )


_GRAMMAR = BylineGrammar.from_lexicon(default_lexicon())
BY_PREFIX = _GRAMMAR.by_prefix
ROLE_WORDS = _GRAMMAR.role_words
PARTICLES = _GRAMMAR.particles


@dataclass(frozen=True, slots=True)
class Byline:
    authors: tuple[str, ...]
    date_text: str | None  # the publication date as printed, for parse_date
    updated_text: str | None = None  # a date labelled as an update ("Updated 9:14 a.m.")
    # Led by "By"/"Von"/"Author:" (or a signature's role): its names are surely people. A
    # name beside a date alone may be a place or a label ("Birmingham", "Güncelleme").
    explicit: bool = False


def has_date_label(text: str, grammar: BylineGrammar | None = None) -> bool:
    """Whether the text names its date ("Published:", "Updated", "Veröffentlicht")."""
    grammar = grammar or _GRAMMAR
    return bool(grammar.published.search(text) or grammar.updated.search(text))


def looks_like_name(text: str, grammar: BylineGrammar | None = None) -> bool:
    """True for "Jane Doe", "J. R. R. Tolkien", "Ludwig van Beethoven", "JÖRG ZSCHOCHE"."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5:
        return False
    if "@" in text or any(map(str.isdigit, text)):
        return False  # a handle or a figure in any word
    particles = (grammar or _GRAMMAR).particles
    capitalised = 0
    for token in tokens:
        if token.endswith(":"):
            return False
        if token.lower() in particles:
            continue
        if not token[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 1


@lru_cache(maxsize=4096)  # nested blocks of one byline ask the same question several times
def parse_byline(line: str, require_name: bool = False, grammar: BylineGrammar | None = None) -> Byline | None:
    """Split a byline into authors and date; None when the line is not a byline.

    Args:
        line: one line or short block of text.
        require_name: refuse date-only lines (used where a bare date could be content).
        grammar: the words bylines are read with (by default, the built-in lexicon's).
    """
    g = grammar or _GRAMMAR
    text = _candidate(line, g)
    if text is None:
        return None
    signature = _SIGNATURE.match(text)
    if signature and g.role_words.search(signature.group("note")) and looks_like_name(signature.group("name"), g):
        return Byline((signature.group("name").strip(),), None, explicit=True)
    has_by = bool(g.by_prefix.match(text))
    # Every date and time has a figure: the costly date regex runs only then, and once (the
    # stamps are read off the same matches).
    dates = list(g.date.finditer(text)) if _DIGIT.search(text) else []
    if not has_by and not dates:
        return None  # neither "By" nor a date: not a byline (and the costly parts are skipped)
    published, updated = _stamps(text, dates, g)
    names, has_by_later = _names(text, g, dated=bool(dates))
    if (published or updated) and (not names or _is_lone_label(names[0], text)):
        # After a label never seen, the names are less surely the page's own: not explicit (a
        # teaser "Horoscope for Wednesday, 11/20/19 by Jane Doe" in a list is no page byline).
        # (The names read first go on: the costly search for a label runs only when they fail.)
        after_label = _names_after_label(text, g)
        if after_label is not None:
            names, has_by_later = after_label, False
    if names is None:
        return None
    has_by = has_by or has_by_later
    dated = published or updated
    if not names and (require_name or not dated):
        return None
    if not has_by and not dated:
        return None
    return Byline(tuple(names), published, updated, explicit=has_by)


def _candidate(line: str, g: BylineGrammar) -> str | None:
    """The line, whitespace collapsed, when it is short enough and does not end a sentence
    (but for a date at its end, or a short signed "Posted by Alon Zakai.")."""
    if len(line) > _MAX_CHARS:
        return None  # bylines are short; and a long token would cost the date regex dearly
    text = " ".join(line.split())
    if text.endswith(".") and len(text.split()) <= _SIGNED_MAX_WORDS and g.by_prefix.match(text):
        text = text[:-1]  # "Posted by Alon Zakai." signs the post; a longer "By ..." is prose
    if not text or len(text.split()) > 24 or text.endswith((".", "?", "!")) and not g.date.search(text[-12:]):
        return None
    return text


def _names(text: str, g: BylineGrammar, dated: bool) -> tuple[list[str] | None, bool]:
    """The names a byline gives once its dates, labels, "By" and outlet are out (None when
    something else is left), and whether a "by" led one of its parts. `dated`: whether the
    date regex finds a stamp in `text` (every match of `g.dated` holds one)."""
    rest = g.dated.sub(" ", text) if dated else text
    rest = g.relative.sub(" ", rest)
    rest = g.by_prefix.sub("", rest.strip())
    rest = g.label.sub(" ", rest)
    rest = g.for_outlet.sub("", " ".join(_EMPTY_BRACKETS.sub(" ", rest).split()))
    parts = [p.strip(" .:-–—") for p in g.separators.split(rest)]
    # "Posted on March 3, 2024 by Jane Doe": the "by" comes after the date.
    has_by = any(g.by_prefix.match(p) for p in parts)
    parts = [g.by_prefix.sub("", p) for p in parts]
    # "By Kenji Watanabe / Staff Writer": the role goes, the person stays.
    parts = [p for p in parts if p and not g.role_words.search(p)]
    names = [p for p in parts if looks_like_name(p, g)]
    if len(names) != len(parts):
        return None, has_by
    # "Lucía Ferrer | Madrid | 3 de marzo": beside a full name, one word standing alone
    # between bars or bullets is a place or a desk (one in a list of names, "Anna Weber und
    # Sweidah", is a name; and so is a news agency: "Reuters | Thorsten Kramer").
    if any(" " in n for n in names):
        fields = {" ".join(f.split()).strip(" .:-–—") for f in _FIELD_SEPARATOR.split(rest)}
        names = [n for n in names if " " in n or n not in fields or n.lower() in g.wires]
    return names, has_by


def _is_lone_label(name: str, text: str) -> bool:
    """Whether the first "name" read is one word leading the line: a label ("Actualisé le
    ..."), when a "by" part after the date names full names."""
    return " " not in name and text.startswith(name)


def _names_after_label(text: str, g: BylineGrammar) -> list[str] | None:
    """The names of a byline led by a label no lexicon holds, then its date, then "by" and
    the names ("Mis en ligne le 30 avril 2024 à 16h00, par Denis Loctier"; a one-word label,
    "Actualisé le ...", would read as a name without this): the words before
    the date are a label when they are few and a "by" and full names follow the date (a line
    of prose holding a date seldom has a "by" part after it)."""
    date = g.dated.search(text)
    label = text[: date.start()].strip() if date is not None else ""
    if date is None or not 1 <= len(label.split()) <= _LABEL_MAX_WORDS or _FIELD_SEPARATOR.search(label):
        return None
    if " " in label and looks_like_name(label, g):
        return None  # "Jane Doe, 3 March 2024, by ...": a name, read with the rest
    if not g.by_prefix.match(text[date.end():].lstrip(" ,;")):
        return None
    names, _ = _names(text[date.start():], g, dated=True)
    # Full names only: with a label never seen, "by Dover" may be a place.
    return names if names and all(" " in name for name in names) else None


def _stamps(text: str, dates: list[re.Match[str]], g: BylineGrammar) -> tuple[str | None, str | None]:
    """The publication and the update stamp of a byline, from the date regex's matches in
    it. A stamp is a date with its time ("6:02 a.m. EST, Feb. 11, 2025"); one led by
    "Updated" is the update."""
    stamps: list[tuple[int, int, str]] = []  # start, end, text
    for match in dates:
        if stamps and g.stamp_gap.fullmatch(text[stamps[-1][1] : match.start()]):
            start, _, printed = stamps[-1]
            if match.group(0) != printed:  # a stamp printed twice (a copy for small screens)
                printed += " " + match.group(0)
            stamps[-1] = (start, match.end(), printed)
        else:
            stamps.append((match.start(), match.end(), match.group(0)))
    published = updated = None
    previous_end = 0
    for start, end, stamp in stamps:
        label = text[previous_end:start]
        if g.updated.search(label) and not g.published.search(label):
            updated = updated or stamp
        else:
            published = published or stamp
        previous_end = end
    return published, updated
