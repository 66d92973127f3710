"""Failure classes from pages of publishers never seen (issue 14): one hand-written page per
class in fixtures/quality/, the truth beside it.

`<name>.expected.json` is written by hand, never regenerated from output:

    class               the failure class the page shows
    url                 the page's address
    why                 what on the page sets the trap
    must_contain        snippets the article text must hold
    must_not_contain    snippets it must not hold
    refused             (optional) rule names whose refusal --explain must record
    skip                (optional) the page is not an article: the NotAnArticle reason must
                        hold this text, and must_contain / must_not_contain are empty
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import scrape

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "quality"
# The metadata classes' pages (meta_*) have a schema of their own: tests/test_quality_metadata.py.
NAMES = sorted(name for path in FIXTURES.glob("*.expected.json")
               if not (name := path.name.removesuffix(".expected.json")).startswith("meta_"))


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))


def _page(name: str) -> bytes:
    return next(FIXTURES.glob(f"{name}.*[!n]")).read_bytes()  # the page beside its .json


@cache
def cleaned(name: str) -> scrape.Article:
    return scrape.clean_html(_page(name), url=expected(name)["url"], explain=True)


def test_every_fixture_has_a_page_and_a_class():
    assert NAMES, f"no fixtures in {FIXTURES}"
    for name in NAMES:
        truth = expected(name)
        assert truth["class"] and truth["why"] and truth["url"], name
        assert truth.get("skip") or (truth["must_contain"] and truth["must_not_contain"]), name


@pytest.mark.parametrize("name", [n for n in NAMES if not expected(n).get("skip")])
def test_text_holds_what_it_must(name):
    text = " ".join(cleaned(name).text.split())
    missing = [s for s in expected(name)["must_contain"] if " ".join(s.split()) not in text]
    assert not missing, f"{name}: missing {missing}\n--- text:\n{cleaned(name).text}"


@pytest.mark.parametrize("name", [n for n in NAMES if not expected(n).get("skip")])
def test_text_holds_no_noise(name):
    text = " ".join(cleaned(name).text.split())
    kept = [s for s in expected(name)["must_not_contain"] if " ".join(s.split()) in text]
    assert not kept, f"{name}: kept {kept}\n--- text:\n{cleaned(name).text}"


@pytest.mark.parametrize("name", [n for n in NAMES if expected(n).get("refused")])
def test_refusals_are_explained(name):
    rules = {r.rule for r in cleaned(name).removed}
    missing = [f"refused:{rule}" for rule in expected(name)["refused"] if f"refused:{rule}" not in rules]
    assert not missing, f"{name}: --explain lacks {missing}; has {sorted(rules)}"


@pytest.mark.parametrize("name", [n for n in NAMES if expected(n).get("skip")])
def test_not_an_article_says_why(name):
    with pytest.raises(scrape.NotAnArticle) as caught:
        scrape.clean_html(_page(name), url=expected(name)["url"])
    assert expected(name)["skip"] in str(caught.value)


def test_a_short_text_without_a_credit_or_a_date_is_no_article():
    # The brief's own sentence, stripped of what makes it an article (byline, date, JSON-LD):
    # under min_words it is skipped.
    page = b"<html><body><main><p>The harbour road is closed until noon after last night's storm brought " \
           b"down two trees.</p></main></body></html>"
    with pytest.raises(scrape.NotAnArticle):
        scrape.clean_html(page, url="https://www.millbrookcourier.example/news/")
    brief = cleaned("short_brief")
    assert brief.authors == ("Dana Whitfield",) and brief.published is not None
