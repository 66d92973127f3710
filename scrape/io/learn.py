"""Learning for `scrape clean`: each host's template, from a first pass over the inputs.

`scrape clean` learns from the pages it is given (or from the folders of `--learn-from`)
before it cleans any: a folder, a WARC or a JSONL file holding several pages of one host
teaches that host's template (`clean.learning`). Two quick passes keep this cheap where there
is nothing to learn: the first only counts pages per host (the page's URL, or for a saved page
the canonical URL in its head), the second parses only the pages of hosts with enough pages.
Standard input cannot be read twice and is never learnt from. Reads `clean.learn` (the
caller's decision).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..clean.learned import LearntTemplates, host_of
from ..clean.learning import MIN_HOST_PAGES, Learner
from ..models import Page
from .inputs import STDIN, LoadOptions, iter_pages

HEAD_BYTES = 64 * 1024  # where a saved page's canonical URL is looked for
_CANONICAL = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']?(https?://[^"'\s>]+)"""
    rb"""|<link[^>]+href=["']?(https?://[^"'\s>]+)["']?[^>]*rel=["']?canonical"""
    rb"""|<meta[^>]+property=["']?og:url["']?[^>]*content=["']?(https?://[^"'\s>]+)""",
    re.IGNORECASE)


def page_host(page: Page) -> str | None:
    """The host a page's template is learnt for: its URL's, else its canonical URL's."""
    host = host_of(page.url)
    if host is not None or page.kind == "text":
        return host
    match = _CANONICAL.search(page.body[:HEAD_BYTES])
    if match is None:
        return None
    url = next(group for group in match.groups() if group)
    return host_of(url.decode("ascii", "replace"))


@dataclass(frozen=True)
class Learnt:
    """What a learning pass found: the templates, and how many pages taught them."""

    templates: LearntTemplates
    pages: int  # pages read for learning (of hosts with enough pages)
    learner: Learner

    def summary(self) -> str:
        blocks = sum(len(t.blocks) for t in self.templates.hosts.values())
        return f"learnt {blocks} template blocks of {len(self.templates)} hosts from {self.pages} pages"


def _pages(paths: Iterable[str], options: LoadOptions | None) -> Iterable[Page]:
    readable = [p for p in paths if p != STDIN]
    return (item for item in iter_pages(readable, options) if isinstance(item, Page))


def learn_from_paths(paths: Iterable[str], options: LoadOptions | None = None) -> Learnt:
    """Learn each host's template from the pages under `paths` (stdin left out)."""
    paths = list(paths)
    counts = Counter(host for page in _pages(paths, options) if (host := page_host(page)) is not None)
    frequent = {host for host, n in counts.items() if n >= MIN_HOST_PAGES}
    learner = Learner()
    read = 0
    if frequent:
        for page in _pages(paths, options):
            if page_host(page) in frequent:
                learner.observe(page)
                read += 1
    return Learnt(learner.templates(), read, learner)
