"""scrape.clean.structured: the structured copy of the text, used when the page shows less."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scrape.clean.structured import json_ld_paragraphs, prefer_structured

SENTENCE = "The ferry will run every half hour from June until the end of September this year."


def test_json_ld_text_is_split_at_its_line_breaks():
    assert json_ld_paragraphs("First  paragraph.\n\nSecond\tone.\r\nThird.") == [
        "First paragraph.", "Second one.", "Third."]


def test_json_ld_markup_is_read_as_blocks():
    raw = "<p>One <b>bold</b> claim.</p><h2>A subhead</h2><ul><li>an item</li></ul>"
    assert json_ld_paragraphs(raw) == ["One bold claim.", "A subhead", "an item"]


def test_a_much_longer_json_ld_body_replaces_the_page_text():
    body = "\n\n".join([SENTENCE] * 6)
    tree = LexborHTMLParser("<html><body><p>Loading…</p></body></html>")
    assert prefer_structured(["Loading…"], tree, body) == [SENTENCE] * 6


def test_the_page_text_stays_when_it_holds_half_the_json_ld_body_or_more():
    lines = [SENTENCE] * 3
    tree = LexborHTMLParser("<html><body></body></html>")
    assert prefer_structured(lines, tree, "\n".join([SENTENCE] * 6)) == lines


def test_a_short_json_ld_body_is_a_summary_not_the_article():
    tree = LexborHTMLParser("<html><body></body></html>")
    assert prefer_structured([], tree, "A summary of the story in one line.") == []


def test_the_microdata_body_is_read_only_when_the_reading_found_next_to_nothing():
    cells = "".join(f"<div>{SENTENCE}</div>" for _ in range(6))
    tree = LexborHTMLParser(f"<html><body><div itemprop='articleBody'>{cells}</div></body></html>")
    assert prefer_structured([], tree, None) == [SENTENCE] * 6
    found = [SENTENCE] * 5  # 80 words: not next to nothing, though the element holds more
    assert prefer_structured(found, tree, None) == found
