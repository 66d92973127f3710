"""Learnt boilerplate (issue 18): what repeats on many pages of one host is learnt and removed,
never the article's own prose.

fixtures/learned/harbour/ holds six pages of one invented site whose template noise (an ad
slot's label, a promo and its button, a read-also line, a widget heading with its teasers, a
footer line) is worded unlike any built-in rule; harbour-dumps.jsonl holds the same articles as
text dumps with their URLs. harbour.expected.json lists the template strings and, per page, the
prose that repeats on other pages of the host and must stay: a quote two stories share and a
sentence three stories share. tidewatch-dumps.jsonl holds six dumps of another invented host,
each with its article's body, where taking the template's lines changes what the built-in
rules see around the lines left.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

import scrape
from scrape.clean.learned import RULE_PREFIX, LearntTemplates, html_blocks
from scrape.clean.learning import FORGET_AFTER, MAX_ENTRIES, MIN_HOST_PAGES, HostLearner, PageSightings, Sighting
from scrape.cli.main import main
from scrape.crawl.state import State
from scrape.crawl.state.sqlite import SCHEMA_VERSION
from scrape.io.learn import learn_from_paths, page_host

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "learned"
PAGES = FIXTURES / "harbour"
DUMPS = FIXTURES / "harbour-dumps.jsonl"
TIDEWATCH = FIXTURES / "tidewatch-dumps.jsonl"
EXPECTED = json.loads((FIXTURES / "harbour.expected.json").read_text("utf-8"))
HOST = EXPECTED["host"]


def html_pages() -> list[scrape.Page]:
    return [scrape.Page(source=scrape.Source(str(p)), body=p.read_bytes()) for p in sorted(PAGES.glob("*.html"))]


def dump_pages() -> list[scrape.Page]:
    records = [json.loads(line) for line in DUMPS.read_text("utf-8").splitlines()]
    return [scrape.Page(source=scrape.Source(str(DUMPS), line=i + 1), body=r["text"].encode(), kind="text",
                        url=r["url"], charset="utf-8") for i, r in enumerate(records)]


def names() -> list[str]:
    return sorted(p.name for p in PAGES.glob("*.html"))


def left_in(text: str) -> list[str]:
    return [s for s in EXPECTED["removed"] if s in text]


@pytest.mark.parametrize("pages", [html_pages, dump_pages], ids=["pages", "dumps"])
def test_the_template_is_learnt_and_removed_and_repeated_prose_stays(pages):
    pages = pages()
    learnt = scrape.learn(pages)
    assert list(learnt.hosts) == [HOST]
    left_before = left_after = 0
    for name, page in zip(names(), pages, strict=True):
        before = scrape.clean_page(page).text
        after = scrape.clean_page(page, learnt=learnt).text
        left_before += len(left_in(before))
        left_after += len(left_in(after))
        for prose in EXPECTED["kept"].get(name, []):
            assert prose in before and prose in after, f"{name}: lost {prose!r}"
        # Every paragraph of the article proper is still there.
        assert all(p in after for p in before.split("\n\n") if p.startswith(("Work on", "According to")))
    assert left_before >= 12, "the built-in rules alone should leave this template's noise"
    assert left_after == 0


def test_a_quote_on_two_pages_is_not_learnt_and_one_on_three_stays_among_prose():
    learner = HostLearner(HOST)
    from scrape.clean.learning import page_sightings

    for page in html_pages():
        sightings = page_sightings(page)
        assert sightings is not None
        learner.observe(sightings)
    learnt_texts = [b.text for b in learner.learnt()]
    quote, shared = EXPECTED["kept"]["01-ferry.html"][0], EXPECTED["kept"]["03-market.html"][0]
    assert not any(quote[:40] in t for t in learnt_texts)  # on two pages: never template
    assert any(shared[:40] in t for t in learnt_texts)  # on three of six: learnt...
    article = scrape.clean_page(html_pages()[2], learnt=scrape.learn(html_pages()), explain=True)
    assert shared in article.text  # ... but kept: it reads as prose among the article's prose


def test_explain_names_the_learnt_rule_the_host_and_the_pages():
    learnt = scrape.learn(html_pages())
    article = scrape.clean_page(html_pages()[0], learnt=learnt, explain=True)
    rules = {r.rule for r in article.removed if r.rule.startswith(RULE_PREFIX)}
    assert rules
    assert all(r.startswith(f"{RULE_PREFIX}{HOST}#") and r.endswith("of 6 pages)") for r in rules)
    snippets = " ".join(r.snippet for r in article.removed if r.rule.startswith(RULE_PREFIX))
    assert "join the Quayside Club" in snippets and "Words from the people who keep us printing" in snippets
    # The widget's heading is learnt too, but the built-in widget shape takes it first now.
    assert "Along the waterfront this week" not in article.text


def test_learning_takes_its_own_lines_from_a_dump_and_no_line_the_rules_keep_without_it():
    """tidewatch-dumps.jsonl: six dumps of one invented host, each with its article's body.
    Learning takes the template's lines and nothing the built-in rules keep without it: the
    questions of an interview whose list of short lines a template line parted (without the
    line between them, the rules read the whole list as a widget's teasers), a photo caption
    given twice with a template line between the copies (not a doubled paragraph), and a
    sentence three of the host's stories share (learnt, but prose among prose)."""
    records = [json.loads(line) for line in TIDEWATCH.read_text("utf-8").splitlines()]
    pages = [scrape.Page(source=scrape.Source(str(TIDEWATCH), line=i + 1), body=r["text"].encode(), kind="text",
                         url=r["url"], charset="utf-8") for i, r in enumerate(records)]
    learnt = scrape.learn(pages)
    shared = records[0]["body"][4]
    assert any(b.text.startswith(shared[:60]) for b in learnt.hosts["tidewatch.example"].blocks.values())
    noise_before = 0
    for record, page in zip(records, pages, strict=True):
        body = Counter(record["body"])
        before = Counter(scrape.clean_page(page).text.split("\n\n"))
        after = Counter(scrape.clean_page(page, learnt=learnt).text.split("\n\n"))
        noise_before += sum(n for p, n in before.items() if p not in body)
        assert all(p in body for p in after), f"{record['id']}: template left"
        lost = [p for p, n in body.items() if min(n, before[p]) > after[p]]
        assert not lost, f"{record['id']}: learning took body lines the rules keep without it: {lost}"
    assert noise_before >= 20, "the built-in rules alone should leave this template's noise"
    interview, caption = (scrape.clean_page(pages[i], learnt=learnt).text for i in (1, 0))
    assert "Q: What was your first day like?" in interview and "Q: Favourite spot in town?" in interview
    assert caption.count(records[0]["body"][0]) == 2
    assert shared in scrape.clean_page(pages[2], learnt=learnt).text


def test_too_few_pages_of_a_host_teach_nothing():
    assert not scrape.learn(html_pages()[: MIN_HOST_PAGES - 1])


def test_a_page_read_twice_counts_once():
    page = html_pages()[0]
    assert not scrape.learn([page] * 10)


def test_copies_of_a_page_under_other_urls_count_once_and_a_copy_keeps_its_prose():
    page = html_pages()[0]
    copies = [dataclasses.replace(page, url=f"https://www.{HOST}/town/ferry.html?copy={n}") for n in range(8)]
    assert not scrape.learn(copies)
    # Learnt however it was (here: from one page's blocks counted as many), an article's own
    # prose is kept when most of a page's prose is learnt: that is a copy, not a template.
    from scrape.clean.learned import LearntBlock, LearntTemplate

    blocks = html_blocks(scrape.clean.html.LexborHTMLParser(page.body.decode()))
    template = LearntTemplate(HOST, 8, {b.key: LearntBlock(b.key, 0, 8, 1.0, b.path, b.text) for b in blocks})
    article = scrape.clean_page(copies[0], learnt=LearntTemplates.of([template]))
    assert "Work on the timetable" in article.text


def test_learning_is_per_host():
    pages = html_pages()
    other = [dataclasses.replace(p, url="https://elsewhere.example/a") for p in pages[:1]]
    learnt = scrape.learn(pages)
    article = scrape.clean_page(other[0], learnt=learnt)
    assert left_in(article.text), "another host's page is cleaned without this host's template"
    assert learnt.for_url("https://harbourgazette.example/x") is learnt.hosts[HOST]  # www. or not


def test_fingerprints_fold_numbers_and_keep_the_path():
    tree = scrape.clean.html.LexborHTMLParser(
        '<body><div><p>12 readers weighed in</p></div><aside><p>240 readers weighed in</p></aside>'
        '<p>Read this: <a href="/x">A headline</a></p></body>')
    blocks = html_blocks(tree)
    assert [b.text for b in blocks] == ["12 readers weighed in", "240 readers weighed in", "Read this: A headline"]
    assert blocks[0].key != blocks[1].key  # same folded text, another place
    folded = html_blocks(scrape.clean.html.LexborHTMLParser('<body><div><p>7 readers weighed in</p></div></body>'))
    assert folded[0].key == blocks[0].key
    assert blocks[2].frame_key is not None and blocks[0].frame_key is None


def _sightings(number: int, keys: range) -> PageSightings:
    """A page of `keys` and one block of its own (so that it is no copy of another page)."""
    own = 10**12 + number
    return PageSightings(HOST, number, tuple(Sighting(k, 0, "p", f"line {k}") for k in (*keys, own)))


def test_counts_are_bounded_and_a_changed_template_ages_out():
    learner = HostLearner(HOST)
    for page in range(200):  # 300 unique blocks a page, plus 5 template ones
        learner.observe(_sightings(page, range(10**6 + page * 300, 10**6 + page * 300 + 300)))
    assert len(learner.entries) <= MAX_ENTRIES
    old = HostLearner(HOST)
    for page in range(20):
        old.observe(_sightings(page, range(5)))
    assert {b.key for b in old.learnt()} == set(range(5))
    for page in range(20, 20 + FORGET_AFTER):
        old.observe(_sightings(page, range(100, 105)))  # the template changed
    assert {b.key for b in old.learnt()} == set(range(100, 105))


def test_counts_survive_a_round_trip_and_garbage_starts_afresh():
    learner = HostLearner(HOST)
    for page in html_pages():
        from scrape.clean.learning import page_sightings

        sightings = page_sightings(page)
        assert sightings is not None
        learner.observe(sightings)
    again = HostLearner.from_bytes(HOST, learner.to_bytes())
    assert again.pages == learner.pages and list(again.learnt()) == list(learner.learnt())
    assert again.observe(page_sightings(html_pages()[0])) is False  # the URLs came along
    assert HostLearner.from_bytes(HOST, b"garbage").pages == 0


def test_learnt_templates_pickle():
    import pickle

    learnt = scrape.learn(html_pages())
    assert isinstance(pickle.loads(pickle.dumps(learnt)), LearntTemplates)


def test_a_saved_page_has_the_host_of_its_canonical_url():
    assert page_host(html_pages()[0]) == HOST


# --- the commands ----------------------------------------------------------------------------


def test_scrape_clean_learns_from_its_inputs(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(PAGES), "-o", str(out), "-j", "1", "--explain"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 6
    assert not any(left_in(r["text"]) for r in records)
    assert any(r["rule"].startswith(RULE_PREFIX) for r in records[0]["removed"])
    assert "of 1 hosts from 6 pages" in capsys.readouterr().err


def test_scrape_clean_learn_from_and_the_switch(tmp_path):
    one = tmp_path / "one.html"
    one.write_bytes((PAGES / "01-ferry.html").read_bytes())
    config = tmp_path / "config.toml"
    config.write_text("[clean]\nlearn = false\n")
    out = tmp_path / "out.jsonl"
    # One page teaches nothing; --learn-from a folder of the site does (even with learn = false).
    assert main(["--config", str(config), "clean", str(one), "-o", str(out), "-q"]) == 0
    assert left_in(json.loads(out.read_text("utf-8"))["text"])
    assert main(["--config", str(config), "clean", str(one), "-o", str(out), "-q", "--learn-from", str(PAGES)]) == 0
    assert not left_in(json.loads(out.read_text("utf-8"))["text"])
    # With the switch off, a folder of the site is cleaned by the built-in rules only.
    assert main(["--config", str(config), "clean", str(PAGES), "-o", str(out), "-q", "-j", "1"]) == 0
    assert any(left_in(json.loads(line)["text"]) for line in out.read_text("utf-8").splitlines())


def test_learn_from_a_missing_path_is_a_usage_error_and_the_switch_is_validated(tmp_path, capsys):
    assert main(["clean", str(PAGES), "--learn-from", str(tmp_path / "nowhere")]) == 2
    assert "--learn-from" in capsys.readouterr().err
    config = tmp_path / "config.toml"
    config.write_text('[clean]\nlearn = "yes"\n')
    assert main(["--config", str(config), "clean", str(PAGES)]) == 2
    assert "clean.learn" in capsys.readouterr().err


def test_scrape_clean_learns_from_a_jsonl_of_dumps(tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(DUMPS), "-o", str(out), "-q", "-j", "1"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(records) == 6 and not any(left_in(r["text"]) for r in records)


def test_rules_learnt_lists_from_inputs_and_from_the_crawl_state(tmp_path, capsys):
    assert main(["rules", "learnt", HOST, "--from", str(PAGES)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"{HOST}: ") and "learnt from 6 pages" in shown
    assert "Along the waterfront this week" in shown and "6/6" in shown
    state_path = tmp_path / "state.sqlite"
    learner = learn_from_paths([str(PAGES)]).learner.hosts[HOST]
    state = State(state_path)
    state.save_learnt({HOST: (learner.pages, learner.to_bytes())})
    state.close()
    assert main(["rules", "learnt", f"https://www.{HOST}/", "--state", str(state_path)]) == 0
    assert capsys.readouterr().out == shown.replace("--from", "")  # the same blocks, from the state
    assert main(["rules", "learnt", "nowhere.example", "--state", str(state_path)]) == 0
    assert "nothing learnt" in capsys.readouterr().out


def test_a_postgresql_state_keeps_learnt_counts_too(pg_database, capsys):
    from scrape.crawl.state import open_state

    learner = learn_from_paths([str(PAGES)]).learner.hosts[HOST]
    state = open_state(pg_database)
    state.save_learnt({HOST: (learner.pages, learner.to_bytes())})
    state.save_learnt({HOST: (learner.pages, learner.to_bytes())})  # replaced, not added
    assert state.learnt_hosts() == [(HOST, 6, len(learner.to_bytes()))]
    assert list(state.learnt_counts()) == [(HOST, learner.to_bytes())]
    state.close()
    assert main(["rules", "learnt", HOST, "--state", pg_database]) == 0
    assert "Along the waterfront this week" in capsys.readouterr().out


def test_the_state_keeps_learnt_counts_from_migration_step_2(tmp_path):
    state = State(tmp_path / "s.sqlite")
    state.save_learnt({"a.example": (7, b"xyz")})
    state.save_learnt({"a.example": (8, b"xyzw")})
    assert list(state.learnt_counts()) == [("a.example", b"xyzw")]
    assert state.learnt_hosts() == [("a.example", 8, 4)]
    state.close()
    raw = sqlite3.connect(tmp_path / "s.sqlite")
    # step 2 made the table; later steps leave it, so the file ends at the current version
    assert raw.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_the_crawl_learns_keeps_it_in_the_state_and_cleans_the_next_run_with_it(crawl_files, crawl_server, capsys):
    from scrape.crawl.run import run_crawl

    pages = sorted(PAGES.glob("*.html"))
    for page in pages:
        crawl_server.overrides[f"/harbour/{page.name}"] = page.read_bytes()
    items = "".join(f"<item><link>{{{{base}}}}/harbour/{p.name}</link></item>" for p in pages)
    crawl_server.overrides["/harbour.rss"] = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    config = crawl_files.config([{"url": crawl_server.base + "/harbour.rss", "type": "feed"}])
    first = run_crawl(config)
    assert first.new == 6
    # The first run had nothing learnt: the built-in rules alone leave the template's noise.
    assert any(left_in(r["text"]) for r in crawl_files.records())
    state = State(config.crawl.state)
    [(host, learnt_pages, size)] = state.learnt_hosts()
    state.close()
    assert (host, learnt_pages) == ("127.0.0.1", 6) and 0 < size < 20_000
    assert main(["rules", "learnt", "127.0.0.1", "--state", str(config.crawl.state)]) == 0
    assert "Along the waterfront this week" in capsys.readouterr().out
    # A new story of the site, in the next run, is cleaned with what the first run learnt.
    story = (PAGES / "06-museum.html").read_bytes().replace(b"museum-exhibition.html", b"museum-lenses.html")
    crawl_server.overrides["/harbour/07-lenses.html"] = story
    crawl_server.overrides["/harbour.rss"] = crawl_server.overrides["/harbour.rss"].replace(
        b"</channel>", b"<item><link>{{base}}/harbour/07-lenses.html</link></item></channel>")
    second = run_crawl(config)
    assert second.new == 1 and second.not_modified == 6
    new = [r for r in crawl_files.records() if r["canonical_url"].endswith("museum-lenses.html")]
    assert len(new) == 1 and not left_in(new[0]["text"])
    assert "old lamp lenses" in new[0]["text"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_workers_sharing_a_state_add_their_pages_up_none_replaces_another(backend, tmp_path, request):
    # Two workers of one crawl start from the same stored counts and each learns from its own
    # share of the host's pages; whichever saves last, the state counts all of them.
    from scrape.crawl.learnt import CrawlLearning
    from scrape.crawl.state import open_state

    spec = request.getfixturevalue("pg_database") if backend == "postgresql" else str(tmp_path / "s.sqlite")
    pages = [dataclasses.replace(p, url=f"https://www.{HOST}/news/{i}") for i, p in enumerate(html_pages())]
    first, second = open_state(spec), open_state(spec)
    one, two = CrawlLearning(first), CrawlLearning(second)
    for page in pages[:3]:
        one.observe(page)
    for page in pages[3:]:
        two.observe(page)
    two.save()
    one.save()
    assert first.learnt_hosts()[0][:2] == (HOST, len(pages))
    stored = dict(first.learnt_counts())[HOST]
    assert HostLearner.from_bytes(HOST, stored).template() is not None  # what all the pages teach
    first.close()
    second.close()
