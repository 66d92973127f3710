"""Issue 14, class 7: what trafilatura keeps on the pages it reads (comment counts, share and
reading-time lines) goes through the same line rules as the own reading's text."""

from __future__ import annotations

import dataclasses

import pytest

import scrape

PROSE = ("The harbour board voted on Tuesday to keep the night ferry running through the winter, after "
         "islanders who work late shifts in the city filled the public gallery for the third week in a row. ")
PARAGRAPHS = [f"Paragraph {n} of the story. " + PROSE * 2 for n in range(4)]
PAGE = f"""<html><head><title>Night ferry stays</title></head><body><article><h1>Night ferry stays</h1>
<p>{PARAGRAPHS[0]}</p><p>12 Comments</p><p>{PARAGRAPHS[1]}</p><p>Lesezeit: 4 Min.</p><p>{PARAGRAPHS[2]}</p>
<p>Advertisement - story continues below</p><p>{PARAGRAPHS[3]}</p></article></body></html>"""


@pytest.mark.parametrize("extractor", ["trafilatura", "auto"])
def test_counters_and_labels_go_whichever_reader_read_the_page(extractor):
    base = scrape.default_config()
    config = dataclasses.replace(base, clean=dataclasses.replace(base.clean, extractor=extractor))
    article = scrape.clean_html(PAGE, url="https://courier.example/ferry", config=config, explain=True)
    for noise in ("12 Comments", "Lesezeit", "Advertisement"):
        assert noise not in article.text, (extractor, noise, article.text)
    assert all(f"Paragraph {n} of the story." in article.text for n in range(4))
