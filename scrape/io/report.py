"""The visual explain report (`scrape clean --explain-html DIR`): what each article kept and
what was removed, and by which rule, for a reader with a browser.

One HTML page per article and an `index.html` listing them, in DIR. An article's page shows,
side by side, the text kept (its paragraphs) and the pieces removed, each marked with its
rule's colour: the rules learnt from the site's own pages apart (one colour, with the host and
on how many pages each was seen), the built-in and own rules after them, grouped by rule. The
pages are self-contained (inline CSS, no script, nothing fetched). Every file is written
atomically; names come from `outputs.article_stem`, so they never leave DIR. Reads no config
keys.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..clean.learned import RULE_PREFIX
from ..errors import OutputError
from ..models import Article, Removal
from .atomic import error_detail, write_atomically
from .outputs import Sink, article_stem

LEARNT_COLOUR = "#d6006f"  # the left border of a piece a learnt rule removed
KEPT_COLOUR = "#2e7d32"  # ... of a paragraph kept
# Colours of the other rules, picked by a hash of the rule's name (never the two above).
RULE_COLOURS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#9e9d24", "#5d4037", "#c62828", "#455a64",
                "#2962ff", "#ad1457")
INDEX = "index.html"

_STYLE = f"""
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1b1b; background: #fff; }}
h1 {{ font-size: 21px; margin: 0 0 4px; }} h2 {{ font-size: 16px; margin: 18px 0 8px; }}
.meta {{ color: #555; margin-bottom: 14px; }} .legend span {{ margin-right: 12px; white-space: nowrap; }}
.chip {{ display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }}
.columns {{ display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }}
.kept {{ border-left: 6px solid {KEPT_COLOUR}; background: #f1f8f1; padding: 6px 10px; margin: 0 0 8px; }}
.removed {{ border-left: 6px solid var(--rule); background: #fafafa; padding: 6px 10px; margin: 0 0 8px; }}
.removed .text {{ text-decoration: line-through; text-decoration-color: var(--rule); }}
.removed.learnt {{ background: #fde7f1; }}
.rule {{ display: block; font-size: 12px; color: #444; text-decoration: none; margin-top: 2px; }}
table {{ border-collapse: collapse; }} td, th {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }}
"""


def rule_colour(rule: str) -> str:
    """The colour a rule's removals are marked with: one for every learnt rule, a stable one
    per other rule."""
    if rule.startswith(RULE_PREFIX):
        return LEARNT_COLOUR
    digest = hashlib.blake2b(rule.encode(), digest_size=2).digest()
    return RULE_COLOURS[int.from_bytes(digest, "little") % len(RULE_COLOURS)]


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _document(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n").encode()


def _removed_html(removals: Iterable[Removal]) -> str:
    out = []
    for removal in removals:
        learnt = " learnt" if removal.rule.startswith(RULE_PREFIX) else ""
        out.append(f'<div class="removed{learnt}" style="--rule:{rule_colour(removal.rule)}">'
                   f'<span class="text">{_e(removal.snippet)}</span><span class="rule">{_e(removal.rule)}</span></div>')
    return "\n".join(out)


def _legend(rules: Iterable[str]) -> str:
    chips = [f'<span><i class="chip" style="background:{rule_colour(r)}"></i>{_e(r)} ({n})</span>'
             for r, n in Counter(rules).most_common()]
    return f'<div class="legend">{"".join(chips)}</div>'


def article_page(article: Article) -> bytes:
    """One article's report page: the kept text beside the removed pieces."""
    learnt = [r for r in article.removed if r.rule.startswith(RULE_PREFIX)]
    others = sorted((r for r in article.removed if not r.rule.startswith(RULE_PREFIX)), key=lambda r: r.rule)
    paragraphs = [p for p in article.text.split("\n\n") if p]
    kept = "\n".join(f'<p class="kept">{_e(p)}</p>' for p in paragraphs)
    url = article.url or article.canonical_url or ""
    title = article.title or url or (str(article.source) if article.source else "article")
    body = (f"<h1>{_e(title)}</h1>\n<div class=\"meta\">{_e(url)} · {article.word_count} words kept · "
            f"{len(article.removed)} pieces removed, {len(learnt)} by learnt rules · "
            f'<a href="{INDEX}">all articles</a></div>\n{_legend(r.rule for r in article.removed)}\n'
            f'<div class="columns"><section><h2>Kept ({len(paragraphs)} paragraphs)</h2>\n{kept}</section>\n'
            f"<section><h2>Removed by learnt rules ({len(learnt)})</h2>\n{_removed_html(learnt)}\n"
            f"<h2>Removed by built-in and own rules ({len(others)})</h2>\n{_removed_html(others)}</section></div>")
    return _document(title, body)


@dataclass(frozen=True)
class _Row:
    name: str
    title: str
    url: str
    words: int
    removed: int
    learnt: int


def index_page(rows: Iterable[_Row]) -> bytes:
    lines = [f'<tr><td><a href="{_e(r.name)}">{_e(r.title)}</a></td><td>{_e(r.url)}</td><td>{r.words}</td>'
             f"<td>{r.removed}</td><td>{r.learnt}</td></tr>" for r in rows]
    body = ("<h1>What scrape removed</h1>\n<table><tr><th>article</th><th>URL</th><th>words kept</th>"
            "<th>pieces removed</th><th>by learnt rules</th></tr>\n" + "\n".join(lines) + "\n</table>")
    return _document("What scrape removed", body)


class ReportSink(Sink):
    """Passes each article on to `inner` and writes its report page into `folder`; the index
    is written when the run is committed."""

    def __init__(self, inner: Sink, folder: str):
        super().__init__(inner.format, inner.explain)
        self.inner = inner
        self.folder = folder
        self.rows: list[_Row] = []
        self.used: set[str] = {INDEX}
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise OutputError(error_detail(exc), folder) from None
        if not os.path.isdir(folder):
            raise OutputError("not a folder", folder)

    def _name(self, article: Article) -> str:
        stem, number = article_stem(article), 1
        name = stem + ".html"
        while name.lower() in self.used:
            number += 1
            name = f"{stem}-{number}.html"
        self.used.add(name.lower())
        return name

    def write(self, article: Article) -> None:
        self.inner.write(article)
        name = self._name(article)
        write_atomically(os.path.join(self.folder, name), article_page(article))
        learnt = sum(r.rule.startswith(RULE_PREFIX) for r in article.removed)
        url = article.url or article.canonical_url or ""
        self.rows.append(_Row(name, article.title or name, url, article.word_count, len(article.removed), learnt))
        self.written += 1

    def close(self, commit: bool = True) -> None:
        self.inner.close(commit)
        if commit:
            write_atomically(os.path.join(self.folder, INDEX), index_page(self.rows))
