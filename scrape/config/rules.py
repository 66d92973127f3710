"""Matching blocks of text against the noise rules, fast.

A `RuleSet` holds the rules of one kind ("line" or "heading") compiled into combined
regexes, each rule's patterns in a named group, so one call tells which rule (the first, in
config order) takes a block. Matching every block of every page is the cleaner's hottest
loop, so two things keep it cheap:

- a prefilter: for each pattern, literal words that any match must contain are read off
  the regex itself ("abonn" for `.{0,120}\\b(abonnieren|abonnent werden)\\b.{0,120}`).
  A block is tried only against the patterns whose words it holds (found in one pass of an
  Aho-Corasick automaton); the costly, floating patterns are among them. Patterns with no
  such word of 3+ letters are always tried;
- memoised results: menus, labels and share bars repeat within a page and across pages.

(Patterns must not use numbered back-references: the groups are renumbered.)

A rule may also hold line grammars (`LineGrammar`, written `{line:...}` in defaults.toml):
a short line made only of words of some lexicon categories, in any order, case and
punctuation, holding the words it must. They are read in Python off the line's words and
sets of words, not as regexes: the categories of twenty languages are thousands of words,
which as regexes took seconds to compile in every process. No I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

# The regex parser, to read required words off a pattern: no public API and no type stubs.
from re import _parser as sre_parse  # type: ignore[attr-defined]
from re._constants import (  # type: ignore[import-not-found]
    BRANCH,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    POSSESSIVE_REPEAT,
    SUBPATTERN,
)
from typing import Any

import ahocorasick

from ..errors import ConfigError
from ..text import without_invisible

_MATCH_CACHE_SIZE = 50_000  # memoised block texts per rule set (a few MB at most)
_MIN_HINT = 3  # a required literal shorter than this filters nothing
# Bullets, arrows, ellipses and colons around a label ("You may also like...", "» Related:").
_EDGE_PUNCTUATION = " \t.:;…!»«›‹>|-–—•·▪►*"
_BRACKETS = ("()", "[]")


def strip_edges(text: str) -> str:
    """Edge punctuation off, and one pair of brackets around the whole ("(Read also: ...)")."""
    text = text.strip(_EDGE_PUNCTUATION)
    if len(text) > 2 and text[0] + text[-1] in _BRACKETS:
        inner = text[1:-1]
        if text[0] not in inner and text[-1] not in inner:  # not "[caption ...] ... [/caption]"
            text = inner.strip(_EDGE_PUNCTUATION)
    return text


RULE_KINDS = ("line", "heading", "selector")
# Keywords a `{line:...}` hole may name after a ";" besides word categories.
GRAMMAR_FLAGS = ("number", "label", "name", "phrase")
# Letters, digits and the marks Indic scripts write vowels with (which \\w leaves out).
_WORD = re.compile(r"[\w\u0300-\u036f\u0900-\u0dff]+")
# Where a read-also line's label ends: "Lesen Sie auch: ...", "Siehe auch → ...", "Lesetipp | ...".
_LABEL_END = re.compile(r"[:|→»›>]+|\s[-–—]+\s")
_NAME_MAX_WORDS = 3  # a site's name after "More from", "Videos auf"


def grammar_tokens(text: str) -> list[str]:
    """The words of `text` as line grammars see them: casefolded runs of letters and digits
    ("E-Mail-Adresse" is three words, "l’articolo" two, "schließen" is "schliessen")."""
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class LineGrammar:
    """A line made only of `words` (and numbers), holding a word or phrase of each group of
    `anchors`, in any order: "Advertisement - story continues below", "Lesezeit: 4 Min."

    With `needs_number`, the line must also hold a number ("12 Kommentare"); with `label`,
    only what comes before a label's separator is read, and a headline must follow it
    ("LESEN SIE AUCH: Kondenswasser am Fenster verhindern"); with `name`, the line is a
    heading: a site's name of up to three words of any kind may follow a stopword ("Mehr von
    Example News"), and it never asks a question ("What are the new rules?" is a subheading);
    with `phrase`, one word is not enough ("News", "Videos" head sections of articles too)."""

    source: str  # the pattern as written, for messages
    words: frozenset[str] = field(repr=False)
    anchors: tuple[frozenset[tuple[str, ...]], ...] = field(repr=False)
    stopwords: frozenset[str] = field(default=frozenset(), repr=False)
    needs_number: bool = False
    label: bool = False
    name: bool = False
    phrase: bool = False
    # Each anchor group split into its one-word entries (a set lookup per word) and its
    # phrases ("sign up") by their first word, looked for as runs of words.
    _single: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    _phrases: tuple[dict[str, tuple[tuple[str, ...], ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_single", tuple(frozenset(p[0] for p in g if len(p) == 1) for g in self.anchors))
        by_start: list[dict[str, tuple[tuple[str, ...], ...]]] = []
        for group in self.anchors:
            starts: dict[str, tuple[tuple[str, ...], ...]] = {}
            for phrase in sorted(p for p in group if len(p) > 1):
                starts[phrase[0]] = (*starts.get(phrase[0], ()), phrase)
            by_start.append(starts)
        object.__setattr__(self, "_phrases", tuple(by_start))

    def matches(self, text: str, tokens: list[str] | None = None) -> bool:
        """Whether `text` (one collapsed block, edge punctuation off) is such a line;
        `tokens` are its `grammar_tokens`, when the caller has them already."""
        if self.name and text.endswith("?"):
            return False
        if self.label:
            cut = _LABEL_END.search(text)
            if cut is None or cut.start() == 0 or not _WORD.search(text, cut.end()):
                return False
            tokens = grammar_tokens(text[: cut.start()])
        elif tokens is None:
            tokens = grammar_tokens(text)
        if self.phrase and len(tokens) < 2:
            return False
        tokens = self._known(tokens, text)
        if not tokens or (self.needs_number and not any(t.isdigit() for t in tokens)):
            return False
        return all(self._holds(tokens, i) for i in range(len(self.anchors)))

    def _known(self, tokens: list[str], text: str) -> list[str]:
        """The words that must be known: all of them, or, for a grammar that lets a name
        follow a stopword, those before the name (the line's last words, but for known words
        after it: "Trending on Example Videos"; each capitalised, or with a figure: "Podcasts
        in Plex einbinden" is a sentence). Empty when a word is unknown."""
        words = self.words
        unknown = []
        for index, token in enumerate(tokens):
            if token not in words and not token.isdigit():
                if not self.name:
                    return []  # most prose fails here, on one of its first words
                unknown.append(index)
        if not unknown:
            return tokens
        first, last = unknown[0], unknown[-1]
        if last - first >= _NAME_MAX_WORDS or first == 0 or tokens[first - 1] not in self.stopwords:
            return []
        if any(t in self.stopwords for t in tokens[first : last + 1]):
            return []  # "Weitere Projekte im Aufbau": words of a sentence, not a name
        if not all(w[0].isupper() or w[0].isdigit() for w in _WORD.findall(text)[first : last + 1]):
            return []
        return tokens[:first]

    def _holds(self, tokens: list[str], group: int) -> bool:
        single, starts = self._single[group], self._phrases[group]
        for i, token in enumerate(tokens):
            if token in single:
                return True
            for phrase in starts.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    return True
        return False


@dataclass(frozen=True)
class NoiseRule:
    """A named noise pattern.

    kind "line": a block (or dump line) whose whole text matches one of `patterns` is noise.
    kind "heading": a heading (or a short dump line) matching a pattern leads a widget; the
        heading and the list or block it introduces are noise.
    kind "selector": CSS selectors whose elements are noise, whatever their text.
    `max_words` keeps a rule from touching long blocks, which are real prose.
    `grammars` are the rule's `{line:...}` patterns, read off words rather than as regexes.
    """

    name: str
    kind: str
    patterns: tuple[str, ...]
    max_words: int = 40
    grammars: tuple[LineGrammar, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ConfigError(f"kind must be one of {', '.join(RULE_KINDS)}", key=f"rule {self.name!r}.kind")
        if self.kind != "selector":
            for pattern in self.patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"bad pattern {pattern!r}: {exc}", key=f"rule {self.name!r}.patterns") from None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """All text patterns as one case-insensitive full-match regex."""
        joined = "|".join(f"(?:{p})" for p in self.patterns) or "(?!)"
        return re.compile(rf"(?:{joined})", re.IGNORECASE)

    def matches(self, text: str) -> bool:
        """Whether `text` (one collapsed block) is wholly this noise; edge punctuation is ignored."""
        text = strip_edges(text)
        if not text or len(text.split()) > self.max_words:
            return False
        return self.regex.fullmatch(text) is not None or any(g.matches(text) for g in self.grammars)



def _required_literals(sequence: Any) -> set[str] | None:  # a re._parser.SubPattern
    """Strings one of which every match of the parsed `sequence` contains; None if unknown.
    Of all such sets in the sequence, the one whose shortest string is longest."""
    best: set[str] | None = None

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and _selective(found) and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run: list[str] = []
    for op, value in list(sequence) + [(None, None)]:
        if op is LITERAL:
            run.append(chr(value))
            continue
        if run:
            consider({"".join(run)})
            run = []
        if op is SUBPATTERN:
            consider(_required_literals(value[-1]))
        elif op is BRANCH:
            alternatives = [_required_literals(a) for a in value[1]]
            if all(alternatives):
                consider(set[str]().union(*(a for a in alternatives if a)))
        elif op in (MAX_REPEAT, MIN_REPEAT, POSSESSIVE_REPEAT) and value[0] >= 1:
            consider(_required_literals(value[2]))
    return best


_COMMON_CHARACTERS = set(" -.,:;'’\"()!?")


def _selective(words: set[str]) -> bool:
    """Whether finding one of `words` in a text says much: each is three characters or more,
    or holds a symbol ("@", "©", "/") that ordinary prose seldom has."""
    return all(len(word) >= _MIN_HINT or any(not ch.isalnum() and ch not in _COMMON_CHARACTERS for ch in word)
               for word in words)


def literal_hints(pattern: str) -> frozenset[str] | None:
    """Lower-cased words one of which any case-insensitive match of `pattern` contains."""
    try:
        found = _required_literals(sre_parse.parse(pattern, re.IGNORECASE))
    except (re.error, RecursionError, ValueError):
        return None
    if not found:
        return None
    lowered = {word.lower() for word in found}
    if any(len(word) != len(word.upper().lower()) for word in lowered):
        return None  # case folding that changes length ("ß"): no safe substring test
    return frozenset(lowered)


def _combined(entries: list[tuple[int, str]]) -> re.Pattern[str]:
    groups = "|".join(f"(?P<r{index}_{n}>{pattern})" for n, (index, pattern) in enumerate(entries))
    return re.compile(groups or "(?!)", re.IGNORECASE)


class RuleSet:
    """Rules of one kind, compiled for matching whole blocks of text."""

    def __init__(self, rules: tuple[NoiseRule, ...]):
        self.rules = rules
        always: list[tuple[int, str]] = []
        # Gated patterns, each compiled once: (rule index, regex). Combining the ones a text's
        # hints select into one regex per combination cost a compile for every combination
        # not seen before: about 1.5 ms, several times a page on pages from many sites.
        self._entries: list[tuple[int, re.Pattern[str]]] = []
        hints: dict[str, set[int]] = {}
        for index, rule in enumerate(rules):
            for pattern in rule.patterns:
                words = literal_hints(pattern)
                if words is None:
                    always.append((index, f"(?:{pattern})"))
                    continue
                for word in words:
                    hints.setdefault(word, set()).add(len(self._entries))
                self._entries.append((index, re.compile(pattern, re.IGNORECASE)))
        self._always = _combined(always)
        # One pass of an Aho-Corasick automaton finds every hint in a text, overlapping ones
        # included, in about a microsecond; a regex of the same words took fifteen.
        self._hints = ahocorasick.Automaton()
        for word, entry_ids in hints.items():
            self._hints.add_word(word, frozenset(entry_ids))
        if hints:
            self._hints.make_automaton()
        self._has_hints = bool(hints)
        self._grammars = [(index, grammar, rule.max_words)
                          for index, rule in enumerate(rules) for grammar in rule.grammars]
        # Those that may take a line with a word no grammar knows (a name, a label's headline).
        self._open_grammars = [entry for entry in self._grammars if entry[1].name or entry[1].label]
        # A word no grammar knows rules them all out at once (most prose), unless one lets a
        # name in.
        self._grammar_words = frozenset().union(*(g.words for _, g, _ in self._grammars))

        self._max_words = max((rule.max_words for rule in rules), default=0)
        self._cache: dict[str, NoiseRule | None] = {}

    def __reduce__(self) -> tuple[type[RuleSet], tuple[tuple[NoiseRule, ...]]]:  # compiled again in workers
        return (RuleSet, (self.rules,))

    def forget(self) -> None:
        """Drop the memoised results (benchmarks use it to time texts as if never seen)."""
        self._cache.clear()

    def match(self, text: str) -> NoiseRule | None:
        """The first rule (in config order) that matches the whole of `text`, if any."""
        try:
            return self._cache[text]
        except KeyError:
            pass
        if len(self._cache) >= _MATCH_CACHE_SIZE:
            self._cache.clear()
        rule = self._cache[text] = self._match(text)
        return rule

    def _match(self, text: str) -> NoiseRule | None:
        text = strip_edges(_as_written(text))
        if not text:
            return None
        words = text.count(" ") + 1
        if words > self._max_words:
            return None
        index = self._first_index(text)
        if index is None:
            return None
        rule = self.rules[index]
        if words <= rule.max_words:
            return rule
        # The first matching rule is too short for this block; another may still take it.
        return next((r for r in self.rules if r.matches(text)), None)

    def _first_index(self, text: str) -> int | None:
        """The index of the first rule (in config order) with a pattern matching all of
        `text`: the first of the always-tried patterns' and the hinted patterns'."""
        indexes = []
        if (hit := self._always.fullmatch(text)) is not None and hit.lastgroup is not None:
            indexes.append(int(hit.lastgroup[1:].split("_")[0]))
        if self._has_hints:
            entry_ids: set[int] = set()
            for _, ids in self._hints.iter(text.lower()):
                entry_ids |= ids
            for entry_id in sorted(entry_ids):  # entries are in rule order: the first match wins
                index, regex = self._entries[entry_id]
                if regex.fullmatch(text) is not None:
                    indexes.append(index)
                    break
        best = min(indexes, default=len(self.rules))
        if self._grammars:
            best = self._first_grammar(text, best)
        return best if best < len(self.rules) else None

    def _first_grammar(self, text: str, best: int) -> int:
        """The index of the first rule before `best` with a grammar taking `text`, else `best`."""
        if self._grammars[0][0] >= best:
            return best
        tokens = grammar_tokens(text)
        known = all(t in self._grammar_words or t.isdigit() for t in tokens)
        words = len(tokens)
        for index, grammar, max_words in self._grammars if known else self._open_grammars:
            if index >= best:
                break  # in rule order: past the best found, none can win
            if words <= max_words and grammar.matches(text, tokens):
                return index
        return best


def _as_written(text: str) -> str:
    """The text as it will be written: "Ad\u200bvertisement", a decomposed "Publicite\u0301"
    and "Advert\x1bisement" are the labels they show. (The checks first: most non-ASCII
    text is composed already and has nothing hidden.)"""
    if text.isascii() and text.isprintable():
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = " ".join(without_invisible(text).split())
    return text
