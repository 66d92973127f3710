"""The lexicon: language words in scrape/config/lexicon/<language>.toml, one file a language.

Adding a language is adding a file: its words reach the byline and date readers and the
noise rules with no code changed. A file with an unknown category or a pattern that is not
a regex is refused, naming the file (and the line of a bad pattern).
"""

from pathlib import Path

import pytest

from scrape.config import load_config
from scrape.config.lexicon import PATTERN_CATEGORIES, WORD_CATEGORIES, default_lexicon, load_lexicon, word_trie
from scrape.errors import ConfigError
from scrape.meta.bylines import BylineGrammar, parse_byline
from scrape.meta.dates import DateWords, parse_date

# A made-up language, so that no built-in file knows its words.
INVENTED = """\
# Invented words, for the test.
by_word = ["zorb"]
ad_label = ["glimmerwerb"]
widget_heading = ['meist zoobt']
published_label = ["pubzo"]

[months]
march = ["marzoob"]
"""


@pytest.fixture
def invented(tmp_path: Path) -> Path:
    path = tmp_path / "xx.toml"
    path.write_text(INVENTED, "utf-8")
    return path


def test_a_new_language_file_reaches_bylines_and_dates(invented):
    lexicon = load_lexicon(extra=[invented])
    grammar = BylineGrammar.from_lexicon(lexicon)
    byline = parse_byline("Zorb Jana Novak, 3 Marzoob 2024", grammar=grammar)
    assert byline is not None and byline.authors == ("Jana Novak",) and byline.explicit
    assert byline.date_text == "3 Marzoob 2024"
    parsed = parse_date("Pubzo: 3 Marzoob 2024", words=DateWords.from_lexicon(lexicon))
    assert parsed is not None and parsed.iso() == "2024-03-03"
    # The built-in lexicon does not know them.
    assert parse_byline("Zorb Jana Novak, 3 Marzoob 2024") is None
    assert parse_date("3 Marzoob 2024") is None


def test_a_new_language_file_reaches_the_noise_rules(invented):
    config = load_config(None, lexicon=load_lexicon(extra=[invented]))
    assert config.line_rules.match("— Glimmerwerb —").name == "ad-label"
    assert config.heading_rules.match("Meist zoobt").name == "trending-widget"
    assert load_config(None).line_rules.match("Glimmerwerb") is None


def test_every_builtin_file_loads_and_english_is_there():
    lexicon = default_lexicon()
    assert "en.toml" in lexicon.sources and "de.toml" in lexicon.sources
    assert "anzeige" in lexicon.words("ad_label")
    assert set(lexicon.words("name_joiner")) >= {"and", "und", "et", "y", "e"}


def test_an_unknown_category_names_the_file_and_key(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text('by_word = ["zorb"]\nad_lables = ["glimmerwerb"]\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_lexicon(extra=[path])
    assert caught.value.key == "ad_lables" and caught.value.path == str(path)
    assert "xx.toml" in str(caught.value) and "ad_lables" in str(caught.value)


def test_a_bad_pattern_names_the_file_and_line(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text("# header\nwidget_heading = [\n  'meist zoobt',\n  'meist (gelesen',\n]\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_lexicon(extra=[path])
    assert caught.value.path == str(path) and caught.value.key == "widget_heading"
    assert "line 4" in str(caught.value)


@pytest.mark.parametrize("text", [
    'by_word = "zorb"\n',  # not a list
    'by_word = [3]\n',
    '[months]\nsmarch = ["x"]\n',
    "widget_heading = ['{no_such_category} x']\n",
])
def test_malformed_entries_are_refused(tmp_path, text):
    path = tmp_path / "xx.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_lexicon(extra=[path])
    assert caught.value.path == str(path)


def test_a_rule_naming_an_unknown_lexicon_category_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[rule]]\nname = "x"\nkind = "line"\nlexicon = "no_such"\npatterns = []\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "rule[0].lexicon"


def test_a_users_rule_can_take_lexicon_words(tmp_path):
    path = tmp_path / "config.toml"
    # (A word no built-in category holds, so that no built-in rule takes the line first.)
    path.write_text('[[rule]]\nname = "mine"\nkind = "line"\npatterns = [\'{ad_label} am Zaun\']\n', "utf-8")
    config = load_config(path)
    assert config.line_rules.match("Werbung am Zaun").name == "mine"


def test_the_word_trie_prefers_the_longer_word():
    import re

    trie = re.compile(rf"\b{word_trie(['sep', 'sept', 'september', 'a las', 'à'])}\b", re.IGNORECASE)
    assert trie.sub("_", "Sept. September sep à a las") == "_. _ _ _ _"
    assert word_trie([]) == "(?!)"


def test_categories_are_of_one_kind():
    assert not set(WORD_CATEGORIES) & set(PATTERN_CATEGORIES)
