"""The noise benchmark's own checks (bench/noise.py, bench/dress.py, bench/noise_bank/).

The wording bank loads and is split properly (every category in both halves, no phrasing in
both halves, the issue's minimum counts), dressing is deterministic, and every planted string
really is in the dressed dump and page (and never in the body), so that "left" means left.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

import lxml.html
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


dress = _load("dress")
noise = _load("noise")
BANK = dress.load_bank()
MINIMUM = {"en": 150, "de": 150, "es": 50, "it": 50, "fr": 50}

PARAGRAPHS = (
    "The city council voted on Tuesday to extend the night bus service to the eastern suburbs, "
    "after months of complaints from shift workers.",
    "Officials said the new routes would start in the spring and cost about two million a year.",
    "Several members raised concerns about the budget, but the measure passed by a wide margin.",
    "Transport groups welcomed the decision and asked for more frequent services on weekends.",
    "The mayor called the vote a first step and promised a review of fares later in the year.",
)
HEADLINES = [
    "Harbour bridge reopens after six weeks of repairs",
    "Local bakery wins national prize for its sourdough",
    "School board approves new science curriculum for autumn",
    "Storm warning issued for the coast on Friday night",
    "Museum opens exhibition of early photographs of the valley",
    "Football club names former captain as new head coach",
    "Hospital extends visiting hours on the children's ward",
    "Farmers report record apple harvest despite dry summer",
]


def _story(lang: str = "en", **kw) -> dress.Story:
    base = dict(id=f"test/{lang}", lang=lang, title="Night buses to reach the eastern suburbs",
                paragraphs=PARAGRAPHS, authors=("Jane Doe", "John Smith"),
                published="2024-03-03T10:15:00+01:00", url="https://example.org/news/night-buses")
    base.update(kw)
    return dress.Story(**base)


def _page_text(page: str) -> str:
    doc = lxml.html.fromstring(page)
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    return dress.norm(doc.text_content())


def _items(lang: str = "en", n: int = 12):
    out = []
    for half in dress.HALVES:
        for seed in range(n):
            site = dress.make_site(BANK, lang, half, "Example Post", "example.org", seed)
            out.append(dress.dress(_story(lang), site, HEADLINES, seed))
    return out


# ---------------------------------------------------------------------------- the bank

def test_bank_counts_meet_the_minimums():
    for lang, minimum in MINIMUM.items():
        count = len(BANK.select(lang=lang))
        assert count >= minimum, f"{lang}: {count} wordings, want at least {minimum}"


@pytest.mark.parametrize("lang", dress.LANGS)
def test_every_category_has_wordings_in_both_halves(lang):
    for category in dress.CATEGORIES:
        halves = {w.half for w in BANK.select(lang=lang, category=category)}
        assert halves == {"A", "B"}, f"{lang}/{category}: halves {sorted(halves)}"


def test_no_family_straddles_halves_and_no_phrasing_is_in_two_families():
    family_half: dict[str, set[str]] = defaultdict(set)
    phrasing_family: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w in BANK.wordings:
        family_half[w.family_id].add(w.half)
        phrasing_family[(w.lang, dress.phrasing_key(w.text))].add(w.family_id)
    assert {f: h for f, h in family_half.items() if len(h) > 1} == {}
    assert {k: f for k, f in phrasing_family.items() if len(f) > 1} == {}


def test_phrasing_key_sees_recased_and_repunctuated_variants_as_one():
    assert dress.phrasing_key("READ MORE: {headline}") == dress.phrasing_key("Read more » {headline}")
    assert dress.phrasing_key("- Advertisement -") == dress.phrasing_key("ADVERTISEMENT")
    assert dress.phrasing_key("{n} comments") != dress.phrasing_key("Comments ({n})")


def test_a_malformed_bank_is_refused(tmp_path):
    (tmp_path / "en.toml").write_text(
        'lang = "en"\nad = [{family = "x", half = "C", role = "label", texts = ["Advertisement"]}]\n', "utf-8")
    with pytest.raises(ValueError, match="half"):
        dress.load_bank(tmp_path)
    (tmp_path / "en.toml").write_text(
        'lang = "en"\nreadalso = [{family = "x", half = "A", role = "label", texts = ["Read more"]}]\n', "utf-8")
    with pytest.raises(ValueError, match="headline"):
        dress.load_bank(tmp_path)


# ---------------------------------------------------------------------------- dressing

def test_dressing_is_deterministic():
    site = dress.make_site(BANK, "de", "A", "Beispiel", "beispiel.de", 7)
    one = dress.dress(_story("de"), site, HEADLINES, 7)
    again = dress.dress(_story("de"), dress.make_site(BANK, "de", "A", "Beispiel", "beispiel.de", 7), HEADLINES, 7)
    assert (one.dump.encode(), one.page.encode()) == (again.dump.encode(), again.page.encode())
    other = dress.dress(_story("de"), dress.make_site(BANK, "de", "A", "Beispiel", "beispiel.de", 8), HEADLINES, 8)
    assert other.page != one.page


@pytest.mark.parametrize("lang", dress.LANGS)
def test_every_planted_string_is_in_the_dump_and_the_page_and_not_in_the_body(lang):
    body = dress.norm(" ".join(PARAGRAPHS))
    for item in _items(lang, 6):
        dump, page = dress.norm(item.dump), _page_text(item.page)
        assert item.noise, "nothing planted"
        for n in item.noise:
            for check in n.checks:
                assert dress.norm(check) in dump, (item.seed, n)
                assert dress.norm(check) in page, (item.seed, n)
                assert not dress.find(check, body), (item.seed, n)
        for p in PARAGRAPHS:  # the body survives dressing intact
            assert dress.norm(p) in dump and dress.norm(p) in page


def test_each_item_plants_every_category_and_uses_only_its_half():
    for item in _items("en", 10):
        categories = {n.category for n in item.noise}
        assert categories == set(dress.CATEGORIES), (item.seed, categories)
        halves = {w.half for w in item.site.wordings.values()}
        assert halves == {item.site.half}


def test_a_wording_found_in_the_body_is_not_planted():
    site = dress.make_site(BANK, "en", "A", "Example Post", "example.org", 3)
    label = site.wordings["ad_label"].text
    story = _story(paragraphs=PARAGRAPHS + (f"Readers saw the word {label} printed on the page.",))
    item = dress.dress(story, site, HEADLINES, 3)
    assert label not in {n.text for n in item.noise}
    assert any(label in c for c in item.collisions)


def test_class_names_are_invented():
    known = ("ad", "related", "share", "social", "comment", "newsletter", "subscribe", "promo",
             "sponsor", "widget", "sidebar", "footer", "header", "nav", "menu", "byline", "author",
             "teaser", "popular", "trending", "recommend", "banner", "article", "content")
    for item in _items("en", 8):
        for cls in re.findall(r'class="([^"]+)"', item.page):
            assert not any(k in cls.lower() for k in known), cls


def test_byline_carries_the_truth():
    story = _story("fr", authors=("Jean Dupont",), published="2024-04-03T10:20:00+02:00")
    for seed in range(6):
        site = dress.make_site(BANK, "fr", "A", "Exemple", "exemple.fr", seed)
        item = dress.dress(story, site, HEADLINES, seed)
        byline = next(n.text for n in item.noise if n.category == "byline")
        assert "Jean Dupont" in byline
        assert re.search(r"3 avril 2024|03/04/2024", byline), byline


# ---------------------------------------------------------------------------- scoring

def test_strings_left_counts_what_is_left_and_only_that():
    item = _items("en", 1)[0]
    everything = set(range(len(item.noise)))
    assert set(noise.strings_left(item, item.dump)) == everything
    assert noise.strings_left(item, "\n\n".join(PARAGRAPHS)) == []
    one = item.noise[0]
    text = "\n\n".join(PARAGRAPHS[:2] + (one.text,) + PARAGRAPHS[2:])
    assert noise.strings_left(item, text) == [0]
    # a planted string glued into a kept paragraph is still left
    glued = "\n\n".join((PARAGRAPHS[0] + " " + one.text,) + PARAGRAPHS[1:])
    assert noise.strings_left(item, glued) == [0]
