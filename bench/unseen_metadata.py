"""Metadata scrape was not tuned on: corpus pages with titles, authors and dates labelled by hand.

Each label set in fixtures/labels/ (`<corpus>-metadata.jsonl`; how they were made: that
folder's README) gives, for pages of a corpus, the fields that corpus leaves unknown:
- `zyte`: the corpus has article text only; the labels give every page's headline, the
  people credited as writers and the publication day. scrape's metadata work was tuned on
  fundus-dev and readability alone, so these 181 pages from other publishers are the closest
  thing we have to "pages from publishers we have never seen".
- `readability`: authors and dates where that corpus has none (62 pages of real sites).
  scrape was tuned on this corpus's other fields, so these are less unseen.

scrape and plain trafilatura run on the same pages in the same run and are scored with the
corpora README's rules (bench/scoring.py): title equal after NFKC/casefold, authors an exact
set, date the same day. A label of [] (no person credited) is scored too: writing the
publisher there is wrong. News agencies ("Associated Press", "Reuters", "dpa") are taken out
of both sides before authors are compared: the labels leave them out (the issue asks for
people), while fundus-dev, our other truth, counts a wire credit as an author, and scrape
follows it. A field whose label is null is not scored. Figures are given for all labels and
for the high-confidence ones alone.

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

LABELS = REPO / "fixtures" / "labels"
LABEL_SETS = ("zyte", "readability")  # corpora with a <corpus>-metadata.jsonl
FLOORS = BENCH / "floors_unseen.json"
RESULTS = BENCH / "results" / "unseen_metadata.md"
FIELDS = ("title", "authors", "date")
FIGURE_KEYS = {"title": "title", "authors": "authors", "date": "date_day"}  # field -> floor key
# Wire services, by the names bylines credit them with; matched whole, after casefolding.
AGENCIES = frozenset({
    "ap", "associated press", "the associated press", "reuters", "thomson reuters", "afp",
    "agence france-presse", "agence france presse", "dpa", "epd", "kna", "sid", "apa", "sda",
    "keystone-sda", "ansa", "efe", "europa press", "pti", "ians", "ani", "upi", "xinhua", "tass",
    "ria novosti", "interfax", "anadolu", "anadolu agency", "anadolu ajansı", "yonhap", "kyodo",
    "jiji", "bloomberg", "bloomberg news", "cna", "bernama", "antara", "belga", "anp", "ntb",
    "tt", "ritzau", "stt", "ctk", "pap", "mti", "hina", "bta", "lusa", "agencia brasil",
})


def figures_name(corpus: str) -> str:
    """The label set's name in FLOORS and the tables."""
    return f"{corpus}-labels"


def label_path(corpus: str) -> Path:
    return LABELS / f"{corpus}-metadata.jsonl"


def load_labels(path: Path) -> dict[str, dict]:
    labels = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                raw = json.loads(line)
                if raw["id"] in labels:
                    raise SystemExit(f"{path}:{number}: {raw['id']} labelled twice")
                labels[raw["id"]] = raw
    return labels


def labelled_cases(corpora: Path, corpus: str, labels: dict[str, dict]) -> list[quality.Case]:
    """The corpus's labelled pages with the labels as their only truth (body not scored)."""
    cases = []
    for case in quality.load_corpus(corpora / corpus):
        label = labels.get(case.id)
        if label is None:
            continue
        authors = label.get("authors")
        cases.append(dataclasses.replace(
            case, body=None, title=label.get("title"), date=label.get("date"),
            authors=tuple(authors) if authors is not None else None))
    return cases


def label_sets(corpora: Path) -> dict[str, tuple[list[quality.Case], dict[str, dict]]]:
    """name -> (cases, labels) for every label set whose file and corpus are both here."""
    found = {}
    for corpus in LABEL_SETS:
        if label_path(corpus).is_file() and (corpora / corpus / "cases.jsonl").is_file():
            labels = load_labels(label_path(corpus))
            found[figures_name(corpus)] = (labelled_cases(corpora, corpus, labels), labels)
    return found


def _people(names) -> list[str]:
    return [n for n in names if n.strip().casefold().removeprefix("by ") not in AGENCIES]


def page_hits(case: quality.Case, out: quality.Output) -> dict[str, bool]:
    hits = {}
    if case.title is not None:
        hits["title"] = scoring.title_equal(out.title, case.title)
    if case.authors is not None:
        hits["authors"] = scoring.authors_exact(_people(out.authors), _people(case.authors))
    if case.date is not None:
        hits["date"] = scoring.date_scores(out.date, case.date)[0]
    return hits


def tally(cases, outputs, keep=lambda case: True) -> dict[str, tuple[int, int]]:
    """field -> (right, scored) over the cases `keep` accepts."""
    counts = {f: [0, 0] for f in FIELDS}
    for case, out in zip(cases, outputs):
        if keep(case):
            for field_name, hit in page_hits(case, out).items():
                counts[field_name][0] += hit
                counts[field_name][1] += 1
    return {f: (right, n) for f, (right, n) in counts.items()}


def as_figures(counts: dict[str, tuple[int, int]]) -> dict[str, dict]:
    """The counts as bench/quality.py's figures ({"value", "n"} under its keys)."""
    return {FIGURE_KEYS[f]: {"value": right / n if n else None, "n": n} for f, (right, n) in counts.items()}


def scrape_figures(corpora: Path = quality.DEFAULT_CORPORA) -> dict[str, dict[str, dict]]:
    """scrape's figures on every label set here: name -> figures."""
    run = quality._scrape_tool()
    return {name: as_figures(tally(cases, [quality._call(run, case)[0] for case in cases]))
            for name, (cases, _) in label_sets(corpora).items()}


def _cell(right: int, n: int) -> str:
    return f"{right / n:.3f} ({right}/{n})" if n else "–"


def render(runs: dict[str, dict[str, list]], sets) -> str:
    rows = ["| labels | pages | tool | title | authors | date day |", "|---|---|---|---|---|---|"]
    for name, (cases, labels) in sets.items():
        high = {i for i, label in labels.items() if label.get("confidence") == "high"}
        for subset, keep in (("all", lambda c: True), ("high confidence", lambda c, high=high: c.id in high)):
            pages = sum(keep(c) for c in cases)
            for tool, outputs in runs[name].items():
                got = tally(cases, outputs, keep)
                rows.append(f"| {name}, {subset} | {pages} | {tool} | "
                            + " | ".join(_cell(*got[f]) for f in FIELDS) + " |")
    return "\n".join(rows)


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, (tuple, list)):
        return "; ".join(value) if value else "(none)"
    return str(value)


def render_failures(name: str, cases, outputs, labels) -> str:
    out = []
    for field_name in FIELDS:
        rows = []
        for case, got in zip(cases, outputs):
            if page_hits(case, got).get(field_name) is False:
                truth = {"title": case.title, "authors": case.authors, "date": case.date}[field_name]
                mine = {"title": got.title, "authors": got.authors, "date": got.date}[field_name]
                page = case.url.split("/")[2] if case.url and "//" in case.url else case.id[:24]
                mark = "" if labels[case.id].get("confidence") == "high" else " (low)"
                rows.append(f"| {page}{mark} | {_show(truth)} | {_show(mine)} |")
        if rows:
            out += [f"\n## {name}, {field_name}: scrape wrong on {len(rows)} pages\n",
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
    sets = label_sets(args.corpora)
    if not sets:
        parser.error(f"no labelled corpus under {args.corpora}")

    tools = {quality.SCRAPE: quality._scrape_tool(), quality.TRAF: quality._trafilatura_metadata}
    runs = {name: {tool: [quality._call(fn, case)[0] for case in cases] for tool, fn in tools.items()}
            for name, (cases, _) in sets.items()}
    for name, by_tool in runs.items():
        for tool, outputs in by_tool.items():
            for case, out in zip(sets[name][0], outputs):
                if out.error:
                    print(f"ERROR {tool} {name} {case.id}: {out.error}", file=sys.stderr)
    table = render(runs, sets)
    print(table)
    if not args.no_write:
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        RESULTS.write_text(f"# Metadata on hand-labelled pages (fixtures/labels)\n\n"
                           f"Measured {when} with `python bench/unseen_metadata.py`.\n\n{table}\n", "utf-8")
        print(f"\nwrote {RESULTS.relative_to(REPO)}", file=sys.stderr)
    mine = {name: as_figures(tally(sets[name][0], by_tool[quality.SCRAPE])) for name, by_tool in runs.items()}
    floors = {name: f for name, f in quality.load_floors(FLOORS).items() if name in mine}
    for problem in quality.check_floors(mine, floors):
        print(f"BELOW FLOOR {problem}", file=sys.stderr)
    if args.raise_floors:
        changes = quality.raise_floors(mine, FLOORS)
        print("\n".join(["floors raised:"] + changes) if changes else "floors unchanged", file=sys.stderr)
    if args.failures:
        for name, (cases, labels) in sets.items():
            print(render_failures(name, cases, runs[name][quality.SCRAPE], labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
