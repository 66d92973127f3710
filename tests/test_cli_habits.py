"""The command line's habits: global options anywhere, help for a bare `scrape`, format names
and aliases (csv among them), --explain in every format, the URL that chooses [[site]] rules,
and `scrape fetch` with -i, -o, --format and --explain."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scrape.cli.main import main

PROSE = ("<p>The council met on Thursday evening to discuss the plans for the new swimming pool, which would "
         "replace the ageing outdoor baths by the river that closed three summers ago.</p>"
         "<p>Residents who spoke at the meeting asked for longer opening hours and cheaper tickets for children, "
         "and several asked that the old diving tower be kept as a monument.</p>")
SPONSOR = "Our reporter went down to the old baths on Saturday morning to see how far the river had risen."


def page(title: str, head: str = "") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>{PROSE}"
            f'<p class="visit">{SPONSOR}</p><p>Advertisement</p></article></body></html>')


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    paths = []
    for n, title in enumerate(["Pool plans go to the council", "Diving tower to be kept"]):
        path = tmp_path / f"{n}.html"
        path.write_text(page(title), "utf-8")
        paths.append(path)
    return paths


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_global_options_before_or_after_the_command(tmp_path, pages, capsys):
    strict = tmp_path / "strict.toml"
    strict.write_text("[clean]\nmin_words = 5000\n", "utf-8")
    for args in (["--config", strict, "clean", pages[0], "-j", "1"],
                 ["clean", pages[0], "-j", "1", "--config", strict],
                 ["clean", "--config", strict, "-v", pages[0], "-j", "1"]):
        code, out, err = run(capsys, *args)
        assert (code, out) == (1, ""), args  # the config's min_words made it "not an article"
        assert "not an article" in err
    code, out, _ = run(capsys, "-v", "clean", pages[0], "-j", "1", "-q")
    assert code == 0 and json.loads(out)["title"] == "Pool plans go to the council"


def test_bare_scrape_prints_help(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: scrape") and "clean" in out and "crawl" in out


def test_format_names_and_aliases(pages, capsys):
    outputs = {}
    for name in ("md", "markdown", "txt", "text", "jsonl", "ndjson"):
        code, out, _ = run(capsys, "clean", *pages, "-j", "1", "-q", "--format", name)
        assert code == 0
        outputs[name] = out
    assert outputs["md"] == outputs["markdown"] and outputs["md"].startswith("---\n")
    assert outputs["txt"] == outputs["text"] and outputs["txt"].startswith("Pool plans go to the council\n\n")
    assert outputs["jsonl"] == outputs["ndjson"] and len(outputs["jsonl"].splitlines()) == 2
    code, out, err = run(capsys, "clean", pages[0], "--format", "docx")
    assert code == 2 and out == ""
    assert "unknown format 'docx'" in err and "csv" in err and "markdown" in err


def test_csv_has_a_header_and_one_row_per_article(pages, tmp_path, capsys):
    target = tmp_path / "articles.csv"  # the suffix chooses the format
    code, _, _ = run(capsys, "clean", *pages, "-j", "1", "-q", "-o", target)
    assert code == 0
    data = target.read_bytes()
    assert data.count(b"\r\n") >= 3  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [row["title"] for row in rows] == ["Pool plans go to the council", "Diving tower to be kept"]
    first = rows[0]
    assert list(first)[:4] == ["id", "url", "canonical_url", "source"] and "removed" not in first
    assert first["source"] == str(pages[0]) and first["id"] == "" and first["text"].count("\n\n") == 2
    assert int(first["word_count"]) > 25


def test_explain_works_in_every_format(pages, capsys):
    for fmt in ("jsonl", "md", "txt", "csv"):
        code, out, _ = run(capsys, "clean", pages[0], "-j", "1", "-q", "--format", fmt, "--explain")
        assert code == 0
        if fmt == "csv":
            [row] = csv.DictReader(io.StringIO(out, newline=""))
            removed = row["removed"]
        elif fmt == "txt":
            removed = out.split("\nRemoved:\n", 1)[1]
        else:
            removed = out
        assert "Advertisement" in removed, fmt


def test_url_or_canonical_url_chooses_site_rules(tmp_path, capsys):
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\ndomain = "riverbaths.example"\ndrop = [".visit"]\n', "utf-8")
    plain = tmp_path / "plain.html"
    plain.write_text(page("Pool plans go to the council"), "utf-8")
    canonical = tmp_path / "canonical.html"
    canonical.write_text(page("Pool plans go to the council",
                              '<link href="https://www.riverbaths.example/pool?a=1&amp;b=2" rel="canonical">'), "utf-8")

    def clean(*args: object) -> dict:
        code, out, _ = run(capsys, "--config", config, "clean", "-j", "1", "-q", *args)
        assert code == 0
        return json.loads(out)

    assert SPONSOR in clean(plain)["text"]  # no URL: no site rules
    given = clean(plain, "--url", "https://riverbaths.example/pool")
    assert SPONSOR not in given["text"] and given["url"] == "https://riverbaths.example/pool"
    own = clean(canonical)
    assert SPONSOR not in own["text"] and own["url"] is None
    assert own["canonical_url"] == "https://www.riverbaths.example/pool?a=1&b=2"
    code, _, err = run(capsys, "clean", plain, "--url", "riverbaths.example/pool")
    assert code == 2 and "--url riverbaths.example/pool: not an http or https URL" in err


def test_fetch_reads_a_url_list_and_writes_a_file(crawl_files, crawl_server, tmp_path, capsys):
    config = crawl_files.write_config([])
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# to fetch\n{crawl_server.url('/news/cafe-reopens.html')}\n\n"
                       f"  {crawl_server.url('/news/tram-line.html')}  \n", "utf-8")
    target = tmp_path / "fetched.csv"
    code, out, _ = run(capsys, "fetch", "-i", listing, "-o", target, "--config", config)
    assert (code, out) == (0, "")
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"), newline="")))
    assert [row["url"] for row in rows] == [crawl_server.url("/news/cafe-reopens.html"),
                                           crawl_server.url("/news/tram-line.html")]
    assert all(row["fetched_at"].endswith("+00:00") and row["scrape_version"] for row in rows)
    code, out, _ = run(capsys, "--config", config, "fetch", crawl_server.url("/news/cafe-reopens.html"),
                       "--format", "markdown", "--explain")
    assert code == 0 and out.startswith("---\n") and "\nremoved: [" in out
    code, _, err = run(capsys, "fetch", "-i", tmp_path / "missing.txt")
    assert code == 2 and "missing.txt" in err and "Traceback" not in err
    code, _, err = run(capsys, "fetch")
    assert code == 2 and "no URLs given" in err
