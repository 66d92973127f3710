"""Title candidates: which tails are the site's and go, and which are the headline's own."""

from __future__ import annotations

from scrape.metadata import PageMeta
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
