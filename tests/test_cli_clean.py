"""`scrape clean` end to end, run as a user runs it: a subprocess, real cleaner, real files."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import orjson
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrape import cli
from scrape.errors import NotAnArticle

INPUTS = Path(__file__).resolve().parent.parent / "fixtures" / "inputs"
GOOD = ["cafe-tables-cp1252.htm", "harbour-ferry.html", "lighthouse-dump.txt"]
HTML = (INPUTS / "harbour-ferry.html").read_text("utf-8")
PARAGRAPHS = (
    "<p>The council met on Thursday evening to discuss the plans for the new swimming pool, "
    "which would replace the ageing outdoor baths by the river that closed three summers ago.</p>"
    "<p>Residents who spoke at the meeting asked for longer opening hours and cheaper tickets for "
    "children, and several asked that the old diving tower be kept as a monument.</p>"
)


def scrape(*args, cwd=None, input=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrape", "clean", *map(str, args)],
        cwd=cwd, input=input, capture_output=True, timeout=timeout,
    )


def stderr_lines(result) -> list[str]:
    return result.stderr.decode().splitlines()


def records(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines()]


def article_html(title: str, extra: str = "") -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{PARAGRAPHS}{extra}</article></body></html>"


def no_traceback(result):
    assert b"Traceback" not in result.stderr, result.stderr.decode()


# --- the happy path ------------------------------------------------------------------------


def test_all_cleaned_exit_0_jsonl_on_stdout_in_input_order(tmp_path):
    result = scrape(*(INPUTS / name for name in reversed(GOOD)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stderr_lines(result) == ["cleaned 3, skipped 0"]
    got = records(result.stdout)
    assert [r["source"]["path"] for r in got] == [str(INPUTS / n) for n in reversed(GOOD)]
    assert got[0]["title"] == "Volunteers repaint the old lighthouse"
    assert got[1]["authors"] == ["Maria Lindqvist"]
    assert got[1]["published"] == "2024-05-14T18:30:00+02:00"
    assert "Rönngatan" in got[2]["text"]  # windows-1252 decoded


def test_skips_get_one_line_each_and_a_summary_exit_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in GOOD + ["too-short.html"]:
        (folder / name).write_bytes((INPUTS / name).read_bytes())
    (folder / "empty.html").write_bytes(b"")
    (folder / "photo.html").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "out.jsonl"
    result = scrape(folder, tmp_path / "missing.html", "-o", out, cwd=tmp_path)
    assert result.returncode == 1
    lines = stderr_lines(result)
    assert lines[0] == f"skip {folder / 'empty.html'}: empty input"
    assert lines[1] == f"skip {folder / 'photo.html'}: unreadable: binary data, not text"
    assert lines[2].startswith(f"skip {folder / 'too-short.html'}: not an article")
    assert lines[3] == f"skip {tmp_path / 'missing.html'}: unreadable: no such file or directory"
    assert lines[4] == "cleaned 3, skipped 4: 2 unreadable, 1 empty, 1 not an article"
    assert len(lines) == 5
    assert len(records(out.read_bytes())) == 3
    assert result.stdout == b""
    no_traceback(result)


def test_stdin(tmp_path):
    result = scrape("-", input=HTML.encode(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [record] = records(result.stdout)
    assert record["source"] == {"path": "<stdin>"}
    assert record["title"] == "Night ferry returns to the harbour timetable"


def test_jsonl_ids_pass_through(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(
        orjson.dumps({"id": "r-1", "url": "https://example.org/pool", "html": article_html("Pool plans")}) + b"\n"
        + b"{broken\n"
        + orjson.dumps({"id": 2, "text": (INPUTS / "lighthouse-dump.txt").read_text()}) + b"\n"
    )
    result = scrape(path, cwd=tmp_path)
    assert result.returncode == 1
    got = records(result.stdout)
    assert [(r["id"], r["source"]) for r in got] == [
        ("r-1", {"path": str(path), "line": 1}), ("2", {"path": str(path), "line": 3})]
    assert got[0]["url"] == "https://example.org/pool"
    assert stderr_lines(result)[0].startswith(f"skip {path}:2: unreadable: not valid JSON")
    assert stderr_lines(result)[-1] == "cleaned 2, skipped 1: 1 unreadable"


def test_warc_records_carry_url_and_offset(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for slug in ("pool", "library"):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            body = article_html(f"News about the {slug}").encode()
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{slug}", "response", payload=io.BytesIO(body), http_headers=headers))
    result = scrape(path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    got = records(result.stdout)
    assert [r["url"] for r in got] == ["https://example.org/pool", "https://example.org/library"]
    assert got[0]["source"] == {"path": str(path), "offset": 0}
    assert got[1]["source"]["offset"] > 0


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_md_and_txt_formats(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = scrape(INPUTS / "harbour-ferry.html", "-o", out, cwd=tmp_path)  # format from the suffix
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    if fmt == "md":
        assert text.startswith("---\n")
        assert 'title: "Night ferry returns to the harbour timetable"\n' in text
        assert 'authors: ["Maria Lindqvist"]\n' in text
        assert "\n---\n\nThe night ferry between" in text
    else:
        assert text.startswith("Night ferry returns to the harbour timetable\n\nThe night ferry between")
    explicit = scrape(INPUTS / "harbour-ferry.html", "--format", fmt, cwd=tmp_path)
    assert explicit.stdout.decode() == text


def test_out_dir_with_hostile_titles_stays_inside(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text(article_html("../../etc/passwd"))
    (folder / "b.html").write_text(article_html("/root/.ssh/authorized_keys"))
    (folder / "c.html").write_text(article_html(" ".join(["harbour"] * 40)))  # under the 400-character title limit
    (folder / "d.html").write_text(article_html("../../etc/passwd"))
    out = tmp_path / "out"
    result = scrape(folder, "--out-dir", out, "--format", "md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(os.listdir(out))
    assert names == sorted(["etc-passwd.md", "etc-passwd-2.md", "root-.ssh-authorized_keys.md",
                            "-".join(["harbour"] * 10) + ".md"])  # cut to 80 bytes at a word
    assert sorted(os.listdir(tmp_path)) == ["in", "out"]


# --- usage errors --------------------------------------------------------------------------


def test_usage_errors_exit_2_without_traceback(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF")  # not a page, not walked
    cases = [
        ([tmp_path / "nope.html"], "no inputs found"),
        ([empty], "no inputs found"),
        ([INPUTS, "--format", "xml"], "unknown format 'xml'"),
        ([INPUTS, "-j", "0"], "must be at least 1"),
        ([INPUTS, "-o", tmp_path / "a", "--out-dir", tmp_path / "b"], "not allowed with"),
        (["-", "-"], "only once"),
    ]
    for args, message in cases:
        result = scrape(*args, cwd=tmp_path, input=b"")
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr.decode(), (args, result.stderr)
        no_traceback(result)


def test_config_error_exit_2(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[clean]\nmin_wordz = 3\n")
    result = scrape_with_config(config, INPUTS, cwd=tmp_path)
    assert result.returncode == 2
    assert "config error" in result.stderr.decode() and "clean.min_wordz" in result.stderr.decode()
    no_traceback(result)


def scrape_with_config(config, *args, cwd):
    return subprocess.run([sys.executable, "-m", "scrape", "--config", str(config), "clean", *map(str, args)],
                          cwd=cwd, capture_output=True, timeout=120)


def test_config_toml_in_the_working_folder_is_used_and_config_overrides_it(tmp_path):
    (tmp_path / "config.toml").write_text("[clean]\nmin_words = 100000\n")
    result = scrape(INPUTS / "harbour-ferry.html", cwd=tmp_path)
    assert result.returncode == 1
    assert stderr_lines(result)[-1] == "cleaned 0, skipped 1: 1 not an article"
    other = tmp_path / "other.toml"
    other.write_text("[clean]\nmin_words = 5\n")
    result = scrape_with_config(other, INPUTS / "harbour-ferry.html", cwd=tmp_path)
    assert result.returncode == 0


def test_per_page_timeout_from_config(tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text("[clean]\ntimeout = 0.0001\n")
    result = scrape_with_config(config, *(INPUTS / n for n in GOOD), "-j", "1", cwd=tmp_path)
    assert result.returncode == 1
    lines = stderr_lines(result)
    assert lines[-1] == "cleaned 0, skipped 3: 3 timeout"
    assert lines[0] == f"skip {INPUTS / GOOD[0]}: timeout: cleaning took longer than 0.0001s"


# --- outputs are never half-written --------------------------------------------------------


def test_failed_runs_do_not_clobber_existing_output(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"OLD\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("nonsense = 1\n")
    assert scrape(empty, "-o", out, cwd=tmp_path).returncode == 2
    assert scrape_with_config(bad_config, INPUTS, "-o", out, cwd=tmp_path).returncode == 2
    assert out.read_bytes() == b"OLD\n"
    assert sorted(os.listdir(tmp_path)) == ["bad.toml", "empty", "out.jsonl"]
    assert scrape(INPUTS, "-o", out, cwd=tmp_path).returncode == 1
    assert len(records(out.read_bytes())) == 3
    assert sorted(os.listdir(tmp_path)) == ["bad.toml", "empty", "out.jsonl"]


def big_jsonl(path: Path, count: int) -> None:
    with open(path, "wb") as handle:
        for i in range(count):
            title = f"Story number {i} about the harbour"
            extra = "<p>Short story.</p>" if i % 7 else ""
            html = article_html(title, extra) if i % 11 else "<p>too short</p>"
            handle.write(orjson.dumps({"id": f"s{i}", "html": html}) + b"\n")


def test_two_jobs_write_the_same_bytes_as_one(tmp_path):
    path = tmp_path / "many.jsonl"
    big_jsonl(path, 60)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first = scrape(path, INPUTS, "-j", "1", "-o", one, cwd=tmp_path)
    second = scrape(path, INPUTS, "-j", "2", "-o", two, cwd=tmp_path)
    assert first.returncode == second.returncode == 1
    assert first.stderr == second.stderr
    assert one.read_bytes() == two.read_bytes()
    got = records(one.read_bytes())
    assert len(got) == 60 - 6 + 3  # every 11th record is too short
    assert stderr_lines(first)[-1] == "cleaned 57, skipped 7: 7 not an article"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_commits_what_was_written(tmp_path, stop):
    path = tmp_path / "many.jsonl"
    big_jsonl(path, 3000)
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "scrape", "clean", str(path), "-o", str(out), "-j", "2"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until articles are being written to the temp file
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.")]
        if temps and temps[0].stat().st_size > 20_000:
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("no output appeared")
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.decode().splitlines()[-1] == "scrape: interrupted"
    assert b"Traceback" not in err
    got = records(out.read_bytes())  # every line whole
    summary = err.decode().splitlines()[-2]
    assert summary.startswith(f"cleaned {len(got)}, skipped ")
    assert 0 < len(got) < 3000
    assert [r["id"] for r in got] == [f"s{i}" for i in range(3000) if i % 11][: len(got)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl", "out.jsonl"]


# --- what a user sees on stderr ------------------------------------------------------------


def test_no_progress_bar_when_piped(tmp_path):
    path = tmp_path / "many.jsonl"
    big_jsonl(path, 30)
    result = scrape(path, "-o", tmp_path / "out.jsonl", cwd=tmp_path)
    assert b"\r" not in result.stderr and b"page/s" not in result.stderr
    assert all(line.startswith(("skip ", "cleaned ")) for line in stderr_lines(result))


def run_with_tty_stderr(args, cwd) -> tuple[int, str]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # rows, columns
    process = subprocess.Popen([sys.executable, "-m", "scrape", "clean", *map(str, args)],
                               cwd=cwd, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal_with_many_inputs_but_not_with_quiet(tmp_path):
    path = tmp_path / "many.jsonl"
    big_jsonl(path, 30)
    code, shown = run_with_tty_stderr([path, "-o", tmp_path / "out.jsonl"], tmp_path)
    assert code == 1
    assert "page" in shown and "\r" in shown  # tqdm redraws in place
    assert "cleaned 27, skipped 3: 3 not an article" in shown
    code, shown = run_with_tty_stderr([path, "-o", tmp_path / "out.jsonl", "--quiet"], tmp_path)
    assert code == 1 and shown == ""
    code, shown = run_with_tty_stderr([INPUTS / "harbour-ferry.html", "-o", tmp_path / "one.jsonl"], tmp_path)
    assert shown.strip() == "cleaned 1, skipped 0"  # few inputs: no bar


def test_closed_stdout_pipe_is_quiet(tmp_path):
    path = tmp_path / "many.jsonl"
    big_jsonl(path, 200)
    process = subprocess.Popen([sys.executable, "-m", "scrape", "clean", str(path), "-j", "1"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=60)
    assert b"Traceback" not in err and b"Exception" not in err


def test_help_lists_the_options():
    result = scrape("--help")
    assert result.returncode == 0
    for option in ("--output", "--out-dir", "--format", "--explain", "--jobs", "--quiet"):
        assert option in result.stdout.decode()


# --- in process: a cleaner bug never shows a traceback --------------------------------------


def broken_cleaner(page, config, explain):
    if b"ferry" in page.body:
        raise KeyError("surprise")
    raise NotAnArticle("not an article (0 words of text)")


def test_unexpected_exception_is_an_error_skip(tmp_path, monkeypatch, capsys):
    from scrape.cli import clean as cli_clean
    from scrape.cli.main import build_parser

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["clean", str(INPUTS / "harbour-ferry.html"), str(INPUTS / "too-short.html"),
                                      "-j", "1"])
    code = cli_clean.run(args, clean=broken_cleaner)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        f"skip {INPUTS / 'harbour-ferry.html'}: error: KeyError: 'surprise'",
        f"skip {INPUTS / 'too-short.html'}: not an article (0 words of text)",
        "cleaned 0, skipped 2: 1 error, 1 not an article",
    ]


def test_output_error_is_reported_not_raised(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["clean", str(INPUTS / "harbour-ferry.html"), "-o", str(blocker / "out.jsonl")])
    assert code == 1
    assert f"scrape: {blocker / 'out.jsonl'}:" in capsys.readouterr().err
