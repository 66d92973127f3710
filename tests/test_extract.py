"""scrape.clean.extract: the own reading of a page, and when it declines in favour of trafilatura."""

from __future__ import annotations

import dataclasses

import pytest
from selectolax.lexbor import LexborHTMLParser

import scrape
from scrape.clean.extract import extract_lines
from scrape.config import CleanConfig

PROSE = [
    "The council voted on Monday to replace fourteen miles of water mains, some of which were laid in the 1920s.",
    "Crews have repaired more than sixty breaks since 2020, each one closing a street and leaving homes without water.",
    "The work will be phased over six years and paid for with a state loan and a rate rise approved last spring.",
    "Residents on affected blocks will get a letter a month before work starts and a door hanger three days before.",
    "The director of public works said the plan lets the city get ahead of failures instead of chasing them.",
]
TEASERS = [
    "A long teaser for another story that runs well past eighty characters so that it reads like prose too.",
    "Another story's summary, also long enough to count as a paragraph of prose if nothing else told it apart.",
]


def _page(body: str) -> LexborHTMLParser:
    return LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")


def _paragraphs(texts) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def test_reads_the_article_in_order_with_headings_and_list_items():
    tree = _page(
        "<div class='menu-bar'><a href='/'>Home</a> <a href='/news'>News</a></div>"
        f"<div class='story'><h2>Why now</h2>{_paragraphs(PROSE[:3])}"
        "<ul><li>Fir Street, this summer</li><li>Second Avenue, next spring</li></ul>"
        f"{_paragraphs(PROSE[3:])}</div>"
    )
    assert extract_lines(tree) == ["Why now", *PROSE[:3], "- Fir Street, this summer",
                                   "- Second Avenue, next spring", *PROSE[3:]]


def test_boilerplate_inside_the_article_is_left_out():
    tree = _page(
        "<div class='post'>"
        f"{_paragraphs(PROSE[:2])}"
        "<div class='share-bar'>Share on Facebook Share on X Email</div>"
        "<p><img src='a.jpg'><br><em>Crews at work on Cedar Street. Photo: Public Works.</em></p>"
        "<div style='display: none'>2019-07-02T22:14:45+02:00 keywords, more keywords</div>"
        "<ul><li><a href='/a'>Council approves budget</a></li><li><a href='/b'>Storm closes schools</a></li></ul>"
        f"{_paragraphs(PROSE[2:])}"
        f"<section id='comments'><p>{TEASERS[0]}</p></section>"
        "</div>"
    )
    assert extract_lines(tree) == PROSE


def test_the_article_is_chosen_over_other_stories_teasers_around_it():
    tree = _page(
        f"<main><article>{_paragraphs(PROSE)}</article>"
        f"<section><h3>More stories</h3>{_paragraphs(TEASERS)}</section></main>"
    )
    assert extract_lines(tree) == PROSE


def test_a_body_cut_into_chunks_is_read_whole():
    # Two blocks of one class with an ad between them: the article is both.
    tree = _page(
        "<div class='page'>"
        f"<div class='article-body'>{_paragraphs(PROSE[:3])}</div>"
        "<div class='ad-slot'>Advertisement</div>"
        f"<div class='article-body'>{_paragraphs(PROSE[3:])}</div>"
        f"<div class='more'>{_paragraphs(TEASERS[:1])}</div>"
        "</div>"
    )
    lines = extract_lines(tree)
    assert lines is not None and lines[: len(PROSE)] == PROSE


def test_text_written_straight_into_a_div_is_split_at_line_breaks():
    tree = _page("<div class='txt'>" + "<br><br>".join(PROSE) + "</div>")
    assert extract_lines(tree) == PROSE


def test_a_wrapper_named_like_boilerplate_that_holds_the_article_is_still_read():
    tree = _page(f"<div class='layout has-sidebar'><div>{_paragraphs(PROSE)}</div></div>")
    assert extract_lines(tree) == PROSE


def test_declines_a_page_with_little_prose():
    assert extract_lines(_page(_paragraphs(PROSE[:1]))) is None


def test_declines_when_the_article_block_is_full_of_cards():
    cards = "".join(f"<div class='card'><a href='/{i}'>Story {i}</a><span>12 min</span></div>" for i in range(60))
    tree = _page(f"<div class='wrap'>{_paragraphs(PROSE)}{cards}</div>")
    assert extract_lines(tree) is None


def test_markup_nested_deeper_than_python_recurses_is_declined_not_raised():
    deep = "<span>" * 3000 + "deep text" + "</span>" * 3000
    tree = _page(f"<div class='post'>{_paragraphs(PROSE)}<div>{deep}</div></div>")
    lines = extract_lines(tree)
    assert lines is None or lines[: len(PROSE)] == PROSE


def _article_html() -> str:
    return ("<html><head><title>Water mains</title></head><body><h1>Water mains</h1>"
            f"<article>{_paragraphs(PROSE)}<p class='share'>Share this story</p></article></body></html>")


@pytest.mark.parametrize("extractor", ["auto", "trafilatura"])
def test_both_extractors_give_the_article(extractor):
    config = dataclasses.replace(scrape.default_config(), clean=CleanConfig(extractor=extractor))
    article = scrape.clean_html(_article_html(), url="https://example.org/a", config=config)
    assert article.text.split("\n\n") == PROSE
