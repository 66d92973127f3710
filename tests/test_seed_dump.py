"""Golden test: the user's own example dump (fixtures/dumps/hotair_venezuela.txt)."""

from pathlib import Path

import scrape

SEED = Path(__file__).parent.parent / "fixtures" / "dumps" / "hotair_venezuela.txt"


def _article(explain=False):
    return scrape.clean_text(SEED.read_text("utf-8"), explain=explain)


def test_title_authors_and_date():
    article = _article()
    assert article.title == "Are we secretly negotiating with Venezuelan socialist party leaders?"
    assert article.authors == ("Ed Morrissey",)
    assert article.published == "2025-01-21T22:00:00"


def test_body_is_exactly_the_nine_article_paragraphs():
    paragraphs = _article().text.split("\n\n")
    source_paragraphs = [
        block.strip() for block in SEED.read_text("utf-8").split("\n\n")
        if block.strip().startswith(("Last time", "The Associated", "The U.S.", "Diosdado", "The AP",
                                     "If we", "One question", "For his part", "That’s a tough"))
    ]
    assert len(paragraphs) == 9
    assert paragraphs == source_paragraphs
    assert paragraphs[0].startswith("Last time we checked in")
    assert paragraphs[-1].endswith("it could conceivably be worse.")


def test_no_noise_line_survives():
    text = _article().text
    for noise in ("Advertisement", "VIP Member", "Trending on", "Ed Morrissey", "10:00 PM"):
        assert noise not in text


def test_explain_names_each_rule():
    removed = _article(explain=True).removed
    rules = {r.rule for r in removed}
    assert {"ad-label", "membership-promo", "trending-widget", "byline"} <= rules
    assert sum(r.rule == "ad-label" for r in removed) == 7
    assert not _article(explain=False).removed
