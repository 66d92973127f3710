"""The line filter: noise rules, widget shapes and calls to action, applied to paragraphs.

Runs on text dumps line by line and on what the HTML cleaner extracts from a page, so both
paths drop the same ad labels, promos, share bars and widgets through the same matcher (the
config's `line_rules` and `heading_rules`). In passes over the whole text, each marking
lines as noise:

1. the rules: a line a "line" rule takes; a heading a "heading" rule takes, with the teaser
   lines after it (short, no sentence ending, not about the article; in a dump, the lines
   set under it in its block, whatever their shape);
2. widgets by shape, whatever their heading says: a short heading-like line (or a line a
   rule took) followed by a run of headline-shaped lines that name other stories (their
   words are not the article's) goes whole. A list that belongs to the article stays: one
   introduced by a line ending in a colon, or whose lines share the article's words;
3. calls to action go with their pitch: a button-like line (a few words, no sentence
   ending, not about the article) beside a membership, subscription or newsletter line, and
   the short line before a button a rule took;
   a pitch no rule knew goes with a button naming the offer (both by their words);
4. the lines around an ad slot: a short line naming the ad beside a line the ad-label rule
   took (prune.py reads the same pairs and ad slots as neighbouring blocks of a page);
5. the learned scorer, when given: on a page only for lines of the noise vocabulary; in a
   dump, a button or a pitch set in one block with a line it took goes with that line.

Bylines at the head or foot of the text are taken out and returned as authors and date.
No I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..config import NoiseRule, RuleSet
from ..config.model import LineModel
from ..meta.bylines import Byline, parse_byline
from ..models import Removal
from ..text import normalise_paragraph
from .linescore import (
    PITCH_MAX_WORDS,
    TextContext,
    is_pitch_beside_button,
    may_be_scored,
    names_the_ad_slot,
    scores,
    speaks_noise_vocabulary,
)
from .lineshape import (
    ArticleWords,
    ends_clause,
    is_button_shaped,
    is_heading_shaped,
    is_prose,
    reads_as_headline,
    word_count,
)
from .readalso import READ_ALSO_RULE, read_also_lines

# How far from either end of the text a byline is looked for: past this many paragraphs,
# a short one (a teaser, a label no rule knew) counting for half, or this many lines.
_BYLINE_REACH = 3
_BYLINE_MAX_LINES = 8
_DUMP_BYLINE_MAX_LINES = 30
# A line of names beside a date alone: at most this many words; read as if "By" led it.
_NAME_LINE_MAX_WORDS = 8
_BY = "By"
_SHORT_WORDS = 8
# After a widget heading ("Trending on X", "Related stories") the teaser lines that follow
# are short and end without a full stop; at most this many are taken with it.
_TEASER_MAX_LINES = 12
_TEASER_MAX_WORDS = 20
_LIST_MARK = re.compile(r"^\s*(?:[-*•·▪►]|\d+[.)])\s+")
# A run of headline-shaped lines is a widget when its lines share at most this share of
# their words with the article on average, and each has this many words at least (a list
# of names or dates has fewer; headlines of other stories seldom do).
_RUN_MAX_RELATEDNESS = 0.3
# A list set under a known widget heading in its block is the article's own only when most
# of its lines are about the article and they share this share of their words with it.
_OWN_LIST_MIN_RELATEDNESS = 0.6
_RUN_MIN_WORDS = 3
_RUN_MIN_LINES = 2  # after a heading
_FOOT_RUN_MIN_LINES = 3  # after the article's last prose line, with no heading
# Shapes are only read in running text: where prose lines hold less of the text than this
# (code, tables, a table of contents, hard-wrapped plain text), short lines are its own.
_MIN_PROSE_SHARE = 0.4
# Rules whose lines are pitches a button goes with.
_PITCH_RULES = frozenset({"membership-promo", "subscription-offer"})
_AD_LABEL_RULE = "ad-label"
AD_SLOT_RULE = "ad-slot-line"
WIDGET_SHAPE_RULE = "widget-shape"
PITCH_RULE = "pitch-shape"
_PITCH_MAX_RELATEDNESS = 0.5
_SCORER_RULE = "line-scorer"


@dataclass
class FilterResult:
    paragraphs: list[str]
    removed: list[Removal] = field(default_factory=list)
    bylines: list[Byline] = field(default_factory=list)


def snippet(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def match_rule(text: str, rules: RuleSet) -> NoiseRule | None:
    """The first rule whose patterns match the whole of `text` (a list marker aside), if any."""
    return rules.match(" ".join(_LIST_MARK.sub("", text).split()))


def _is_teaser(text: str) -> bool:
    """A teaser headline, or a comma-separated list of tags."""
    words = text.split()
    if not words or ends_clause(text):  # a headline may end in "?", "!", a quote or a cut
        return False
    if len(words) <= _TEASER_MAX_WORDS:
        return True
    segments = text.split(",")
    return len(segments) >= 4 and len(words) / len(segments) <= 5


@dataclass
class _Lines:
    """The text's lines and, for each, the rule that removes it (None: kept so far)."""

    texts: list[str]
    marks: list[str | None]
    _words: ArticleWords | None = None
    by_rule: set[int] = field(default_factory=set)  # the lines a rule took by their own text

    @property
    def words(self) -> ArticleWords:
        """The article's words: those of the prose lines no rule took, read when first
        needed (most pages have no widget heading and no foot to read shapes in)."""
        if self._words is None:
            self._words = ArticleWords.of(t for t, mark in zip(self.texts, self.marks, strict=True) if mark is None)
        return self._words

    def kept_after(self, index: int) -> Iterable[int]:
        return (i for i in range(index + 1, len(self.texts)) if self.marks[i] is None)

    def last_prose(self) -> int:
        """The index of the last prose line no rule took (-1: none)."""
        return max((i for i, t in enumerate(self.texts) if self.marks[i] is None and is_prose(t)), default=-1)

    def previous_kept(self, index: int) -> int | None:
        return next((i for i in range(index - 1, -1, -1) if self.marks[i] is None), None)


def filter_paragraphs(paragraphs: Iterable[str], line_rules: RuleSet, heading_rules: RuleSet,
                      find_bylines: bool = True, text_dump: bool = False, line_model: LineModel | None = None,
                      title: str | None = None, unlearnt: Sequence[str] | None = None,
                      blocks: Sequence[int] | None = None) -> FilterResult:
    """Drop noise paragraphs; take bylines from the head and foot.

    Args:
        paragraphs: text blocks in reading order.
        line_rules: rules whose match removes just the block.
        heading_rules: rules whose match removes the block and the teaser lines after it.
        find_bylines: look for bylines near either end.
        text_dump: the text is a dump, with no markup: widgets are told by their shape
            anywhere in it. On a page the markup has told most widgets apart already, and
            lists of short lines in its body column are mostly the article's own: shapes
            are read only below its last paragraph.
        line_model: the learned line scorer, to weigh what the rules and shapes left
            (None: not used); `title` is what it compares lines with, when known. On the
            held-out half of the noise bank it finds twice the noise the hand grammars do
            in dumps. On a page it weighs only lines that speak the noise vocabulary (ad,
            pitch and widget words; linescore.speaks_noise_vocabulary) and share no word
            with the article: weighing every short line took the articles' own (readability
            F1 0.956 -> 0.940, zyte 0.973 -> 0.969), where the markup has said more already.
        unlearnt: the paragraphs as they were before a host's learnt lines were taken out of
            them (`paragraphs` are what is left). Learning takes its own lines and no more:
            a line the rules and shapes keep among all of them is kept, though its
            neighbours changed (a bio line at the foot no longer beside the footer a
            template put there, questions no longer parted from a list by a template line).
        blocks: for a dump, the number of the blank-line separated block each paragraph is
            in (textdump.clean_text_dump numbers them): a widget heading takes the short lines set
            under it in its block, whatever their shape.
    """
    # Rules see each paragraph as it will be written.
    normalised = [normalise_paragraph(p) for p in paragraphs]
    texts = [text for text in normalised if text]
    lines = _marked(texts, line_rules, heading_rules, text_dump, line_model, title,
                    blocks=[b for b, t in zip(blocks, normalised, strict=True) if t] if blocks is not None else None)
    if unlearnt is not None and any(m is not None and i not in lines.by_rule for i, m in enumerate(lines.marks)):
        whole = [text for text in (normalise_paragraph(p) for p in unlearnt) if text]
        _spare(lines, _marked(whole, line_rules, heading_rules, text_dump, line_model, title))

    result = FilterResult(paragraphs=[])
    kept = []
    for text, mark in zip(texts, lines.marks, strict=True):
        if mark is None:
            kept.append(text)
        else:
            result.removed.append(Removal(mark, snippet(text)))
    if find_bylines:
        kept = _take_bylines(kept, result, dump=text_dump)
    result.paragraphs = kept
    return result


def _marked(texts: list[str], line_rules: RuleSet, heading_rules: RuleSet, text_dump: bool,
            line_model: LineModel | None, title: str | None, blocks: list[int] | None = None) -> _Lines:
    """The lines with the mark of the rule, shape or score that takes each (passes 1-5)."""
    lines = _Lines(texts, [None] * len(texts))
    headings = _mark_rules(lines, line_rules, heading_rules)
    for heading in headings:
        if blocks is None or not _mark_block_teasers(lines, heading, blocks):
            _mark_teasers(lines, heading, frozenset(headings), bridge=text_dump)
    _mark_shaped_widgets(lines, anywhere=text_dump)
    _mark_labelled_teasers(lines, anywhere=text_dump)
    _mark_calls_to_action(lines)
    _mark_ad_slot_lines(lines)
    _mark_pitches(lines)
    if line_model is not None:
        _mark_scored(lines, line_model, title, page=not text_dump)
        if blocks is not None:
            _mark_buttons_under_pitches(lines, blocks)
    return lines


def _spare(lines: _Lines, whole: _Lines) -> None:
    """Keep the lines of `lines` that `whole` (the same text with more lines) keeps: each of
    its kept lines spares one line of the same text that its own marks took."""
    left = Counter(t for t, mark in zip(whole.texts, whole.marks, strict=True) if mark is None)
    left.subtract(t for t, mark in zip(lines.texts, lines.marks, strict=True) if mark is None)
    for index, text in enumerate(lines.texts):
        if lines.marks[index] is not None and left[text] > 0:
            lines.marks[index] = None
            left[text] -= 1


def _mark_rules(lines: _Lines, line_rules: RuleSet, heading_rules: RuleSet) -> list[int]:
    """Mark the lines the rules take; return the indexes of the widget headings."""
    headings = []
    for index, text in enumerate(lines.texts):
        rule = match_rule(text, line_rules)
        if rule is None and (rule := match_rule(text, heading_rules)) is not None:
            headings.append(index)
        if rule is not None:
            lines.marks[index] = rule.name
            lines.by_rule.add(index)
    return headings


def _mark_teasers(lines: _Lines, heading: int, headings: frozenset[int], bridge: bool = False) -> None:
    """The teasers after a heading a rule took: short lines with no sentence ending, up to a
    line about the article (a subheading after a widget in the body) or a byline. A run
    that shares the article's words is the article's own list under a heading that happens
    to read like a widget's ("Latest developments"), and stays.

    With `bridge` (a dump, where no markup closes the widget), a short line that is not a
    teaser by itself (a headline ending in a colon or a full stop, one sharing a word or two
    with the article) still belongs to the run when a teaser follows it: the run goes on
    past it. A subheading is followed by its prose, and still ends the run."""
    run: list[int] = []
    for index in range(heading + 1, len(lines.texts)):
        if index in headings:
            break  # the next widget's heading takes its own teasers
        if lines.marks[index] is not None:
            continue  # a label between the teasers is passed over
        text = lines.texts[index]
        if len(run) >= _TEASER_MAX_LINES or parse_byline(text) is not None:
            break
        if not _is_run_teaser(lines, text) and not (bridge and _bridged(lines, index, headings)):
            break
        run.append(index)
    if run and lines.words and _mean_relatedness(lines, run) > _RUN_MAX_RELATEDNESS:
        return
    for index in run:
        lines.marks[index] = "trending-widget"


def _mark_block_teasers(lines: _Lines, heading: int, blocks: list[int]) -> bool:
    """In a dump, the lines set under a widget heading in its block (no blank line between
    them) are its list, whatever each one's shape ("N.Y.C." ends a headline with a full stop,
    another shares a word or two with the article), up to another rule's line or a byline or
    a line longer than a headline: all go with it unless most are about the article and
    share most of their words with it (in a long article, a headline of another story
    shares half its words by chance). Whether they were taken."""
    run: list[int] = []
    for index in range(heading + 1, len(lines.texts)):
        text = lines.texts[index]
        if (blocks[index] != blocks[heading] or lines.marks[index] is not None or len(run) == _TEASER_MAX_LINES
                or word_count(text) > _TEASER_MAX_WORDS or parse_byline(text) is not None):
            break  # the block, or the list in it, ends: another rule's line, a byline, prose
        run.append(index)
    if not run:
        return False
    if (lines.words and 2 * sum(lines.words.about(lines.texts[i]) for i in run) > len(run)
            and _mean_relatedness(lines, run) >= _OWN_LIST_MIN_RELATEDNESS):
        return False  # about the story: its own list under a heading that reads like a widget's
    for index in run:
        lines.marks[index] = "trending-widget"
    return True


def _is_run_teaser(lines: _Lines, text: str) -> bool:
    return _is_teaser(text) and not lines.words.about(text)


def _bridged(lines: _Lines, index: int, headings: frozenset[int]) -> bool:
    """A short line followed by a teaser of the same run (see _mark_teasers)."""
    if word_count(lines.texts[index]) > _TEASER_MAX_WORDS:
        return False
    following = next(iter(lines.kept_after(index)), None)
    return (following is not None and following not in headings
            and _is_run_teaser(lines, lines.texts[following]) and parse_byline(lines.texts[following]) is None)


def _mean_relatedness(lines: _Lines, run: list[int]) -> float:
    """How much the run's lines share the article's words, each line's own words apart (a
    teaser ending in a full stop is read as prose, and shares its words with itself)."""
    return sum(lines.words.relatedness_apart(lines.texts[i]) for i in run) / len(run)


def _mark_shaped_widgets(lines: _Lines, anywhere: bool) -> None:
    """Widgets known by their shape: a heading-like line (or a line a rule took) and the run
    of headline-shaped lines after it that name other stories (`anywhere`, or below the
    article's last prose line); below that line, such a run needs no heading."""
    prose = [i for i, t in enumerate(lines.texts) if lines.marks[i] is None and is_prose(t)]
    last_prose = prose[-1] if prose else -1
    if not anywhere and last_prose >= len(lines.texts) - _RUN_MIN_LINES:
        return  # nothing below the article's last paragraph to read
    kept = sum(len(t) for t, mark in zip(lines.texts, lines.marks, strict=True) if mark is None)
    if not prose or sum(len(lines.texts[i]) for i in prose) < _MIN_PROSE_SHARE * kept or not lines.words:
        return  # not running text: its short lines are its own
    for index in range(0 if anywhere else last_prose + 1, len(lines.texts)):
        text, mark = lines.texts[index], lines.marks[index]
        if mark is None and (not is_heading_shaped(text) or parse_byline(text) is not None):
            continue
        run = _unrelated_run(lines, index)
        heading_taken = mark is None and _heads_a_list(lines, index) is False
        if len(run) >= _RUN_MIN_LINES and (mark is not None or heading_taken):
            for taken in ([index] if mark is None else []) + run:
                lines.marks[taken] = WIDGET_SHAPE_RULE
    foot = [i for i in range(last_prose + 1, len(lines.texts)) if lines.marks[i] is None]
    if foot and last_prose >= 0:
        run = _unrelated_run(lines, foot[0] - 1)
        if len(run) >= _FOOT_RUN_MIN_LINES:
            for taken in run:
                lines.marks[taken] = WIDGET_SHAPE_RULE


def _heads_a_list(lines: _Lines, index: int) -> bool:
    """Whether the line is introduced by the article: the line before it ends in a colon."""
    previous = lines.previous_kept(index)
    return previous is not None and lines.texts[previous].rstrip().endswith(":")


def _unrelated_run(lines: _Lines, index: int) -> list[int]:
    """The headline-shaped lines right after `index` that name other stories: each of a
    few words at least, none about the article, and few of their words the article's."""
    run: list[int] = []
    for following in lines.kept_after(index):
        text = lines.texts[following]
        if (not reads_as_headline(text) or word_count(text) < _RUN_MIN_WORDS
                or lines.words.about(text) or parse_byline(text) is not None):
            break
        run.append(following)
        if len(run) == _TEASER_MAX_LINES:
            break
    if not run or _mean_relatedness(lines, run) > _RUN_MAX_RELATEDNESS:
        return []
    # Each names a different story: items of one list tend to start alike ("Added ...").
    starts = [lines.texts[i].split()[0].casefold() for i in run]
    if len(run) >= _RUN_MIN_LINES and max(starts.count(s) for s in starts) * 2 > len(run):
        return []
    return run


def _mark_labelled_teasers(lines: _Lines, anywhere: bool) -> None:
    """Read-also lines by their shape, whatever their label says (readalso.py), anywhere in
    a dump and below a page's last paragraph."""
    start = 0 if anywhere else lines.last_prose() + 1
    if start >= len(lines.texts) or not lines.words:
        return  # (on a page, most often nothing follows the last paragraph: no words to read)
    for index in read_also_lines(lines.texts, lines.marks, lines.words, start):
        lines.marks[index] = READ_ALSO_RULE


def _mark_calls_to_action(lines: _Lines) -> None:
    """A button beside a pitch goes with it: a line of a few words, no sentence ending and
    none of the article's words, right before or after a membership or offer line. And the
    reverse: the line right before a button a rule took ("Jetzt abonnieren") is its pitch,
    whatever its words, when it is short, no prose, and shares few words with the article
    (prune.py's promo box goes whole on a page)."""
    for index, mark in enumerate(lines.marks):
        if mark not in _PITCH_RULES:
            continue
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(lines.texts) and lines.marks[neighbour] is None:
                if _reads_as_button(lines, lines.texts[neighbour]):
                    lines.marks[neighbour] = "call-to-action"
        pitch = index - 1
        if index in lines.by_rule and is_button_shaped(lines.texts[index]) and pitch >= 0 \
                and lines.marks[pitch] is None and _reads_as_pitch(lines, lines.texts[pitch]):
            lines.marks[pitch] = PITCH_RULE


def _reads_as_button(lines: _Lines, text: str) -> bool:
    """A line that may be the button of the pitch beside it: a few words, no sentence
    ending, none of the article's words."""
    return is_button_shaped(text) and lines.words.relatedness(text) == 0 and parse_byline(text) is None


def _reads_as_pitch(lines: _Lines, text: str) -> bool:
    """A line that may pitch the button after it: a few words, no prose, not introducing
    what follows, not about the article."""
    return (word_count(text) <= PITCH_MAX_WORDS and not is_prose(text) and not text.rstrip().endswith(":")
            and lines.words.relatedness(text) <= _PITCH_MAX_RELATEDNESS and parse_byline(text) is None)


def _mark_ad_slot_lines(lines: _Lines) -> None:
    """The lines around an ad slot: a short line naming the ad, none of whose words are the
    article's, beside a line the ad-label rule took (prune.py takes the same blocks beside
    an ad label on a page)."""
    for index, mark in enumerate(lines.marks):
        if mark != _AD_LABEL_RULE:
            continue
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(lines.texts) and lines.marks[neighbour] is None:
                text = lines.texts[neighbour]
                if names_the_ad_slot(text) and lines.words.relatedness(text) == 0 and parse_byline(text) is None:
                    lines.marks[neighbour] = AD_SLOT_RULE


def _mark_pitches(lines: _Lines) -> None:
    """An offer no rule knew and its button (which a rule may have taken already), by their
    words (linescore.is_pitch_beside_button), the pitch sharing few words with the article
    ("Try 30 days of unlimited reading" beside a story that reads; a button's verb, "Start",
    is any story's too). prune.py takes the same pair of blocks on a page."""
    for index, text in enumerate(lines.texts):
        if index in lines.by_rule:
            continue  # a pitch a shape took (a read-also shape, say) still takes its button
        # The words first: most lines have no offer beside them, and the article's words are
        # the costly test.
        neighbour = next((n for n in (index - 1, index + 1)
                          if 0 <= n < len(lines.texts) and is_pitch_beside_button(text, lines.texts[n])), None)
        if (neighbour is None or lines.words.relatedness(text) > _PITCH_MAX_RELATEDNESS
                or parse_byline(text) is not None):
            continue
        lines.marks[index] = lines.marks[index] or PITCH_RULE
        lines.marks[neighbour] = lines.marks[neighbour] or PITCH_RULE


def _mark_scored(lines: _Lines, model: LineModel, title: str | None, page: bool = False) -> None:
    """Lines the learned scorer finds noise, of those the rules and shapes left: never a
    byline (the byline pass reads its authors and date), nor prose; on a page, only lines
    that speak the noise vocabulary (linescore.speaks_noise_vocabulary).

    A line is scored with its neighbours, so a removal changes the next line's score: the
    lines left are scored again until nothing more goes (a few passes at most), so that
    cleaning the cleaned text finds nothing new."""
    indexes = list(range(len(lines.texts)))
    for _ in range(_SCORER_PASSES):
        texts = [lines.texts[i] for i in indexes]
        wanted = [j for j, i in enumerate(indexes)
                  if lines.marks[i] is None and may_be_scored(texts[j]) and parse_byline(texts[j]) is None
                  and (not page or (speaks_noise_vocabulary(texts[j]) and lines.words.relatedness(texts[j]) == 0))]
        if not wanted:
            return
        context = TextContext.of(texts, lines.words, title)
        marked = False
        for j, score in scores(texts, context, model, wanted).items():
            if score >= model.threshold:
                lines.marks[indexes[j]] = f"{_SCORER_RULE} {score:.2f}"
                marked = True
        if not marked:
            return
        indexes = [i for i in indexes if lines.marks[i] is None]


_SCORER_PASSES = 5


def _mark_buttons_under_pitches(lines: _Lines, blocks: list[int]) -> None:
    """In a dump, the button set right under a pitch the scorer took, in its block ("Count
    me in" under a newsletter's pitch): a line of a few words with no sentence ending and
    none of the article's words. The scorer weighed it beside the pitch no longer there.
    And the reverse: the pitch set right over a button the scorer took ("Jeden Abend das
    Wichtigste" over "Kostenlos anmelden"), as the line before a button a rule took goes."""
    for index in range(1, len(lines.texts)):
        above, below = lines.marks[index - 1], lines.marks[index]
        if blocks[index] != blocks[index - 1]:
            continue
        text = lines.texts[index]
        if below is None and above is not None and above.startswith(_SCORER_RULE) and _reads_as_button(lines, text):
            lines.marks[index] = "call-to-action"
        elif (above is None and below is not None and below.startswith(_SCORER_RULE) and is_button_shaped(text)
                and _reads_as_pitch(lines, lines.texts[index - 1])):
            lines.marks[index - 1] = PITCH_RULE


def _take_bylines(kept: list[str], result: FilterResult, dump: bool = False) -> list[str]:
    """Remove byline paragraphs near either end, recording what they say.

    "Near" counts paragraphs that are not bylines, a short one for half: a head of four
    bylines ("By", "Published", "Updated", "Reporting by") is taken whole, and so is a byline
    below a few short lines no rule knew; what remains has no byline left at its ends to
    find on a second cleaning. In a dump, whose head and foot are all that is not the
    article, only prose counts, up to _DUMP_BYLINE_MAX_LINES lines: a byline below a foot
    of lines no rule knew is still the dump's. The head's bylines come first in
    `result.bylines`.
    """
    drop: set[int] = set()
    max_lines = _DUMP_BYLINE_MAX_LINES if dump else _BYLINE_MAX_LINES
    for indexes in (range(len(kept)), range(len(kept) - 1, -1, -1)):
        prose_seen = 0.0
        for seen, index in enumerate(indexes):
            if prose_seen >= _BYLINE_REACH or seen >= max_lines:
                break
            if index in drop:
                continue
            # A table row ("| Founded | February 28, 1998 |") is data of the article, not its byline.
            byline = None if kept[index].startswith("| ") else parse_byline(kept[index])
            if byline is None:
                prose_seen += _distance(kept[index], dump)
                continue
            drop.add(index)
            result.bylines.append(byline)
            result.removed.append(Removal("byline", snippet(kept[index])))
            if dump and not byline.authors and byline.date_text:
                _take_name_beside(kept, index, drop, result)
    return [p for i, p in enumerate(kept) if i not in drop]


def _take_name_beside(kept: list[str], index: int, drop: set[int], result: FilterResult) -> None:
    """A dump's date on a line of its own takes the names on the line beside it ("Lucía
    Ferrer y Pablo Serrano" above "05/03/2024 - 09:07"): a short line of names only."""
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(kept) or neighbour in drop:
            continue
        text = kept[neighbour]
        if word_count(text) > _NAME_LINE_MAX_WORDS or ends_clause(text) or any(ch.isdigit() for ch in text):
            continue
        named = parse_byline(f"{_BY} {text}")
        if named is not None and named.authors and named.date_text is None:
            drop.add(neighbour)
            result.bylines.append(Byline(named.authors, None, explicit=False))
            result.removed.append(Removal("byline", snippet(text)))
            return


def _distance(text: str, dump: bool) -> float:
    """How far a paragraph that is no byline takes the byline search from its end."""
    if is_prose(text):
        return 1.0
    if dump:
        return 0.0
    return 1.0 if word_count(text) >= _SHORT_WORDS else 0.5
