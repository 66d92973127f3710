"""Generic-cleaner fixtures: hand-written news pages in fixtures/html/, the truth beside each.

Every `<name>.html` imitates a real CMS template (WordPress with Jetpack, Arc, Drupal, AMP,
a German and a French newspaper, a Townhall-style blog, a body split around ad slots, ...)
with nav, cookie banner, sidebars and footer, and the noise the cleaner must remove planted
before, inside and after the body. `<name>.expected.json` is written by hand, never
regenerated from output:

    url, title, authors, published   what the page says (published exact, ISO 8601)
    paragraphs                       the number of article paragraphs (intertitles count)
    must_contain                     snippets of the body; the first from the first
                                     paragraph, the last from the last
    must_not_contain                 every noise string planted on the page
    noise                            one entry per planted noise: the rule names that may
                                     claim it and snippets of which one must appear in
                                     that removal's `--explain` snippet (no snippets when
                                     the noise ends a larger block, a footer, whose
                                     snippet is cut at 80 characters before reaching it)
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

import pytest

import scrape

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
NAMES = sorted(path.name.removesuffix(".html") for path in FIXTURES.glob("*.html"))
_KEYS = {"url", "title", "authors", "published", "paragraphs", "must_contain", "must_not_contain", "noise"}
# Rule names `scrape clean --explain` prints for HTML besides the configured noise rules:
# teaser lists and doubled blocks are found by structure, bylines by the line filter.
# ("title" is only reported for text dumps, "site:<domain>" only for user site rules.)
_STRUCTURAL_RULES = ("teaser-list", "doubled-block", "byline")


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))


@cache
def cleaned(name: str) -> scrape.Article:
    html = (FIXTURES / f"{name}.html").read_text("utf-8")
    return scrape.clean_html(html, url=expected(name)["url"], explain=True)


def _paragraphs(article: scrape.Article) -> list[str]:
    return article.text.split("\n\n")


def _removed(article: scrape.Article) -> str:
    return "\n".join(f"  {r.rule}: {r.snippet}" for r in article.removed)


def test_fixtures_are_complete():
    assert len(NAMES) >= 10, f"expected at least 10 fixtures in {FIXTURES}, found {NAMES}"
    for name in NAMES:
        truth = expected(name)
        assert set(truth) == _KEYS, f"{name}.expected.json: keys {sorted(set(truth) ^ _KEYS)}"
        assert len(truth["must_contain"]) >= 5, f"{name}: fewer than 5 must_contain snippets"
        assert truth["must_not_contain"] and truth["noise"], f"{name}: no planted noise listed"
        assert truth["authors"] and truth["published"] and truth["paragraphs"] > 0, name
    assert not (FIXTURES / "regenerate.py").exists(), "expectations are hand-written truth, not snapshots"


@pytest.mark.parametrize("name", NAMES)
def test_title(name):
    assert cleaned(name).title == expected(name)["title"]


@pytest.mark.parametrize("name", NAMES)
def test_authors(name):
    assert list(cleaned(name).authors) == expected(name)["authors"]


@pytest.mark.parametrize("name", NAMES)
def test_published(name):
    assert cleaned(name).published == expected(name)["published"]


@pytest.mark.parametrize("name", NAMES)
def test_must_contain(name):
    text = cleaned(name).text
    missing = [snippet for snippet in expected(name)["must_contain"] if snippet not in text]
    assert not missing, "body snippets missing from the text:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("name", NAMES)
def test_must_not_contain(name):
    paragraphs = _paragraphs(cleaned(name))
    left = [
        f"{noise!r} in: {next(p for p in paragraphs if noise in p)[:100]!r}"
        for noise in expected(name)["must_not_contain"]
        if any(noise in p for p in paragraphs)
    ]
    assert not left, "noise left in the text:\n  " + "\n  ".join(left)


@pytest.mark.parametrize("name", NAMES)
def test_paragraph_count(name):
    paragraphs = _paragraphs(cleaned(name))
    assert len(paragraphs) == expected(name)["paragraphs"], "paragraphs:\n  " + "\n  ".join(
        p[:90] for p in paragraphs
    )


@pytest.mark.parametrize("name", NAMES)
def test_text_starts_and_ends_with_the_article(name):
    paragraphs = _paragraphs(cleaned(name))
    snippets = expected(name)["must_contain"]
    assert snippets[0] in paragraphs[0], f"first paragraph is {paragraphs[0][:120]!r}"
    assert snippets[-1] in paragraphs[-1], f"last paragraph is {paragraphs[-1][:120]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_explain_names_a_rule_for_each_planted_noise(name):
    article = cleaned(name)
    unnamed = []
    for noise in expected(name)["noise"]:
        if not any(
            removal.rule in noise["rules"]
            and (not noise["snippets"] or any(s in removal.snippet for s in noise["snippets"]))
            for removal in article.removed
        ):
            unnamed.append(f"{noise['kind']} ({' or '.join(noise['rules'])}: {noise['snippets'][:1]})")
    assert not unnamed, (
        "no removal names a rule for:\n  " + "\n  ".join(unnamed) + "\nremoved:\n" + _removed(article)
    )


def test_every_noise_rule_is_exercised_by_some_fixture():
    """Each rule name --explain can print for HTML is named for some fixture, so rules stay covered."""
    names = {rule.name for rule in scrape.default_config().rules} | set(_STRUCTURAL_RULES)
    seen = {removal.rule for name in NAMES for removal in cleaned(name).removed}
    assert not names - seen, f"rules no fixture exercises: {sorted(names - seen)}"


@pytest.mark.parametrize("name", NAMES)
def test_explain_changes_only_the_removals(name):
    html = (FIXTURES / f"{name}.html").read_text("utf-8")
    plain = scrape.clean_html(html, url=expected(name)["url"])
    explained = cleaned(name)
    assert dataclasses.replace(explained, removed=()) == plain
