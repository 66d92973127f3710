"""Widget headings in every language of the evaluation corpora lead their widget out of the
page (issue 14, failure class 5): the heading rules take the lexicon's widget_heading
phrases from every file, and the pruning pass removes the heading with the links or teaser
cards it leads."""

from __future__ import annotations

import pytest

import scrape

# One or more read-also, related or most-read headings per language of ../shared/corpora.
HEADINGS = {
    "cs": ["Čtěte také", "Související články"],
    "da": ["Læs også", "Mest læste"],
    "de": ["Lesen Sie auch", "Weitere Informationen", "Ähnliche Beiträge", "Das könnte Sie auch interessieren"],
    "en": ["Related posts", "You may also like", "Most read"],
    "es": ["Leer más", "Lea también", "Noticias relacionadas", "Te puede interesar"],
    "fi": ["Lue myös", "Luetuimmat"],
    "fr": ["Lire aussi", "À lire aussi", "Sur le même sujet"],
    "he": ["קראו גם", "כתבות נוספות"],
    "hi": ["ये भी पढ़ें", "संबंधित खबरें"],
    "is": ["Lestu einnig", "Tengdar fréttir"],
    "it": ["Leggi anche", "Articoli correlati"],
    "ja": ["関連記事", "あわせて読みたい"],
    "ko": ["관련기사", "많이 본 뉴스"],
    "nl": ["Lees ook", "Gerelateerde artikelen"],
    "no": ["Les også", "Mest lest"],
    "pl": ["Czytaj także", "Zobacz też", "Podobne artykuły"],
    "pt": ["Veja também", "Leia mais", "Notícias relacionadas"],
    "ru": ["Читайте также", "По теме"],
    "sv": ["Läs också", "Mest lästa"],
    "tr": ["İlgili Haberler", "Bunlar da ilginizi çekebilir"],
    "zh": ["相关阅读", "推荐阅读"],
}
CASES = [(lang, heading) for lang, headings in HEADINGS.items() for heading in headings]
PARAGRAPH = "The council approved the new bus lanes on the bridge after a year of trials and public hearings."


@pytest.mark.parametrize(("lang", "heading"), CASES)
def test_the_heading_rules_know_the_heading(lang, heading):
    assert scrape.default_config().heading_rules.match(heading) is not None, f"{lang}: {heading!r}"


@pytest.mark.parametrize(("lang", "heading"), CASES)
def test_the_heading_goes_with_the_card_it_leads(lang, heading):
    card = ("<div class='card'><a href='/other'>Another story about the city's bridges</a>"
            "<p>A line of description under the other story's headline, long enough to read as prose.</p></div>")
    page = (f"<html lang='{lang}'><body><article><h1>Bus lanes on the bridge</h1>"
            + f"<p>{PARAGRAPH}</p>" * 4
            + f"<div class='box'><h3>{heading}</h3>{card}</div>"
            + f"<p>{PARAGRAPH}</p></article></body></html>")
    text = scrape.clean_html(page).text
    assert heading not in text and "Another story" not in text and "A line of description" not in text
    assert text.count(PARAGRAPH) == 5
