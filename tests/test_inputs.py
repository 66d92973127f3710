"""Loading inputs: every kind, told apart by content; every bad input a skip, never a stop."""

from __future__ import annotations

import gzip
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scrape.errors import EmptyInput, SkipError, Unreadable
from scrape.io.inputs import LoadOptions, iter_pages, sniff_kind, walk_folder
from scrape.models import Page

INPUTS = Path(__file__).resolve().parent.parent / "fixtures" / "inputs"
HTML = (INPUTS / "harbour-ferry.html").read_bytes()
DUMP = (INPUTS / "lighthouse-dump.txt").read_bytes()


def load(*paths, **kwargs) -> list[Page | SkipError]:
    return list(iter_pages([str(p) for p in paths], **kwargs))


def pages(items) -> list[Page]:
    return [item for item in items if isinstance(item, Page)]


def make_warc(records: list[dict], gz: bool) -> bytes:
    """A WARC with one record per dict: url, body, status, content_type, type, date."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for spec in records:
        rec_type = spec.get("type", "response")
        http = None
        if rec_type == "response":
            http = StatusAndHeaders(
                f"{spec.get('status', 200)} OK",
                [("Content-Type", spec.get("content_type", "text/html; charset=utf-8")),
                 ("Server", "test")],
                protocol="HTTP/1.1",
            )
        elif rec_type == "request":
            http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        record = writer.create_warc_record(
            spec["url"], rec_type, payload=io.BytesIO(spec.get("body", b"")), http_headers=http,
            warc_headers_dict={"WARC-Date": spec.get("date", "2024-03-01T10:00:00Z")},
        )
        writer.write_record(record)
    return buf.getvalue()


WARC_RECORDS = [
    {"url": "https://example.org/request", "type": "request"},
    {"url": "https://example.org/a", "body": b"<html><body><p>first page</p></body></html>",
     "date": "2024-03-01T10:00:00Z"},
    {"url": "https://example.org/logo.png", "body": b"\x89PNG\r\n\x1a\n....", "content_type": "image/png"},
    {"url": "https://example.org/missing", "body": b"<html>gone</html>", "status": 404},
    {"url": "https://example.org/b", "body": "<p>caf\u00e9</p>".encode("latin-1"),
     "content_type": "application/xhtml+xml; charset=ISO-8859-1", "date": "2024-03-02T11:30:15Z"},
]


class NonSeekable(io.RawIOBase):
    """A pipe-like stream: reads in small pieces, cannot seek."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, target):
        chunk = self._data.read(min(len(target), 1000))
        target[:len(chunk)] = chunk
        return len(chunk)


class CountingFile(io.RawIOBase):
    """Counts the bytes actually read from a file, to prove a loader streams."""

    def __init__(self, path):
        self._handle = open(path, "rb")
        self.count = 0

    def readable(self):
        return True

    def readinto(self, target):
        n = self._handle.readinto(target)
        self.count += n
        return n

    def close(self):
        self._handle.close()
        super().close()


# --- each kind -----------------------------------------------------------------------------


def test_html_file_is_one_page_with_raw_bytes(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes(HTML)
    [page] = load(path)
    assert page.kind == "html"
    assert page.body == HTML
    assert str(page.source) == str(path)
    assert page.url is None and page.record_id is None


def test_gzipped_html_is_decompressed(tmp_path):
    path = tmp_path / "a.html.gz"
    path.write_bytes(gzip.compress(HTML))
    [page] = load(path)
    assert page.kind == "html" and page.body == HTML


def test_text_dump_is_kind_text(tmp_path):
    path = tmp_path / "story.txt"
    path.write_bytes(DUMP)
    [page] = load(path)
    assert page.kind == "text" and page.body == DUMP


def test_undecodable_bytes_are_left_for_the_decoder(tmp_path):
    # Windows-1252 bytes are not UTF-8; loading keeps them as they are, decoding comes later.
    body = (INPUTS / "cafe-tables-cp1252.htm").read_bytes()
    path = tmp_path / "cafe.htm"
    path.write_bytes(body)
    [page] = load(path)
    assert page.kind == "html" and page.body == body
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")


def test_folder_is_walked_recursively_sorted_and_lazily(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "z.html").write_bytes(HTML)
    (tmp_path / "a.txt").write_bytes(DUMP)
    (tmp_path / "b" / "c.htm").write_bytes(HTML)
    (tmp_path / "b" / "deep" / "d.html.gz").write_bytes(gzip.compress(HTML))
    (tmp_path / "b" / "noext").write_bytes(HTML)
    (tmp_path / ".hidden.html").write_bytes(HTML)
    (tmp_path / ".git" / "x.html").write_bytes(HTML)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "style.css").write_bytes(b"body { color: red }")
    names = [os.path.relpath(p.source.path, tmp_path) for p in load(tmp_path)]
    assert names == ["a.txt", "b/c.htm", "b/deep/d.html.gz", "b/noext", "z.html"]
    walker = walk_folder(str(tmp_path))
    assert os.path.basename(next(walker)) == "a.txt"  # a generator: nothing is listed up front


def test_folder_walk_does_not_follow_symlinked_folders(tmp_path):
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "loop").symlink_to(tmp_path)
    assert [os.path.basename(p.source.path) for p in load(tmp_path)] == ["a.html"]


def test_warc_yields_html_200_responses_with_url_date_headers_and_offsets(tmp_path):
    path = tmp_path / "crawl.warc"
    path.write_bytes(make_warc(WARC_RECORDS, gz=False))
    first, second = load(path)
    assert first.url == "https://example.org/a"
    assert first.body == b"<html><body><p>first page</p></body></html>"
    assert first.fetched_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert first.status == 200
    assert first.header("server") == "test"
    assert first.charset == "utf-8"
    assert second.url == "https://example.org/b"
    assert second.charset == "ISO-8859-1"
    assert second.body == "<p>caf\u00e9</p>".encode("latin-1")
    assert second.fetched_at == datetime(2024, 3, 2, 11, 30, 15, tzinfo=UTC)
    assert_offsets_point_at_records(path, [first, second])


def test_gzipped_warc_offsets_are_compressed_offsets(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(make_warc(WARC_RECORDS, gz=True))
    items = load(path)
    assert [p.url for p in items] == ["https://example.org/a", "https://example.org/b"]
    assert items[0].source.offset > 0  # the request record comes first
    assert_offsets_point_at_records(path, items)


def assert_offsets_point_at_records(path, items):
    with open(path, "rb") as handle:
        for page in items:
            handle.seek(page.source.offset)
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Target-URI") == page.url
            assert str(page.source) == f"{path}@{page.source.offset}"


def test_warc_gzipped_as_one_member_is_read_whole(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(make_warc(WARC_RECORDS, gz=False)))
    items = load(path)
    assert [p.url for p in items] == ["https://example.org/a", "https://example.org/b"]


def test_jsonl_records_with_id_url_and_line_numbers(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [
        {"id": "rec-1", "url": "https://example.org/1", "html": "<p>one</p>"},
        {"id": 7, "text": "Title\n\nSome text"},
        {"html": "<p>no id</p>"},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines[:2]) + b"\n\n" + orjson.dumps(lines[2]) + b"\n")
    one, two, three = load(path)
    assert (one.kind, one.record_id, one.url, one.body, one.charset) == (
        "html", "rec-1", "https://example.org/1", b"<p>one</p>", "utf-8")
    assert (two.kind, two.record_id, two.body) == ("text", "7", b"Title\n\nSome text")
    assert three.record_id is None
    assert [p.source.line for p in (one, two, three)] == [1, 2, 4]  # line 3 is blank
    assert str(two.source) == f"{path}:2"


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "x", "html": "<p>a</p>"}\n{"id": "y", "html": "<p>b</p>"}\n'))
    assert [p.record_id for p in load(path)] == ["x", "y"]


def test_stdin_is_sniffed_like_a_file():
    html = load("-", stdin=NonSeekable(HTML))
    assert [(p.kind, str(p.source)) for p in html] == [("html", "<stdin>")]
    jsonl = load("-", stdin=NonSeekable(b'{"id": 1, "html": "<p>a</p>"}\n{"id": 2, "text": "b"}\n'))
    assert [(p.kind, p.record_id, str(p.source)) for p in jsonl] == [
        ("html", "1", "<stdin>:1"), ("text", "2", "<stdin>:2")]
    dump = load("-", stdin=NonSeekable(DUMP))
    assert [p.kind for p in dump] == ["text"] and dump[0].body == DUMP


def test_gzipped_warc_on_stdin_streams_without_seeking():
    data = make_warc(WARC_RECORDS, gz=True)
    items = load("-", stdin=NonSeekable(data))
    assert [p.url for p in items] == ["https://example.org/a", "https://example.org/b"]
    with_offsets = load("-", stdin=NonSeekable(data))
    for page in with_offsets:  # offsets are still byte positions in the stream
        record = next(iter(ArchiveIterator(io.BytesIO(data[page.source.offset:]))))
        assert record.rec_headers.get_header("WARC-Target-URI") == page.url


def test_gzipped_html_on_stdin():
    [page] = load("-", stdin=NonSeekable(gzip.compress(HTML)))
    assert page.kind == "html" and page.body == HTML


# --- kinds by content, not by name -----------------------------------------------------------


@pytest.mark.parametrize("name, content, kind", [
    ("page.txt", HTML, "html"),
    ("story.html", DUMP, "text"),
    ("noext", HTML, "html"),
    ("data.json", b'{"html": "<p>x</p>"}\n', "jsonl"),
    ("archive", make_warc(WARC_RECORDS[1:2], gz=False), "warc"),
    ("archive.txt.gz", make_warc(WARC_RECORDS[1:2], gz=True), "warc"),
    ("page.jsonl", HTML, "html"),
    ("fragment.dat", b"<div><p>Some text</p></div>", "html"),
    ("utf16.txt", "\ufeff<html><body><p>x</p></body></html>".encode("utf-16-le"), "html"),
])
def test_kind_comes_from_content(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_bytes(content)
    [page] = load(path)
    loaded = "warc" if page.source.offset is not None else "jsonl" if page.source.line else page.kind
    assert loaded == kind


def test_sniff_kind_ties_broken_by_jsonl_suffix():
    line = b'{"title": "a record without html"}\n'
    assert sniff_kind(line, "data.jsonl") == "jsonl"
    assert sniff_kind(line, "data.txt") == "text"
    assert sniff_kind(b"WARC/1.1\r\n", "x.html") == "warc"


def test_jsonl_with_a_first_line_longer_than_the_sniff_window(tmp_path):
    path = tmp_path / "big"
    body = "<p>" + "word " * 40000 + "</p>"  # ~200 KB, past the 64 KB sniff window
    path.write_bytes(orjson.dumps({"id": "long", "html": body}) + b"\n")
    [page] = load(path)
    assert page.record_id == "long" and page.body == body.encode()


# --- bad inputs ----------------------------------------------------------------------------


def test_empty_and_whitespace_files_are_empty_input(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "empty.html.gz").write_bytes(gzip.compress(b""))
    items = load(tmp_path / "empty.html", tmp_path / "blank.txt", tmp_path / "empty.html.gz")
    assert [type(i) for i in items] == [EmptyInput, EmptyInput, EmptyInput]
    assert [i.input for i in items] == [str(tmp_path / n) for n in ("empty.html", "blank.txt", "empty.html.gz")]


def test_binary_file_is_unreadable(tmp_path):
    path = tmp_path / "photo.html"
    path.write_bytes(bytes(range(256)) * 20)
    [item] = load(path)
    assert isinstance(item, Unreadable) and item.input == str(path)
    assert "binary" in item.detail


def test_missing_file_is_unreadable_and_the_run_goes_on(tmp_path):
    good = tmp_path / "a.html"
    good.write_bytes(HTML)
    items = load(tmp_path / "nope.html", good)
    assert isinstance(items[0], Unreadable)
    assert items[0].input == str(tmp_path / "nope.html")
    assert "no such file" in items[0].detail
    assert isinstance(items[1], Page)


def test_truncated_gzip_page_is_unreadable(tmp_path):
    data = gzip.compress(os.urandom(3000).hex().encode() + HTML)
    path = tmp_path / "a.html.gz"
    path.write_bytes(data[: len(data) // 2])
    [item] = load(path)
    assert isinstance(item, Unreadable) and item.input == str(path)
    assert "gzip" in item.detail


def test_corrupt_gzip_is_unreadable(tmp_path):
    path = tmp_path / "a.html.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage that is not deflate" * 10)
    [item] = load(path)
    assert isinstance(item, Unreadable)


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_warc_yields_what_it_could_then_a_skip(tmp_path, gz):
    records = [{"url": f"https://example.org/{i}", "body": b"<p>" + os.urandom(2000).hex().encode() + b"</p>"}
               for i in range(3)]
    data = make_warc(records, gz=gz)
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    path.write_bytes(data[: len(data) - 1500])
    items = load(path)
    assert [p.url for p in pages(items)] == ["https://example.org/0", "https://example.org/1"]
    assert isinstance(items[-1], Unreadable)
    assert items[-1].input.startswith(f"{path}@")
    assert len(items) == 3


def test_warc_cut_inside_its_first_header_is_unreadable(tmp_path):
    path = tmp_path / "cut.warc"
    path.write_bytes(make_warc(WARC_RECORDS, gz=False)[:150])
    [item] = load(path)
    assert isinstance(item, Unreadable) and item.input == f"{path}@0"


def test_warc_followed_by_garbage_reports_it(tmp_path):
    path = tmp_path / "x.warc"
    path.write_bytes(make_warc(WARC_RECORDS[1:2], gz=False) + b"this is not a record\r\n")
    items = load(path)
    assert isinstance(items[0], Page) and isinstance(items[1], Unreadable)


def test_a_bad_jsonl_line_skips_only_that_line(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(
        b'{"id": "a", "html": "<p>a</p>"}\n'
        b'{"id": "b", "html": \n'  # broken JSON
        b'["not", "an", "object"]\n'
        b'{"id": "c", "title": "no body"}\n'
        b'{"id": "d", "html": "\xff\xfe bad utf-8"}\n'
        b'{"id": "e", "html": ""}\n'
        b'{"id": "f", "html": 42}\n'
        b'{"id": "g", "text": "last one"}\n'
    )
    items = load(path)
    assert [type(i).__name__ for i in items] == [
        "Page", "Unreadable", "Unreadable", "Unreadable", "Unreadable", "EmptyInput", "Unreadable", "Page"]
    assert [i.input for i in items if isinstance(i, SkipError)] == [f"{path}:{n}" for n in (2, 3, 4, 5, 6, 7)]
    assert items[-1].record_id == "g"


def test_jsonl_truncated_mid_record_keeps_the_whole_lines(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"id": "a", "html": "<p>a</p>"}\n{"id": "b", "html": "<p>b</p>"}\n{"id": "c", "ht')
    items = load(path)
    assert [p.record_id for p in pages(items)] == ["a", "b"]
    assert isinstance(items[-1], Unreadable) and items[-1].input == f"{path}:3"


def test_truncated_gzipped_jsonl_keeps_lines_before_the_cut(tmp_path):
    lines = b"".join(orjson.dumps({"id": str(i), "html": "<p>" + os.urandom(500).hex() + "</p>"}) + b"\n"
                     for i in range(200))
    data = gzip.compress(lines)
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = load(path)
    good = pages(items)
    assert 20 < len(good) < 200
    assert [p.record_id for p in good] == [str(i) for i in range(len(good))]
    assert isinstance(items[-1], Unreadable)


def test_page_over_the_size_limit_is_skipped(tmp_path):
    path = tmp_path / "huge.html"
    path.write_bytes(b"<html>" + b"x" * 5000 + b"</html>")
    [item] = load(path, options=LoadOptions(max_page_bytes=1000))
    assert isinstance(item, Unreadable) and "larger than" in item.detail


def test_bad_inputs_never_stop_the_run(tmp_path):
    (tmp_path / "1.html").write_bytes(b"")
    (tmp_path / "2.html").write_bytes(bytes(range(256)))
    (tmp_path / "3.html.gz").write_bytes(gzip.compress(HTML)[:40])
    (tmp_path / "4.warc").write_bytes(b"WARC/1.0\r\nbroken")
    (tmp_path / "5.html").write_bytes(HTML)
    items = load(tmp_path, tmp_path / "missing")
    assert [type(i).__name__ for i in items] == [
        "EmptyInput", "Unreadable", "Unreadable", "Unreadable", "Page", "Unreadable"]


# --- streaming -----------------------------------------------------------------------------


def test_jsonl_is_streamed_line_by_line(tmp_path):
    path = tmp_path / "big.jsonl"
    record = orjson.dumps({"html": "<p>" + "x" * 10_000 + "</p>"}) + b"\n"
    path.write_bytes(record * 2000)  # ~20 MB
    stream = CountingFile(path)
    items = iter_pages(["-"], stdin=stream)
    next(items)
    assert stream.count < 512 * 1024
    assert sum(1 for _ in items) == 1999


def test_warc_is_streamed_record_by_record(tmp_path):
    path = tmp_path / "big.warc.gz"
    records = [{"url": f"https://example.org/{i}", "body": b"<p>" + os.urandom(50_000).hex().encode() + b"</p>"}
               for i in range(150)]  # ~15 MB compressed
    path.write_bytes(make_warc(records, gz=True))
    stream = CountingFile(path)
    items = iter_pages(["-"], stdin=stream)
    assert next(items).url == "https://example.org/0"
    assert stream.count < 1024 * 1024
    assert sum(1 for _ in items) == 149


def test_an_unexpected_loader_error_ends_only_that_input(tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("warcio surprise")
        yield  # a generator, like the real loader

    (tmp_path / "a.warc").write_bytes(make_warc(WARC_RECORDS[1:2], gz=False))
    (tmp_path / "b.html").write_bytes(HTML)
    first, second = load(tmp_path, options=LoadOptions(load_warc=broken))
    assert first.reason == "error" and first.input == str(tmp_path / "a.warc")
    assert "RuntimeError: warcio surprise" in first.detail
    assert isinstance(second, Page)
