"""The shape of a line of text, and what it shares with the article around it.

Noise a page prints around an article has shapes of its own, in every language: a teaser
headline is short and ends without a full stop; a button is a verb phrase of a few words; a
widget heading is shorter still. And it is about something else: a teaser names another
story, so its words are not the article's. `ArticleWords` holds the article's own words (its
prose lines'), so that a line can be told apart from a subheading of the same story by what
it talks about, whatever the language. No I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..config import default_lexicon
from ..config.rules import grammar_tokens

# Prose: a line of this many words or more that ends a sentence. Its words are the article's.
PROSE_MIN_WORDS = 12
HEADLINE_MAX_WORDS = 20
HEADLINE_MAX_CHARS = 160
HEADING_MAX_WORDS = 8
HEADING_MAX_CHARS = 70
AD_SLOT_MAX_WORDS = 10
BUTTON_MAX_WORDS = 4
BUTTON_MAX_CHARS = 32
# A content word is one of this many letters or more, outside the stopwords; words are
# compared by their first letters, so that "Kinder" and "Kindergarten", "election" and
# "elections" count as the same.
_CONTENT_MIN_CHARS = 4
STEM_CHARS = 5

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
# What a teaser headline or a heading does not end with (a question or exclamation may),
# but for a cut ("..."), which teasers end with when the headline is too long for the box.
_CLAUSE_END = re.compile(r"[.,;:…][\"'”’»)\]]*$")
_CUT = re.compile(r"(?:\.\.\.|…|\((?:\.\.\.|…)\)|\[(?:\.\.\.|…)\])$")
_LETTER = re.compile(r"[^\W\d_]")
_QUOTES = "\"'“”„«»‘’‚‹›¿¡"
_NUMBERED = re.compile(r"\d+[.)]\s")  # "3. Step", "2) Then"
_LEADING_MARK = re.compile(r"[^\w\s]")  # "+ Added", "$ hg add", "- Ort:", "│"
_HEADLINE_LETTER_SHARE = 0.6


def word_count(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    return _SENTENCE_END.search(text.rstrip()) is not None


def ends_clause(text: str) -> bool:
    """Whether the line ends a clause (a full stop, comma, semicolon or colon, closing quotes
    aside), as a teaser's headline does not; a cut ("la respuesta...") is not an end."""
    text = text.rstrip()
    return _CLAUSE_END.search(text) is not None and _CUT.search(text) is None


def is_prose(text: str) -> bool:
    """A line of running text: long, and ending a sentence."""
    return word_count(text) >= PROSE_MIN_WORDS and ends_sentence(text)


def is_headline_shaped(text: str, max_words: int = HEADLINE_MAX_WORDS, max_chars: int = HEADLINE_MAX_CHARS) -> bool:
    """Short, with letters, not ending a clause: a teaser headline, or a subheading."""
    return (len(text) <= max_chars and 2 <= word_count(text) <= max_words
            and not ends_clause(text) and _LETTER.search(text) is not None)


def reads_as_headline(text: str, max_words: int = HEADLINE_MAX_WORDS, max_chars: int = HEADLINE_MAX_CHARS) -> bool:
    """Headline-shaped and written as a headline is: mostly letters, starting with a capital
    (or a quote, or a figure: "10 things"), not a list item ("+ Added...", "3. Step") nor
    code or a table row. Lines in scripts without capitals never pass: nothing tells a
    headline there from a list item."""
    if not is_headline_shaped(text, max_words, max_chars):
        return False
    start = text.lstrip(_QUOTES)
    if not start or _NUMBERED.match(start) or _LEADING_MARK.match(start):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or len(letters) < _HEADLINE_LETTER_SHARE * len(text.replace(" ", "")):
        return False
    first = next(ch for ch in start if ch.isalpha() or ch.isdigit())
    return first.isdigit() or (first.isupper() and first.lower() != first.upper())


def is_heading_shaped(text: str) -> bool:
    """Shorter still: what may head a widget. A line ending in a colon is left out: it
    introduces a list that belongs to the article ("The rankings were as follows:")."""
    # The length first: it costs nothing, and most blocks asked about are paragraphs.
    return (len(text) <= HEADING_MAX_CHARS and 1 <= word_count(text) <= HEADING_MAX_WORDS
            and not _CLAUSE_END.search(text.rstrip()) and _LETTER.search(text) is not None)


def is_ad_slot_line(text: str) -> bool:
    """A line an ad slot prints beside its label: short, no question nor introduction, no
    prose, and naming the ad ("Story resumes below the ad", "Turn off ads", "Sigue leyendo
    debajo de la publicidad"). Read only beside a line or block an ad-label rule took, on
    dumps and pages alike."""
    stripped = text.rstrip()
    return (1 <= word_count(text) <= AD_SLOT_MAX_WORDS and not stripped.endswith(("?", ":")) and not is_prose(text)
            and any(token in _ad_words() for token in grammar_tokens(text)))


def is_button_shaped(text: str) -> bool:
    """A verb phrase of a few words with no sentence ending: "Jetzt anmelden", "JOIN NOW"."""
    stripped = text.strip(" →›»>!")
    return (len(stripped) <= BUTTON_MAX_CHARS and 1 <= word_count(stripped) <= BUTTON_MAX_WORDS
            and not _CLAUSE_END.search(stripped) and _LETTER.search(stripped) is not None)


@dataclass(frozen=True)
class ArticleWords:
    """The content words of an article's prose lines (as stems), and those it uses more than
    once: what the article is about, rather than words any text may use once."""

    stems: frozenset[str]
    topic: frozenset[str] = frozenset()
    counts: Mapping[str, int] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, lines: Iterable[str]) -> ArticleWords:
        counts = Counter(stem for line in lines if is_prose(line) for stem in content_stems(line))
        return cls(frozenset(counts), frozenset(stem for stem, n in counts.items() if n > 1), counts)

    def relatedness(self, text: str) -> float:
        """The share of the line's content words the article's prose uses too (0 for a line
        with none: a name, a number)."""
        return self.share(content_stems(text))

    def relatedness_apart(self, text: str) -> float:
        """The same, for a line that may be one of the prose lines the words were read from
        (a teaser ending in a full stop reads as prose): its own words count only when the
        rest of the prose uses them too."""
        stems = content_stems(text)
        if not stems or not is_prose(text):
            return self.share(stems)
        own = Counter(stems)
        return sum(self.counts.get(stem, 0) > own[stem] for stem in stems) / len(stems)

    def about(self, text: str) -> bool:
        """Whether the line is about the article: half its content words or more are the
        prose's, two at least when it has two, and one of them a word the article uses
        again and again ("Zeit" and "andere" in a teaser of another story are chance; a
        subheading names what the story is about)."""
        stems = content_stems(text)
        shared = sum(stem in self.stems for stem in stems)
        return (bool(stems) and shared * 2 >= len(stems) and shared >= min(2, len(stems))
                and any(stem in self.topic for stem in stems))

    def share(self, stems: Sequence[str]) -> float:
        """The share of these stems the article's prose uses too (0 for none)."""
        if not stems:
            return 0.0
        return sum(stem in self.stems for stem in stems) / len(stems)

    def __bool__(self) -> bool:
        return bool(self.stems)


@lru_cache(maxsize=8192)  # a page's lines are asked about several times (article words, relatedness)
def content_stems(text: str) -> tuple[str, ...]:
    return tuple(stems_of(grammar_tokens(text)))


def stems_of(tokens: list[str]) -> list[str]:
    """The stems of the content words among a line's grammar tokens."""
    stopwords = _stopwords()
    return [token[:STEM_CHARS] for token in tokens
            if len(token) >= _CONTENT_MIN_CHARS and token not in stopwords and not token.isdigit()]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """The built-in lexicon's stopwords, every language's."""
    return frozenset(token for word in default_lexicon().words("stopword") for token in grammar_tokens(word))


@lru_cache(maxsize=1)
def _ad_words() -> frozenset[str]:
    """The built-in lexicon's one-word ad labels, every language's, stopwords aside ("in", "de")."""
    words = (grammar_tokens(word) for word in default_lexicon().words("ad_label"))
    return frozenset(tokens[0] for tokens in words if len(tokens) == 1) - _stopwords()
