"""Read-also lines by their shape, whatever their label says: a label of a few words, a
separator (":", "|", "→", "»", "·", a spaced dash) and another story's headline, none of
whose words are the article's ("WEITERLESEN: Messengerdienste sind kein rechtsfreier Raum").
The label may be bracketed ("[Auch lesenswert] ..."), come after the headline in reading
words ("... – read more", "... (mehr)"), or be a mere arrow ("► ...", "... »"). A subheading
that names its part of the story ("Die Lage: Wer jetzt hilft") shares the story's words and
stays; so does a line of prose (the headline after a label may ask a question, as prose
does, but never ends in a full stop), a date and its place, a list item, a speaker before a
question, and a citation with a link. Read by the line filter (lines.py). No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..meta.bylines import parse_byline
from .linescore import label_stems
from .lineshape import ArticleWords, content_stems, is_prose, reads_as_headline, word_count

READ_ALSO_RULE = "read-also-shape"
_HEADLINE_MIN_WORDS = 3  # another story's headline has this many words at least
# A read-also line: a label of this many words at most before its separator, within the
# first characters of the line, then a headline sharing this share of its words at most
# with the article.
_LABEL_CUT = re.compile(r"[:|→»›>]+|\s[-–—·•]+\s")
_LABEL_MAX_CHARS = 40
_LABEL_MAX_WORDS = 5
# A label may be a mere arrow before the headline, a bracketed label before it, or reading
# words (or an arrow) after it.
_LEADING_ARROW = re.compile(r"^(?:[►▶▸→»›]|>>|->)+\s*")
_BRACKETED_LABEL = re.compile(r"^[\[(]([^\])]{1,40})[\])]\s*[:|–—-]?\s*")
_FIGURE = re.compile(r"\d")
_URL = re.compile(r"://|\bwww\.")
_TRAILING_LABEL = re.compile(r"(?:\s+[-–—|]\s*|\s*\()([^()\-–—|]{1,30}?)\)?\s*[»›→]*$|\s*(?:[»›→]|>>)+$")
_LABELLED_MAX_RELATEDNESS = 0.5
# After a label, another story's headline as sites print it: up to an SEO title's length.
_LABELLED_MAX_WORDS = 30
_LABELLED_MAX_CHARS = 250
_SPEAKER_MAX_WORDS = 2  # "Q:", "Frage:", "Anna Weber:" before a question: an interview's


def read_also_lines(texts: Sequence[str], marks: Sequence[str | None], words: ArticleWords,
                    start: int = 0) -> Iterator[int]:
    """The indexes, from `start` on, of the lines no mark took yet that are read-also lines;
    `words`: the article's words (those of the prose lines no mark took)."""
    for index in range(start, len(texts)):
        text = texts[index]
        if marks[index] is not None or (is_prose(text) and not text.rstrip().endswith(("?", "!"))):
            continue
        parts = _label_and_headline(text)
        if parts is None:
            continue
        label, rest = parts
        if not (word_count(label) <= _LABEL_MAX_WORDS and word_count(rest) >= _HEADLINE_MIN_WORDS
                and reads_as_headline(rest, _LABELLED_MAX_WORDS, _LABELLED_MAX_CHARS) and not _URL.search(rest)):
            continue  # a source or a citation ("Quelle: ... http://dx.doi.org/...") is the article's
        # A question long enough to read as prose is among the article's words: weigh it
        # against the others only.
        others = ArticleWords.of(t for i, t in enumerate(texts) if i != index and marks[i] is None) \
            if is_prose(text) else words
        if (_label_names_no_topic(others, label) and _names_another_story(others, rest)
                and parse_byline(text) is None):
            yield index


def _label_and_headline(text: str) -> tuple[str, str] | None:
    """The label and the headline of a line shaped as a read-also line, if it is one. A
    label has letters and no figures: "June 10 – Tampa, FL" is a date and its place, "- Star
    Trek: ..." an item of a list; before a question, it is words of the label vocabulary."""
    quoted = "«" in text and "»" in text  # « ... » or » ... «: quotation marks, not arrows
    if not quoted and (lead := _LEADING_ARROW.match(text)) is not None:
        return "", text[lead.end():]
    parts: tuple[str, str] | None = None
    if (bracket := _BRACKETED_LABEL.match(text)) is not None:
        parts = bracket.group(1), text[bracket.end():]
    elif not quoted and (tail := _TRAILING_LABEL.search(text)) is not None and _is_label_words(tail.group(1)):
        parts = tail.group(1) or "", text[: tail.start()].rstrip()
    elif (cut := _LABEL_CUT.search(text, 0, _LABEL_MAX_CHARS)) is not None and cut.start() > 0:
        parts = text[: cut.start()], text[cut.end():].strip()
    if parts is None or (parts[0] and (not parts[0].lstrip()[:1].isalpha() or _FIGURE.search(parts[0]))):
        return None
    label, headline = parts
    if label and word_count(label) <= _SPEAKER_MAX_WORDS and headline.rstrip().endswith("?") \
            and not _is_label_words(label):
        return None  # "Q: What was your first day like?"
    return parts


def _names_another_story(words: ArticleWords, headline: str) -> bool:
    """Whether a headline after a label is another story's: not about the article, and half
    its words at most the article's (a short headline shares a word by chance)."""
    return not words.about(headline) and words.relatedness(headline) <= _LABELLED_MAX_RELATEDNESS


def _is_label_words(label: str | None) -> bool:
    """Nothing (an arrow after the headline), or words of the label vocabulary alone."""
    if not label:
        return True
    stems = content_stems(label)
    return bool(stems) and all(stem in label_stems() for stem in stems)


def _label_names_no_topic(words: ArticleWords, label: str) -> bool:
    """Whether a label is no subheading naming the story's topic: none of its words (label
    words aside) is one the article uses again and again. A word it uses once is chance
    ("Weitere Geschichten" beside a story that says "Geschäft" once: stems are short)."""
    return not any(stem in words.topic and stem not in label_stems() for stem in content_stems(label))
