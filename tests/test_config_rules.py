"""Config validation and the built-in noise rules (scrape/defaults.toml)."""

import pickle
import time

import pytest

from scrape.config import default_config, load_config
from scrape.errors import ConfigError

RULES = default_config()


@pytest.mark.parametrize("text, rule", [
    ("Advertisement", "ad-label"),
    ("ADVERTISEMENT", "ad-label"),
    ("- Advertisement -", "ad-label"),
    ("Story continues below advertisement", "ad-label"),
    ("Anzeige", "ad-label"),
    ("Sponsored content", "ad-label"),
    ("Join the conversation as a VIP Member", "membership-promo"),
    ("Become a premium member today and get ad-free access", "membership-promo"),
    ("Sign up for our daily newsletter to get the news in your inbox", "membership-promo"),
    ("Members get the full script and our checklist. Become a member to download them.", "membership-promo"),
    ("Become a paying subscriber to keep reading", "membership-promo"),
    ("Share on Facebook | Tweet | Email", "share-bar"),
    ("Copy link", "share-bar"),
    ("Read more: Ten things to know about the budget", "related-line"),
    ("Lire aussi : La réforme des retraites", "related-line"),
    ("Copyright © 2024 Example Media. All rights reserved.", "legal-line"),
    ("Photo: Jane Roe / Reuters", "credit-line"),
])
def test_line_rules_take_noise(text, rule):
    found = RULES.line_rules.match(text)
    assert found is not None and found.name == rule


@pytest.mark.parametrize("text", [
    "Trending on HotAir Videos", "Most Read", "Related stories", "You may also like...",
    "More from The Gazette", "Recommended for you",
])
def test_heading_rules_take_widget_headings(text):
    found = RULES.heading_rules.match(text)
    assert found is not None and found.name == "trending-widget"


@pytest.mark.parametrize("text", [
    "The advertisement campaign cost the party more than it raised.",
    "Thanks to the new law, tenants can now challenge rent rises in court.",
    "Share prices fell sharply on Tuesday after the central bank's announcement.",
    "She said the membership of the club had doubled since the spring.",
    "To become a member of the union, a country must first meet the budget rules.",
    "Members get a vote on the new chair at the meeting in March.",
    "Related to this, the council will vote on the budget next week.",
    "Photographers gathered outside the court before dawn.",
])
def test_prose_is_not_noise(text):
    assert RULES.line_rules.match(text) is None
    assert RULES.heading_rules.match(text) is None


@pytest.mark.parametrize("sample", [
    "a" * 5000, "a " * 2500, "a:" * 2500, "share " * 1000, "Share | " * 600, "é" * 5000,
    "www." + "a" * 5000, "http://" + "a/" * 2500, ("word " * 40 + ". ") * 30,
])
def test_no_rule_backtracks_on_pathological_text(sample):
    # Every pattern alone, whatever max_words says: a rule that backtracks catastrophically
    # takes seconds to minutes here; a sound one, microseconds.
    for rule in RULES.rules:
        if rule.kind == "selector":
            continue
        started = time.perf_counter()
        rule.regex.fullmatch(sample)
        assert time.perf_counter() - started < 0.5, f"rule {rule.name} is slow on {sample[:20]!r}"


def test_unknown_key_is_an_error_that_names_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[crawl]\nconcurency = 4\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "crawl.concurency"
    assert "crawl.concurency" in str(caught.value)


@pytest.mark.parametrize("text, key", [
    ("[clean]\nmin_words = 'ten'\n", "clean.min_words"),
    ("[clean]\nextractor = 'fastest'\n", "clean.extractor"),
    ("[[site]]\ndomain = 'a.example'\ntimezone = 'Mars/Olympus'\n", "site 'a.example'.timezone"),
    ("[[rule]]\nname = 'x'\nkind = 'line'\npatterns = ['(unclosed']\n", "rule 'x'.patterns"),
    ("[[rule]]\nname = 'x'\nkind = 'sideways'\npatterns = []\n", "rule 'x'.kind"),
    ("[[source]]\nurl = 'https://a.example/'\ntype = 'ftp'\n", "source 'https://a.example/'.type"),
    ("[surprise]\n", "surprise"),
])
def test_bad_values_name_their_key(tmp_path, text, key):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert key in str(caught.value)


def test_user_rules_add_to_builtins_and_can_replace_them(tmp_path):
    path = tmp_path / "config.toml"
    rule = "[[rule]]\nname = 'podcast'\nkind = 'line'\npatterns = ['listen to our podcast.*']\n"
    path.write_text(rule)
    config = load_config(path)
    assert config.line_rules.match("Listen to our podcast on Fridays").name == "podcast"
    assert config.line_rules.match("Advertisement").name == "ad-label"
    path.write_text("[clean]\nbuiltin_rules = false\n" + rule)
    config = load_config(path)
    assert config.line_rules.match("Advertisement") is None
    assert config.line_rules.match("Listen to our podcast on Fridays") is not None


def test_site_rule_applies_to_subdomains_only():
    from scrape.config import SiteRule

    site = SiteRule(domain="hotair.com", timezone="America/New_York")
    assert site.applies_to("https://hotair.com/a") and site.applies_to("https://www.hotair.com/a")
    assert not site.applies_to("https://nothotair.com/a") and not site.applies_to(None)


def test_config_survives_pickling_for_worker_processes():
    config = load_config("config.toml")
    config.line_rules.match("Advertisement")  # compile and memoise before pickling
    copy = pickle.loads(pickle.dumps(config))
    assert copy.line_rules.match("Advertisement").name == "ad-label"
    assert copy.sites == config.sites


def _naive_match(rules, text):
    """The reference: every rule in order, every pattern, no prefilter and no memo."""
    return next((r for r in rules if r.matches(text)), None)


def test_prefiltered_matching_agrees_with_trying_every_rule():
    from pathlib import Path

    fixtures = Path(__file__).parent.parent / "fixtures"
    lines = {
        " ".join(line.split())
        for path in list(fixtures.glob("**/*.txt")) + list(fixtures.glob("**/*.expected.json"))
        for line in path.read_text("utf-8").replace('"', "\n").splitlines()
        if line.strip()
    }
    lines |= {"Advertisement", "ABONNIEREN Sie jetzt", "Read more: x", "© 2024 Example", "Share | Tweet",
              "Gift this article", "3 comments", "Paid subscribers also get the archive"}
    for kind, ruleset in (("line", RULES.line_rules), ("heading", RULES.heading_rules)):
        rules = RULES.rules_of(kind)
        for text in lines:
            assert ruleset.match(text) == _naive_match(rules, text), (kind, text)


def test_literal_hints_are_required_words():
    from scrape.config.rules import literal_hints

    assert literal_hints(r".{0,120}\b(jetzt )?(abonnieren|abonnent werden)\b.{0,120}") == {"abonn"}
    hints = literal_hints(r"(subscribe|sign up) now")
    assert all(any(h in text for h in hints) for text in ("subscribe now", "sign up now"))
    assert not any(h in "the council voted" for h in hints)
    assert literal_hints(r"a?b?") is None  # nothing is required
    assert literal_hints(r"(x|yz)") is None  # too short to filter anything
