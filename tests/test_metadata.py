"""metadata.py: where author candidates are read from, and where not."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scrape.metadata import read_metadata


def test_a_menu_of_the_sites_writers_is_not_a_byline():
    writers = "".join(f'<li><a href="/author/writer-{i}/">Writer Number{i}</a></li>' for i in range(8))
    html = (f'<html><body><div class="top"><ul class="dropdown">{writers}</ul></div>'
            '<div class="story"><h1>Harbour ferry returns</h1>'
            '<div class="credit-line"><a href="/author/dana-whitfield">Dana Whitfield</a></div>'
            '<p>The ferry is back.</p></div></body></html>')
    meta = read_metadata(LexborHTMLParser(html), None)
    assert ["Dana Whitfield"] in meta.author_groups
    assert not any("Writer Number0" in group for group in meta.author_groups)


def test_author_links_in_the_navigation_are_not_a_byline():
    html = ('<html><body><nav><a href="/author/ed-editor/">Ed Editor</a></nav>'
            '<div><p class="by"><a href="/author/dana-whitfield/">Dana Whitfield</a></p><p>Text.</p></div>'
            '</body></html>')
    meta = read_metadata(LexborHTMLParser(html), None)
    assert ["Dana Whitfield"] in meta.author_groups
    assert not any("Ed Editor" in group for group in meta.author_groups)
