"""Noise found by shape, context and vocabulary, in every language (issue 20), one test group
per point of the issue: one matcher for pages and dumps; widgets by shape; calls to action
with their pitch; the ad-label grammar and interface vocabulary; the learned line scorer;
metadata in dumps in the languages of the lexicons. The fixture dumps are tested in
tests/test_dump_fixtures.py.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

import scrape
from scrape.clean.language import day_first, guess_language, read_numeric_dates
from scrape.clean.lines import filter_paragraphs
from scrape.clean.linescore import FEATURES
from scrape.clean.lineshape import ArticleWords
from scrape.config.model import default_line_model
from scrape.meta.bylines import parse_byline

CONFIG = scrape.default_config()
REPO = Path(__file__).resolve().parent.parent

PROSE = [
    "The council voted on Tuesday to repair the old harbour wall before the winter storms arrive in the town.",
    "Engineers said the wall had been damaged by three storms last year and could fail if it is not repaired soon.",
    "The repairs will cost the town about two million pounds, paid partly by a grant from the national government.",
    "Work on the harbour wall should begin in September and end before the first storms of the winter season.",
]


def _dump(lines: list[str], title: str = "Harbour wall to be repaired before winter") -> str:
    return title + "\n\n" + "\n\n".join(lines) + "\n"


def _rule_of(article: scrape.Article, text: str) -> str | None:
    return next((r.rule for r in article.removed if text[:40] in r.snippet), None)


# --- 1. One noise knowledge for both paths ---------------------------------------------------

SAME_NOISE = [
    ("Advertisement - story continues below", "ad-label"),
    ("STORY CONTINUES BELOW | ADVERTISEMENT", "ad-label"),
    ("Anzeige · Der Artikel geht unten weiter", "ad-label"),
    ("Publicité – la suite après", "ad-label"),
    ("Publicidad: el artículo sigue debajo", "ad-label"),
    ("Pubblicità - l'articolo continua sotto", "ad-label"),
    ("Reklama", "ad-label"),
    ("Link kopieren", "interface-line"),
    ("Copiar enlace", "interface-line"),
    ("Ascolta l'articolo", "interface-line"),
    ("12 Kommentare", "share-bar"),
    ("Temps de lecture : 4 min", "share-bar"),
    ("Mit einem Abo lesen Sie alle Artikel.", "membership-promo"),
    ("Inscrivez-vous à notre newsletter", "membership-promo"),
    ("LESEN SIE AUCH: Neue Brücke über den Kanal eröffnet", "related-line"),
]


def test_the_same_noise_goes_by_the_same_rule_from_a_dump_and_from_a_page():
    """Each string a rule takes as a line of a dump it takes as a block of a page, under the
    same rule's name (the config's RuleSet is the one matcher of both), and the reverse."""
    lines = []
    for i, (noise, _) in enumerate(SAME_NOISE):
        lines += [PROSE[i % len(PROSE)], noise]
    dump = scrape.clean_text(_dump(lines), config=CONFIG, explain=True)
    body = "".join(f"<p>{line}</p>" for line in lines)
    page = scrape.clean_html(f"<html><body><article><h1>Harbour wall to be repaired before winter</h1>{body}"
                             "</article></body></html>", config=CONFIG, explain=True)
    assert dump.text == page.text
    for noise, rule in SAME_NOISE:
        assert noise not in dump.text and noise not in page.text
        assert _rule_of(dump, noise) == rule, noise
        assert _rule_of(page, noise) == rule, noise


# --- 2. Widgets by shape ---------------------------------------------------------------------

TEASERS = ["Lighthouse keeper's cottage goes up for auction", "High school robotics team heads to national finals",
           "Farmers market moves to the old rail depot"]


def test_a_widget_under_a_heading_no_rule_knows_goes_with_its_heading():
    article = scrape.clean_text(_dump(PROSE[:2] + ["Worth your time", *TEASERS] + PROSE[2:]), explain=True)
    for line in ["Worth your time", *TEASERS]:
        assert line not in article.text
        assert _rule_of(article, line) == "widget-shape"
    assert article.text.split("\n\n") == PROSE


def test_a_run_of_teasers_below_the_article_needs_no_heading():
    article = scrape.clean_text(_dump(PROSE + TEASERS), explain=True)
    assert article.text.split("\n\n") == PROSE


@pytest.mark.parametrize("odd", [
    "Video shows the rescue of a lost hiker on the ridge:",  # a teaser cut before its colon
    "Rail strike called off. Talks go on.",  # a headline written as two sentences
])
def test_a_teaser_ending_a_clause_inside_a_widget_run_goes_with_the_run(odd):
    widget = ["Most read", odd, *TEASERS]
    article = scrape.clean_text(_dump(PROSE[:2] + widget + PROSE[2:]), explain=True)
    for line in widget:
        assert line not in article.text
    assert article.text.split("\n\n") == PROSE


def _block_dump(paragraphs: list[str], block: list[str], at: int = 2) -> str:
    """A dump whose paragraphs are parted by blank lines, with `block` set as one list."""
    return _dump(paragraphs[:at] + ["\n".join(block)] + paragraphs[at:])


def test_a_widget_headings_list_set_in_its_block_goes_whatever_each_lines_shape():
    """Set under the heading with no blank line between, the list is the widget's: a teaser
    written as a sentence ("... in the cold in N.Y.C.") and one sharing words with the
    article ("storms", "harbour") go too, which as loose lines they would not."""
    widget = ["Most read", TEASERS[0], "Winter storms close the town's harbour for a week", *TEASERS[1:],
              "Hikers rescued from the ridge after two nights in the cold in N.Y.C."]
    article = scrape.clean_text(_block_dump(PROSE, widget), explain=True)
    for line in widget:
        assert line not in article.text
    assert article.text.split("\n\n") == PROSE


def test_a_list_in_its_block_that_shares_the_articles_words_stays():
    items = ["Repairs to the harbour wall before the storms", "A grant from the national government for the town",
             "New engineers for the winter repairs"]
    article = scrape.clean_text(_block_dump(PROSE, ["Related stories", *items]))
    for item in items:
        assert item in article.text


def test_a_teaser_that_reads_as_prose_does_not_share_its_words_with_itself():
    """A line ending in a full stop is read as prose, so its words are among the article's:
    how much it shares with the article counts only the rest of the prose."""
    teaser = "Manhole fires and burst pipes wreak havoc under the city streets every winter."
    words = ArticleWords.of([*PROSE, teaser])
    assert words.relatedness(teaser) == 1.0
    assert words.relatedness_apart(teaser) < 0.3
    assert words.relatedness_apart(PROSE[0]) > 0.5  # the article's own lines share with the rest


def test_a_subheading_after_a_widget_run_stays_with_its_prose():
    lines = PROSE[:2] + ["Most read", *TEASERS, "Storms damaged the harbour wall"] + PROSE[2:]
    article = scrape.clean_text(_dump(lines))
    assert article.text.split("\n\n") == PROSE[:2] + ["Storms damaged the harbour wall"] + PROSE[2:]


def test_a_list_introduced_by_a_sentence_ending_in_a_colon_stays():
    items = ["Lighthouse keeper's cottage", "High school robotics team", "Farmers market stall holders"]
    lines = PROSE[:2] + ["The grant will also pay for three local causes:", *items] + PROSE[2:]
    article = scrape.clean_text(_dump(lines))
    assert article.text.split("\n\n") == lines


def test_a_list_that_shares_the_articles_words_stays():
    items = ["Repairs to the harbour wall before the storms", "A grant from the national government for the town",
             "New engineers for the winter repairs"]
    lines = PROSE[:2] + ["What the council decided", *items] + PROSE[2:]
    article = scrape.clean_text(_dump(lines))
    assert article.text.split("\n\n") == lines


def test_a_subheading_between_paragraphs_stays():
    lines = PROSE[:2] + ["Storms damaged the harbour wall"] + PROSE[2:]
    assert scrape.clean_text(_dump(lines)).text.split("\n\n") == lines


# --- 3. Calls to action go with their promo --------------------------------------------------

def test_a_button_beside_a_pitch_goes_with_it():
    article = scrape.clean_text(_dump(PROSE + ["Mit einem Abo lesen Sie alle Artikel.", "Zum Angebot"]), explain=True)
    assert _rule_of(article, "Mit einem Abo") == "membership-promo"
    assert _rule_of(article, "Zum Angebot") == "call-to-action"
    assert article.text.split("\n\n") == PROSE


def test_a_short_line_beside_an_ad_label_or_about_the_article_is_no_button():
    lines = PROSE[:2] + ["Advertisement", "Storm damage", *PROSE[2:], "Mit einem Abo lesen Sie alle Artikel.",
                         "Harbour repairs"]
    text = scrape.clean_text(_dump(lines)).text
    assert "Storm damage" in text  # beside an ad label, not a pitch
    assert "Harbour repairs" in text  # beside a pitch, but about the article


# --- 4. The ad-label grammar and the vocabulary of interfaces --------------------------------

@pytest.mark.parametrize("text", [
    "Advertisement - story continues below",
    "story continues below — ADVERTISEMENT",
    "Advertisement: scroll to continue",
    "Article continues after this ad",
    "- Anzeige -",
    "ANZEIGE | WEITERLESEN UNTEN",
    "Werbung schließen",
    "Publicité · La suite ci-dessous",
    "La suite après cette publicité",
    "PUBLICIDAD · CONTINÚA DEBAJO",
    "Pubblicità. L'articolo continua dopo",
    "Reklama",
    "Advertentie",
])
def test_the_ad_label_grammar_takes_labels_and_continuations_in_any_order(text):
    rule = CONFIG.line_rules.match(text)
    assert rule is not None and rule.name == "ad-label"


@pytest.mark.parametrize("text, rule", [
    ("Artikel merken", "interface-line"),
    ("Drucken", "interface-line"),
    ("Partager sur Facebook", "share-bar"),
    ("Guardar artículo", "interface-line"),
    ("Salva l'articolo", "interface-line"),
    ("Link delen", "interface-line"),
    ("Udostępnij", "interface-line"),
    ("Lesezeit: 4 Min.", "share-bar"),
    ("5 min read", "share-bar"),
    ("Tiempo de lectura: 3 minutos", "share-bar"),
    ("137 commenti", "share-bar"),
    ("12 comments", "share-bar"),
])
def test_interface_lines_are_read_by_their_vocabulary(text, rule):
    found = CONFIG.line_rules.match(text)
    assert found is not None and found.name == rule


@pytest.mark.parametrize("text", [
    "The advertisement campaign cost the party more than it raised.",
    "Die Anzeige wurde gestern bei der Polizei erstattet.",
    "La publicité ciblée est interdite pour les mineurs.",
    "Share prices fell sharply on Tuesday.",
    "Storm damage",
    "Copy editors read every line twice.",
])
def test_prose_with_interface_words_is_not_noise(text):
    assert CONFIG.line_rules.match(text) is None
    assert CONFIG.heading_rules.match(text) is None


# --- 5. The learned line scorer --------------------------------------------------------------

def test_the_shipped_model_reads_the_features_the_code_computes():
    model = default_line_model()
    assert model.features == FEATURES
    assert 0.5 <= model.threshold < 1.0
    trained = json.loads((REPO / "scrape" / "config" / "line_model.json").read_text("utf-8"))
    assert trained["trained_on"]["noise bank half"] == "A" and trained["trained_on"]["left out"] == "zyte"


def test_explain_names_the_scorer_and_its_score():
    pitch = "Sostieni il giornalismo locale con un abbonamento digitale"
    assert CONFIG.line_rules.match(pitch) is None  # no rule knows it
    italian = [
        "Dal prossimo giugno tornerà il treno notturno diretto tra Milano e Palermo, soppresso quattro anni fa.",
        "Il viaggio durerà circa diciannove ore, con fermate a Bologna, Roma e Napoli, e costerà poco.",
        "Le associazioni dei pendolari hanno accolto la notizia con favore, ma chiedono corse quotidiane.",
    ]
    article = scrape.clean_text(_dump([*italian, pitch], "Torna il treno notturno"), explain=True)
    rule = _rule_of(article, pitch)
    assert rule is not None and rule.startswith("line-scorer ")
    assert float(rule.split()[1]) >= default_line_model().threshold


def test_the_scorer_never_takes_prose_nor_a_byline():
    """Even a scorer that finds everything noise leaves prose and bylines to the rest."""
    eager = dataclasses.replace(default_line_model(), threshold=1e-9)
    lines = [*PROSE[:2], "By Jane Carter | March 5, 2024", "Storm damage", *PROSE[2:]]
    result = filter_paragraphs(lines, CONFIG.line_rules, CONFIG.heading_rules, text_dump=True, line_model=eager)
    assert result.paragraphs == PROSE
    assert [b.authors for b in result.bylines] == [("Jane Carter",)]
    assert [r.rule.split()[0] for r in result.removed if "Storm" in r.snippet] == ["line-scorer"]


def test_the_training_script_refuses_the_held_out_half(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import dress
        import train_lines
    finally:
        sys.path.remove(str(REPO / "bench"))
    held_out = dress.load_bank().select(half="B")[0]
    folder = tmp_path / "A"
    folder.mkdir()
    (folder / "item.json").write_text(json.dumps({
        "id": "fundus-dev/x", "title": "T", "paragraphs": [], "noise": [
            {"category": held_out.category, "role": held_out.role, "family": held_out.family_id, "text": "x"}]}))
    (folder / "item.txt").write_text("T\n\nx\n")
    with pytest.raises(SystemExit) as stopped:
        train_lines.main([str(tmp_path), str(tmp_path), "--out", str(tmp_path / "model.json")])
    assert "held-out" in str(stopped.value)
    assert not (tmp_path / "model.json").exists()


# --- 6. Metadata in dumps in every language of the lexicons ----------------------------------

LANGUAGE_SAMPLES = [
    ("en", "The council said on Tuesday that the work would start in the spring and that it would last for about "
           "two years, which is longer than the residents had been told when the plan was first made public."),
    ("de", "Der Stadtrat hat am Dienstag beschlossen, dass die Arbeiten im Frühjahr beginnen und etwa zwei Jahre "
           "dauern sollen, was länger ist, als den Anwohnern bei der Vorstellung des Plans gesagt wurde."),
    ("fr", "Le conseil a annoncé mardi que les travaux commenceraient au printemps et qu'ils dureraient environ "
           "deux ans, ce qui est plus long que ce qui avait été dit aux habitants lors de la présentation du projet."),
    ("es", "El ayuntamiento anunció el martes que las obras comenzarán en primavera y que durarán unos dos años, "
           "lo que es más de lo que se había dicho a los vecinos cuando se presentó el proyecto por primera vez."),
    ("it", "Il consiglio ha annunciato martedì che i lavori inizieranno in primavera e che dureranno circa due "
           "anni, più di quanto era stato detto ai residenti quando il progetto è stato presentato per la prima volta."),
    ("pt", "A câmara anunciou na terça-feira que as obras vão começar na primavera e que vão durar cerca de dois "
           "anos, mais do que tinha sido dito aos moradores quando o projeto foi apresentado pela primeira vez."),
    ("nl", "De gemeenteraad heeft dinsdag besloten dat de werkzaamheden in het voorjaar beginnen en ongeveer twee "
           "jaar duren, wat langer is dan de bewoners werd verteld toen het plan voor het eerst werd gepresenteerd."),
    ("pl", "Rada miasta ogłosiła we wtorek, że prace rozpoczną się wiosną i potrwają około dwóch lat, czyli dłużej, "
           "niż mówiono mieszkańcom, gdy projekt został po raz pierwszy przedstawiony i omówiony na sesji."),
]
SAMPLE = dict(LANGUAGE_SAMPLES)


@pytest.mark.parametrize("language, text", LANGUAGE_SAMPLES)
def test_a_dumps_language_is_told_by_its_stopwords(language, text):
    assert guess_language(text) == language


def test_too_little_text_names_no_language():
    assert guess_language("Harbour wall") is None


@pytest.mark.parametrize("text, language, iso", [
    ("06/01/2026 à 14:16", "fr", "2026-01-06 à 14:16"),
    ("06/01/2026", "en", "2026-06-01"),
    ("05.11.2025, 17:09 Uhr", "en", "2025-11-05, 17:09 Uhr"),  # dots are day first everywhere
    ("13/01/2026", "en", "2026-01-13"),  # a number over 12 is the day
    ("27/07/24 - 06:12 h", "es", "2024-07-27 - 06:12 h"),
])
def test_numeric_dates_are_read_in_the_languages_order(text, language, iso):
    assert read_numeric_dates(text, day_first(language)) == iso


def test_numeric_dates_are_left_alone_when_no_language_is_known():
    assert read_numeric_dates("06/01/2026", day_first(None)) == "06/01/2026"


@pytest.mark.parametrize("language, byline, authors, published", [
    ("es", "Por Ana Gil, 5 de marzo de 2024", ("Ana Gil",), "2024-03-05"),
    ("it", "di Marco Rossi - 5 marzo 2024 ore 10:20", ("Marco Rossi",), "2024-03-05T10:20:00"),
    ("de", "Von Anna Weber, 05.03.2024, 14:26 Uhr", ("Anna Weber",), "2024-03-05T14:26:00"),
    ("fr", "Par Jean Dupont, publié le 06/03/2024 à 10h20", ("Jean Dupont",), "2024-03-06T10:20:00"),
    ("es", "Lucía Ferrer · 05/03/2024 · 19:06 h", ("Lucía Ferrer",), "2024-03-05T19:06:00"),
    ("de", "Ein Kommentar von Anna Weber | 3. März 2024", ("Anna Weber",), "2024-03-03"),
    ("en", "Posted 03/05/2024 by Jane Carter", ("Jane Carter",), "2024-03-05"),
    ("pt", "Por Ana Souza | 07/03/2024 às 14h30", ("Ana Souza",), "2024-03-07T14:30:00"),
])
def test_bylines_in_each_languages_shapes(language, byline, authors, published):
    article = _read_byline(language, byline, authors, published)
    assert article.language == language


def _read_byline(language, byline, authors, published):
    """A dump led by the byline, in the language's sample text: the byline's authors and
    date are read, and the line leaves the text."""
    article = scrape.clean_text(_dump([byline, SAMPLE[language], SAMPLE[language]]))
    assert article.authors == authors
    assert article.published == published
    assert byline not in article.text
    return article


def test_a_date_on_its_own_line_beside_the_byline():
    article = scrape.clean_text(_dump(["Von Anna Weber", "05.03.2024, 14:26 Uhr", SAMPLE["de"]]))
    assert article.authors == ("Anna Weber",)
    assert article.published == "2024-03-05T14:26:00"
    assert article.text == SAMPLE["de"]


# --- read-also lines by their shape: label, separator, another story's headline ---------------

OTHER_STORY = "Ferry timetable cut as fuel costs climb again"


@pytest.mark.parametrize("line", [
    f"► {OTHER_STORY}",  # a mere arrow for a label
    f"[Worth a look] {OTHER_STORY}",  # a bracketed label
    f"{OTHER_STORY} (read more)",  # reading words after the headline
    f"{OTHER_STORY} »",
    f"More · {OTHER_STORY}",  # a middle dot for a separator
    f"Ebenfalls spannend für Sie: {OTHER_STORY}",  # a label of five words
])
def test_a_read_also_line_goes_whatever_its_label_and_separator(line):
    article = scrape.clean_text(_dump(PROSE[:2] + [line] + PROSE[2:]), explain=True)
    assert article.text.split("\n\n") == PROSE, line
    assert _rule_of(article, line) == "read-also-shape"


def test_a_read_also_label_may_share_a_word_the_article_uses_once():
    """Short stems meet by chance ("Stories" and "storms"): only a word the article uses again
    and again makes a label a subheading of its own."""
    line = f"More stories from the coast: {OTHER_STORY}"
    article = scrape.clean_text(_dump(PROSE[:2] + [line] + PROSE[2:]), explain=True)
    assert article.text.split("\n\n") == PROSE


@pytest.mark.parametrize("line", [
    "June 10 – Tampa, FL @ Credit Union Amphitheatre",  # a date and a place: a label has no figures
    "- Star Trek: The Next Generation in forty hours",  # an item of a list
    "The harbour wall: Engineers inspect the storm damage",  # a subheading about the story
])
def test_lines_shaped_like_a_label_and_a_headline_that_are_the_articles_stay(line):
    lines = PROSE[:2] + [line] + PROSE[2:]
    assert scrape.clean_text(_dump(lines)).text.split("\n\n") == lines


def test_a_question_after_a_speakers_label_is_an_interviews():
    lines = PROSE[:2] + ["Q: What did the engineers find first?", "Cracks all along the old harbour wall."] + PROSE[2:]
    assert scrape.clean_text(_dump(lines)).text.split("\n\n") == lines


@pytest.mark.parametrize(("pitch", "button"), [
    ("The best of our journalism, in your inbox every Friday", "Count me in"),
    ("Recevez chaque matin l'essentiel de l'actualité", "Je m'inscris"),
])
def test_the_button_set_under_a_pitch_the_scorer_took_goes_with_it(pitch, button):
    """The scorer weighs the button beside its pitch; once the pitch is gone it sits between
    prose lines, where it reads as nothing: set under the pitch in its block, it goes too."""
    article = scrape.clean_text(_dump(PROSE[:2] + [f"{pitch}\n{button}"] + PROSE[2:]), explain=True)
    assert article.text.split("\n\n") == PROSE
    assert _rule_of(article, button) == "call-to-action"


def test_a_short_line_under_a_prose_line_in_its_block_stays():
    lines = PROSE[:2] + [PROSE[2] + "\nThanks, Jonah"] + PROSE[3:]
    assert "Thanks, Jonah" in scrape.clean_text(_dump(lines)).text


@pytest.mark.parametrize(("language", "byline", "authors", "published"), [
    ("fr", "Actualisé le 30 avril 2024 à 16h00, par Denis Moreau", ("Denis Moreau",), "2024-04-30T16:00:00"),
    ("de", "Online gestellt am 3. März 2024 um 10:20 Uhr von Anna Weber", ("Anna Weber",), "2024-03-03T10:20:00"),
    ("es", "Subido el 3 de marzo de 2024 por Ana López", ("Ana López",), "2024-03-03"),
])
def test_a_byline_led_by_a_label_no_lexicon_holds(language, byline, authors, published):
    """A few words, a date, then "by" and full names: the words are the date's label."""
    _read_byline(language, byline, authors, published)


def test_a_sentence_with_a_date_and_by_is_no_byline():
    assert parse_byline("The storm hit on 3 March 2024 by Dover") is None
    assert parse_byline("The meeting on 3 March 2024 was opened by the mayor") is None


@pytest.mark.parametrize("line", [
    "Autres sujets du moment : Faut-il vraiment craindre une nouvelle hausse des loyers dans les grandes villes ?",
    "Also worth reading: Ferry operators across the north of the country cut their winter timetables again "
    "as fuel costs climb for a third month running",
])
def test_a_read_also_line_may_ask_a_question_or_print_a_long_headline(line):
    """A question long enough to read as prose, or a headline as long as an SEO title,
    after a label is still another story's (its words are weighed against the others')."""
    article = scrape.clean_text(_dump(PROSE[:2] + [line] + PROSE[2:]), explain=True)
    assert article.text.split("\n\n") == PROSE, line


def test_a_labelled_citation_with_a_link_stays():
    line = "Source: Harbour Trust annual report on the state of the wall, https://example.org/report-2024"
    lines = PROSE[:2] + [line] + PROSE[2:]
    assert scrape.clean_text(_dump(lines)).text.split("\n\n") == lines


def test_the_pitch_set_over_a_button_the_scorer_took_goes_with_it():
    pitch, button = "Jeden Abend die Geschichten des Tages.", "Kostenlos anmelden"
    article = scrape.clean_text(_dump([SAMPLE["de"], f"{pitch}\n{button}", SAMPLE["de"] + " Ende."]), explain=True)
    assert pitch not in article.text and button not in article.text
    assert _rule_of(article, pitch) == "pitch-shape"
