"""The learned line scorer: how likely a line is noise, from its shape, words and neighbours.

The hand rules know wordings and grammars; a wording nobody wrote a rule for still has the
shape and the vocabulary of noise: short, no sentence ending, interface or pitch words,
none of the article's words, between other such lines, far from the prose. `features`
reads those off a line and its neighbours (the same code trains the model: bench/
train_lines.py), and a small logistic model (scrape/config/line_model.json, trained on the
tune half of the noise bank and the dev corpora's bodies only) weighs them. Pure Python: a
dot product per line. No I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..config import default_lexicon
from ..config.model import LineModel
from ..config.rules import grammar_tokens
from .lineshape import (
    AD_SLOT_MAX_WORDS,
    STEM_CHARS,
    ArticleWords,
    content_stems,
    ends_sentence,
    is_ad_slot_line,
    is_button_shaped,
    is_heading_shaped,
    is_prose,
    reads_as_headline,
    stems_of,
    word_count,
)

# The lexicon categories whose share of a line's words is a feature: the vocabulary of
# interfaces, pitches and widgets, and the stopwords every language's prose is full of.
CATEGORIES = (
    "stopword", "ad_label", "continue_word", "position_word", "interface_verb", "interface_noun",
    "counter_noun", "minute_word", "reading_word", "promo_word", "offer_word", "newsletter_word",
    "signup_word", "related_word", "widget_word",
)
# The learned scorer weighs lines up to this long; longer ones are the article's prose.
SCORED_MAX_WORDS = 40
_LONG_SAMPLE = 400  # characters of a long line read for its neighbours
_SEPARATOR = re.compile(r"[|·•→»›>:–—/-]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_LABEL_CUT = re.compile(r"[:|→»›>]+|\s[-–—]+\s")
_LABEL_MAX_CHARS = 40
_LABEL_CATEGORIES = (CATEGORIES.index("related_word"), CATEGORIES.index("widget_word"))


@dataclass(frozen=True)
class TextContext:
    """What a line is read against: the article's words, its title's, where its prose is."""

    words: ArticleWords
    title: frozenset[str]
    first_prose: int
    last_prose: int

    @classmethod
    def of(cls, texts: Sequence[str], words: ArticleWords, title: str | None) -> TextContext:
        prose = [i for i, text in enumerate(texts) if is_prose(text)]
        return cls(words, frozenset(content_stems(title or "")),
                   prose[0] if prose else len(texts), prose[-1] if prose else -1)


@lru_cache(maxsize=1)
def _categories_of() -> dict[str, tuple[int, ...]]:
    """Each word of the categories, and the indexes (in CATEGORIES) of those it is in."""
    lexicon = default_lexicon()
    found: dict[str, list[int]] = {}
    for index, category in enumerate(CATEGORIES):
        for word in lexicon.words(category):
            for token in grammar_tokens(word):
                if index not in found.setdefault(token, []):
                    found[token].append(index)
    return {token: tuple(indexes) for token, indexes in found.items()}


@dataclass(frozen=True)
class _Neighbourly:
    """What a line's neighbours need of it."""

    prose: float
    headline: float
    relatedness: float
    known: float
    colon: float


def _neighbourly(text: str, context: TextContext) -> _Neighbourly:
    """The few features read off a line for its neighbours; a long line is prose, whose
    words are the article's (reading all of a very long one would cost for nothing)."""
    if word_count(text) > SCORED_MAX_WORDS:
        return _Neighbourly(float(is_prose(text)), 0.0, 1.0, _known_share(grammar_tokens(text[:_LONG_SAMPLE])), 0.0)
    return _Neighbourly(float(is_prose(text)), float(reads_as_headline(text)), context.words.relatedness(text),
                        _known_share(grammar_tokens(text)), float(text.rstrip().endswith(":")))


def _known_share(tokens: list[str]) -> float:
    categories = _categories_of()
    return sum(t.isdigit() or t in categories for t in tokens) / max(len(tokens), 1)


def _line_features(text: str, context: TextContext) -> list[float]:
    """The features of one line alone (a line of SCORED_MAX_WORDS words at most)."""
    tokens = grammar_tokens(text)
    count = max(len(tokens), 1)
    categories = _categories_of()
    counts = [0] * len(CATEGORIES)
    known = 0
    for token in tokens:
        found = categories.get(token)
        if found:
            known += 1
            for index in found:
                counts[index] += 1
        elif token.isdigit():
            known += 1
    split = text.split()
    stripped = text.rstrip()
    letters = _LETTER.findall(text[:_LABEL_MAX_CHARS])  # enough to tell three letters
    cut = _LABEL_CUT.search(text[:_LABEL_MAX_CHARS])
    label = grammar_tokens(text[: cut.start()]) if cut else []
    label_words = sum(any(i in categories.get(t, ()) for i in _LABEL_CATEGORIES) for t in label)
    stems = stems_of(tokens)
    title = sum(s in context.title for s in stems) / len(stems) if stems and context.title else 0.0
    chars = max(len(text), 1)
    return [
        math.log1p(len(split)), math.log1p(len(text)),
        float(stripped.endswith(".")), float(stripped.endswith("?")), float(stripped.endswith("!")),
        float(stripped.endswith(":")), float(not ends_sentence(text) and not stripped.endswith(":")),
        float(len(letters) >= 3 and text.isupper()),
        sum(w[:1].isupper() for w in split) / max(len(split), 1),
        len(_DIGIT.findall(text)) / chars, len(_SEPARATOR.findall(text)) / chars,
        float(cut is not None and cut.start() > 0),
        *(c / count for c in counts), known / count, label_words / max(len(label), 1),
        context.words.share(stems), title, float(bool(context.title)),
        float(is_prose(text)), float(reads_as_headline(text)), float(is_heading_shaped(text)),
        float(is_button_shaped(text)), float(len(stems) == 0),
    ]


LINE_FEATURES = (
    "words_log", "chars_log", "ends_period", "ends_question", "ends_exclamation", "ends_colon", "no_ending",
    "all_caps", "capitalised_share", "digit_share", "separator_share", "has_label",
    *(f"share_{c}" for c in CATEGORIES), "known_share", "label_known_share",
    "relatedness", "title_relatedness", "has_title",
    "prose", "reads_as_headline", "heading_shaped", "button_shaped", "no_content_words",
)
_NEIGHBOUR = ("prose", "reads_as_headline", "relatedness", "known_share", "ends_colon")
FEATURES = (
    *LINE_FEATURES,
    *(f"previous_{name}" for name in _NEIGHBOUR), *(f"next_{name}" for name in _NEIGHBOUR),
    "first_line", "last_line", "before_prose", "after_prose", "lines_to_prose_log",
)
_NO_NEIGHBOUR = _Neighbourly(0.0, 0.0, 0.0, 0.0, 0.0)


def features(texts: Sequence[str], context: TextContext, wanted: Iterable[int] | None = None) -> dict[int, list[float]]:
    """The features (in FEATURES order) of the lines at `wanted` (default: every line that
    may be scored): each line's own, its neighbours', its place."""
    if wanted is None:
        wanted = (i for i, text in enumerate(texts) if may_be_scored(text))
    rows: dict[int, list[float]] = {}
    neighbourly: dict[int, _Neighbourly] = {}

    def near(index: int) -> _Neighbourly:
        if not 0 <= index < len(texts):
            return _NO_NEIGHBOUR
        if index not in neighbourly:
            neighbourly[index] = _neighbourly(texts[index], context)
        return neighbourly[index]

    for i in wanted:
        previous, following = near(i - 1), near(i + 1)
        to_prose = (context.first_prose - i if i < context.first_prose
                    else i - context.last_prose if i > context.last_prose else 0)
        rows[i] = [
            *_line_features(texts[i], context),
            previous.prose, previous.headline, previous.relatedness, previous.known, previous.colon,
            following.prose, following.headline, following.relatedness, following.known, following.colon,
            float(i == 0), float(i == len(texts) - 1), float(i < context.first_prose), float(i > context.last_prose),
            math.log1p(max(to_prose, 0)),
        ]
    return rows


# On a page the scorer weighs only lines that speak the vocabulary of a page's interface,
# its ads and pitches: a page's own short lines (a list of dates, the answers of a Q&A,
# stages of a race, a hard-wrapped RFC, "Inhalt") seldom do, and the scorer took them
# (zyte F1 0.973 -> 0.969 with no such gate). Two words at least, stopwords and figures
# aside, this share of them of the vocabulary (the `_NOISE_VOCABULARY` and
# `_PLACE_VOCABULARY` categories: what is shown, where, how long), and one of them of
# `_NOISE_VOCABULARY`, the ads', pitches' and widgets' own words ("Story continues below
# gallery" has none: what it says goes on may be the article's).
_NOISE_VOCABULARY = frozenset(("ad_label", "promo_word", "offer_word", "newsletter_word", "widget_word"))
_PLACE_VOCABULARY = frozenset((
    "continue_word", "position_word", "reading_word", "minute_word", "interface_verb", "interface_noun", "counter_noun",
    "related_word", "signup_word",
))
_VOCABULARY_MIN_SHARE = 0.6
_SLOT_VOCABULARY_MIN_SHARE = 0.5  # beside an ad label, a line this much of the vocabulary
_VOCABULARY_MIN_WORDS = 2
_STOPWORD = CATEGORIES.index("stopword")


def _named_categories(text: str) -> list[set[str]]:
    """For each of the line's words, stopwords and figures aside, the categories it is in
    (empty for a word no category holds)."""
    found = [_categories_of().get(token, ()) for token in grammar_tokens(text) if not token.isdigit()]
    return [{CATEGORIES[i] for i in indexes} for indexes in found if _STOPWORD not in indexes]


def speaks_noise_vocabulary(text: str, share: float = _VOCABULARY_MIN_SHARE) -> bool:
    """Whether the line is mostly words of the noise vocabulary (see _NOISE_VOCABULARY), and
    neither asks nor introduces ("Wie geht es weiter?", "Weitere Links:" head the article's
    own parts)."""
    if text.rstrip().endswith(("?", ":")):
        return False
    named = _named_categories(text)
    if len(named) < _VOCABULARY_MIN_WORDS or not any(names & _NOISE_VOCABULARY for names in named):
        return False
    known = sum(bool(names & (_NOISE_VOCABULARY | _PLACE_VOCABULARY)) for names in named)
    return known >= share * len(named)


def names_the_ad_slot(text: str) -> bool:
    """A line an ad slot prints beside its label: one naming the ad (lineshape.is_ad_slot_line)
    or, with no ad word, one of the interface's words only ("Zum Weiterlesen scrollen", "Skip
    to the story", "Cerrar"): what the page's controls say, where the story goes on, how long.
    Read only beside a line or block an ad-label rule took, on dumps and pages alike."""
    if is_ad_slot_line(text):
        return True
    if not 1 <= word_count(text) <= AD_SLOT_MAX_WORDS or text.rstrip().endswith(":") or is_prose(text):
        return False
    named = _named_categories(text)
    if text.rstrip().endswith("?"):
        # A question beside an ad is about the ad when it names it ("Why this ad?"); another
        # may head the article's next part.
        return any("ad_label" in names for names in named)
    known = sum(bool(names & (_NOISE_VOCABULARY | _PLACE_VOCABULARY)) for names in named)
    return bool(named) and known >= _SLOT_VOCABULARY_MIN_SHARE * len(named)


# A pitch and its button: the button a verb phrase of a few words, each naming the offer
# (a word of promo_word or offer_word: "Start trial", "Zum Angebot"), and the pitch a short
# line of the noise vocabulary ("Vier Wochen gratis testen" beside "Jetzt testen").
_OFFER_VOCABULARY = frozenset(("promo_word", "offer_word"))
PITCH_MAX_WORDS = 20
_PITCH_MIN_SHARE = 0.5


def names_an_offer(text: str) -> bool:
    """Whether one of the line's words (stopwords aside) names a subscription or an offer, in
    any of its forms: a word sharing its first letters with an offer word counts ("m'abonne"
    beside "abonnement", "Abos" beside "Abo"), as content_stems read words."""
    for token in grammar_tokens(text):
        found = _categories_of().get(token, ())
        if _STOPWORD in found:
            continue
        if any(CATEGORIES[i] in _OFFER_VOCABULARY for i in found):
            return True
        if not found and len(token) >= STEM_CHARS and token[:STEM_CHARS] in _offer_stems():
            return True
    return False


@lru_cache(maxsize=1)
def _offer_stems() -> frozenset[str]:
    """The stems of the offer words of every language long enough to have one."""
    return frozenset(token[:STEM_CHARS] for token, found in _categories_of().items()
                     if len(token) >= STEM_CHARS and _STOPWORD not in found
                     and any(CATEGORIES[i] in _OFFER_VOCABULARY for i in found))


def is_pitch_beside_button(pitch: str, button: str) -> bool:
    """Whether `pitch` and the `button` beside it are an offer and its call to action; read
    on dumps (neighbouring lines) and pages (neighbouring blocks) alike."""
    return (is_button_shaped(button) and names_an_offer(button) and word_count(pitch) <= PITCH_MAX_WORDS
            and not is_prose(pitch) and names_an_offer(pitch) and speaks_noise_vocabulary(pitch, _PITCH_MIN_SHARE))


def may_be_scored(text: str) -> bool:
    """Whether the scorer weighs the line: not running prose (a line of a dozen words that
    ends a sentence is noise once in a hundred on the bank's tune half), nor longer than
    SCORED_MAX_WORDS."""
    return word_count(text) <= SCORED_MAX_WORDS and not is_prose(text)


def scores(texts: Sequence[str], context: TextContext, model: LineModel, wanted: Iterable[int]) -> dict[int, float]:
    """How likely each line at `wanted` is noise, by the model."""
    return {i: model.probability(row) for i, row in features(texts, context, wanted).items()}


# The words a read-also label is made of: a label may share these with the article ("Auch
# lesenswert" beside a story that says "lesen") and still be a label.
_LABEL_VOCABULARY = frozenset(("related_word", "reading_word", "widget_word", "interface_verb"))


@lru_cache(maxsize=1)
def label_stems() -> frozenset[str]:
    """The stems of the lexicon's label words (_LABEL_VOCABULARY), stopwords aside."""
    return frozenset(stems_of([token for token, found in _categories_of().items()
                               if _STOPWORD not in found and any(CATEGORIES[i] in _LABEL_VOCABULARY for i in found)]))
