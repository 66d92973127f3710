"""The same noise goes on pages as in dumps (issue 20, point 1): the lines around an ad slot,
an offer and its button, a widget heading no rule knows, and lines the learned scorer weighs
on a page only when they speak the noise vocabulary. The wordings are this file's own (none
from bench/noise_bank/), in several languages; each is planted in a dump and in a page built
around the same article, and must leave both while the article stays whole.
"""

from __future__ import annotations

import html

import pytest

import scrape
from scrape.clean.linescore import is_pitch_beside_button, speaks_noise_vocabulary
from scrape.clean.lineshape import is_ad_slot_line

CONFIG = scrape.default_config()
TITLE = "Harbour wall to be repaired before winter"

PROSE = {
    "en": [
        "The council voted on Tuesday to repair the old harbour wall before the winter storms arrive in the town.",
        "Engineers said the wall had been damaged by three storms last year and could fail if it is not repaired soon.",
        "The repairs will cost the town about two million pounds, paid partly by a grant from the national government.",
    ],
    "de": [
        "Der Gemeinderat hat am Dienstag beschlossen, die alte Hafenmauer vor den Winterstürmen zu reparieren.",
        "Die Ingenieure sagten, die Mauer sei im vergangenen Jahr von drei Stürmen beschädigt worden und könne brechen.",
        "Die Reparatur kostet die Stadt rund zwei Millionen Euro, die zum Teil vom Land bezahlt werden sollen.",
    ],
    "es": [
        "El ayuntamiento aprobó el martes reparar el viejo muro del puerto antes de que lleguen las tormentas.",
        "Los ingenieros dijeron que el muro quedó dañado por tres tormentas el año pasado y podría romperse pronto.",
        "Las obras costarán a la ciudad unos dos millones de euros, pagados en parte por el gobierno regional.",
    ],
    "fr": [
        "Le conseil municipal a voté mardi la réparation du vieux mur du port avant les tempêtes de l'hiver.",
        "Les ingénieurs ont expliqué que le mur avait été endommagé par trois tempêtes l'an dernier et pourrait céder.",
        "Les travaux coûteront à la ville environ deux millions d'euros, payés en partie par la région.",
    ],
}


def _dump(lines: list[str]) -> str:
    return TITLE + "\n\n" + "\n\n".join(lines) + "\n"


def _page(body: str) -> str:
    return (f"<html><head><title>{TITLE}</title></head><body><div class='wrap'><article class='story'>"
            f"<h1>{TITLE}</h1><div class='col'>{body}</div></article></div></body></html>")


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _rules(article: scrape.Article, text: str) -> list[str]:
    return [r.rule for r in article.removed if text[:30] in r.snippet]


def _assert_gone(lang: str, article: scrape.Article, noise: list[str]) -> None:
    for line in noise:
        assert line not in article.text, (lang, line, article.text)
    for paragraph in PROSE[lang]:
        assert paragraph in article.text, (lang, paragraph)


# --- the lines around an ad slot ------------------------------------------------------------

AD_SLOTS = [
    ("en", "Advertisement", "The story picks up again after this advert"),
    ("en", "Advertisement", "Switch off the ads"),
    ("de", "Anzeige", "Diese Werbung stört mich"),
    ("es", "Publicidad", "Esta publicidad me molesta"),
    ("fr", "Publicité", "Cette publicité me gêne"),
]


def _beside_an_ad_slot(lang: str, label: str, ui: str) -> tuple[scrape.Article, scrape.Article]:
    """The article with an ad label and the line `ui` after it, cleaned as a dump and as a
    page (an ad slot: the label, an empty box, the line in a block after it)."""
    prose = PROSE[lang]
    dump = scrape.clean_text(_dump([prose[0], f"{label}\n{ui}", *prose[1:]]), config=CONFIG, explain=True)
    slot = (f"<div class='zq'><span class='zq-l'>{html.escape(label)}</span><div class='zq-b'></div></div>"
            f"<div class='zq-u'>{html.escape(ui)}</div>")
    page = scrape.clean_html(_page(_p(prose[0]) + slot + "".join(map(_p, prose[1:]))), config=CONFIG, explain=True)
    return dump, page


@pytest.mark.parametrize(("lang", "label", "ui"), AD_SLOTS)
def test_the_line_beside_an_ad_label_goes_from_a_dump_and_from_a_page(lang: str, label: str, ui: str) -> None:
    assert is_ad_slot_line(ui)
    dump, page = _beside_an_ad_slot(lang, label, ui)
    _assert_gone(lang, dump, [label, ui])
    _assert_gone(lang, page, [label, ui])
    assert _rules(dump, ui) == _rules(page, ui) == ["ad-slot-line"]


def test_an_ad_word_in_a_line_of_its_own_is_no_ad_slot_line_away_from_a_label() -> None:
    """Only beside an ad label: "Switch off the ads" between two paragraphs is left to the
    rules and the scorer."""
    lines = PROSE["en"][:1] + ["Free for all: the harbour ads"] + PROSE["en"][1:]
    page = scrape.clean_html(_page("".join(map(_p, lines))), config=CONFIG, explain=True)
    assert not any(r.rule == "ad-slot-line" for r in page.removed)


# --- an offer and its button ----------------------------------------------------------------

PITCHES = [
    ("en", "Six months of unlimited digital reading for one pound", "Claim offer"),
    ("de", "Alle Plus-Artikel einen Monat gratis lesen", "Angebot sichern"),
    ("es", "Lee sin límites con la oferta de bienvenida", "Ver oferta"),
    ("fr", "Un mois offert pour lire tous nos articles", "Profiter de l'offre"),
]


@pytest.mark.parametrize(("lang", "pitch", "button"), PITCHES)
def test_an_offer_and_its_button_go_from_a_dump_and_from_a_page(lang: str, pitch: str, button: str) -> None:
    prose = PROSE[lang]
    assert is_pitch_beside_button(pitch, button)
    dump = scrape.clean_text(_dump([*prose[:2], f"{pitch}\n{button}", prose[2]]), config=CONFIG, explain=True)
    box = (f"<div class='kx'><p class='kx-t'>{html.escape(pitch)}</p>"
           f"<a class='kx-b' href='/angebot?src=kx'>{html.escape(button)}</a></div>")
    page = scrape.clean_html(_page("".join(map(_p, prose[:2])) + box + _p(prose[2])), config=CONFIG, explain=True)
    _assert_gone(lang, dump, [pitch, button])
    _assert_gone(lang, page, [pitch, button])
    assert _rules(dump, pitch) == _rules(page, pitch) == ["pitch-shape"]


def test_a_line_of_the_article_beside_a_link_is_no_pitch() -> None:
    assert not is_pitch_beside_button(PROSE["en"][0], "Claim offer")
    assert not is_pitch_beside_button("The harbour wall in pictures", "See the photos")


# --- a widget heading no rule knows ---------------------------------------------------------

WIDGETS = [
    ("en", "Worth a look today", ["Lighthouse keeper's cottage goes up for auction",
                                  "High school robotics team heads to national finals",
                                  "Farmers market moves to the old rail depot"]),
    ("de", "Lohnt sich heute", ["Leuchtturmwärterhaus wird versteigert",
                                "Schülerteam fährt zum Robotikfinale nach Berlin",
                                "Wochenmarkt zieht in den alten Güterbahnhof"]),
]


@pytest.mark.parametrize(("lang", "heading", "teasers"), WIDGETS)
def test_a_widget_heading_no_rule_knows_goes_with_its_teasers(lang: str, heading: str, teasers: list[str]) -> None:
    prose = PROSE[lang]
    dump = scrape.clean_text(_dump([*prose, heading + "\n" + "\n".join(teasers)]), config=CONFIG)
    items = "".join(f"<li><a href='/story/{i}'>{html.escape(t)}</a></li>" for i, t in enumerate(teasers))
    widget = f"<section class='ry'><h3>{html.escape(heading)}</h3><ul>{items}</ul></section>"
    page = scrape.clean_html(_page("".join(map(_p, prose)) + widget), config=CONFIG)
    _assert_gone(lang, dump, [heading, *teasers])
    _assert_gone(lang, page, [heading, *teasers])


# --- the scorer on a page -------------------------------------------------------------------

def test_the_scorer_weighs_on_a_page_only_lines_of_the_noise_vocabulary() -> None:
    """A page's own short lines (stages of a race, the answers of a Q&A, a table of contents)
    are never weighed; a line of ad and offer words is."""
    for own in ["3a etapa: 22 de abril – Velopark", "A: Lebron James", "Inhalt", "Wie geht es weiter?",
                "Drink within 30 minutes after your workout"]:
        assert not speaks_noise_vocabulary(own), own
    for noise in ["Zwei Wochen gratis testen", "Prueba gratis un mes", "Sigue leyendo debajo de la publicidad"]:
        assert speaks_noise_vocabulary(noise), noise


@pytest.mark.parametrize(("lang", "heading", "teasers"), WIDGETS)
def test_a_widget_of_teaser_cards_goes_with_its_heading(lang: str, heading: str, teasers: list[str]) -> None:
    """Cards (a block per story, led by its headline's link) after a heading no rule knows,
    in the body column: the heading and the cards go, as the teaser run of a dump does."""
    prose = PROSE[lang]
    cards = "".join(f"<div class='cd'><a href='/story/{i}'><h4>{html.escape(t)}</h4></a></div>"
                    for i, t in enumerate(teasers))
    widget = f"<div class='bx'><h2>{html.escape(heading)}</h2>{cards}</div>"
    page = scrape.clean_html(_page(_p(prose[0]) + widget + "".join(map(_p, prose[1:]))), config=CONFIG)
    _assert_gone(lang, page, [heading, *teasers])


# --- a read-also label made of reading words the article uses too ---------------------------

READ_ALSO = [
    ("de", "Die Leute lesen die Pläne der Stadt genau und wollen wissen, wann die Arbeiten an der Mauer beginnen.",
     "Auch lesenswert → Schülerteam fährt zum Robotikfinale nach Berlin"),
    ("en", "People read the town's plans closely and want to know when the work on the wall will begin at last.",
     "Worth reading | Lighthouse keeper's cottage goes up for auction"),
]


@pytest.mark.parametrize(("lang", "prose_line", "line"), READ_ALSO)
def test_a_read_also_label_of_reading_words_goes_though_the_article_reads(lang: str, prose_line: str,
                                                                          line: str) -> None:
    prose = [*PROSE[lang], prose_line]
    dump = scrape.clean_text(_dump([*prose[:2], line, *prose[2:]]), config=CONFIG, explain=True)
    page = scrape.clean_html(_page("".join(map(_p, prose)) + _p(line)), config=CONFIG, explain=True)
    _assert_gone(lang, dump, [line])
    _assert_gone(lang, page, [line])


# --- a read-also paragraph: a label of any words beside one link to another story ------------

LINK_TEASERS = [
    ("en", "<strong>Worth your time</strong> <a href='/s/1'>Ferry timetable cut as fuel costs climb</a>"),
    ("de", "<b>Mehr zum Thema:</b> <a href='/s/2'>Wie die Bahn ihre Preise für den Sommer macht</a>"),
    ("es", "<a href='/s/3'>Los precios del alquiler vuelven a subir en la costa</a> <em>(te interesa)</em>"),
    ("fr", "<strong>À découvrir »</strong> <a href='/s/4'>La grève des dockers paralyse le port du Havre</a>"),
]


@pytest.mark.parametrize(("lang", "teaser"), LINK_TEASERS)
def test_a_paragraph_of_one_headline_link_and_a_short_label_goes(lang: str, teaser: str) -> None:
    """Whatever the label says: the shape (a few words beside one link that reads as a
    headline) tells the teaser, as a line rule would tell a known label."""
    prose = PROSE[lang]
    page = scrape.clean_html(_page(_p(prose[0]) + f"<p>{teaser}</p>" + "".join(map(_p, prose[1:]))),
                             config=CONFIG, explain=True)
    link_text = teaser.split("'>")[1].split("</a>")[0]
    _assert_gone(lang, page, [link_text])


def test_a_sentence_around_a_link_stays() -> None:
    """A link inside running text, or beside more words than a label has, is the article's."""
    sentence = ("The plan follows <a href='/r'>a report by the Harbour Trust</a> that found the wall "
                "unsafe in places.")
    credit = "<em>The figures above come from</em> <a href='/r'>Annual Harbour Trust Accounts</a>"
    page = scrape.clean_html(_page(_p(PROSE["en"][0]) + f"<p>{sentence}</p><p>{credit}</p>"
                                   + "".join(map(_p, PROSE["en"][1:]))), config=CONFIG)
    assert "a report by the Harbour Trust that found the wall unsafe" in page.text
    assert "Annual Harbour Trust Accounts" in page.text


# --- a pitch and its button, and the lines around an ad, by their place and few words -------

@pytest.mark.parametrize(("lang", "pitch", "button"), [
    ("de", "Qualität hat ihren Preis, auch in Zukunft", "Jetzt abonnieren"),
    ("en", "Independent reporting needs readers like you, every single day", "Subscribe now"),
])
def test_the_line_before_a_button_a_rule_took_is_its_pitch(lang: str, pitch: str, button: str) -> None:
    """The button's words are known; the pitch's are not: its place before the button, its
    few words and their having nothing to do with the article tell it."""
    prose = PROSE[lang]
    dump = scrape.clean_text(_dump([prose[0], f"{pitch}\n{button}", *prose[1:]]), config=CONFIG, explain=True)
    _assert_gone(lang, dump, [pitch, button])


def test_an_offer_word_in_another_form_names_the_offer() -> None:
    """ "m'abonne" is a form of "abonnement": the button names the offer, and the pitch goes
    with it from a page and from a dump."""
    pitch, button = "Offre découverte : 1 € le premier mois", "Je m'abonne"
    prose = PROSE["fr"]
    dump = scrape.clean_text(_dump([prose[0], f"{pitch}\n{button}", *prose[1:]]), config=CONFIG, explain=True)
    box = f"<div class='kx'><p>{html.escape(pitch)}</p><a href='/o?x=1'>{html.escape(button)}</a></div>"
    page = scrape.clean_html(_page(_p(prose[0]) + box + "".join(map(_p, prose[1:]))), config=CONFIG, explain=True)
    _assert_gone("fr", dump, [pitch, button])
    _assert_gone("fr", page, [pitch, button])


@pytest.mark.parametrize(("lang", "label", "ui"), [
    ("en", "Advertisement", "What is this ad?"),
    ("de", "Anzeige", "Werbefrei weiterlesen"),
    ("es", "Publicidad", "Desplázate para seguir"),
])
def test_an_interface_line_or_a_question_about_the_ad_goes_beside_the_ad(lang: str, label: str, ui: str) -> None:
    dump, page = _beside_an_ad_slot(lang, label, ui)
    _assert_gone(lang, dump, [label, ui])
    _assert_gone(lang, page, [label, ui])


def test_a_question_beside_an_ad_that_does_not_name_it_stays() -> None:
    question = "What happens to the harbour now?"
    lines = [PROSE["en"][0], f"Advertisement\n{question}", *PROSE["en"][1:]]
    dump = scrape.clean_text(_dump(lines), config=CONFIG)
    assert question in dump.text
