"""Same output before and after: snapshot every record scrape writes, then compare two snapshots.

A refactor must not change what scrape writes. `snapshot` cleans every page of
`../shared/corpora` (each corpus's `html/*.html.gz`, with the case's URL) and every file of
`fixtures/` that `scrape clean` reads (dumps, HTML pages, JSONL and WARC inputs), with
`explain=True`, and writes one JSON line per page: its key and the whole record (every field,
the removed pieces included) or the skip it raised. `compare` prints the pages whose records
differ, field by field.

    python bench/compare_outputs.py snapshot OUT.jsonl [--corpora DIR]
    python bench/compare_outputs.py compare OLD.jsonl NEW.jsonl [--fields text,title,...]

To compare two commits, snapshot each in its own checkout (`git worktree add /tmp/old REV`,
then run this file from the new tree with `PYTHONPATH=/tmp/old`), so both runs use the same
script.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
FIXTURE_FOLDERS = ("dumps", "html", "inputs", "holdout", "site")


def _corpus_pages(corpora: Path) -> Iterator[tuple[str, bytes, str | None]]:
    for cases in sorted(corpora.glob("*/cases.jsonl")):
        for line in cases.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            html = gzip.decompress((cases.parent / case["html"]).read_bytes())
            yield f"{cases.parent.name}/{case['id']}", html, case.get("url")


def _records(key: str, loaded: Iterator[object], clean_page, config) -> Iterator[dict]:
    """Clean every page an input yields; a skip is recorded as a result, not an error."""
    import scrape

    for number, page in enumerate(loaded):
        try:
            record = clean_page(page, config, True).as_dict(explain=True)
        except scrape.SkipError as exc:
            record = {"skipped": type(exc).__name__, "message": str(exc)}
        yield {"key": f"{key}#{number}", "record": record}


def snapshot(out: Path, corpora: Path) -> int:
    import os

    import scrape

    out = out.resolve()
    os.chdir(REPO)  # inputs are named relative to the repository in the records
    config = scrape.default_config()
    count = 0
    with out.open("w", encoding="utf-8") as sink:
        for key, html, url in _corpus_pages(corpora):
            try:
                record = scrape.clean_html(html, url=url, config=config, explain=True).as_dict(explain=True)
            except scrape.SkipError as exc:
                record = {"skipped": type(exc).__name__, "message": str(exc)}
            sink.write(json.dumps({"key": key, "record": record}, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
        for folder in FIXTURE_FOLDERS:
            for path in sorted((REPO / "fixtures" / folder).rglob("*")):
                if not path.is_file() or path.name.startswith(".") or path.suffix in {".json", ".md", ".py"}:
                    continue
                key = str(path.relative_to(REPO))
                for item in _fixture_records(key, Path(key), config):
                    sink.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
    return count


def _fixture_records(key: str, path: Path, config) -> Iterator[dict]:
    """Every page of one fixture file, read the way `scrape clean` reads it."""
    import scrape

    try:
        from scrape.io.inputs import iter_pages as read_inputs  # the layout after issue 13
    except ImportError:
        from scrape.sources import iter_pages as read_inputs  # type: ignore[no-redef]
    try:
        pages = list(read_inputs([str(path)]))
    except scrape.ScrapeError as exc:
        yield {"key": key, "record": {"unreadable": type(exc).__name__, "message": str(exc)}}
        return
    loaded = []
    for item in pages:
        if isinstance(item, scrape.ScrapeError):
            yield {"key": key, "record": {"unreadable": type(item).__name__, "message": str(item)}}
        else:
            loaded.append(item)
    yield from _records(key, iter(loaded), scrape.clean_page, config)


def compare(old: Path, new: Path, fields: set[str] | None) -> int:
    def load(path: Path) -> dict[str, dict]:
        return {item["key"]: item["record"] for item in map(json.loads, path.read_text(encoding="utf-8").splitlines())}

    before, after = load(old), load(new)
    differing = 0
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            print(f"{key}: only in {'new' if a is None else 'old'}")
            differing += 1
            continue
        changed = [name for name in sorted(a.keys() | b.keys())
                   if (fields is None or name in fields) and a.get(name) != b.get(name)]
        if changed:
            differing += 1
            print(f"{key}: {', '.join(changed)}")
            for name in changed:
                print(f"    old {name}: {json.dumps(a.get(name), ensure_ascii=False)[:300]}")
                print(f"    new {name}: {json.dumps(b.get(name), ensure_ascii=False)[:300]}")
    print(f"{len(before)} old, {len(after)} new, {differing} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    comp = commands.add_parser("compare")
    comp.add_argument("old", type=Path)
    comp.add_argument("new", type=Path)
    comp.add_argument("--fields", help="compare only these record keys (comma-separated)")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        count = snapshot(args.out, args.corpora)
        print(f"{count} records -> {args.out}", file=sys.stderr)
        return 0
    return compare(args.old, args.new, set(args.fields.split(",")) if args.fields else None)


if __name__ == "__main__":
    raise SystemExit(main())
