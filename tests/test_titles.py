"""Title candidates: which tails are the site's and go, and which are the headline's own."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scrape.metadata import PageMeta, read_metadata
from scrape.normalise import rank_titles, strip_site_tail


def test_a_tail_naming_the_site_goes_from_any_title():
    assert strip_site_tail("Council approves the water plan | Millbrook Press", ["Millbrook Press"],
                           known_only=True) == "Council approves the water plan"


def test_a_site_named_by_its_domain_and_a_date_after_it_both_go():
    title = "Harbour ferry returns after winter repairs | HP | 28.04.2023"
    assert strip_site_tail(title, ["HP.COM"], known_only=True) == "Harbour ferry returns after winter repairs"


def test_a_structured_headline_keeps_a_tail_that_is_not_the_site():
    title = "Setback in the title race - Rovers lose at the Dell"
    assert strip_site_tail(title, ["Sports Desk"], known_only=True) == title


def test_a_document_title_loses_any_short_tail():
    assert strip_site_tail("Harbour ferry returns after winter repairs - Local", ["Sports Desk"]) == \
        "Harbour ferry returns after winter repairs"


def test_the_on_page_headline_settles_a_tail():
    meta = PageMeta()
    meta.titles = ["Setback in the title race - Rovers lose at the Dell | Sports Desk"]
    meta.headline = "Setback in the title race - Rovers lose at the Dell"
    meta.document_title = "Setback in the title race - Rovers lose at the Dell | Sports Desk"
    meta.site_names = ["Sports Desk"]
    assert rank_titles(meta)[0] == "Setback in the title race - Rovers lose at the Dell"

    meta.titles = ["Setback in the title race - Rovers lose at the Dell"]
    assert rank_titles(meta)[0] == "Setback in the title race - Rovers lose at the Dell"
    assert rank_titles(meta)[-1] == "Setback in the title race - Rovers lose at the Dell"  # <title> loses the site


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
    meta = PageMeta()
    meta.titles = ["constitutional monarchy in Oceania"]  # the subject's description, as Wikipedia's JSON-LD has it
    meta.headline = "New Zealand"
    meta.document_title = "New Zealand - Wikipedia"
    assert rank_titles(meta)[0] == "New Zealand"
    meta.titles = ["New Zealand votes on its flag"]  # shares words: still the headline
    assert rank_titles(meta)[0] == "New Zealand votes on its flag"


def test_a_section_heading_the_title_begins_with_is_not_the_headline():
    html = ('<html><head><title>How to retire early so you can travel on your own schedule</title></head>'
            '<body><h1>Personal Finance</h1><p>Intro.</p><h2>How to retire early</h2><p>Steps.</p></body></html>')
    assert read_metadata(LexborHTMLParser(html)).headline == "Personal Finance"
