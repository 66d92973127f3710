"""Structured text: Markdown keeps the headings, lists, quotes, tables and (with --links) the
links of the article body; the text and every other field stay as they were; articles in one
md or txt stream are kept apart by a separator."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest

import scrape
from scrape.io.markdown import markdown_body
from scrape.io.outputs import MD_SEPARATOR, TEXT_SEPARATOR, StreamSink
from scrape.models import Article, Block

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
PAGE = """<html><head><title>How the harbour ferry timetable changes this summer</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>How the harbour ferry timetable changes this summer</h1>
<p>The night ferry between the old harbour and the island villages will run again from June, the transport
authority said on Tuesday, two years after the <a href="/cuts">service was cut</a> to save money.</p>
<h2>What changes</h2>
<p>Islanders had campaigned for the return of the late crossing, arguing that nurses, bakers and hotel staff
who work early or late shifts had been forced to sleep in the city.</p>
<ul><li>A new electric vessel replaces the diesel boat on every crossing of the night.</li>
<li>Tickets will cost the same as on the daytime crossings, with passes valid.</li></ul>
<h3>The new departures</h3>
<table><tr><th>Day</th><th>First</th><th>Last</th></tr><tr><td>Friday</td><td>20:00</td><td>02:00</td></tr>
<tr><td>Saturday</td><td>20:30</td><td>02:30</td></tr></table>
<blockquote><p>We have waited two years for this boat, and the whole island will be on the quay to meet it.</p></blockquote>
<ol><li>Buy a ticket at the kiosk on the quay before you board the ferry.</li>
<li>Show the ticket to the crew as you walk up the gangway onto the deck.</li></ol>
<p># 1 is what the islanders call the first boat of the night, and it will leave at eight on Fridays.</p>
</article></body></html>"""


def config(extractor: str = "auto", structure: bool = True) -> scrape.Config:
    base = scrape.default_config()
    return dataclasses.replace(base, clean=dataclasses.replace(base.clean, extractor=extractor, structure=structure))


@pytest.mark.parametrize("extractor", ["auto", "trafilatura"])  # scrape's own reading, and trafilatura's
def test_markdown_keeps_the_structure_of_the_body(extractor):
    article = scrape.clean_html(PAGE, url="https://courier.example/ferry", config=config(extractor))
    assert len(article.blocks) == len(article.text.split("\n\n"))
    markdown = markdown_body(article)
    for piece in ("## What changes\n\n", "\n\n- A new electric vessel replaces the diesel boat on every crossing of "
                  "the night.\n- Tickets", "\n\n### The new departures\n\n| Day | First | Last |\n|",
                  "|\n| Friday | 20:00 | 02:00 |\n| Saturday | 20:30 | 02:30 |\n\n",
                  "\n\n> We have waited two years", "\n\n1. Buy a ticket", ".\n2. Show the ticket",
                  "\n\n\\# 1 is what the islanders call"):
        assert piece in markdown, (piece, markdown)
    assert "](" not in markdown
    linked = markdown_body(article, links=True)
    assert "two years after the [service was cut](https://courier.example/cuts) to save money" in linked
    assert "[Home]" not in linked  # the navigation is not the article


def test_structure_changes_no_other_field():
    for path in sorted(FIXTURES.glob("*.html")):
        html = path.read_bytes()
        plain = scrape.clean_html(html, url="https://news.example/a", config=config(structure=False)).as_dict()
        structured = scrape.clean_html(html, url="https://news.example/a", config=config()).as_dict()
        blocks = structured.pop("blocks")
        assert structured == plain, path.name
        assert "blocks" not in plain and len(blocks) == plain["text"].count("\n\n") + 1, path.name
        assert set(blocks) <= {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "quote", "pre", "th", "td", "row"}


def test_a_text_dump_is_paragraphs():
    article = scrape.clean_text("A headline\n\n" + "One paragraph of words that go on. " * 10 + "\n\n# Not a heading "
                                + "but a line of the dump. " * 5, config=config())
    assert [b.kind for b in article.blocks] == ["p", "p"]
    assert "\n\n\\# Not a heading" in markdown_body(article)


def test_articles_in_one_stream_are_kept_apart():
    one = Article(text="First paragraph.\n\nSecond.", title="One", blocks=(Block(), Block("h2")))
    two = Article(text="Third paragraph.", title="Two")
    for fmt, separator in (("md", MD_SEPARATOR), ("txt", TEXT_SEPARATOR)):
        stream = io.BytesIO()
        sink = StreamSink(stream, fmt)
        sink.write(one)
        sink.write(two)
        first, second = stream.getvalue().split(separator)
        assert b"Second." in first and b"Third" in second and b"Third" not in first, fmt
    assert b"\f" in TEXT_SEPARATOR and b"-----" in TEXT_SEPARATOR  # machines split on it, people see it
    assert MD_SEPARATOR.strip().startswith(b"<!--")  # unseen once rendered
