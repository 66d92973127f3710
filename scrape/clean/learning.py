"""Learning a host's template from its pages: counting fingerprints, bounded and aged.

`Learner.observe(page)` reads one page (decoded, parsed, fingerprinted by `learned`) and
counts, per host, on how many pages each block was seen. A block seen on at least
`MIN_PAGES` pages and on at least `MIN_SHARE` of the host's pages since it first appeared is
template; nothing is learnt for a host before `MIN_HOST_PAGES` of its pages were read, and a
URL (or canonical URL) read twice counts once, so that an updated live blog does not teach
its own paragraphs. Each host keeps at most `MAX_ENTRIES` fingerprints (the article
paragraphs seen once go first, oldest first) and forgets a block not seen on its last
`FORGET_AFTER` pages, so that a changed template is learnt again and the old one ages out.
A host's counts serialise to a compact byte string (`HostLearner.to_bytes`), which the crawl
keeps in its state. No I/O.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from ..errors import SkipError
from ..models import Page
from .decode import decode_body
from .learned import (
    KIND_BLOCK,
    KIND_FRAME,
    KIND_LINE,
    LearntBlock,
    LearntTemplate,
    LearntTemplates,
    canonical_url,
    host_of,
    html_blocks,
)
from .learned_lines import dump_keys, leads_teasers, line_frame_text
from .lines import snippet
from .textdump import dump_paragraphs

MIN_HOST_PAGES = 5  # pages of a host read before anything is learnt for it
MIN_PAGES = 3  # a block on fewer pages than this is never template (a quote two stories share)
MIN_SHARE = 0.2  # ... nor one on less than this share of the host's pages since it appeared
MAX_ENTRIES = 4000  # fingerprints kept per host
FORGET_AFTER = 60  # pages of the host without a sighting, and a block is forgotten
MAX_URLS = 4000  # URLs and contents remembered per host, so that a page read again counts once
SNIPPET_CHARS = 120


@dataclass(frozen=True, slots=True)
class Sighting:
    """One block as a page shows it."""

    key: int
    kind: int
    path: str
    text: str
    leads: bool = False  # a dump line followed by teaser lines


@dataclass(frozen=True, slots=True)
class PageSightings:
    """What one page shows a learner: its host, its identity and its blocks."""

    host: str
    identity: int  # a hash of its (canonical) URL
    sightings: tuple[Sighting, ...]

    @property
    def content(self) -> int:
        """A hash of its blocks: a copy of a page under another URL is the same page."""
        keys = sorted({s.key for s in self.sightings})
        return _identity(",".join(map(str, keys)))


def _identity(url: str) -> int:
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "little")


def page_sightings(page: Page) -> PageSightings | None:
    """The blocks a page shows, or None when it has no host (nothing to learn it for) or
    cannot be read."""
    try:
        text = decode_body(page.body, page.charset, str(page.source))
    except SkipError:
        return None
    if page.kind == "text":
        if (host := host_of(page.url)) is None or page.url is None:
            return None
        lines: list[Sighting] = []
        paragraphs = dump_paragraphs(text)
        for index, (key, frame, line) in enumerate(dump_keys(paragraphs)):
            lines.append(Sighting(key, KIND_LINE, "", line, leads_teasers(paragraphs, index)))
            if frame is not None:
                lines.append(Sighting(frame, KIND_FRAME, "", line_frame_text(line)))
        return PageSightings(host, _identity(page.url), tuple(lines))
    tree = LexborHTMLParser(text)
    url = canonical_url(tree) or page.url
    host = host_of(page.url) or host_of(url)
    if host is None or url is None:
        return None
    found: list[Sighting] = []
    for block in html_blocks(tree):
        found.append(Sighting(block.key, KIND_BLOCK, block.path, block.text))
        if block.frame_key is not None:
            found.append(Sighting(block.frame_key, KIND_FRAME, block.path, block.frame_text()))
    return PageSightings(host, _identity(url), tuple(found))


@dataclass(slots=True)
class _Entry:
    kind: int
    count: int  # pages it was seen on
    first: int  # the host's page number when first seen
    last: int  # ... and when last seen
    path: str = ""  # kept from the second sighting on (most fingerprints are seen once)
    text: str = ""
    leads: int = 0  # pages where it led teaser lines (dumps)


_HEADER = struct.Struct("<4sII")  # magic, pages, URLs
_ENTRY = struct.Struct("<QBIIIIHB")  # key, kind, count, first, last, leads, text bytes, path bytes
_MAGIC = b"SLT1"


class HostLearner:
    """The fingerprint counts of one host."""

    def __init__(self, host: str):
        self.host = host
        self.pages = 0
        self.entries: dict[int, _Entry] = {}
        self.urls: dict[int, None] = {}  # insertion-ordered: the oldest go first

    def observe(self, page: PageSightings) -> bool:
        """Count one page's blocks; False (and nothing counted) for a URL already read, or a
        copy of a page already read (the same blocks under another URL)."""
        content = page.content
        if page.identity in self.urls or content in self.urls:
            return False
        self.urls[page.identity] = self.urls[content] = None
        while len(self.urls) > MAX_URLS:
            del self.urls[next(iter(self.urls))]
        self.pages += 1
        number = self.pages
        seen: set[int] = set()
        for sighting in page.sightings:
            if sighting.key in seen:
                continue  # a block twice on one page counts once
            seen.add(sighting.key)
            entry = self.entries.get(sighting.key)
            if entry is None:
                self.entries[sighting.key] = _Entry(sighting.kind, 1, number, number, leads=int(sighting.leads))
                continue
            entry.count += 1
            entry.leads += sighting.leads
            entry.last = number
            entry.path, entry.text = sighting.path, snippet(sighting.text, SNIPPET_CHARS)
        self._bound()
        return True

    def _bound(self) -> None:
        """Forget blocks not seen lately, then the least seen, oldest first, past MAX_ENTRIES."""
        stale = [key for key, e in self.entries.items() if self.pages - e.last >= FORGET_AFTER]
        for key in stale:
            del self.entries[key]
        excess = len(self.entries) - MAX_ENTRIES
        if excess > 0:
            # Room for a page's worth of new blocks, so that this does not run on every page.
            ranked = sorted(self.entries, key=lambda k: (self.entries[k].count, self.entries[k].last))
            for key in ranked[: excess + MAX_ENTRIES // 10]:
                del self.entries[key]

    def _share(self, entry: _Entry) -> float:
        return entry.count / (self.pages - entry.first + 1)

    def learnt(self) -> Iterator[LearntBlock]:
        """The template blocks, most seen first."""
        if self.pages < MIN_HOST_PAGES:
            return
        found = [(key, e) for key, e in self.entries.items()
                 if e.count >= MIN_PAGES and self._share(e) >= MIN_SHARE]
        found.sort(key=lambda item: (-item[1].count, item[1].text))
        for key, e in found:
            yield LearntBlock(key, e.kind, e.count, round(self._share(e), 3), e.path, e.text, 2 * e.leads > e.count)

    def template(self) -> LearntTemplate | None:
        blocks = {block.key: block for block in self.learnt()}
        return LearntTemplate(self.host, self.pages, blocks) if blocks else None

    def to_bytes(self) -> bytes:
        """The counts as a compact byte string (what the crawl state keeps per host)."""
        parts = [_HEADER.pack(_MAGIC, self.pages, len(self.urls))]
        parts.append(struct.pack(f"<{len(self.urls)}Q", *self.urls))
        for key, e in self.entries.items():
            text, path = e.text.encode(), e.path.encode()[:255]
            parts.append(_ENTRY.pack(key, e.kind, e.count, e.first, e.last, e.leads, len(text), len(path)))
            parts.append(text + path)
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, host: str, data: bytes) -> HostLearner:
        """Counts saved by `to_bytes`; an unreadable string gives an empty learner (learning
        starts again: it is only statistics)."""
        learner = cls(host)
        try:
            learner._load(data)
        except (struct.error, UnicodeDecodeError, ValueError):
            return cls(host)
        return learner

    def _load(self, data: bytes) -> None:
        magic, pages, urls = _HEADER.unpack_from(data, 0)
        if magic != _MAGIC:
            raise ValueError("not learnt counts")
        offset = _HEADER.size
        self.pages = pages
        self.urls = dict.fromkeys(struct.unpack_from(f"<{urls}Q", data, offset))
        offset += 8 * urls
        while offset < len(data):
            key, kind, count, first, last, leads, text_len, path_len = _ENTRY.unpack_from(data, offset)
            offset += _ENTRY.size
            text = data[offset:offset + text_len].decode()
            path = data[offset + text_len:offset + text_len + path_len].decode()
            offset += text_len + path_len
            if kind not in (KIND_BLOCK, KIND_FRAME, KIND_LINE):
                raise ValueError("unknown kind")
            self.entries[key] = _Entry(kind, count, first, last, path, text, leads)


class Learner:
    """Fingerprint counts for many hosts."""

    def __init__(self, hosts: Iterable[HostLearner] = ()):
        self.hosts: dict[str, HostLearner] = {h.host: h for h in hosts}

    def observe(self, page: Page) -> str | None:
        """Learn from one page; returns its host when it counted."""
        sightings = page_sightings(page)
        if sightings is None:
            return None
        return sightings.host if self.observe_sightings(sightings) else None

    def observe_sightings(self, sightings: PageSightings) -> bool:
        learner = self.hosts.get(sightings.host)
        if learner is None:
            learner = self.hosts[sightings.host] = HostLearner(sightings.host)
        return learner.observe(sightings)

    def templates(self) -> LearntTemplates:
        return LearntTemplates.of(t for h in self.hosts.values() if (t := h.template()) is not None)


def learn(pages: Iterable[Page]) -> LearntTemplates:
    """The templates learnt from `pages` (the library's one-call form)."""
    learner = Learner()
    for page in pages:
        learner.observe(page)
    return learner.templates()
