"""Held-out check: clean the hand-written pages in fixtures/holdout/ and compare with
their hand-written expectations (<name>.expected.json next to <name>.html).

Per page it prints: title ok?, authors ok?, published ok? (exact, and same-day), every
planted noise string left in the text ("noise lines left"), body paragraphs missing and
extra paragraphs. Then a summary over all pages.

Comparison rules
  * text is NFC-normalised and whitespace is collapsed before any comparison;
  * paragraphs are the blocks of Article.text separated by blank lines;
  * a paragraph is "missing" if no output block equals it; a block is "extra" if it equals
    no expected paragraph and is not an "optional" block (subtitle / caption, which a
    cleaner may keep or drop) once planted noise strings are cut out of it;
  * a noise string is "left" if it occurs (case-sensitive) anywhere in the text, not
    counting its occurrences inside a longer planted string that is itself left;
  * authors are compared as a set, case-insensitively (an upper-case byline printed as
    "JAMES WHITTAKER" is the same person as "James Whittaker");
  * published is "exact" when it denotes the same instant with the same offset (or the same
    naive wall time / the same date when the page gives only that), "same-day" when the
    calendar date as written on the page matches.

Usage: .venv/bin/python bench/holdout_check.py [-v] [NAME ...]
  -v  also print the cleaned text and, for missing paragraphs, the --explain rule that
      removed them.
The script first checks the fixtures themselves (every expected paragraph and noise string
really is in the page, no noise string occurs inside a paragraph) with lxml only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "fixtures" / "holdout"
sys.path.insert(0, str(ROOT))

import scrape  # noqa: E402


def norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def short(s: str, n: int = 90) -> str:
    s = norm(s)
    return s if len(s) <= n else s[: n - 1] + "…"


# --- fixture self-check (lxml only, no scrape) -------------------------------------------

def selfcheck(name: str, html: bytes, exp: dict) -> list[str]:
    import lxml.html

    doc = lxml.html.fromstring(html)
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    page_text = norm(doc.text_content())
    blocks = {norm(el.text_content()) for el in doc.iter("p", "h1", "h2", "h3", "h4", "li", "div", "span")}
    problems = []
    for p in exp["paragraphs"]:
        if norm(p) not in blocks:
            problems.append(f"paragraph not found as a block in the page: {short(p)}")
    for n in exp["noise"]:
        if norm(n) not in page_text:
            problems.append(f"noise string not in the page: {n!r}")
        for p in exp["paragraphs"]:
            if norm(n) in norm(p):
                problems.append(f"noise string {n!r} occurs inside a body paragraph")
        if norm(n) in norm(exp["title"]):
            problems.append(f"noise string {n!r} occurs inside the title")
    if len(set(exp["noise"])) != len(exp["noise"]):
        problems.append("duplicate noise strings")
    if not 5 <= len(exp["paragraphs"]) <= 9:
        problems.append(f"{len(exp['paragraphs'])} paragraphs (want 5-9)")
    return [f"{name}: {p}" for p in problems]


# --- comparisons -------------------------------------------------------------------------

def parse_when(s: str):
    """-> (kind, value): ('date', date) | ('naive', datetime) | ('aware', datetime)."""
    s = s.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return "date", dt.date.fromisoformat(s)
    d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return ("aware" if d.tzinfo else "naive"), d


def date_check(got, want: str) -> tuple[bool, bool]:
    if not got:
        return False, False
    try:
        gk, gv = parse_when(str(got))
    except ValueError:
        return False, False
    wk, wv = parse_when(want)
    g_day = gv if gk == "date" else gv.date()
    w_day = wv if wk == "date" else wv.date()
    same_day = g_day == w_day
    if wk == "date":
        exact = same_day and (gk == "date" or (gk == "naive" and gv.time() == dt.time(0)))
    elif wk == "naive":
        exact = gk == "naive" and gv == wv
    else:
        exact = gk == "aware" and gv == wv and gv.utcoffset() == wv.utcoffset()
    return exact, same_day


def check_page(html_path: Path, verbose: bool) -> dict:
    exp_path = html_path.with_name(html_path.stem + ".expected.json")
    exp = json.loads(exp_path.read_text("utf-8"))
    html = html_path.read_bytes()
    name = html_path.stem
    res = {"name": name, "noise_planted": len(exp["noise"]), "paras_expected": len(exp["paragraphs"])}
    print(f"\n=== {name}  ({exp['url']})")
    try:
        art = scrape.clean_html(html, url=exp["url"], explain=True)
    except Exception as e:  # a crash or NotAnArticle counts as everything missing
        print(f"  ERROR {type(e).__name__}: {e}")
        res.update(title_ok=False, authors_ok=False, date_exact=False, date_day=False,
                   noise_left=[], missing=list(exp["paragraphs"]), extra=[], error=True)
        return res

    title_ok = norm(art.title or "") == norm(exp["title"])
    got_auth = [norm(a) for a in (art.authors or ())]
    authors_ok = {a.casefold() for a in got_auth} == {norm(a).casefold() for a in exp["authors"]} \
        and len(got_auth) == len(exp["authors"])
    exact, day = date_check(art.published, exp["published"])
    print(f"  title     {'ok ' if title_ok else 'BAD'}  {art.title!r}" + ("" if title_ok else f"  (want {exp['title']!r})"))
    print(f"  authors   {'ok ' if authors_ok else 'BAD'}  {list(art.authors or ())}" + ("" if authors_ok else f"  (want {exp['authors']})"))
    print(f"  published {'ok ' if exact else 'BAD'}  {art.published!r}  exact={'yes' if exact else 'no'} same-day={'yes' if day else 'no'}"
          + ("" if exact else f"  (want {exp['published']!r})"))

    text = art.text or ""
    ntext = norm(text)
    blocks = [norm(b) for b in re.split(r"\n\s*\n", text) if norm(b)]

    # longest strings first, masking what they matched, so that "Abbonati" inside a left
    # "Abbonati a 1 euro al mese ..." is not counted a second time
    noise_left = []
    masked = ntext
    for n in sorted(exp["noise"], key=lambda x: -len(norm(x))):
        k = masked.count(norm(n))
        if k:
            masked = masked.replace(norm(n), "\x00")
            where = next((b for b in blocks if norm(n) in b), "")
            noise_left.append((n, k, where))
    noise_left.sort(key=lambda t: exp["noise"].index(t[0]))
    print(f"  noise lines left: {len(noise_left)} of {len(exp['noise'])} planted")
    for n, k, where in noise_left:
        ctx = "" if where == norm(n) else f"   in block: {short(where)!r}"
        print(f"    - {n!r}" + (f" x{k}" if k > 1 else "") + ctx)

    want = [norm(p) for p in exp["paragraphs"]]
    optional = [norm(p) for p in exp.get("optional", [])]
    missing = [p for p in want if p not in blocks]
    print(f"  paragraphs missing: {len(missing)} of {len(want)}")
    removed = list(art.removed or [])
    for p in missing:
        hint = ""
        host = next((b for b in blocks if p in b), None)
        if host is not None:
            hint = f"   -> merged into block {short(host, 60)!r}"
        else:
            part = next((b for b in blocks if len(b) > 20 and b in p), None)
            if part is not None:
                hint = f"   -> only part kept: {short(part, 60)!r}"
            else:
                rule = next((r.rule for r in removed if norm(r.snippet).rstrip("…")[:40] in p
                             or p[:40] in norm(r.snippet)), None)
                if rule:
                    hint = f"   -> removed by rule {rule!r}"
        print(f"    - [{want.index(p) + 1}] {short(p)!r}{hint}")

    def strip_noise(b: str) -> str:
        for n in sorted(exp["noise"], key=len, reverse=True):
            b = b.replace(norm(n), " ")
        return norm(b).strip(" ()|·-–—")

    extra = []
    for b in blocks:
        if b in want:
            continue
        core = strip_noise(b)
        if b in optional or core in optional:
            continue
        extra.append(b)
    kept_opt = [o for o in optional if any(o in b for b in blocks)]
    print(f"  extra paragraphs: {len(extra)}" + (f"   (optional subtitle/caption kept: {len(kept_opt)})" if kept_opt else ""))
    for b in extra:
        print(f"    + {short(b)!r}")

    if verbose:
        print("  --- text ---")
        for b in blocks:
            print(f"    | {short(b, 110)}")
        print("  --- removed ---")
        for r in removed:
            print(f"    {r.rule:<22} {short(r.snippet, 80)!r}")

    res.update(title_ok=title_ok, authors_ok=authors_ok, date_exact=exact, date_day=day,
               noise_left=noise_left, missing=missing, extra=extra, error=False)
    return res


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    pages = sorted(HOLDOUT.glob("*.html"))
    if names:
        pages = [p for p in pages if p.stem in names]

    problems = []
    for p in pages:
        exp = json.loads(p.with_name(p.stem + ".expected.json").read_text("utf-8"))
        problems += selfcheck(p.stem, p.read_bytes(), exp)
    print(f"fixture self-check: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    for pr in problems:
        print(f"  ! {pr}")

    results = [check_page(p, verbose) for p in pages]

    n = len(results)
    planted = sum(r["noise_planted"] for r in results)
    left = sum(len(r["noise_left"]) for r in results)
    exp_paras = sum(r["paras_expected"] for r in results)
    missing = sum(len(r["missing"]) for r in results)
    extra = sum(len(r["extra"]) for r in results)
    print("\n=== summary")
    print(f"  pages                 {n}" + (f"  ({sum(r['error'] for r in results)} raised)" if any(r['error'] for r in results) else ""))
    print(f"  noise strings planted {planted}")
    print(f"  noise strings left    {left}   (pages with any: {sum(bool(r['noise_left']) for r in results)})")
    print(f"  paragraphs expected   {exp_paras}")
    print(f"  paragraphs missing    {missing}")
    print(f"  paragraphs extra      {extra}")
    print(f"  title correct         {sum(r['title_ok'] for r in results)}/{n}")
    print(f"  authors correct       {sum(r['authors_ok'] for r in results)}/{n}")
    print(f"  published exact       {sum(r['date_exact'] for r in results)}/{n}")
    print(f"  published same day    {sum(r['date_day'] for r in results)}/{n}")
    print()
    print(f"{'page':<26}{'title':>6}{'auth':>6}{'date':>6}{'day':>5}{'noise':>8}{'miss':>6}{'extra':>6}")
    for r in results:
        yn = lambda b: "ok" if b else "BAD"  # noqa: E731
        print(f"{r['name']:<26}{yn(r['title_ok']):>6}{yn(r['authors_ok']):>6}{yn(r['date_exact']):>6}"
              f"{yn(r['date_day']):>5}{len(r['noise_left']):>4}/{r['noise_planted']:<3}{len(r['missing']):>6}{len(r['extra']):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
