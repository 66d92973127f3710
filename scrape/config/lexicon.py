"""Language words: the lexicon files in scrape/config/lexicon/, read and checked once.

Every word scrape's matchers know in a human language (byline labels, month names, roles,
ad labels, widget headings, promos...) lives in one TOML file per language, named by its
ISO 639-1 code (`en.toml`, `de.toml`...); words of no one language (agencies, social
networks, template class names) are in `common.toml`. A matcher is built from the union of
every file's entries for a category, so adding a language is adding a file: no code names a
language.

Two kinds of category:
- words: words and phrases, matched case-insensitively as whole words. Built into regexes
  as a trie (`(?:jan(?:uary)?|...)`), which tries the longer of two words sharing a start
  first, as a list sorted longest first would, in a fraction of the steps.
- patterns: regex fragments, for phrases whose grammar needs one ("story continues below(
  this)?( advertisement| ad)?"). A `{category}` hole in a pattern (a word category's name in
  braces) takes that category's words. (A noise rule's own patterns may also hold a
  pattern category's hole: defaults.toml's "{related_label}( \\w+)?\\s*[:|].*".)
And one table: `[months]`, each month's names (full and short) under its English name.

No I/O but reading the lexicon files.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .rules import GRAMMAR_FLAGS, LineGrammar, grammar_tokens

# Word categories: name -> what its words are (README and the files' headers say the same).
WORD_CATEGORIES: Mapping[str, str] = {
    # Dates and bylines
    "weekdays": "weekday names and their abbreviations",
    "hour_word": "a word after a clock time ('14:30 Uhr')",
    "hour_abbreviation": "a letter after a clock time ('14.30 h')",
    "before_noon": "a morning marker before a clock time (CJK dates)",
    "after_noon": "an afternoon marker before a clock time (CJK dates)",
    "date_of": "the 'of' in a date ('3 de marzo de 2024')",
    "ordinal_suffix": "the suffix of a day's ordinal number ('March 3rd')",
    "definite_article": "definite articles ('für die Zeitung', 'le 3 mars')",
    "time_preposition": "'on' and 'at' before a date or time",
    "published_label": "labels of a publication date ('Published', 'Veröffentlicht am')",
    "updated_label": "labels of an update ('Updated', 'Mis à jour le')",
    "byline_label": "other labels a byline carries that name no one ('Stand', 'Article')",
    "by_word": "the word before an author's name ('By', 'Von', 'Par', 'Author:')",
    "byline_lead": "what may lead the 'by' ('Written by', 'Reporting by')",
    "name_joiner": "'and' between two names",
    "outlet_for": "'for' before the outlet a writer writes for",
    "role_word": "newsroom roles ('Reporter', 'Korrespondent')",
    "name_particle": "lower-case parts of a person's name ('van', 'de', 'bin')",
    "name_abbreviation": "abbreviations a name may hold before a full stop ('St.', 'Jr.')",
    "name_determiner": "words that start a phrase, not a name ('Our', 'This')",
    "name_article": "an article that makes a two-word author a phrase ('The Russian')",
    "not_person": "author strings that are a desk or a placeholder ('Staff', 'Admin')",
    "organisation_word": "words of company and institution names ('GmbH', 'Foundation')",
    "newsroom_word": "the newsroom as a whole ('Redaktion', 'Newsroom')",
    "news_word": "'news', which at either end of an author string names an outlet",
    "degree": "degrees and titles after a name ('PhD', 'MD')",
    "interface_word": "buttons and links of a byline bar ('Share', 'Follow')",
    "author_label": "labels before an author or a source ('Quelle:', 'Text:')",
    "other_credit": "credits for work other than the writing ('Photos', 'Edited')",
    "place_preposition": "'in' before the town a writer filed from",
    "wire_initials": "news agencies credited by their initials ('dpa', 'AFP')",
    "wire_name": "news agencies credited by name ('Reuters')",
    "agency_word": "news agencies credited in general ('agencies', 'Agenturen')",
    "author_path": "URL path words of an author's page ('/autor/')",
    # Noise rules (holes in defaults.toml's patterns)
    "ad_label": "words that label an ad ('Advertisement', 'Anzeige')",
    "comment_word": "the heading of the comments ('Comments', 'Kommentare')",
    "tag_label": "the label of a tag list ('Tags', 'Schlagworte')",
    "thanks": "thanks on its own, a form's answer",
    "copyright_word": "'copyright' before a year",
    "phone_label": "the label of a phone number ('Tel', 'Téléphone')",
    "offer_period": "units of a subscription offer's period ('weeks', 'Monate')",
    "offer_for": "'for' before an offer's price",
    "counter_noun": "what a share bar counts ('12 shares')",
    "share_network": "social networks a share bar's buttons name",
    # The vocabulary of page interfaces (holes in defaults.toml's grammar rules: a short line
    # made only of these words, with the right anchor among them, is noise in any order,
    # case and punctuation; the learned line scorer counts them too)
    "stopword": "the language's commonest function words (also how a dump's language is told)",
    "interface_verb": "what a reader does to a page ('share', 'teilen', 'écouter', 'scroll')",
    "interface_noun": "what those actions act on ('link', 'Artikel', 'commentaires')",
    "continue_word": "'continues' of 'story continues below' ('weiter', 'suite', 'continúa')",
    "position_word": "where the story goes on ('below', 'after', 'nach', 'après', 'tras')",
    "minute_word": "minutes of a reading or listening time ('min', 'Minuten')",
    "reading_word": "reading and listening times ('read', 'Lesezeit', 'lecture')",
    "promo_word": "what makes a line a subscription or membership pitch ('subscriber', 'Abo', 'abonnés')",
    "offer_word": "what a pitch says around those ('unlimited', 'access', 'month', 'gratuit')",
    "newsletter_word": "what makes a line a newsletter sign-up ('newsletter', 'inbox', 'Postfach')",
    "signup_word": "what a sign-up line says around it ('daily', 'headlines', 'privacy', 'agree')",
    "related_word": "labels of a read-also line ('read', 'also', 'siehe', 'lire', 'aussi')",
    "widget_word": "headings of teaser widgets ('most', 'read', 'latest', 'meistgelesen')",
    # Dumps
    "numeric_date_order": "how the language prints a numeric date: 'day-month' or 'month-day'",
    # Markup
    "comment_class": "class and id words of a readers' comment section",
    "clock_class": "class words of a clock or today's-date widget ('clock', 'current-date')",
}

# Pattern categories: regex fragments matched against a whole block (or searched in a
# class name, for the *_class ones).
PATTERN_CATEGORIES: Mapping[str, str] = {
    "relative_time": "a relative time ('3 hours ago')",
    "ad_continuation": "text that says the article goes on after an ad",
    "ad_notice": "other lines about ads ('Ad choices', 'Report this ad')",
    "membership_promo": "membership, subscription and paywall pitches",
    "newsletter_promo": "newsletter pitches",
    "app_promo": "app download pitches",
    "comment_prompt": "invitations to comment and comment-section lines",
    "call_to_action": "other calls to the reader ('Click here', 'Enable JavaScript')",
    "form_message": "a form's messages ('Thanks for signing up', 'Loading...')",
    "legal_notice": "rights and release notices",
    "contact_line": "contact lines ('Email the author')",
    "related_label": "labels leading a related link ('Read more:', 'Lire aussi :')",
    "picture_credit": "picture credits ('Photo: ...')",
    "share_bar": "share and follow bars, text size and audio buttons",
    "reading_time": "reading and listening times ('5 min read')",
    "widget_heading": "headings of trending, related and 'more' widgets",
    "boilerplate_class": "class and id words of blocks that are never the article",
    "article_body_class": "class and id words of the block holding an article's text",
}

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_TABLE = "months"
_DATE_ORDER = "numeric_date_order"
DATE_ORDERS = ("day-month", "month-day")
_HOLE = re.compile(r"(?<!\\)\{([a-z_]+)\}")  # "{ad_label}"; never a quantifier ("{2,60}")
# "{line:stopword,ad_label,interface_verb;ad_label}", a whole pattern: a line made only of
# words of the first categories (and numbers), holding a word of each group after a ";".
_LINE_HOLE = re.compile(r"\{line:([a-z_]+(?:,[a-z_]+)*)((?:;[a-z_]+(?:,[a-z_]+)*)*)\}")
_LEXICON_PACKAGE = "scrape.config"
_LEXICON_FOLDER = "lexicon"


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Every category's entries, the union of all files in load order, without repeats."""

    sources: tuple[str, ...]
    entries: Mapping[str, tuple[str, ...]]
    months: tuple[tuple[str, ...], ...]  # twelve tuples: each month's names, all languages
    # Each file's own entries, by its name without ".toml" ("de"): what tells languages apart.
    languages: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # Word categories read into words for line grammars, as each is first needed.
    _grammar_words: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def words(self, category: str) -> tuple[str, ...]:
        """The entries of a category (words, or regex fragments for a pattern category)."""
        if not self.knows(category):
            raise KeyError(category)
        return self.entries.get(category, ())

    def by_language(self, category: str) -> dict[str, tuple[str, ...]]:
        """A category's entries per language file ("common" is a file too), files without
        the category left out."""
        if not self.knows(category):
            raise KeyError(category)
        return {name: found[category] for name, found in self.languages.items() if found.get(category)}

    def knows(self, category: str) -> bool:
        """Whether `category` is a category of either kind (files may leave it out)."""
        return category in WORD_CATEGORIES or category in PATTERN_CATEGORIES

    def phrases(self, category: str) -> tuple[str, ...]:
        """A category's entries as whole-block patterns: a pattern category's fragments
        (holes filled), a word category's words as literals."""
        if category in PATTERN_CATEGORIES:
            return tuple(self.fill(p) for p in self.words(category))
        return tuple(re.escape(word) for word in self.words(category))

    def regex(self, *categories: str) -> str:
        """One non-capturing group matching any word of the word categories (or none:
        `(?!)`), for building into a larger regex."""
        words = {word for category in categories for word in self.words(category)}
        return word_trie(words)

    def alternation(self, category: str) -> str:
        """A pattern category's fragments as one non-capturing group, holes filled."""
        fragments = [self.fill(p) for p in self.words(category)]
        return "(?:" + "|".join(f"(?:{p})" for p in fragments) + ")" if fragments else "(?!)"

    def fill(self, pattern: str) -> str:
        """`pattern` with each `{category}` hole filled: a word category's words longest
        first (a flat list keeps the required words the rules' prefilter reads), or a pattern
        category's fragments.

        Raises:
            ConfigError: a hole names no category.
        """
        if _LINE_HOLE.search(pattern):
            raise ConfigError("a {line:...} hole is a whole pattern of its own", key=pattern[:60])
        return _HOLE.sub(lambda m: self._hole(m.group(1)), pattern)

    def line_grammar(self, pattern: str) -> LineGrammar | None:
        """The grammar a whole-pattern `{line:...}` hole stands for (None for any other
        pattern). After the ";", each group names the categories one required word comes
        from; `number` requires a number, `label` reads only what comes before a label's
        separator ("Lesen Sie auch: ..."), `name` lets a site's name of up to three words
        follow a stopword ("Mehr von Example News"), and `phrase` wants two words or more.

        Raises:
            ConfigError: a name is neither a word category nor one of those keywords.
        """
        found = _LINE_HOLE.fullmatch(pattern.strip())
        if found is None:
            return None
        words = found.group(1).split(",")
        groups = [group.split(",") for group in found.group(2)[1:].split(";")] if found.group(2) else []
        flags = {group[0] for group in groups if len(group) == 1 and group[0] in GRAMMAR_FLAGS}
        anchors = [group for group in groups if not (len(group) == 1 and group[0] in GRAMMAR_FLAGS)]
        for category in words + [c for group in anchors for c in group]:
            if category not in WORD_CATEGORIES:
                raise ConfigError(f"no word category {category!r} in a {{line:...}} hole", key=category)
        return LineGrammar(
            source=pattern.strip(),
            words=frozenset().union(*(token for c in words for token in self._tokens(c))),
            anchors=tuple(frozenset().union(*(self._tokens(c) for c in group)) for group in anchors),
            needs_number="number" in flags, label="label" in flags, name="name" in flags, phrase="phrase" in flags,
            stopwords=frozenset(t for phrase in self._tokens("stopword") for t in phrase),
        )

    def _tokens(self, category: str) -> frozenset[tuple[str, ...]]:
        """A word category's entries as the runs of words a line grammar reads, once."""
        found = self._grammar_words.get(category)
        if found is None:
            found = self._grammar_words[category] = frozenset(tuple(grammar_tokens(w)) for w in self.words(category))
        return found

    def _hole(self, category: str) -> str:
        if category in PATTERN_CATEGORIES:
            return self.alternation(category)
        if category not in WORD_CATEGORIES:
            raise ConfigError(f"no lexicon category {category!r} for a {{hole}}", key=category)
        words = sorted(set(self.words(category)), key=lambda w: (-len(w), w))
        return "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!)"


_Trie = dict[str, "_Trie"]  # a character to the words' rest; "" marks a word's end


def word_trie(words: Iterable[str]) -> str:
    """A regex matching any of `words`, as a trie: `(?:jan(?:uary)?|june?)`. Of two words
    with the same start the longer is tried first, so the match is the same as from a list
    sorted longest first."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_body(root)
    return f"(?:{body})" if body else "(?!)"


def _trie_body(node: _Trie) -> str:
    branches = [re.escape(char) + _trie_body(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word ends here: what follows is optional, tried first
        return joined + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{joined})?"
    return joined


def _line_of(text: str, category: str, entry: str) -> int:
    """The line of the file where `entry` is written under `category` (1-based)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(rf"\s*{re.escape(category)}\s*=", line)), 0)
    forms = (f"'{entry}'", f"'''{entry}'''", json.dumps(entry, ensure_ascii=False))
    for number in range(start, len(lines)):
        if any(form in lines[number] for form in forms):
            return number + 1
    return start + 1


def _strings(value: object, key: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError("must be a list of non-empty strings", key=key, path=name)
    return tuple(value)


def _check_pattern(entry: str, category: str, text: str, name: str) -> None:
    """A pattern entry must compile, with its holes naming word categories (a pattern
    category's hole in another's could loop)."""
    for hole in _HOLE.findall(entry):
        if hole not in WORD_CATEGORIES:
            raise ConfigError(f"line {_line_of(text, category, entry)}: no word category {hole!r} for a hole",
                              key=category, path=name)
    try:
        re.compile(_HOLE.sub("(?:x)", entry))
    except re.error as exc:
        raise ConfigError(f"line {_line_of(text, category, entry)}: {entry!r} is not a valid regular "
                          f"expression ({exc.msg})", key=category, path=name) from None


def _read_months(value: object, name: str) -> list[tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError("must be a table of month names", key=_MONTH_TABLE, path=name)
    for month in value:
        if month not in MONTHS:
            raise ConfigError(f"unknown month {month!r}", key=f"{_MONTH_TABLE}.{month}", path=name)
    return [_strings(value.get(month, []), f"{_MONTH_TABLE}.{month}", name) for month in MONTHS]


@dataclass(frozen=True)
class _File:
    entries: dict[str, tuple[str, ...]]
    months: list[tuple[str, ...]]


def _read_file(text: str, name: str) -> _File:
    """One lexicon file, checked: known categories, lists of strings, patterns that compile."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=name) from None
    entries: dict[str, tuple[str, ...]] = {}
    months: list[tuple[str, ...]] = [()] * len(MONTHS)
    for key, value in data.items():
        if key == _MONTH_TABLE:
            months = _read_months(value, name)
            continue
        if key not in WORD_CATEGORIES and key not in PATTERN_CATEGORIES:
            raise ConfigError(f"unknown category {key!r}", key=key, path=name)
        entries[key] = _strings(value, key, name)
        if key == _DATE_ORDER and not set(entries[key]) <= set(DATE_ORDERS):
            raise ConfigError(f"must be one of {', '.join(DATE_ORDERS)}", key=key, path=name)
        if key in PATTERN_CATEGORIES:
            for entry in entries[key]:
                _check_pattern(entry, key, text, name)
    return _File(entries, months)


def _builtin_files() -> list[tuple[str, str]]:
    folder = resources.files(_LEXICON_PACKAGE).joinpath(_LEXICON_FOLDER)
    found = [(item.name, item.read_text("utf-8")) for item in folder.iterdir() if item.name.endswith(".toml")]
    return sorted(found)


def load_lexicon(extra: Iterable[str | Path] = (), builtin: bool = True) -> Lexicon:
    """Read the built-in lexicon files (with `builtin`) and then each of `extra`.

    Raises:
        ConfigError: a file is unreadable or not TOML, has an unknown category, an entry
            that is not a string, or a pattern entry that is not a valid regex (naming the
            file and the line).
    """
    sources = _builtin_files() if builtin else []
    for path in extra:
        try:
            sources.append((str(path), Path(path).read_text("utf-8")))
        except OSError as exc:
            raise ConfigError(f"cannot read lexicon: {exc.strerror}", path=str(path)) from None
    entries: dict[str, dict[str, None]] = {}
    months: list[dict[str, None]] = [{} for _ in MONTHS]
    languages: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, text in sources:
        read = _read_file(text, name)
        languages.setdefault(Path(name).name.removesuffix(".toml"), {}).update(read.entries)
        for category, values in read.entries.items():
            entries.setdefault(category, {}).update(dict.fromkeys(values))
        for index, names in enumerate(read.months):
            months[index].update(dict.fromkeys(names))
    return Lexicon(
        sources=tuple(name for name, _ in sources),
        entries={category: tuple(values) for category, values in entries.items()},
        months=tuple(tuple(names) for names in months),
        languages=languages,
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The built-in lexicon, read once."""
    return load_lexicon()
