"""The visual explain report (`scrape clean --explain-html DIR`), rendered in headless Chromium.

The report of fixtures/learned/harbour (six pages of one site, its template learnt) is opened
in Debian's `chromium`; the screenshot's pixels must show the removed pieces marked: the
colour of learnt removals (LEARNT_COLOUR, the left border of each) and of kept paragraphs
(KEPT_COLOUR). Under CI (the CI variable set) this runs, never skips: .ci/run installs
chromium. Without CI and without chromium it skips. The PNG is decoded here with zlib (no
imaging library is a dependency).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from scrape.cli.main import main
from scrape.io.report import INDEX, KEPT_COLOUR, LEARNT_COLOUR, article_page
from scrape.models import Article, Removal

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "learned" / "harbour"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it under CI)")
        pytest.skip("chromium is not installed")
    return found


def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB(A) rows of an 8-bit RGB or RGBA PNG, unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, b"", None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunk = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        offset += 12 + length
    assert header is not None
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    size = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * size
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line) if size == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


def count_colour(rows: list[bytes], colour: str) -> int:
    needle = bytes(_rgb(colour))
    return sum(sum(1 for x in range(0, len(row), 3) if row[x:x + 3] == needle) for row in rows)


def screenshot(page: Path, out: Path, tmp_path: Path) -> bytes:
    profile = tmp_path / "profile"
    profile.mkdir(parents=True)
    command = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}",
               "--window-size=1000,1000", page.as_uri()]
    subprocess.run(command, check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out.read_bytes()


def test_the_report_pages_say_what_was_removed_and_by_which_rule():
    article = Article(text="Kept one.\n\nKept two.", title="T", removed=(
        Removal("learnt:news.example#abcd1234 (seen on 9 of 10 pages)", "Join the club"),
        Removal("ad-label", "Advertisement")))
    page = article_page(article).decode()
    assert page.count('class="kept"') == 2
    assert f"--rule:{LEARNT_COLOUR}" in page and "Join the club" in page and "seen on 9 of 10 pages" in page
    assert page.index("Removed by learnt rules") < page.index("Join the club") < page.index("Removed by built-in")


def test_a_screenshot_of_the_report_shows_the_removed_spans_marked(tmp_path):
    _chromium()
    report = tmp_path / "report"
    assert main(["clean", str(PAGES), "-o", str(tmp_path / "out.jsonl"), "-q", "-j", "1",
                 "--explain-html", str(report)]) == 0
    pages = sorted(p for p in report.glob("*.html") if p.name != INDEX)
    assert len(pages) == 6 and (report / INDEX).is_file()
    width, height, rows = decode_png(screenshot(pages[0], tmp_path / "shot.png", tmp_path))
    assert (width, height) == (1000, 1000)
    learnt, kept = count_colour(rows, LEARNT_COLOUR), count_colour(rows, KEPT_COLOUR)
    # Each marked piece has a 6 px border of its colour down its height: hundreds of pixels.
    assert learnt >= 6 * 100, f"learnt removals not marked ({learnt} pixels of {LEARNT_COLOUR})"
    assert kept >= 6 * 100, f"kept paragraphs not marked ({kept} pixels of {KEPT_COLOUR})"
    # The index renders too, and links every article.
    assert screenshot(report / INDEX, tmp_path / "index.png", tmp_path / "i")[:8] == b"\x89PNG\r\n\x1a\n"
    index = (report / INDEX).read_text("utf-8")
    assert all(f'href="{p.name}"' in index for p in pages)
