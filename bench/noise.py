"""Noise removal on dumps and pages, measured on a held-out half of the wording bank (issue 20).

Real article bodies from ../shared/corpora (fundus-dev in en/de/es/fr, readability and zyte for
more English and for es/it/fr) are dressed by bench/dress.py with noise from the wording bank
(bench/noise_bank/<lang>.toml): ad labels and the UI lines around ad slots, widget headings with
3-6 teaser headlines of other corpus stories, membership promos with their buttons, newsletter
lines, read-also lines with another story's headline, share / comment / audio / reading-time
lines, and a byline whose author and date are the truth for metadata scoring. Each body becomes
a text dump (cleaned with `scrape.clean_text`) and an HTML page with invented class names
(cleaned with `scrape.clean_html`, and with plain trafilatura 2.3.1 as the anchor:
`extract(include_comments=False)` for text, `bare_extraction` for author and date).

The bank's families are split into halves A and B (a family is one phrasing and its re-cased or
re-punctuated variants; no phrasing is in both halves). **Tune rules and train anything on the
tune half only (A by default) and report the held-out half (B)**; then swap (`--report-half A`).
A wording that appears in scrape's rules is known: never copy a held-out wording into a rule.

    python bench/noise.py [CORPORA] [--half A|B|both] [--report-half B] [--tune-half A]
                          [--lang en,de] [--limit N] [--show-left] [--json FILE]
                          [--write-items DIR] [--no-write]

    --half          halves to run (default both; the report half's table comes first)
    --report-half   the held-out half (default B); --tune-half is the other one
    --lang          only these languages; --limit N: at most N bodies per language
    --show-left     print every planted string left, with its tool, item, category and family
    --json FILE     per-item results and the summary as JSON
    --write-items   write the tune half's dressed dumps, pages and truths to DIR (never the
                    held-out half), for tuning rules or training on them
    --no-write      do not rewrite bench/results/noise.md (it is rewritten only when the run
                    covers both halves, every language and no --limit)

Figures (per half, for scrape on dumps, scrape on pages and trafilatura on pages):
  * noise-free: share of items with no planted string left;
  * strings left: planted strings found in the output, by category and by language. A string
    is left when it (or, for a compound line, one of its parts: a read-also line's label or
    headline, a byline's date) occurs in the output after NFC and whitespace collapsing, not
    inside a longer word and not inside a body paragraph (body paragraphs are masked first;
    longer strings are matched first and masked). Strings that occur in the body or the title
    are never planted (counted as collisions);
  * body P/R/F1: the corpora's token rule (bench/scoring.py) against the original body;
  * date: same calendar day as the byline's date; authors: the corpora's rule (scoring.py).
scrape runs with its default configuration less site rules and with min_words=0, as in
bench/quality.py.

First measured table (held-out half B; see bench/results/noise.md for both halves):

Measured 2026-12-07 00:22 UTC, scrape at 1db5143, 94 bodies / 145 items per half, 26 s on 2 cores:

| figure | scrape (dumps) | scrape (pages) | trafilatura (pages) |
|---|---|---|---|
| items | 145 | 145 | 145 |
| **noise-free items** | **0.000** | **0.200** | **0.000** |
| **strings left** | **67.7% (1838/2714)** | **11.8% (321/2714)** | **20.2% (549/2714)** |
| – ad | 60.5% (147/243) | 61.3% (149/243) | 18.1% (44/243) |
| – widget | 62.8% (785/1250) | 5.0% (63/1250) | 0.6% (8/1250) |
| – promo | 91.6% (240/262) | 15.6% (41/262) | 99.2% (260/262) |
| – newsletter | 77.6% (170/219) | 0.0% (0/219) | 0.0% (0/219) |
| – readalso | 86.7% (189/218) | 31.2% (68/218) | 99.5% (217/218) |
| – share | 64.4% (244/379) | 0.0% (0/379) | 0.0% (0/379) |
| – byline | 44.1% (63/143) | 0.0% (0/143) | 14.0% (20/143) |
| – en | 33.6% (274/815) | 2.8% (23/815) | 20.7% (169/815) |
| – de | 77.9% (521/669) | 12.1% (81/669) | 19.7% (132/669) |
| – es | 87.1% (390/448) | 18.1% (81/448) | 21.0% (94/448) |
| – it | 80.7% (302/374) | 19.8% (74/374) | 19.3% (72/374) |
| – fr | 86.0% (351/408) | 15.2% (62/408) | 20.1% (82/408) |
| body precision | 0.856 | 0.967 | 0.942 |
| body recall | 0.998 | 0.998 | 0.999 |
| body F1 | 0.917 | 0.982 | 0.969 |
| date same day | 0.483 | 0.952 | 0.938 |
| authors exact | 0.414 | 0.938 | 0.745 |
| no article | 0/145 | 0/145 | 0/145 |

What it showed then: on dumps scrape leaves most noise of every category (it knew a few wordings
such as "Advertisement"); on pages it removes newsletter, share and byline lines, and leaks ad
labels and ad UI lines inside the body column, read-also lines and promo pitches. Half A had
not been tuned on yet (the rules predate the bank), so A and B then differed only by chance
overlap with existing rules: A left 58.6% on dumps and 9.3% on pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
RESULTS = BENCH / "results" / "noise.md"
sys.path.insert(0, str(BENCH))
import dress  # noqa: E402
import scoring  # noqa: E402

BODY_CORPORA = ("fundus-dev", "readability", "zyte")
HEADLINE_CORPORA = ("fundus-dev", "readability", "zyte", "trafilatura-dev")
BODIES = {"en": 45, "de": 35, "es": 20, "it": 20, "fr": 20}  # at most, per language
MIN_ITEMS = 20  # a language with fewer bodies dresses each body several times (other seeds)
SAMPLE_SEED = "noise-bench-1"
TOOLS = ("scrape (dumps)", "scrape (pages)", "trafilatura (pages)")

_STOPWORDS = {
    "en": "the and of to in is that for it with was on".split(),
    "de": "und der die das nicht ist mit von den sich auf".split(),
    "es": "el la los de que y en las por una del se".split(),
    "it": "il di che la per non una sono della gli del le".split(),
    "fr": "le la les de et des est une pour dans du que".split(),
    "pt": "o a os de que e em não uma do da com".split(),
}
_NAMES = {
    "en": ("Sarah Whitfield", "Daniel Okafor", "Megan Castillo", "Tom Brennan", "Priya Raman", "Lucas Hartley"),
    "de": ("Katrin Hollmann", "Jonas Albrecht", "Miriam Seidel", "Florian Kessler", "Anja Wendt", "Tobias Reuter"),
    "es": ("Lucía Ferrer", "Javier Morales", "Carmen Ibáñez", "Pablo Serrano", "Elena Rubio"),
    "it": ("Giulia Ferraro", "Matteo Colombo", "Chiara Rinaldi", "Luca Bellini", "Francesca Greco"),
    "fr": ("Claire Dubois", "Julien Marchand", "Camille Lefèvre", "Antoine Girard", "Sophie Bernard"),
}
_NAME = re.compile(r"^[^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,4}$")
_NAME_LEAD = re.compile(r"^(by|von|par|por|di|de)\s+", re.I)
_JOINERS = re.compile(r"\s(and|und|et|y|e|&)\s", re.I)


# ---------------------------------------------------------------------------- corpus

def _page_head(path: Path) -> str:
    with gzip.open(path, "rb") as f:
        return f.read(200_000).decode("utf-8", "replace")


def _meta(head: str, prop: str) -> str | None:
    for pat in (rf'<meta[^>]+(?:property|name)=["\']{prop}["\'][^>]+content=["\']([^"\']+)',
                rf'<meta[^>]+content=["\']([^"\']+)["\'][^>]+(?:property|name)=["\']{prop}["\']'):
        m = re.search(pat, head, re.I)
        if m:
            return dress.norm(_unescape(m.group(1)))
    return None


def _unescape(s: str) -> str:
    import html

    return html.unescape(s)


def _cut_site_tail(title: str) -> str:
    parts = [p.strip() for p in re.split(r"\s(?:\||-|–|—|::|·)\s", title) if p.strip()]
    return max(parts, key=len) if parts else title


def page_title(path: Path) -> str | None:
    head = _page_head(path)
    t = _meta(head, "og:title")
    if not t:
        m = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
        t = dress.norm(_unescape(m.group(1))) if m else None
    return _cut_site_tail(t) if t else None


def page_lang(path: Path) -> str | None:
    m = re.search(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", _page_head(path)[:30_000])
    return m.group(1).lower() if m else None


def guess_lang(text: str) -> str | None:
    tokens = re.findall(r"\w+", text.lower())
    if len(tokens) < 50:
        return None
    counts = Counter(tokens)
    scores = {lang: sum(counts[w] for w in words) / len(tokens) for lang, words in _STOPWORDS.items()}
    best, second = sorted(scores, key=scores.get, reverse=True)[:2]
    ok = scores[best] >= 0.08 and scores[best] >= 1.3 * scores[second]
    return best if ok and best in dress.LANGS else None


def _visible_text(path: Path) -> str:
    with gzip.open(path, "rb") as f:
        page = f.read().decode("utf-8", "replace")
    page = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1>", " ", page)
    return _unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def case_lang(raw: dict, html_path: Path) -> str | None:
    """The language of a case when its label (or its page's lang attribute) and the stopwords
    of its text agree; a case with no label takes the stopwords' verdict."""
    body = raw.get("body")
    label = raw.get("language") or (None if body else page_lang(html_path))
    if label and label not in dress.LANGS:
        return None
    guess = guess_lang(body if body else _visible_text(html_path))
    return guess if label is None or label == guess else None


@dataclass
class Case:
    corpus: str
    raw: dict
    lang: str | None
    html_path: Path

    @property
    def id(self) -> str:
        return f"{self.corpus}/{self.raw['id']}"

    def truth(self, key: str):
        if key in (self.raw.get("exclude") or []):
            return None
        return self.raw.get(key)


def load_cases(corpora: Path, names=HEADLINE_CORPORA) -> list[Case]:
    cases = []
    for name in names:
        path = corpora / name / "cases.jsonl"
        if not path.exists():
            continue
        for line in path.read_text("utf-8").splitlines():
            raw = json.loads(line)
            html_path = corpora / name / raw["html"]
            cases.append(Case(name, raw, case_lang(raw, html_path), html_path))
    return cases


def paragraphs(body: str) -> tuple[str, ...]:
    return tuple(p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", body)) if p)


def usable_body(case: Case) -> bool:
    body = case.truth("body")
    if not body or case.lang is None or case.corpus not in BODY_CORPORA:
        return False
    paras = paragraphs(body)
    words = sum(len(p.split()) for p in paras)
    return (len(paras) >= 3 and words >= 120 and words / len(paras) >= 8
            and "lorem ipsum" not in body.casefold() and body.count("http") <= 3)


def _title(case: Case) -> str | None:
    title = case.truth("title")
    if title and 2 <= len(title.split()) <= 40:
        return dress.norm(title)
    return page_title(case.html_path)


def _clean_authors(names) -> tuple[str, ...] | None:
    out = []
    for name in names or []:
        name = _NAME_LEAD.sub("", dress.norm(name))
        if not _NAME.match(name) or _JOINERS.search(name) or re.search(r"\.[a-z]{2,}$", name):
            return None
        out.append(name)
    return tuple(out) or None


def _site(case: Case, rng: random.Random) -> tuple[str, str]:
    url = case.raw.get("url")
    domain = urlsplit(url).netloc.lower().removeprefix("www.") if url else ""
    if not domain:
        domain = f"{dress._syllables(rng, 3)}.{rng.choice(('com', 'net', 'news'))}"
    name = case.raw.get("publisher") or domain.split(".")[0].capitalize()
    return name, domain


def story_for(case: Case) -> tuple[dress.Story, str, str]:
    """The case as a Story (truth metadata where the corpus knows it and it reads as a byline;
    invented, seeded, where not), with its site name and domain."""
    rng = random.Random(f"story:{case.id}")
    authors = _clean_authors(case.truth("authors"))
    if authors is None:
        pool = _NAMES[case.lang]
        authors = tuple(rng.sample(pool, 2 if rng.random() < 0.25 else 1))
    published = case.truth("date")
    try:
        dt.datetime.fromisoformat((published or "").replace("Z", "+00:00"))
    except ValueError:
        published = None
    if not published:
        day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))
        published = f"{day.isoformat()}T{rng.randint(6, 22):02d}:{rng.randrange(60):02d}:00"
    name, domain = _site(case, rng)
    url = case.raw.get("url") or f"https://{domain}/{dress._slug(_title(case) or case.id)}"
    story = dress.Story(id=case.id, lang=case.lang, title=_title(case) or "", url=url,
                        paragraphs=paragraphs(case.truth("body")), authors=authors, published=published)
    return story, name, domain


def headline_pools(cases: list[Case], langs, bank: dress.Bank) -> dict[str, list[str]]:
    """Real headlines per language: the titles of every corpus case in that language; where
    fewer than 40, also headline-like link texts of that language's corpus pages. A headline
    that starts with a read-also label of the bank ("Leggi anche su: ...") is left out."""
    labels = {dress.phrasing_key(w.text) for w in bank.select(category="readalso")}
    labels = {k.replace("<headline>", "").strip() for k in labels}
    pools: dict[str, list[str]] = {lang: [] for lang in langs}
    for case in cases:
        if case.lang in pools:
            t = _title(case)
            t = _cut_site_tail(t) if t else None
            if t and _headline_like(t):
                pools[case.lang].append(t)
    for lang, pool in pools.items():
        if len(set(pool)) < 40:
            pool.extend(_link_headlines([c for c in cases if c.lang == lang]))
        pools[lang] = sorted(t for t in set(pool)
                             if not any(dress.phrasing_key(t).startswith(k + " ") for k in labels if k))
    return pools


def _link_headlines(cases: list[Case]) -> list[str]:
    """Texts of links to other articles (a slug of 3+ words in the path) on these pages."""
    import lxml.html

    out = []
    for case in cases:
        with gzip.open(case.html_path, "rb") as f:
            doc = lxml.html.fromstring(f.read().decode("utf-8", "replace"))
        for a in doc.iter("a"):
            path = urlsplit(a.get("href") or "").path
            t = dress.norm(a.text_content())
            in_text = any(anc.tag == "p" for anc in a.iterancestors())
            if (re.search(r"[^\W_]+-[^\W_]+-[^\W_]+", path) and _headline_like(t) and len(t.split()) >= 5
                    and t[:1].isupper() and not in_text):
                out.append(t)
    return out


def _headline_like(t: str) -> bool:
    return (4 <= len(t.split()) <= 20 and 20 <= len(t) <= 150 and not re.search(r"[|{}<>€$]|https?:", t)
            and "lorem ipsum" not in t.casefold())


@dataclass
class Sample:
    stories: dict[str, list[dress.Story]]  # lang -> stories
    sites: dict[str, tuple[str, str]]  # story id -> (site name, domain)
    pools: dict[str, list[str]]
    by_corpus: Counter


def build_sample(corpora: Path, bank: dress.Bank, langs=dress.LANGS, limit: int | None = None) -> Sample:
    cases = load_cases(corpora)
    stories: dict[str, list[dress.Story]] = {}
    sites = {}
    by_corpus: Counter = Counter()
    for lang in langs:
        pool = sorted((c for c in cases if c.lang == lang and usable_body(c) and _title(c)), key=lambda c: c.id)
        random.Random(f"{SAMPLE_SEED}:{lang}").shuffle(pool)
        n = min(BODIES[lang], limit or BODIES[lang])
        chosen = sorted(pool[:n], key=lambda c: c.id)
        stories[lang] = []
        for case in chosen:
            story, name, domain = story_for(case)
            stories[lang].append(story)
            sites[story.id] = (name, domain)
            by_corpus[(lang, case.corpus)] += 1
    return Sample(stories, sites, headline_pools(cases, langs, bank), by_corpus)


def dress_half(sample: Sample, bank: dress.Bank, half: str) -> list[dress.Dressed]:
    items = []
    for lang, stories in sample.stories.items():
        if not stories:
            continue
        per_body = max(1, math.ceil(MIN_ITEMS / len(stories)))
        for story in stories:
            name, domain = sample.sites[story.id]
            for k in range(per_body):
                seed = zlib.crc32(f"{story.id}#{k}".encode())
                site = dress.make_site(bank, lang, half, name, domain, seed)
                items.append(dress.dress(story, site, sample.pools[lang], seed))
    return items


# ---------------------------------------------------------------------------- tools

@dataclass
class Output:
    text: str = ""
    authors: tuple[str, ...] = ()
    date: str | None = None
    skipped: str | None = None


def make_scrape():
    import scrape

    defaults = scrape.default_config()
    config = dataclasses.replace(defaults, sites=(), clean=dataclasses.replace(defaults.clean, min_words=0))

    def run(kind: str, item: dress.Dressed) -> Output:
        fn = scrape.clean_text if kind == "dump" else scrape.clean_html
        try:
            art = fn(item.dump if kind == "dump" else item.page, url=item.story.url, config=config)
        except scrape.SkipError as exc:
            return Output(skipped=str(getattr(exc, "reason", exc)))
        # The credit, as bench/quality.py scores it: a story whose truth credits a wire or the
        # publisher ("Reuters", "DER SPIEGEL") finds it in author_organisations.
        credit = tuple(art.authors) + tuple(getattr(art, "author_organisations", ()))
        return Output(text=art.text, authors=credit, date=art.published)

    return run


def run_trafilatura(item: dress.Dressed) -> Output:
    import trafilatura

    text = trafilatura.extract(item.page, url=item.story.url, include_comments=False)
    doc = trafilatura.bare_extraction(item.page, url=item.story.url, with_metadata=True, include_comments=False)
    authors = tuple(a.strip() for a in ((doc.author if doc else None) or "").split(";") if a.strip())
    return Output(text=text or "", authors=authors, date=doc.date if doc else None,
                  skipped=None if text else "empty")


# ---------------------------------------------------------------------------- scoring

def strings_left(item: dress.Dressed, text: str) -> list[int]:
    """Indexes (into item.noise) of the planted strings left in `text`."""
    masked = dress.norm(text)
    for p in sorted((dress.norm(p) for p in item.story.paragraphs), key=len, reverse=True):
        if p:
            masked = masked.replace(p, "\x00")
    checks = sorted(((dress.norm(c), i) for i, n in enumerate(item.noise) for c in n.checks if c.strip()),
                    key=lambda t: -len(t[0]))
    left = set()
    for check, i in checks:
        pattern = re.compile(r"(?<!\w)" + re.escape(check) + r"(?!\w)")
        if pattern.search(masked):
            left.add(i)
            masked = pattern.sub("\x00", masked)
    return sorted(left)


def score_item(item: dress.Dressed, out: Output) -> dict:
    left = strings_left(item, out.text)
    p, r, f = scoring.token_page(out.text, "\n\n".join(item.story.paragraphs))
    return {
        "left": left, "precision": p, "recall": r, "f1": f,
        "date_day": scoring.date_scores(out.date, item.story.published)[0],
        "authors": scoring.authors_exact(list(out.authors), list(item.story.authors)),
        "skipped": out.skipped,
    }


def summarise(items: list[dress.Dressed], scores: list[dict]) -> dict:
    n = len(items)
    planted, left = Counter(), Counter()
    for item, s in zip(items, scores):
        for i, noise in enumerate(item.noise):
            for key in ("all", f"cat:{noise.category}", f"lang:{item.story.lang}",
                        f"role:{noise.category}/{noise.role}"):
                planted[key] += 1
                left[key] += i in s["left"]
    mean = lambda k: sum(s[k] for s in scores) / n if n else 0.0  # noqa: E731
    return {
        "items": n, "noise_free": sum(not s["left"] for s in scores) / n if n else 0.0,
        "planted": dict(planted), "left": dict(left),
        "precision": mean("precision"), "recall": mean("recall"), "f1": mean("f1"),
        "date_day": mean("date_day"), "authors": mean("authors"),
        "no_article": sum(s["skipped"] is not None for s in scores),
    }


def run_half(items: list[dress.Dressed], show_left: bool, half: str) -> dict[str, dict]:
    scrape_run = make_scrape()
    per_tool: dict[str, list[dict]] = {t: [] for t in TOOLS}
    for item in items:
        outs = {TOOLS[0]: scrape_run("dump", item), TOOLS[1]: scrape_run("page", item),
                TOOLS[2]: run_trafilatura(item)}
        for tool, out in outs.items():
            s = score_item(item, out)
            per_tool[tool].append(s)
            if show_left:
                for i in s["left"]:
                    n = item.noise[i]
                    print(f"  left  half {half} | {tool:<19} | {item.story.id} ({item.site.domain}, seed {item.seed}) | "
                          f"{n.category}/{n.role} | {n.family or 'teaser'} | {n.text!r}")
    return {tool: {"summary": summarise(items, scores), "items": scores} for tool, scores in per_tool.items()}


# ---------------------------------------------------------------------------- report

def _pct(left: int, planted: int) -> str:
    return f"{100 * left / planted:.1f}% ({left}/{planted})" if planted else "–"


def render_table(result: dict[str, dict], langs) -> str:
    sums = [result[t]["summary"] for t in TOOLS]
    rows = [("items", [str(s["items"]) for s in sums]),
            ("**noise-free items**", [f"**{s['noise_free']:.3f}**" for s in sums]),
            ("**strings left**", [f"**{_pct(s['left'].get('all', 0), s['planted'].get('all', 0))}**" for s in sums])]
    for cat in dress.CATEGORIES:
        rows.append((f"– {cat}", [_pct(s["left"].get(f"cat:{cat}", 0), s["planted"].get(f"cat:{cat}", 0)) for s in sums]))
    for lang in langs:
        rows.append((f"– {lang}", [_pct(s["left"].get(f"lang:{lang}", 0), s["planted"].get(f"lang:{lang}", 0)) for s in sums]))
    rows += [("body precision", [f"{s['precision']:.3f}" for s in sums]),
             ("body recall", [f"{s['recall']:.3f}" for s in sums]),
             ("body F1", [f"{s['f1']:.3f}" for s in sums]),
             ("date same day", [f"{s['date_day']:.3f}" for s in sums]),
             ("authors exact", [f"{s['authors']:.3f}" for s in sums]),
             ("no article", [f"{s['no_article']}/{s['items']}" for s in sums])]
    lines = ["| figure | " + " | ".join(TOOLS) + " |", "|---|" + "---|" * len(TOOLS)]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    return "\n".join(lines)


def render_roles(result: dict[str, dict]) -> str:
    sums = [result[t]["summary"] for t in TOOLS]
    roles = sorted(k for k in sums[0]["planted"] if k.startswith("role:"))
    lines = ["| category/role | " + " | ".join(TOOLS) + " |", "|---|" + "---|" * len(TOOLS)]
    lines += [f"| {r[5:]} | " + " | ".join(_pct(s["left"].get(r, 0), s["planted"].get(r, 0)) for s in sums) + " |"
              for r in roles]
    return "\n".join(lines)


def sample_line(sample: Sample, items_per_half: int, planted: int, collisions: int) -> str:
    bodies = {lang: len(st) for lang, st in sample.stories.items()}
    corp = ", ".join(f"{lang} {bodies[lang]} (" + ", ".join(f"{c} {n}" for (lg, c), n in sorted(sample.by_corpus.items())
                                                             if lg == lang) + ")" for lang in bodies)
    pools = ", ".join(f"{lang} {len(p)}" for lang, p in sample.pools.items())
    return (f"{sum(bodies.values())} bodies: {corp}. {items_per_half} dressed items per half (a language with "
            f"fewer than {MIN_ITEMS} bodies dresses each body several times with other seeds), "
            f"{planted} planted strings per half on average; {collisions} wordings not planted because they "
            f"occur in the body or title (collisions). Teaser headline pools (real titles of corpus cases "
            f"in the language, plus headline-like link texts where the corpus has few): {pools}.")


def machine_line() -> str:
    import trafilatura

    import scrape

    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "scrape"],
                               capture_output=True, text=True, check=True).stdout.strip()
        rev += " + uncommitted changes in scrape/" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        rev = "unknown"
    if REPO not in Path(scrape.__file__).resolve().parents:
        rev = f"{Path(scrape.__file__).resolve().parent} (not this repository's, at {rev})"
    return (f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
            f"trafilatura {trafilatura.__version__}, scrape at {rev}")


def write_items(directory: Path, half: str, items: list[dress.Dressed]) -> None:
    out = directory / half
    out.mkdir(parents=True, exist_ok=True)
    for item in items:
        stem = f"{dress._slug(item.story.id)}-{item.seed}"
        (out / f"{stem}.txt").write_text(item.dump, "utf-8")
        (out / f"{stem}.html").write_text(item.page, "utf-8")
        truth = {"id": item.story.id, "url": item.story.url, "lang": item.story.lang, "title": item.story.title,
                 "authors": list(item.story.authors), "published": item.story.published,
                 "paragraphs": list(item.story.paragraphs),
                 "noise": [dataclasses.asdict(n) for n in item.noise]}
        (out / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), "utf-8")


def _use_line_model(path: Path) -> None:
    """Clean with another line model: the cleaners read the shipped one through
    default_line_model, looked up in their modules at call time."""
    import scrape.clean.html
    import scrape.clean.textdump
    from scrape.config.model import read_line_model

    model = read_line_model(path.read_text("utf-8"))
    for module in (scrape.clean.html, scrape.clean.textdump):
        module.default_line_model = lambda: model  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="?", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--half", choices=("A", "B", "both"), default="both")
    ap.add_argument("--report-half", choices=("A", "B"), default="B")
    ap.add_argument("--tune-half", choices=("A", "B"))
    ap.add_argument("--lang", default=",".join(dress.LANGS))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--show-left", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--write-items", type=Path)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--line-model", type=Path,
                    help="clean with this line model instead of the shipped one (the swap: a model "
                         "bench/train_lines.py --tune-half B wrote); implies --no-write")
    args = ap.parse_args(argv)
    tune = args.tune_half or ("A" if args.report_half == "B" else "B")
    if tune == args.report_half:
        ap.error("--tune-half and --report-half must differ")
    langs = [lang for lang in args.lang.split(",") if lang]
    if set(langs) - set(dress.LANGS):
        ap.error(f"--lang: known languages are {','.join(dress.LANGS)}")
    halves = [args.report_half, tune] if args.half == "both" else [args.half]
    if args.line_model:
        _use_line_model(args.line_model)
        args.no_write = True

    started = time.time()
    bank = dress.load_bank()
    sample = build_sample(args.corpora, bank, langs, args.limit)
    results, dressed = {}, {}
    for half in halves:
        items = dress_half(sample, bank, half)
        dressed[half] = items
        if args.write_items:
            if half == args.report_half:
                print(f"--write-items: not writing the held-out half {half}", file=sys.stderr)
            else:
                write_items(args.write_items, half, items)
        results[half] = run_half(items, args.show_left, half)
    elapsed = time.time() - started

    coverage = []
    for half in halves:
        used = {(i.story.lang, n.family) for i in dressed[half] for n in i.noise if n.family}
        families = {(w.lang, w.family_id) for w in bank.select(half=half) if w.lang in langs}
        coverage.append(f"half {half} plants {len(used & families)} of its {len(families)} families")
    items_per_half = len(dressed[halves[0]])
    planted = round(sum(len(i.noise) for h in halves for i in dressed[h]) / len(halves))
    collisions = round(sum(len(i.collisions) for h in halves for i in dressed[h]) / len(halves))
    header = sample_line(sample, items_per_half, planted, collisions) + " Coverage: " + "; ".join(coverage) + "."
    sections = []
    for half in halves:
        role = "held-out" if half == args.report_half else "tune"
        sections.append(f"## Half {half} ({role})\n\n{render_table(results[half], langs)}\n\n"
                        f"<details><summary>by role</summary>\n\n{render_roles(results[half])}\n\n</details>")
    report = "\n\n".join(sections)
    print(header + "\n")
    print(report)
    print(f"\n{elapsed:.0f} s")

    command = "python bench/noise.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.json:
        args.json.write_text(json.dumps({
            "command": command, "halves": halves, "report_half": args.report_half, "tune_half": tune,
            "summary": {h: {t: results[h][t]["summary"] for t in TOOLS} for h in halves},
            "items": {h: [{"id": it.story.id, "seed": it.seed, "lang": it.story.lang, "domain": it.site.domain,
                           "noise": [dataclasses.asdict(n) for n in it.noise],
                           "collisions": list(it.collisions),
                           **{t: results[h][t]["items"][k] for t in TOOLS}}
                          for k, it in enumerate(dressed[h])] for h in halves},
        }, ensure_ascii=False, indent=1), "utf-8")
    full = args.half == "both" and langs == list(dress.LANGS) and args.limit is None
    if full and not args.no_write:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(
            f"# Noise removal on dressed dumps and pages (held-out wordings)\n\n"
            f"Measured {when} on {machine_line()}, in {elapsed:.0f} s.\n\nCommand: `{command.strip()}`\n\n"
            f"{header}\n\n{report}\n\n{NOTES}", "utf-8")
    return 0


NOTES = """\
How to read this: the wording bank (`bench/noise_bank/`) is split by family into halves A and
B; rules are tuned (and anything learned is trained) on the tune half only, and the figure that
counts is the held-out half. **noise-free** is the share of items with no planted string left;
**strings left** counts planted strings found in the output (a compound line counts as left when
its label, its headline or its byline date is left), by category and by language; *widget*
counts the heading and each teaser headline. **body P/R/F1** follow the corpora's token rule
against the original body; **date same day** and **authors exact** follow bench/scoring.py
against the byline's truth (the corpus truth where it is known and reads as a byline, else
an invented, seeded one). Pages carry the same metadata in JSON-LD, in meta tags, or only in the
visible byline (a third each roughly), so metadata figures on pages are easier than on dumps.
trafilatura runs on pages only (it takes no dumps). See the docstring of bench/noise.py.
"""


if __name__ == "__main__":
    sys.exit(main())
