"""Writers: JSONL, Markdown front matter, text; safe names in --out-dir; atomic files."""

from __future__ import annotations

import errno
import json
import os

import orjson
import pytest

from scrape.errors import OutputError
from scrape.io.atomic import write_atomically
from scrape.io.outputs import (
    MD_SEPARATOR,
    TEXT_SEPARATOR,
    FileSink,
    FolderSink,
    StreamSink,
    article_stem,
    format_for_path,
    open_sink,
    render_jsonl,
    render_md,
    render_txt,
    slugify,
    yaml_quote,
)
from scrape.models import Article, Removal, Source

ARTICLE = Article(
    text="First paragraph.\n\nSecond paragraph.",
    title="Night ferry returns",
    authors=("Maria Lindqvist", "Jon Berg"),
    published="2024-05-14T18:30:00+02:00",
    url="https://courier.example/news/night-ferry",
    site_name="The Coast Courier",
    language="en",
    tags=("transport", "islands"),
    word_count=5,
    content_hash="abc123",
    id="rec-1",
    source=Source("crawl.warc.gz", offset=1234),
    removed=(Removal("ad-label", "Advertisement"),),
)

HOSTILE = 'He said: "no" \\ — #not-a-comment\n---\nkey: injected\u2028\u0085\x07\ufeff\x7f end'


def front_matter(rendered: bytes) -> tuple[dict, str]:
    """Parse our front matter: each line is `key: value`, where the value is JSON (and YAML)."""
    text = rendered.decode("utf-8")
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n")
    fields = {}
    for line in head.split("\n"):
        key, sep, value = line.partition(": ")
        assert sep and key.isidentifier(), line
        fields[key] = json.loads(value)
    return fields, body


# --- rendering -----------------------------------------------------------------------------


def test_jsonl_is_one_line_in_schema_order():
    data = render_jsonl(ARTICLE)
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    record = orjson.loads(data)
    assert record == ARTICLE.as_dict()
    assert list(record)[:4] == ["id", "url", "canonical_url", "source"]
    assert record["source"] == {"path": "crawl.warc.gz", "offset": 1234}
    assert "removed" not in record


def test_jsonl_explain_lists_removals():
    record = orjson.loads(render_jsonl(ARTICLE, explain=True))
    assert record["removed"] == [{"rule": "ad-label", "snippet": "Advertisement"}]


def test_jsonl_survives_a_lone_surrogate():
    article = Article(text="bad \udc80 char", title="t")
    record = orjson.loads(render_jsonl(article))
    assert record["text"].startswith("bad ") and "\udc80" not in record["text"]


def test_md_front_matter_holds_the_metadata_then_the_text():
    fields, body = front_matter(render_md(ARTICLE))
    expected = ARTICLE.as_dict()
    text = expected.pop("text")
    assert fields == expected
    assert body == "\n" + text + "\n"


def test_md_quoting_keeps_hostile_values_on_one_line():
    article = Article(text="Body", title=HOSTILE, authors=(HOSTILE,), description="- item: [x]")
    rendered = render_md(article)
    fields, body = front_matter(rendered)
    assert fields["title"] == HOSTILE
    assert fields["authors"] == [HOSTILE]
    assert fields["description"] == "- item: [x]"
    head = rendered.decode().split("\n---\n")[0]
    # No raw line breaks of any YAML version inside the block, no raw controls.
    for char in ("\u2028", "\u0085", "\x07", "\ufeff", "\x7f"):
        assert char not in head
    assert head.count("\n") == len(ARTICLE.as_dict()) - 1
    assert body == "\nBody\n"


def test_yaml_quote_is_json_compatible():
    for value in ["", "plain", "null", "true", "123", "@at", "a: b", "tab\there", "é ü 漢字", "😀", HOSTILE]:
        quoted = yaml_quote(value)
        assert quoted.startswith('"') and quoted.endswith('"')
        assert json.loads(quoted) == value


def test_txt_is_title_blank_line_text():
    assert render_txt(ARTICLE) == b"Night ferry returns\n\nFirst paragraph.\n\nSecond paragraph.\n"
    assert render_txt(Article(text="Only text")) == b"Only text\n"


def test_stream_sink_separates_articles(tmp_path):
    import io

    for fmt, sep in (("jsonl", b""), ("md", MD_SEPARATOR), ("txt", TEXT_SEPARATOR)):
        stream = io.BytesIO()
        sink = StreamSink(stream, fmt)
        sink.write(ARTICLE)
        sink.write(ARTICLE)
        sink.close()
        one = {"jsonl": render_jsonl, "md": render_md, "txt": render_txt}[fmt](ARTICLE)
        assert stream.getvalue() == one + sep + one


def test_format_for_path():
    assert format_for_path("out/a.md") == "md"
    assert format_for_path("a.TXT") == "txt"
    assert format_for_path("a.jsonl") == "jsonl"
    assert format_for_path(None) == "jsonl"


# --- safe names ----------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "../../etc/passwd", "/etc/passwd", "..", ".", "...", ".bashrc", "a/b\\c", "C:\\Windows\\x",
    "\x00nul\x00", "CON", "nul.txt", "  ", "", "-rf", "😀" * 200, "é" * 500, "x" * 10_000,
    "name\nwith\nlines", "~/home", "$(rm -rf /)",
])
def test_out_dir_names_never_leave_the_folder(tmp_path, title):
    out = tmp_path / "out"
    sink = FolderSink(str(out), "md")
    sink.write(Article(text="Body", title=title, id=None, url="https://example.org/../../x"))
    sink.write(Article(text="Body", title=None, id=title))
    files = os.listdir(out)
    assert len(files) == 2
    for name in files:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert len(name.encode("utf-8")) <= 255
        assert os.path.dirname(os.path.realpath(out / name)) == os.path.realpath(out)
        assert name.split(".")[0].lower() not in ("con", "nul")
    assert os.listdir(tmp_path) == ["out"]  # nothing written beside the folder


def test_slugify():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Café on Market Square!") == "café-on-market-square"
    assert slugify("...") == ""
    assert len(slugify("é" * 500).encode()) <= 120


def test_stem_prefers_id_and_title_then_url_then_source():
    assert article_stem(Article(text="x", id="rec/1", title="A Title")) == "rec-1-a-title"
    assert article_stem(Article(text="x", url="https://example.org/news/a?b=1")) == "example.org-news-a-b-1"
    assert article_stem(Article(text="x", source=Source("dumps/story.txt", line=3))) == "story.txt-3"
    assert article_stem(Article(text="x")) == "article"


def test_out_dir_names_are_unique_on_collision_and_stable_across_runs(tmp_path):
    def run():
        sink = FolderSink(str(tmp_path), "jsonl")
        for text in ("one", "two", "three"):
            sink.write(Article(text=text, title="Same Title"))
        sink.write(Article(text="four", title="SAME title"))
        return sorted(os.listdir(tmp_path))

    first = run()
    assert first == ["same-title-2.json", "same-title-3.json", "same-title-4.json", "same-title.json"]
    assert run() == first  # a re-run replaces its own files instead of adding -5, -6...
    texts = {orjson.loads((tmp_path / n).read_bytes())["text"] for n in first}
    assert texts == {"one", "two", "three", "four"}


# --- atomic files --------------------------------------------------------------------------


def test_file_sink_commits_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old\n")
    sink = FileSink(str(path))
    sink.write(ARTICLE)
    assert path.read_bytes() == b"old\n"  # nothing visible before the commit
    temps = [n for n in os.listdir(tmp_path) if n != "out.jsonl"]
    assert len(temps) == 1 and temps[0].startswith(".out.jsonl.")
    sink.close(commit=True)
    assert path.read_bytes() == render_jsonl(ARTICLE)
    assert os.listdir(tmp_path) == ["out.jsonl"]
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_discarded_run_leaves_the_old_file(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old\n")
    sink = FileSink(str(path))
    sink.write(ARTICLE)
    sink.close(commit=False)
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_output_parent_folders_are_created(tmp_path):
    path = tmp_path / "a" / "b" / "out.jsonl"
    sink = open_sink(output=str(path))
    sink.write(ARTICLE)
    sink.close()
    assert path.read_bytes() == render_jsonl(ARTICLE)


def test_write_error_is_output_error_and_old_file_survives(tmp_path, monkeypatch):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old\n")
    sink = FileSink(str(path))

    def full(data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sink.file.handle, "write", full)
    with pytest.raises(OutputError) as caught:
        sink.write(ARTICLE)
    assert caught.value.path == str(path) and "No space" in str(caught.value)
    sink.close(commit=False)
    assert path.read_bytes() == b"old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_unwritable_targets_are_output_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as caught:
        FileSink(str(blocker / "out.jsonl"))
    assert caught.value.path == str(blocker / "out.jsonl")
    with pytest.raises(OutputError):
        FolderSink(str(blocker))
    with pytest.raises(OutputError):
        FileSink(str(tmp_path))  # a folder
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_non_regular_target_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        sink = FileSink(str(fifo))
        sink.write(ARTICLE)
        sink.close()
        assert os.read(reader, 1 << 20) == render_jsonl(ARTICLE)
    finally:
        os.close(reader)
    assert os.listdir(tmp_path) == ["pipe"]


def test_write_atomically_replaces_whole(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"old")
    write_atomically(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["x.md"]
