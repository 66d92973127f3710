"""Title candidates: which tails are the site's and go, and which are the headline's own."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scrape.meta.candidates import PageMeta, read_metadata
from scrape.meta.normalise import rank_titles
from scrape.meta.titles import TitleCandidate, choose_titles, strip_site_tail


def test_a_tail_naming_the_site_goes_from_any_title():
    assert strip_site_tail("Council approves the water plan | Millbrook Press", ["Millbrook Press"]) == \
        "Council approves the water plan"


def test_a_site_named_by_its_domain_and_a_date_after_it_both_go():
    title = "Harbour ferry returns after winter repairs | HP | 28.04.2023"
    assert strip_site_tail(title, ["HP.COM"]) == "Harbour ferry returns after winter repairs"


def test_a_structured_headline_keeps_a_tail_that_is_not_the_site():
    title = "Setback in the title race - Rovers lose at the Dell"
    assert strip_site_tail(title, ["Sports Desk"]) == title


def test_a_document_title_no_other_source_agrees_with_loses_any_short_tail():
    alone = [TitleCandidate("title", "Harbour ferry returns after winter repairs - Local")]
    assert choose_titles(alone, ["Sports Desk"])[0] == "Harbour ferry returns after winter repairs"


def test_the_on_page_headline_settles_a_tail():
    meta = PageMeta()
    meta.titles = [TitleCandidate("json-ld", "Setback in the title race - Rovers lose at the Dell | Sports Desk")]
    meta.headline = "Setback in the title race - Rovers lose at the Dell"
    meta.document_title = "Setback in the title race - Rovers lose at the Dell | Sports Desk"
    meta.site_names = ["Sports Desk"]
    assert rank_titles(meta)[0] == "Setback in the title race - Rovers lose at the Dell"

    meta.titles = [TitleCandidate("json-ld", "Setback in the title race - Rovers lose at the Dell")]
    assert rank_titles(meta) == ["Setback in the title race - Rovers lose at the Dell"]  # <title> loses the site


def test_a_heading_the_document_title_repeats_beats_a_section_h1():
    html = ('<html><head><title>Toddlers Who Eat Peanuts Early May Avoid Allergy</title></head><body>'
            '<h1>Allergies Health Center</h1><h2>Tools and Resources</h2>'
            '<h2>Toddlers Who Eat Peanuts Early May Avoid Allergy</h2><p>Text.</p></body></html>')
    assert read_metadata(LexborHTMLParser(html)).headline == "Toddlers Who Eat Peanuts Early May Avoid Allergy"


def test_an_h1_the_document_title_repeats_stays():
    html = ('<html><head><title>Harbour ferry returns - Millbrook Press</title></head><body>'
            '<h1>Harbour ferry returns</h1><h2>Harbour ferry returns after winter repairs</h2></body></html>')
    assert read_metadata(LexborHTMLParser(html)).headline == "Harbour ferry returns"


def test_a_structured_title_unlike_the_agreeing_h1_and_title_gives_way():
    # The subject's description, as Wikipedia's JSON-LD has it: the h1 and <title> agree.
    meta = _meta(["constitutional monarchy in Oceania"], "New Zealand", "New Zealand - Wikipedia")
    assert rank_titles(meta)[0] == "New Zealand"


def test_a_section_heading_the_title_begins_with_is_not_the_headline():
    html = ('<html><head><title>How to retire early so you can travel on your own schedule</title></head>'
            '<body><h1>Personal Finance</h1><p>Intro.</p><h2>How to retire early</h2><p>Steps.</p></body></html>')
    assert read_metadata(LexborHTMLParser(html)).headline == "Personal Finance"


def _meta(titles, headline, document_title, sites=()):
    """A page's candidates; a title given as a bare string is JSON-LD's."""
    meta = PageMeta()
    meta.titles = [t if isinstance(t, TitleCandidate) else TitleCandidate("json-ld", t) for t in titles]
    meta.headline, meta.document_title, meta.site_names = headline, document_title, list(sites)
    return meta


def test_a_structured_title_cut_short_gives_way_to_the_whole_h1():
    h1 = "Hunter diagnosed with plague after eating a rabbit, the third case this year"
    meta = _meta(["Hunter diagnosed with plague after eating a rabbit, the third"], h1, f"{h1} – The Sun")
    assert rank_titles(meta)[0] == h1


def test_the_h1_keeps_its_own_quotes():
    h1 = "Business Focus: It’s Why Some People Triumph Online"
    assert rank_titles(_meta(["Business Focus: It's Why Some People Triumph Online"], h1, h1))[0] == h1


def test_a_one_word_section_label_around_the_h1_goes():
    h1 = "Republicans Are Following Trump to Nowhere"
    assert rank_titles(_meta([f"Opinion | {h1}"], h1, f"Opinion | {h1} - The Times"))[0] == h1
    h1 = "The view on Hong Kong: a city on the brink"
    assert rank_titles(_meta([f"{h1} | Editorial"], h1, f"{h1} | Editorial | Opinion"))[0] == h1
    # A kicker of several words is the headline's own (fundus-dev's parsers keep it).
    kicked = "Setback in the title race - Rovers lose at the Dell"
    assert rank_titles(_meta([kicked], "Rovers lose at the Dell", kicked))[0] == kicked


def test_a_logo_h1_gives_way_to_the_document_title_when_there_is_no_structured_title():
    meta = _meta([], "엔터 미디어", "악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미 - Entermedia")
    assert rank_titles(meta)[0] == "악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미"
    # A <title> that is only the site's name is not a headline: the h1 stays.
    assert rank_titles(_meta([], "Harbour ferry returns", "Millbrook Press"))[0] == "Harbour ferry returns"


def test_a_section_label_h1_is_learnt_as_an_affix_of_the_document_title():
    meta = _meta([], "Politik", "Das alte Hallenbad schließt im Herbst | Politik | Lakeside Echo")
    assert rank_titles(meta)[0] == "Das alte Hallenbad schließt im Herbst"


def test_the_title_most_sources_agree_on_wins_over_the_structured_one():
    h1 = "Ferry decision put off as harbour board asks for more time"
    meta = _meta([TitleCandidate("json-ld", "Harbour board delays ferry decision again"),
                  TitleCandidate("og", f"{h1} – Millbrook Courier")], h1, f"{h1} – Millbrook Courier")
    assert rank_titles(meta)[0] == h1  # og:title and <title> lose the tail <title> adds to the h1


def test_a_url_slug_is_never_a_title():
    meta = _meta([TitleCandidate("json-ld", "ferry-decision-put-off")], None, "Ferry decision put off again")
    assert rank_titles(meta) == ["Ferry decision put off again"]
