"""More inputs and fields: WARC resource and conversion records, ARC files, `fetched_at` and
`scrape_version` in every record, the language detected when the page declares none, and
`--lang` and `--dedup`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from warcio.warcwriter import WARCWriter

import scrape
from scrape.cli.main import main
from scrape.version import __version__

ROOT = Path(__file__).resolve().parent.parent
FERRY = (ROOT / "fixtures" / "inputs" / "harbour-ferry.html").read_bytes()
RADWEGE = (ROOT / "fixtures" / "html" / "de_radwege_heilbronn.html").read_bytes()


def undeclared(html: bytes) -> bytes:
    """The page without any word of its language: no lang attribute, no og:locale."""
    return html.replace(b' lang="en"', b"").replace(b' lang="de"', b"").replace(b'property="og:locale"', b'property="x"')


def clean(capsys, *args: object) -> tuple[int, list[dict], str]:
    code = main(["clean", "-j", "1", *map(str, args)])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_warc_resource_and_conversion_records(tmp_path, capsys):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for kind, url, payload, content_type in (
            ("resource", "https://courier.example/saved", FERRY, "text/html; charset=utf-8"),
            ("resource", "https://courier.example/logo.png", b"\x89PNG", "image/png"),
            ("conversion", "https://courier.example/converted", RADWEGE, "text/html")):
        writer.write_record(writer.create_warc_record(url, kind, payload=io.BytesIO(payload),
                                                      warc_content_type=content_type,
                                                      warc_headers_dict={"WARC-Date": "2025-03-01T08:00:00Z"}))
    (tmp_path / "saved.warc.gz").write_bytes(buffer.getvalue())  # no response record at all
    code, records, err = clean(capsys, tmp_path / "saved.warc.gz")
    assert code == 0 and err.strip() == "cleaned 2, skipped 0"
    assert [r["url"] for r in records] == ["https://courier.example/saved", "https://courier.example/converted"]
    assert records[0]["title"] == "Night ferry returns to the harbour timetable"
    assert {r["fetched_at"] for r in records} == {"2025-03-01T08:00:00+00:00"}


def test_arc_files(tmp_path, capsys):
    header = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + FERRY
    arc = (b"filedesc://crawl.arc 0.0.0.0 20240514163000 text/plain %d\n%s\n" % (len(header), header)
           + b"http://courier.example/night-ferry 93.184.216.34 20240514163000 text/html %d\n%s\n" % (len(http), http))
    (tmp_path / "crawl.arc").write_bytes(arc)
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "crawl.arc").write_bytes(arc)  # found in a folder too
    code, records, _ = clean(capsys, tmp_path / "crawl.arc", folder)
    assert code == 0 and len(records) == 2
    assert records[0]["url"] == "http://courier.example/night-ferry"
    assert records[0]["fetched_at"] == "2024-05-14T16:30:00+00:00" and records[0]["source"]["offset"] > 0


def test_every_record_says_when_it_was_fetched_and_by_which_scrape():
    record = scrape.clean_html(FERRY).as_dict()
    assert record["fetched_at"] is None and record["scrape_version"] == __version__
    assert list(record).index("fetched_at") == list(record).index("source") + 1


def test_language_detected_when_the_page_declares_none():
    assert scrape.clean_html(undeclared(FERRY)).language == "en"
    assert scrape.clean_html(undeclared(RADWEGE)).language == "de"
    declared = FERRY.replace(b'lang="en"', b'lang="fr"')
    assert scrape.clean_html(declared).language == "fr"  # the page's own word wins


def test_lang_keeps_those_languages_and_dedup_drops_repeats(tmp_path, capsys):
    (tmp_path / "a-ferry.html").write_bytes(undeclared(FERRY))
    (tmp_path / "b-radwege.html").write_bytes(undeclared(RADWEGE))
    (tmp_path / "c-ferry-again.html").write_bytes(undeclared(FERRY))
    code, records, err = clean(capsys, tmp_path, "--lang", "de")
    assert code == 0 and [r["language"] for r in records] == ["de"]
    assert err.strip() == "cleaned 1, skipped 0; dropped 2: 2 other language"
    code, records, err = clean(capsys, tmp_path, "--dedup", "--lang", "EN, de")
    assert code == 0 and [Path(r["source"]["path"]).name for r in records] == ["a-ferry.html", "b-radwege.html"]
    assert err.strip() == "cleaned 2, skipped 0; dropped 1: 1 duplicate"
    try:
        main(["clean", str(tmp_path), "--lang", "german"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "not language codes: 'german'" in capsys.readouterr().err
