"""Crash safety: SIGKILL at random moments, full disks and unwritable outputs.

Quick trials only (a few kills each); bench/reliability.py runs hundreds of them and the
slow-marked test at the end calls into it.
"""

from __future__ import annotations

import errno
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import pytest

from scrape.config import load_config
from scrape.errors import OutputError
from scrape.io.atomic import TEMP_NAME, remove_stale_temps
from scrape.io.inputs import iter_pages
from scrape.io.outputs import FileSink, FolderSink, open_sink
from scrape.models import Article, Page, Source
from scrape.workers import CleanOptions, clean_pages

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "fixtures" / "html").glob("*.html"))


def make_corpus(path: Path, count: int) -> Path:
    """A JSONL dump of `count` distinct articles (the fixture pages, numbered), every 9th one
    too short to be an article."""
    pages = [p.read_text("utf-8") for p in PAGES]
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            html = pages[n % len(pages)].replace("</p>", f" Copy number {n}.</p>", 1)
            if n % 9 == 8:
                html = "<p>too short</p>"
            out.write(json.dumps({"id": f"rec{n}", "html": html}) + "\n")
    return path


def reference(corpus: Path, folder: Path | None = None, file: Path | None = None) -> None:
    """What an uninterrupted run writes, made in this process, with the config the runs read
    (they run in ROOT: its config.toml's [[site]] rules apply to pages by their canonical URL)."""
    sink = open_sink(out_dir=str(folder) if folder else None, output=str(file) if file else None)
    options = CleanOptions(config=load_config(ROOT / "config.toml"), jobs=1)
    for result in clean_pages(iter_pages([str(corpus)]), options):
        if isinstance(result, Article):
            sink.write(result)
    sink.close()


def start_clean(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scrape", "clean", "-q", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# --- stale temporary files -------------------------------------------------------------------


def test_temp_files_left_by_a_killed_run_are_removed_by_the_next(tmp_path):
    stale = [tmp_path / ".out.jsonl.ab12cd34.tmp", tmp_path / ".story.json.zz99yy88.tmp"]
    for path in stale:
        path.write_bytes(b'{"half": ')
    keep = [tmp_path / ".keep", tmp_path / ".notes.tmp", tmp_path / "visible.ab12cd34.tmp"]
    for path in keep:
        path.write_bytes(b"not ours")
    running = FileSink(str(tmp_path / "other.jsonl"))  # a live run's temp file: locked, kept
    held = running.file.temp

    sink = FileSink(str(tmp_path / "out.jsonl"))  # a file output sweeps its own name only
    assert not stale[0].exists() and stale[1].exists()
    sink.close(commit=False)
    FolderSink(str(tmp_path))  # a folder output sweeps them all
    assert not stale[1].exists()
    assert all(path.exists() for path in keep) and os.path.exists(held)
    running.close()
    assert remove_stale_temps(str(tmp_path)) == 0


def test_a_temp_file_is_stale_once_its_writer_is_killed_even_if_its_workers_live_on(tmp_path, processes):
    # The workers of `scrape clean -j N` are forked after the output is opened, so they hold
    # the temp file open too; they must not keep it looking alive after the run is killed.
    script = ("import os, sys, time\n"
              "from scrape.io.outputs import FileSink\n"
              "sink = FileSink(sys.argv[1])\n"
              "child = os.fork()\n"
              "if child == 0:\n"
              "    time.sleep(30)\n"
              "    os._exit(0)\n"
              "print(child, flush=True)\n"
              "time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "out.jsonl")], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    try:
        assert remove_stale_temps(str(tmp_path)) == 0  # its writer lives: kept
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        assert processes.alive(child)
        assert remove_stale_temps(str(tmp_path)) == 1
        assert hidden(tmp_path) == []
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_long_output_name_still_gets_a_temp_file(tmp_path):
    path = tmp_path / ("é" * 120 + ".jsonl")  # 245 bytes: ".<name>.<random>.tmp" would not fit
    sink = FileSink(str(path))
    sink.write(Article(text="x", title="t"))
    sink.close()
    assert path.exists() and not hidden(tmp_path)


# --- scrape clean, SIGKILLed -----------------------------------------------------------------


def test_clean_out_dir_killed_at_random_moments_then_rerun_writes_every_article_once(tmp_path, processes):
    corpus = make_corpus(tmp_path / "in.jsonl", 60)
    expected_dir = tmp_path / "expected"
    reference(corpus, folder=expected_dir)
    expected = visible(expected_dir)
    assert len(expected) == 60 - 60 // 9
    out = tmp_path / "out"
    rng = random.Random(2)
    for at_least in (0, 1, 20):  # before any file, at the first files, mid-run
        proc = start_clean(corpus, "--out-dir", out, "-j", "2")
        wait_for(lambda: proc.poll() is not None or (out.is_dir() and len(visible(out)) >= at_least))
        time.sleep(rng.uniform(0, 0.1))
        workers = processes.descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        if out.is_dir():
            for name, data in visible(out).items():  # whole files only, each the one expected
                assert data == expected[name], name
            assert all(TEMP_NAME.fullmatch(name) for name in hidden(out))
        wait_for(lambda: not any(processes.alive(pid) for pid in workers), timeout=5)  # no orphaned workers
    proc = start_clean(corpus, "--out-dir", out, "-j", "2")
    assert proc.wait(60) == 1, proc.stderr.read()  # some inputs are too short: exit 1
    assert visible(out) == expected  # nothing lost, nothing twice (no "-2" copies)
    assert hidden(out) == []  # the killed runs' temp files are gone


def test_clean_to_one_file_killed_mid_run_leaves_the_old_file_whole(tmp_path):
    corpus = make_corpus(tmp_path / "in.jsonl", 60)
    reference(corpus, file=tmp_path / "expected.jsonl")
    target = tmp_path / "out" / "articles.jsonl"
    target.parent.mkdir()
    target.write_bytes(b'{"old": true}\n')
    proc = start_clean(corpus, "-o", target, "-j", "2")
    wait_for(lambda: any(p.stat().st_size > 50_000 for p in target.parent.iterdir() if TEMP_NAME.fullmatch(p.name)))
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    assert target.read_bytes() == b'{"old": true}\n'
    proc = start_clean(corpus, "-o", target, "-j", "2")
    assert proc.wait(60) == 1, proc.stderr.read()
    assert target.read_bytes() == (tmp_path / "expected.jsonl").read_bytes()
    assert hidden(target.parent) == []


# --- full disks and unwritable outputs: one line, nothing half-done ---------------------------


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def run_cli(capsys, *argv) -> tuple[int, list[str]]:
    from scrape.cli.main import main

    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err.strip().splitlines()


def test_clean_to_a_full_disk_says_so_in_one_line_and_keeps_the_old_file(tmp_path, capsys, monkeypatch):
    corpus = make_corpus(tmp_path / "in.jsonl", 5)
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old\n")
    monkeypatch.setattr(os, "replace", enospc)
    code, err = run_cli(capsys, "clean", corpus, "-o", target, "-q", "-j", "1")
    assert code == 1 and err == [f"scrape: {target}: No space left on device"]
    assert target.read_bytes() == b"old\n" and hidden(tmp_path) == []


def test_clean_out_dir_filling_up_midway_stops_with_whole_files_only(tmp_path, capsys, monkeypatch):
    corpus = make_corpus(tmp_path / "in.jsonl", 8)
    out = tmp_path / "out"
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) > 6:  # three articles (a file and its folder each), then the disk is full
            enospc()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = run_cli(capsys, "clean", corpus, "--out-dir", out, "-q", "-j", "1")
    assert code == 1 and len(err) == 1 and err[0].startswith(f"scrape: {out}/") and "No space left" in err[0]
    files = visible(out)
    assert len(files) == 3 and all(json.loads(data)["text"] for data in files.values())
    assert hidden(out) == []


def test_clean_out_dir_that_cannot_be_made_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, err = run_cli(capsys, "clean", make_corpus(tmp_path / "in.jsonl", 2), "--out-dir", tmp_path / "file" / "out")
    assert code == 1 and err == [f"scrape: {tmp_path / 'file' / 'out'}: Not a directory"]


@pytest.fixture
def site(crawl_files, crawl_server):
    """The server with 30 generated articles, and the config file of a crawl over them."""
    crawl_server.serve_generated(30)
    config = crawl_files.write_config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                      per_host_concurrency=2)
    return crawl_server, config


def crawled(crawl_files) -> list[str]:
    return [r["url"] for r in crawl_files.records()]


def test_crawl_into_an_unwritable_folder_stops_before_fetching(tmp_path, capsys, site):
    server, config = site
    (tmp_path / "file").write_text("x")
    code, err = run_cli(capsys, "--config", config, "crawl", "--out-dir", tmp_path / "file" / "out")
    assert code == 1 and err == [f"scrape: {tmp_path / 'file' / 'out'}: cannot write: Not a directory"]
    assert not server.requests()
    assert not (tmp_path / "state" / "scrape.sqlite").exists()  # the state did not move (only the lock is there)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_crawl_export_on_a_full_disk_keeps_the_articles_for_the_next_run(crawl_files, capsys, site, monkeypatch,
                                                                         backend):
    server, config = site
    monkeypatch.setattr(os, "replace", enospc)
    code, err = run_cli(capsys, "--config", config, "crawl")
    assert code == 1 and len(err) == 1 and err[0].endswith(".jsonl: cannot write: No space left on device")
    assert crawled(crawl_files) == [] and not [p for p in crawl_files.out.rglob(".*")]
    assert crawl_files.count("SELECT count(*) FROM pending") == 30  # kept, not lost
    monkeypatch.undo()
    code, err = run_cli(capsys, "--config", config, "crawl")
    assert code == 0, err
    urls = crawled(crawl_files)
    assert len(urls) == len(set(urls)) == 30  # written by the recovery, once; nothing asked twice
    assert crawl_files.count("SELECT count(*) FROM pending") == 0


def test_crawl_state_on_a_full_disk_stops_the_run(crawl_files, capsys, site):
    from scrape.config import load_config
    from scrape.crawl.run import run_crawl
    from scrape.crawl.state import State

    class FullState(State):  # the database may grow by two pages, then the disk is full
        def __init__(self, path):
            super().__init__(path)
            pages = self.db.execute("PRAGMA page_count").fetchone()[0]
            self.db.execute(f"PRAGMA max_page_count={pages + 2}")

    server, config = site
    with pytest.raises(OutputError) as info:  # the CLI prints it as one line, exit code 1
        run_crawl(load_config(str(config)), open_state=FullState)
    assert str(info.value) == f"{crawl_files.state}: cannot write the state: database or disk is full"
    assert len([r for r in server.requests() if r.path.startswith("/gen/")]) < 30  # it stopped
    code, err = run_cli(capsys, "--config", config, "crawl")
    assert code == 0, err
    urls = crawled(crawl_files)
    assert len(urls) == len(set(urls)) == 30


# --- scrape crawl, SIGKILLed ------------------------------------------------------------------


def warc_records(path: Path) -> list[str]:
    """The target URIs of a WARC, read to the end (warcio raises on a cut record)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as stream:
        found = []
        for record in ArchiveIterator(stream):
            record.content_stream().read()
            found.append(record.rec_headers.get_header("WARC-Target-URI"))
        return found


def fetched(url: str, body: bytes, when) -> Page:
    """A page as the fetcher gives it."""
    return Page(source=Source(url), body=body, url=url, requested_url=url, status=200,
                headers=(("content-type", "text/html"),), fetched_at=when)


def test_a_killed_runs_warc_is_cut_at_its_last_whole_record(tmp_path):
    import gzip
    from datetime import datetime

    from scrape.crawl.output import WarcOutput, salvage_warc

    started = datetime(2026, 11, 27, 6, 15, tzinfo=UTC)
    warc = WarcOutput(str(tmp_path), started)
    for n in range(5):
        warc.write(fetched(f"https://news.example/{n}", b"<p>body</p>" * 50, started))
    warc._file.flush()
    part = warc._temp
    whole = part.read_bytes()
    for cut, kept in ((len(whole), 5), (len(whole) - 3, 4), (len(whole) // 2, 2), (10, 0)):
        part.write_bytes(whole[:cut])
        final = salvage_warc(str(tmp_path), started)
        assert not part.exists()
        if kept:
            assert warc_records(Path(final)) == [f"https://news.example/{n}" for n in range(kept)]
            assert gzip.open(final).read()  # every member whole
        else:
            assert final is None
    assert salvage_warc(str(tmp_path), started) is None  # nothing left to do


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_crawl_killed_twice_then_rerun_every_article_once_and_files_whole(crawl_files, crawl_server, backend):
    import sqlite3

    crawl_server.serve_generated(40, delay=0.02)
    # lease: a killed worker's claims and run are free a second after it died (PostgreSQL)
    config = crawl_files.write_config([{"url": crawl_server.base + "/gen-sitemap.xml", "type": "sitemap"}],
                                      per_host_concurrency=2, warc=True, lease=1.0)
    state, out = crawl_files.state, crawl_files.out

    def started() -> bool:
        return state.exists() if backend == "sqlite" else bool(crawl_files.count("SELECT count(*) FROM runs"))

    rng = random.Random(7)
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-m", "scrape", "--config", str(config), "crawl", "-q"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Kill it mid-run: once its state exists (start-up takes about 0.5 s, longer on a
        # loaded machine), at a random point of the run (about 1 s).
        deadline = time.monotonic() + 60
        while not started() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started(), f"the crawl made no state: {proc.poll()=}"
        time.sleep(rng.uniform(0.1, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        if backend == "sqlite":
            db = sqlite3.connect(state)
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            db.close()
        for path in out.rglob("*"):
            if path.name.startswith("articles-"):
                assert all(json.loads(line)["text"] for line in path.read_text("utf-8").splitlines())
            elif path.name.startswith("responses-"):
                assert warc_records(path)
            elif path.is_file():
                assert (re.fullmatch(r"\.responses-.*\.warc\.gz\.part", path.name)
                        or (path.name.startswith(".articles-") and TEMP_NAME.fullmatch(path.name))), path
    proc = subprocess.run([sys.executable, "-m", "scrape", "--config", str(config), "crawl", "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    urls = [r["url"] for r in crawl_files.records()]
    assert sorted(urls) == sorted(f"{crawl_server.base}/gen/{n}.html" for n in range(1, 41))  # each once
    assert not [p for p in out.rglob(".*")]  # no temp or partial file left
    for path in out.rglob("responses-*.warc.gz"):
        assert warc_records(path)  # the killed runs' WARCs too, cut at a whole record


def test_runs_of_the_same_second_keep_their_own_warcs(tmp_path):
    from datetime import datetime

    from scrape.crawl.output import WarcOutput, salvage_warc

    started = datetime(2026, 11, 27, 6, 15, tzinfo=UTC)
    paths = []
    for n in range(3):  # a finished run, a killed one, a finished one: all at 06:15:00
        warc = WarcOutput(str(tmp_path), started)
        warc.write(fetched(f"https://news.example/{n}", b"<p>x</p>", started))
        if n == 1:
            warc._file.close()  # killed: the next run's recovery finishes it
            paths.append(salvage_warc(str(tmp_path), started))
        else:
            paths.append(warc.close())
    assert [Path(p).name for p in paths] == ["responses-20261127T061500Z.warc.gz",
                                             "responses-20261127T061500Z-2.warc.gz",
                                             "responses-20261127T061500Z-3.warc.gz"]
    assert [warc_records(Path(p)) for p in paths] == [[f"https://news.example/{n}"] for n in range(3)]


@pytest.mark.slow
def test_reliability_trials(tmp_path):
    """A short run of bench/reliability.py (the committed report comes from a long one)."""
    result = subprocess.run([sys.executable, "bench/reliability.py", "--kills-out-dir", "12", "--kills-file", "6",
                             "--kills-crawl", "12", "--fuzz", "150", "--out", str(tmp_path / "reliability.md")],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
