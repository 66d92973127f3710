"""Writing articles: JSONL (default), Markdown with YAML front matter, plain text, or CSV
(one row per article); to stdout, to one file, or one file per article in a folder.

Every file is written atomically (`atomic.AtomicFile`), so a reader never sees half a file
and a failed run leaves an existing output as it was; the next run writing to that folder
(or that file) removes the temporary files a killed run left. A single output file is
committed at the end of the run, or when the run is interrupted, with what was written so
far. A write that fails is an `OutputError` naming the path. Reads no config keys.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import BinaryIO

import orjson

from ..errors import OutputError
from ..models import Article
from .atomic import AtomicFile, error_detail, remove_stale_temps, temp_prefix, write_atomically
from .markdown import markdown_body

FORMATS = ("jsonl", "md", "txt", "csv")
FORMAT_ALIASES = {"markdown": "md", "text": "txt", "ndjson": "jsonl"}  # other names users type
SUFFIXES = {"jsonl": ".json", "md": ".md", "txt": ".txt", "csv": ".csv"}  # per-article files in --out-dir
MAX_NAME_BYTES = 120  # a file name's stem; leaves room for "-123" and a suffix under 255 bytes
# Between two articles of one stream or file. txt: a form feed (a new page to printers and
# pagers, and what to split on: cleaned text holds none) leading a visible rule. md: a
# comment line, unseen once rendered, before the next article's front matter.
TEXT_SEPARATOR = b"\n\f" + b"-" * 72 + b"\n\n"
MD_SEPARATOR = b"\n<!-- next article -->\n\n"


# --- rendering -----------------------------------------------------------------------------


def render_jsonl(article: Article, explain: bool = False) -> bytes:
    """One JSON object on one line, keys in schema order."""
    record = article.as_dict(explain)
    try:
        return orjson.dumps(record) + b"\n"
    except TypeError:  # a lone surrogate somewhere: orjson refuses it
        return orjson.dumps(_scrub(record)) + b"\n"


def _scrub(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", errors="replace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


# Characters a YAML double-quoted scalar must not hold raw: C0/C1 controls, DEL, the line
# and paragraph separators and NEL (line breaks to YAML 1.1), the BOM, surrogates,
# non-characters. Quote and backslash are escaped too.
_YAML_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\"\\\\\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_YAML_ESCAPES = {"\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`.

    Only escapes that YAML and JSON share are used, so the result is valid JSON as well.
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _YAML_ESCAPES:
            return _YAML_ESCAPES[char]
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "\\ufffd"  # a lone surrogate is no character; YAML cannot carry it
        return f"\\u{ord(char):04x}"

    return '"' + _YAML_UNSAFE.sub(escape, text) + '"'


def _yaml_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return yaml_quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_quote(str(k))}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    return yaml_quote(str(value))


def render_md(article: Article, explain: bool = False, links: bool = False) -> bytes:
    """YAML front matter with every field but the text (flow style, quoted), then the text as
    Markdown: headings, lists, quotes and tables as the page had them (with the article's
    blocks), and with `links` its links."""
    record = article.as_dict(explain)
    lines = ["---"]
    lines += [f"{key}: {_yaml_value(value)}" for key, value in record.items() if key not in ("text", "blocks")]
    lines += ["---", "", markdown_body(article, links).rstrip("\n"), ""]
    return _encode("\n".join(lines))


def render_txt(article: Article, explain: bool = False) -> bytes:
    """The title, a blank line, the text (just the text when there is no title); with
    `explain`, then a blank line and a "Removed:" list, one "  rule: snippet" line each."""
    text = article.text.rstrip("\n")
    if article.title:
        text = f"{article.title}\n\n{text}"
    if explain:
        text += "\n\nRemoved:" + "".join(f"\n  {r.rule}: {r.snippet}" for r in article.removed)
    return _encode(text + "\n")


def csv_header(explain: bool = False) -> bytes:
    """The CSV header row: the record's keys, in schema order."""
    return _csv_line(list(Article(text="").as_dict(explain)))


def render_csv(article: Article, explain: bool = False) -> bytes:
    """One CSV row (RFC 4180: quoted where needed, CRLF) with the record's fields in schema
    order: lists joined with "; ", `source` as "path@offset" or "path:line", and with
    `explain`, `removed` as one "rule: snippet" line per piece."""
    cells = []
    for key, value in article.as_dict(explain).items():
        if key == "blocks":  # the header has no column for it: Markdown is where structure shows
            continue
        if key == "source":
            cells.append(str(article.source) if article.source else "")
        elif key == "removed":
            cells.append("\n".join(f"{r.rule}: {r.snippet}" for r in article.removed))
        else:
            cells.append(_csv_cell(value))
    return _csv_line(cells)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(value)
    return orjson.dumps(_scrub(value)).decode("utf-8")


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return _encode(buffer.getvalue())


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="replace")


RENDERERS: dict[str, Callable[[Article, bool], bytes]] = {
    "jsonl": render_jsonl, "md": render_md, "txt": render_txt, "csv": render_csv,
}
# How consecutive articles are kept apart in one stream or file.
SEPARATORS = {"jsonl": b"", "md": MD_SEPARATOR, "txt": TEXT_SEPARATOR, "csv": b""}
# What a stream or file starts with, before its first article.
HEADERS: dict[str, Callable[[bool], bytes]] = {"csv": csv_header}


def format_name(name: str) -> str:
    """The format a name or alias stands for ("markdown" is "md").

    Raises:
        ValueError: no format has that name.
    """
    name = name.lower()
    name = FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        names = ", ".join(sorted((*FORMATS, *FORMAT_ALIASES)))
        raise ValueError(f"unknown format {name!r} (formats: {names})")
    return name


# --- safe names ----------------------------------------------------------------------------

_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)  # Windows device names


def slugify(text: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A lower-case file-name stem from arbitrary text: letters, digits, '-', '_' and '.' only, no
    leading dot, at most `max_bytes` UTF-8 bytes. May be empty."""
    text = unicodedata.normalize("NFKC", text).lower()
    slug = "".join(char if char.isalnum() or char in "-_." else "-" for char in text)
    slug = re.sub(r"-{2,}", "-", slug)
    slug = re.sub(r"\.{2,}", ".", slug)
    slug = slug.strip("-_. ")
    encoded = slug.encode("utf-8")[:max_bytes]
    slug = encoded.decode("utf-8", errors="ignore").rstrip("-_.")
    if _RESERVED.match(slug.split(".")[0]):
        slug = "_" + slug
    return slug


def _url_words(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url, flags=re.IGNORECASE)


def article_stem(article: Article) -> str:
    """A readable, safe file-name stem: id and title, else the URL, else where it came from."""
    parts = []
    if article.id:
        parts.append(slugify(article.id, 40))
    if article.title:
        parts.append(slugify(article.title, 80))
    stem = "-".join(part for part in parts if part)
    url = article.url or article.canonical_url
    if not stem and url:
        stem = slugify(_url_words(url))
    if not stem and article.source is not None:
        stem = slugify(os.path.basename(str(article.source)))
    return slugify(stem) or "article"


# --- sinks ---------------------------------------------------------------------------------


class Sink:
    """Where rendered articles go. `close(commit)` ends the run: commit keeps the output."""

    def __init__(self, fmt: str, explain: bool = False, links: bool = False):
        if fmt not in RENDERERS:
            raise ValueError(f"unknown format {fmt!r}")
        self.format = fmt
        self.explain = explain
        self.links = links  # Markdown only: keep the links of the article body
        self.written = 0

    def render(self, article: Article) -> bytes:
        """The article as the next one of this sink's stream or file."""
        if not self.written:
            return self.render_first(article)
        return SEPARATORS[self.format] + self._body(article)

    def render_first(self, article: Article) -> bytes:
        """The article as the first (or only) one of a stream or file: with the format's header."""
        header = HEADERS.get(self.format)
        data = self._body(article)
        return header(self.explain) + data if header else data

    def _body(self, article: Article) -> bytes:
        if self.format == "md":
            return render_md(article, self.explain, self.links)
        return RENDERERS[self.format](article, self.explain)

    def write(self, article: Article) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Hand what was written on to its reader now (a stream); files wait for close."""

    def close(self, commit: bool = True) -> None:
        pass


class StreamSink(Sink):
    """Writes to an open binary stream (stdout)."""

    def __init__(self, stream: BinaryIO, fmt: str = "jsonl", explain: bool = False, name: str = "<stdout>",
                 links: bool = False):
        super().__init__(fmt, explain, links)
        self.stream = stream
        self.name = name

    def write(self, article: Article) -> None:
        data = self.render(article)
        try:
            self.stream.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(error_detail(exc), self.name) from None
        self.written += 1

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(error_detail(exc), self.name) from None

    def close(self, commit: bool = True) -> None:
        self.flush()


class FileSink(Sink):
    """All articles into one file, committed atomically when the run ends."""

    def __init__(self, path: str, fmt: str = "jsonl", explain: bool = False, links: bool = False):
        super().__init__(fmt, explain, links)
        self.path = path
        remove_stale_temps(os.path.dirname(os.path.abspath(path)), temp_prefix(os.path.basename(path)))
        self.file = AtomicFile(path)

    def write(self, article: Article) -> None:
        self.file.write(self.render(article))
        self.written += 1

    def close(self, commit: bool = True) -> None:
        if commit:
            self.file.commit()
        else:
            self.file.discard()


class FolderSink(Sink):
    """One file per article in a folder, each written atomically.

    Names come from `article_stem`; they never hold a path separator or start with a dot,
    so they cannot point outside the folder. Two articles of one run that would share a
    name get "-2", "-3", ... (a file left by an earlier run is replaced, so a re-run gives
    the same files).
    """

    def __init__(self, folder: str, fmt: str = "jsonl", explain: bool = False, links: bool = False):
        super().__init__(fmt, explain, links)
        self.folder = folder
        self.used: set[str] = set()
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise OutputError("not a folder (a file of that name is there)", folder)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise OutputError(error_detail(exc), folder) from None
        if not os.path.isdir(folder):
            raise OutputError("not a folder", folder)
        self.root = os.path.realpath(folder)
        remove_stale_temps(self.root)

    def path_for(self, article: Article) -> str:
        """The (new, unique in this run) path for an article."""
        stem = article_stem(article)
        suffix = SUFFIXES[self.format]
        name, number = stem + suffix, 1
        while name.lower() in self.used:
            number += 1
            name = f"{stem}-{number}{suffix}"
        self.used.add(name.lower())
        path = os.path.join(self.root, name)
        # Belt and braces: slugify already forbids separators and leading dots.
        if os.path.dirname(path) != self.root or name.startswith("."):
            raise OutputError("unsafe file name", path)
        return path

    def write(self, article: Article) -> None:
        data = self.render_first(article)
        write_atomically(self.path_for(article), data)
        self.written += 1


def open_sink(fmt: str = "jsonl", explain: bool = False, output: str | None = None,
              out_dir: str | None = None, stdout: BinaryIO | None = None, links: bool = False) -> Sink:
    """The sink for the options given: a folder, one file, or stdout. `links`: Markdown keeps
    the links of the article body.

    Raises:
        OutputError: the file or folder cannot be created.
    """
    if out_dir is not None:
        return FolderSink(out_dir, fmt, explain, links)
    if output is not None and output != "-":
        return FileSink(output, fmt, explain, links)
    return StreamSink(stdout if stdout is not None else sys.stdout.buffer, fmt, explain, links=links)


def format_for_path(path: str | None) -> str:
    """The format an output file's suffix implies (".md", ".txt", ".csv"), else jsonl."""
    suffix = os.path.splitext(path or "")[1].lower()
    return {".md": "md", ".markdown": "md", ".txt": "txt", ".csv": "csv"}.get(suffix, "jsonl")
