"""Text-dump fixtures: hand-written dumps in fixtures/dumps/, the truth beside each (issue 20).

Every `<name>.txt` with a `<name>.expected.json` beside it is a dump in one language (de, fr,
es, it, pt, en) dressed with noise whose wordings no rule was written from: widgets under
headings nobody listed, read-also lines with unknown labels, buttons beside pitches, ad
labels with continuation phrases in any order, bylines in the language's own shapes
(numeric dates in its order, "Uhr", "10h20", "ore", a date on its own line beside the names).
The JSON is written by hand, never regenerated from output:

    title, authors, published, language   what the dump says (published exact, ISO 8601)
    paragraphs                            the number of article paragraphs
    must_contain                          snippets of the body, first to last
    must_not_contain                      every noise string planted in the dump
    noise                                 one entry per planted noise: the rule names that
                                          may claim it ("line-scorer" matches any score) and
                                          snippets each of which some removal of those
                                          rules must show
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import scrape

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dumps"
NAMES = sorted(path.name.removesuffix(".expected.json") for path in FIXTURES.glob("*.expected.json"))
_KEYS = {"title", "authors", "published", "language", "paragraphs", "must_contain", "must_not_contain", "noise"}


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))


@cache
def cleaned(name: str) -> scrape.Article:
    return scrape.clean_text((FIXTURES / f"{name}.txt").read_text("utf-8"), explain=True)


def _named(rule: str, allowed: list[str]) -> bool:
    return rule in allowed or ("line-scorer" in allowed and rule.startswith("line-scorer "))


def test_fixtures_are_complete_and_in_four_languages_at_least():
    assert len(NAMES) >= 4
    assert len({expected(name)["language"] for name in NAMES}) >= 4
    for name in NAMES:
        assert set(expected(name)) == _KEYS, name
        assert (FIXTURES / f"{name}.txt").exists(), name


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    article, truth = cleaned(name), expected(name)
    assert article.title == truth["title"]
    assert list(article.authors) == truth["authors"]
    assert article.published == truth["published"]
    assert article.language == truth["language"]


@pytest.mark.parametrize("name", NAMES)
def test_the_article_is_whole(name):
    article, truth = cleaned(name), expected(name)
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == truth["paragraphs"], article.text
    assert truth["must_contain"][0] in paragraphs[0]
    assert truth["must_contain"][-1] in paragraphs[-1]
    for snippet in truth["must_contain"]:
        assert snippet in article.text, snippet


@pytest.mark.parametrize("name", NAMES)
def test_no_planted_noise_is_left(name):
    article = cleaned(name)
    left = [s for s in expected(name)["must_not_contain"] if s in article.text]
    assert not left, left


@pytest.mark.parametrize("name", NAMES)
def test_explain_names_the_rule_of_each_planted_noise(name):
    removed = cleaned(name).removed
    unnamed = []
    for noise in expected(name)["noise"]:
        for snippet in noise["snippets"]:
            if not any(_named(r.rule, noise["rules"]) and snippet in r.snippet for r in removed):
                unnamed.append(f"{noise['kind']}: {snippet!r} ({' or '.join(noise['rules'])})")
    assert not unnamed, "\n".join(unnamed) + "\nremoved:\n" + "\n".join(f"  {r.rule}: {r.snippet}" for r in removed)


@pytest.mark.parametrize("name", NAMES)
def test_cleaning_the_clean_text_again_changes_nothing(name):
    article = cleaned(name)
    again = scrape.clean_text(f"{article.title}\n\n{article.text}")
    assert again.text == article.text
