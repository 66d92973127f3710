"""No surprise under cron: paths from the config file's folder, a quiet stderr with -q, user
errors in one line naming the key or path, refused private addresses naming the setting that
allows them, and `scrape config check`."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import crawl_helpers
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrape.cli.main import main
from scrape.config import load_config
from scrape.crawl.run import run_crawl

ROOT = Path(__file__).resolve().parent.parent
FERRY = (ROOT / "fixtures" / "inputs" / "harbour-ferry.html").read_bytes()


def scrape(*args: object, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scrape", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, timeout=120)


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    folder = tmp_path / "conf"
    folder.mkdir()
    config = folder / "config.toml"
    config.write_text('[crawl]\nstate = "db/scrape.sqlite"\nout_dir = "articles"\nlock = "/run/scrape.lock"\n')
    elsewhere = tmp_path / "cron-home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    crawl = load_config(Path("..") / "conf" / "config.toml").crawl
    assert crawl.state == str(folder / "db" / "scrape.sqlite")
    assert crawl.out_dir == str(folder / "articles")
    assert crawl.lock == "/run/scrape.lock"  # absolute: as written
    config.write_text('[crawl]\nstate = ":memory:"\nout_dir = "~/news"\n')
    crawl = load_config(config).crawl
    assert crawl.state == ":memory:" and crawl.out_dir == os.path.expanduser("~/news")
    (folder / "empty.toml").write_text("")
    assert load_config(folder / "empty.toml").crawl.state == str(folder / "state" / "scrape.sqlite")  # defaults too
    assert load_config(None).crawl.state == "state/scrape.sqlite"  # no file: the working folder's


def _warc_with_a_bad_length(path: Path) -> None:
    """Two responses, the first with a Content-Length 5 bytes short: warcio prints a warning."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n in range(2):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://courier.example/{n}", "response",
                                                      payload=io.BytesIO(FERRY + b"<!-- -->"), http_headers=http))
    data = buffer.getvalue()
    length = re.search(rb"Content-Length: (\d+)", data)
    short = str(int(length.group(1)) - 5).encode().rjust(len(length.group(1)))
    path.write_bytes(data[:length.start(1)] + short + data[length.end(1):])


def test_quiet_leaves_stderr_empty(tmp_path, crawl_server):
    unknown_zone = FERRY.replace(b'content="2024-05-14T18:30:00+02:00"', b'content="May 14, 2024 18:30 MSK"')
    (tmp_path / "zone.html").write_bytes(unknown_zone)  # dateutil warns about MSK
    _warc_with_a_bad_length(tmp_path / "bad-length.warc")  # warcio prints about the record
    result = scrape("clean", "zone.html", "bad-length.warc", "-q", "-j", "2", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert len(result.stdout.splitlines()) == 3
    # A crawl from cron: another working folder, relative paths in the config, workers cleaning.
    conf = tmp_path / "conf"
    conf.mkdir()
    crawl_helpers.write_toml(conf / "config.toml", [{"url": crawl_server.base + "/feed.rss", "type": "feed"}],
                             state="state/s.sqlite", out_dir="out", clean_workers=1)
    result = scrape("crawl", "-q", "--config", conf / "config.toml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert len(crawl_helpers.records(conf / "out")) == 3 and (conf / "state" / "s.sqlite").is_file()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("toml, args, names", [
    ('[[source]]\nurl = "http://news.example/"\ntype = "seed"\nallow = "(["\n', ["crawl"],
     "source 'http://news.example/'.allow: not a valid regex"),
    ('[[source]]\nurl = "news.example/feed.rss"\n', ["crawl"],
     "source 'news.example/feed.rss'.url: must be an http or https URL"),
    ('[crawl]\nconcurency = 3\n', ["crawl"], "unknown key crawl.concurency"),
    ('[crawl]\nout_dir = "a-file"\n[[source]]\nurl = "http://news.example/feed.rss"\n', ["crawl"],
     "a-file: not a folder"),
    ("", ["clean", "PAGE", "--out-dir", "a-file"], "a-file: not a folder"),
    ("", ["clean", "PAGE", "-o", "a-file/out.jsonl"], "a-file/out.jsonl: "),
    ("", ["fetch", "-i", "no-such-list.txt"], "no-such-list.txt: cannot read"),
])
def test_user_errors_are_one_line_naming_the_key_or_path(tmp_path, monkeypatch, capsys, toml, args, names):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(toml)
    (tmp_path / "a-file").write_text("in the way")
    (tmp_path / "page.html").write_bytes(FERRY)
    code = main([str(tmp_path / "page.html") if a == "PAGE" else a for a in args])
    err = capsys.readouterr().err
    assert code in (1, 2) and len(err.splitlines()) == 1, err
    assert names in err and "Traceback" not in err


def test_refused_private_address_names_the_setting(crawl_files, crawl_server, caplog):
    config = crawl_files.config([{"url": crawl_server.base + "/feed.rss", "type": "feed"}], allow_private=False)
    stats = run_crawl(config)
    assert stats.source_errors == 1 and not crawl_server.requests()
    assert "internal address 127.0.0.1, refused (crawl.allow_private = true allows it)" in caplog.text
    assert "robots.txt could not be fetched" not in caplog.text


def test_config_check_prints_the_config_in_effect(tmp_path, monkeypatch, capsys):
    (tmp_path / "config.toml").write_text('[crawl]\nout_dir = "news"\n\n[[source]]\nurl = "https://news.example/feed"\n'
                                          '\n[[site]]\ndomain = "news.example"\ndrop = [".promo"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# scrape config check: {tmp_path / 'config.toml'}\n")
    printed = tomllib.loads(out)
    assert printed["crawl"]["out_dir"] == str(tmp_path / "news") and printed["clean"]["min_words"] == 25
    assert printed["source"] == [{"url": "https://news.example/feed", "type": "feed", "allow": "", "depth": 1,
                                  "since_days": 0.0}]
    (tmp_path / "again.toml").write_text(out)
    again, first = load_config(tmp_path / "again.toml"), load_config(tmp_path / "config.toml")
    assert (again.crawl, again.clean, again.sites, again.sources) == (first.crawl, first.clean, first.sites,
                                                                     first.sources)
    (tmp_path / "config.toml").write_text("[crawl]\nretries = -1\n")
    assert main(["config", "check"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == (
        "scrape: config error: config.toml: crawl.retries: must not be negative")
