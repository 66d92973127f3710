"""Metadata failure classes (issue 14): hand-written pages in fixtures/quality/, the truth beside each.

Each `meta_<class>.html` imitates a publisher's page (navigation, frame, sidebars) built
around one class of metadata failure seen on publishers never tuned on: titles that
disagree across sources, agencies and publishers credited as authors, buttons and towns
beside names, numeric dates in the page's locale, a clock widget. `<name>.expected.json`
is written by hand, never regenerated from output:

    class                   what the page tests
    url                     the URL the page is cleaned with (null: none)
    title, authors, author_organisations, published
                            what the page says (published exact, ISO 8601)
    must_contain            snippets of the body (first and last paragraph)
    must_not_contain        noise and bylines that must not reach the text
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import scrape
from scrape.io.outputs import render_md

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "quality"
NAMES = sorted(p.name.removesuffix(".html") for p in FIXTURES.glob("meta_*.html"))
_KEYS = {"class", "url", "title", "authors", "author_organisations", "published", "must_contain", "must_not_contain"}


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))


@cache
def cleaned(name: str) -> scrape.Article:
    return scrape.clean_html((FIXTURES / f"{name}.html").read_bytes(), url=expected(name)["url"])


def test_every_class_has_a_page_and_its_truth():
    assert len(NAMES) >= 4, NAMES
    for name in NAMES:
        assert set(expected(name)) == _KEYS, name


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    article, truth = cleaned(name), expected(name)
    got = {"title": article.title, "authors": list(article.authors),
           "author_organisations": list(article.author_organisations), "published": article.published}
    assert got == {key: truth[key] for key in got}, truth["class"]


@pytest.mark.parametrize("name", NAMES)
def test_text(name):
    text, truth = cleaned(name).text, expected(name)
    assert text.startswith(truth["must_contain"][0]), text[:200]
    for snippet in truth["must_contain"]:
        assert snippet in text
    for snippet in truth["must_not_contain"]:
        assert snippet not in text


def test_author_organisations_follow_authors_in_the_record_and_the_front_matter():
    article = cleaned("meta_credit_agency_de")
    record = article.as_dict()
    keys = list(record)
    assert keys[keys.index("authors") + 1] == "author_organisations"
    assert record["author_organisations"] == ["dpa"]
    front = render_md(article).decode("utf-8").split("---")[1]
    assert 'author_organisations: ["dpa"]' in front
