"""Metadata on publishers no metadata rule was tuned on: the zyte pages, hand-labelled.

The zyte corpus comes with article text only. fixtures/labels/zyte-metadata.jsonl gives, for
each of its pages, the headline, the people credited as writers and the publication day, read
by hand from the page (see that folder's README for how). scrape's metadata work was tuned on
fundus-dev and readability only, so this is the closest thing we have to "pages from
publishers we have never seen" for titles, authors and dates.

scrape and plain trafilatura run on the same pages in the same run and are scored with the
corpora README's rules (bench/scoring.py): title equal after NFKC/casefold, authors an exact
set, date the same day. A label of [] (no person credited) is scored too: writing the
publisher there is wrong. News agencies ("Associated Press", "Reuters", "dpa") are taken out of
both sides before authors are compared: the labels leave them out (the issue asks for people),
while fundus-dev, our other truth, counts a wire credit as an author, and scrape follows it. Pages whose label is null for a field are not scored
for it. Figures are given for all labels and for the high-confidence ones alone.

    python bench/unseen_metadata.py [CORPORA] [--failures] [--no-write] [--raise-floors]

The quality gate (tests/test_quality_gate.py) calls `scrape_figures` and holds them to
bench/floors_unseen.json, which like bench/floors.json only ever goes up (`--raise-floors`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import quality  # noqa: E402
import scoring  # noqa: E402

LABELS = REPO / "fixtures" / "labels" / "zyte-metadata.jsonl"
FLOORS = BENCH / "floors_unseen.json"
NAME = "zyte-labels"  # the figures' name in FLOORS
FIGURE_KEYS = {"title": "title", "authors": "authors", "date": "date_day"}  # field -> floor key
RESULTS = BENCH / "results" / "unseen_metadata.md"
FIELDS = ("title", "authors", "date")
# Wire services, by the names bylines credit them with; matched whole, after casefolding.
AGENCIES = frozenset({
    "ap", "associated press", "the associated press", "reuters", "thomson reuters", "afp",
    "agence france-presse", "agence france presse", "dpa", "epd", "kna", "sid", "apa", "sda",
    "keystone-sda", "ansa", "efe", "europa press", "pti", "ians", "ani", "upi", "xinhua", "tass",
    "ria novosti", "interfax", "anadolu", "anadolu agency", "anadolu ajansı", "yonhap", "kyodo",
    "jiji", "bloomberg", "bloomberg news", "cna", "bernama", "antara", "belga", "anp", "ntb",
    "tt", "ritzau", "stt", "ctk", "pap", "mti", "hina", "bta", "lusa", "agencia brasil",
})


def load_labels(path: Path = LABELS) -> dict[str, dict]:
    labels = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                raw = json.loads(line)
                if raw["id"] in labels:
                    raise SystemExit(f"{path}:{number}: {raw['id']} labelled twice")
                labels[raw["id"]] = raw
    return labels


def labelled_cases(corpora: Path, labels: dict[str, dict]) -> list[quality.Case]:
    """The zyte pages with their labels as truth; the body is not scored here."""
    cases = []
    for case in quality.load_corpus(corpora / "zyte"):
        label = labels.get(case.id)
        if label is None:
            continue
        authors = label.get("authors")
        cases.append(dataclasses.replace(
            case, body=None, title=label.get("title"), date=label.get("date"),
            authors=tuple(authors) if authors is not None else None))
    return cases


def page_hits(case: quality.Case, out: quality.Output) -> dict[str, bool]:
    hits = {}
    if case.title is not None:
        hits["title"] = scoring.title_equal(out.title, case.title)
    if case.authors is not None:
        hits["authors"] = scoring.authors_exact(_people(out.authors), _people(case.authors))
    if case.date is not None:
        hits["date"] = scoring.date_scores(out.date, case.date)[0]
    return hits


def _people(names) -> list[str]:
    return [n for n in names if n.strip().casefold().removeprefix("by ") not in AGENCIES]


def figures(cases, outputs, keep=lambda case: True) -> dict[str, tuple[int, int]]:
    """field -> (right, scored) over the cases `keep` accepts."""
    tally = {f: [0, 0] for f in FIELDS}
    for case, out in zip(cases, outputs):
        if keep(case):
            for field_name, hit in page_hits(case, out).items():
                tally[field_name][0] += hit
                tally[field_name][1] += 1
    return {f: (right, n) for f, (right, n) in tally.items()}


def scrape_figures(corpora: Path = quality.DEFAULT_CORPORA) -> dict[str, dict]:
    """scrape's figures on every label, keyed as bench/quality.py keys them."""
    cases = labelled_cases(corpora, load_labels())
    run = quality._scrape_tool()
    return _as_figures(figures(cases, [quality._call(run, case)[0] for case in cases]))


def _as_figures(got: dict[str, tuple[int, int]]) -> dict[str, dict]:
    return {FIGURE_KEYS[f]: {"value": right / n if n else None, "n": n} for f, (right, n) in got.items()}


def _cell(right: int, n: int) -> str:
    return f"{right / n:.3f} ({right}/{n})" if n else "–"


def render(cases, runs, labels) -> str:
    high = {i for i, label in labels.items() if label.get("confidence") == "high"}
    rows = ["| labels | tool | title | authors | date day |", "|---|---|---|---|---|"]
    for name, keep in (("all", lambda c: True), ("high confidence", lambda c: c.id in high)):
        for tool, outputs in runs.items():
            got = figures(cases, outputs, keep)
            rows.append(f"| {name} | {tool} | " + " | ".join(_cell(*got[f]) for f in FIELDS) + " |")
    return "\n".join(rows)


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (tuple, list)):
        return "; ".join(value) if value else "(none)"
    return str(value)


def render_failures(cases, outputs, labels) -> str:
    out = []
    for field_name in FIELDS:
        rows = []
        for case, got in zip(cases, outputs):
            hit = page_hits(case, got).get(field_name)
            if hit is False:
                truth = {"title": case.title, "authors": case.authors, "date": case.date}[field_name]
                mine = {"title": got.title, "authors": got.authors, "date": got.date}[field_name]
                host = (case.url or "").split("/")[2] if case.url and "//" in case.url else case.id[:12]
                mark = "" if labels[case.id].get("confidence") == "high" else " (low)"
                rows.append(f"| {host}{mark} | {_show(truth)} | {_show(mine)} |")
        out += [f"\n## {field_name}: scrape wrong on {len(rows)} pages\n",
                "| page | label | scrape |", "|---|---|---|", *rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="?", type=Path, default=quality.DEFAULT_CORPORA)
    parser.add_argument("--failures", action="store_true", help="list scrape's wrong pages per field")
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {RESULTS.relative_to(REPO)}")
    parser.add_argument("--raise-floors", action="store_true",
                        help=f"raise {FLOORS.relative_to(REPO)} where scrape's figures are higher")
    args = parser.parse_args(argv)
    if not (args.corpora / "zyte" / "cases.jsonl").is_file():
        parser.error(f"no zyte corpus under {args.corpora}")

    labels = load_labels()
    cases = labelled_cases(args.corpora, labels)
    tools = {quality.SCRAPE: quality._scrape_tool(), quality.TRAF: quality._trafilatura_metadata}
    runs = {name: [quality._call(fn, case)[0] for case in cases] for name, fn in tools.items()}
    for name, outputs in runs.items():
        for case, out in zip(cases, outputs):
            if out.error:
                print(f"ERROR {name} {case.id}: {out.error}", file=sys.stderr)
    table = render(cases, runs, labels)
    print(f"{len(cases)} zyte pages with hand labels ({LABELS.relative_to(REPO)})\n")
    print(table)
    if not args.no_write:
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        RESULTS.write_text(f"# Metadata on unseen publishers (zyte pages, hand-labelled)\n\n"
                           f"Measured {when} with `python bench/unseen_metadata.py`.\n\n{table}\n", "utf-8")
        print(f"\nwrote {RESULTS.relative_to(REPO)}", file=sys.stderr)
    mine = _as_figures(figures(cases, runs[quality.SCRAPE]))
    floors = quality.load_floors(FLOORS)
    for problem in quality.check_floors({NAME: mine}, floors):
        print(f"BELOW FLOOR {problem}", file=sys.stderr)
    if args.raise_floors:
        changes = quality.raise_floors({NAME: mine}, FLOORS)
        print("\n".join(["floors raised:"] + changes) if changes else "floors unchanged", file=sys.stderr)
    if args.failures:
        print(render_failures(cases, runs[quality.SCRAPE], labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
