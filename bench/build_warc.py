"""Build a record-gzipped WARC of HTML responses from the shared corpora, for end-to-end runs.

The pages of every corpus under CORPORA (default: ../shared/corpora beside the repository)
are taken in turn, all corpora interleaved, and repeated until the WARC holds `--records`
response records, or until the file reaches `--bytes`. Each copy gets a distinct URL (the
page's own URL plus `?bench-copy=N`; readability pages, which have none, get
`https://<corpus>.invalid/<id>`), an HTTP 200 `text/html; charset=utf-8` header and the page
bytes as saved. Records are written with warcio, one gzip member per record (its level 9),
compressed on every core: members are built in worker processes and concatenated in order,
which is how a record-gzipped WARC is laid out anyway.

The file is cached under bench/work/ (git-ignored) by name (count or size, and a digest of
the corpus listing), written under a temporary name and renamed when whole, so an
interrupted build is never reused.

    python bench/build_warc.py [--records N | --bytes SIZE] [--corpora DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
BATCH = 64  # records compressed per task in a worker
WARC_DATE = "2025-01-21T22:00:00Z"


@dataclass(frozen=True)
class CorpusPage:
    corpus: str
    id: str
    url: str | None
    body: bytes  # the page as saved (UTF-8)


def load_pages(root: Path = DEFAULT_CORPORA, names: list[str] | None = None) -> list[CorpusPage]:
    """Every page of every corpus folder under `root` (or only `names`), corpora interleaved."""
    per_corpus = []
    for folder in sorted(p for p in root.iterdir() if (p / "cases.jsonl").is_file()):
        if names and folder.name not in names:
            continue
        pages = []
        with open(folder / "cases.jsonl", encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    raw = json.loads(line)
                    with gzip.open(folder / raw["html"]) as fh:
                        pages.append(CorpusPage(folder.name, raw["id"], raw.get("url"), fh.read()))
        per_corpus.append(pages)
    interleaved = []
    for index in range(max((len(p) for p in per_corpus), default=0)):
        interleaved.extend(pages[index] for pages in per_corpus if index < len(pages))
    return interleaved


def corpus_digest(pages: list[CorpusPage]) -> str:
    digest = hashlib.sha256()
    for page in pages:
        digest.update(f"{page.corpus}/{page.id}/{len(page.body)}\n".encode())
    return digest.hexdigest()[:10]


def record_url(page: CorpusPage, copy: int) -> str:
    url = page.url or f"https://{page.corpus}.invalid/{page.id}"
    if copy == 0:
        return url
    return f"{url}{'&' if '?' in url else '?'}bench-copy={copy}"


# Set in each build worker, so the pages cross to a worker once.
_pages: list[CorpusPage] = []


def _init(pages: list[CorpusPage]) -> None:
    global _pages
    _pages = pages


def _records(span: tuple[int, int]) -> bytes:
    """Records start..end-1 as concatenated gzip members."""
    start, end = span
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for index in range(start, end):
        page = _pages[index % len(_pages)]
        headers = StatusAndHeaders("200 OK", [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page.body))),
        ], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            record_url(page, index // len(_pages)), "response",
            payload=io.BytesIO(page.body), length=len(page.body), http_headers=headers,
            warc_headers_dict={"WARC-Date": WARC_DATE},
        )
        writer.write_record(record)
    return out.getvalue()


def _spans(total: int | None) -> Iterator[tuple[int, int]]:
    start = 0
    while total is None or start < total:
        end = start + BATCH if total is None else min(start + BATCH, total)
        yield start, end
        start = end


def cached_path(records: int | None, size: int | None, pages: list[CorpusPage]) -> Path:
    label = f"{records}rec" if records else f"{size // 1_000_000}MB"
    return WORK / f"corpora-{label}-{corpus_digest(pages)}.warc.gz"


def build_warc(path: Path, pages: list[CorpusPage], records: int | None = None,
               size: int | None = None, jobs: int | None = None, log=sys.stderr) -> dict:
    """Write `records` records (or records until the file reaches `size` bytes) to `path`.

    Returns {"records": count, "bytes": file size, "html_bytes": payload bytes}.
    """
    if (records is None) == (size is None):
        raise ValueError("give records or size")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    written = html_bytes = 0
    started = time.monotonic()
    jobs = jobs or os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    try:
        with open(temp, "wb") as out, context.Pool(jobs, _init, (pages,)) as pool:
            spans = _spans(records)
            pending: deque = deque()  # a bounded window of batches in flight, results in order
            while True:
                while len(pending) < 2 * jobs and (span := next(spans, None)) is not None:
                    pending.append((span, pool.apply_async(_records, (span,))))
                if not pending:
                    break
                (start, end), result = pending.popleft()
                out.write(result.get())
                written = end
                html_bytes += sum(len(pages[i % len(pages)].body) for i in range(start, end))
                if written % (BATCH * 64) == 0:
                    print(f"  built {written} records, {out.tell() / 1e6:.0f} MB "
                          f"({time.monotonic() - started:.0f}s)", file=log, flush=True)
                if size is not None and out.tell() >= size:
                    pool.terminate()
                    break
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    info = {"records": written, "bytes": path.stat().st_size, "html_bytes": html_bytes}
    path.with_suffix(".json").write_text(json.dumps(info))
    return info


def ensure_warc(pages: list[CorpusPage], records: int | None = None, size: int | None = None,
                log=sys.stderr) -> tuple[Path, dict]:
    """The cached WARC for this count or size, built first if missing."""
    path = cached_path(records, size, pages)
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text())
    what = f"{records} records" if records else f"{size / 1e9:.1f} GB"
    print(f"building {path.relative_to(REPO)} ({what} from {len(pages)} corpus pages)...", file=log, flush=True)
    started = time.monotonic()
    info = build_warc(path, pages, records=records, size=size, log=log)
    print(f"  done: {info['records']} records, {info['bytes'] / 1e6:.0f} MB in "
          f"{time.monotonic() - started:.0f}s", file=log, flush=True)
    return path, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--records", type=int, default=None, help="response records (default 5000)")
    group.add_argument("--bytes", type=float, default=None, help="file size to reach, e.g. 2e9")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, help="write here instead of the bench/work cache")
    args = parser.parse_args(argv)
    pages = load_pages(args.corpora)
    records = args.records if args.records or args.bytes else 5000
    size = int(args.bytes) if args.bytes else None
    if args.out:
        info = build_warc(args.out, pages, records=records if size is None else None, size=size)
        path = args.out
    else:
        path, info = ensure_warc(pages, records=records if size is None else None, size=size)
    print(f"{path}: {info['records']} records, {info['bytes'] / 1e6:.0f} MB "
          f"({info['html_bytes'] / 1e6:.0f} MB of HTML)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
