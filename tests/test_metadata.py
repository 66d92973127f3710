"""metadata.py: where author candidates are read from, and where not."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scrape import clean_html
from scrape.meta.candidates import read_metadata


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


def _authors_of(html: str) -> tuple[str, ...]:
    return clean_html(html, url="https://blog.example/post").authors


def _page_with_json_ld(author_type: str, name: str) -> str:
    body = " ".join(["The query runs once an hour and flags the hours that stray from the mean."] * 12)
    return ('<html><head><script type="application/ld+json">'
            f'{{"@context": "https://schema.org", "@type": "Article", "headline": "Anomaly detection in SQL",'
            f' "author": {{"@type": "{author_type}", "name": "{name}"}},'
            f' "publisher": {{"@type": "Organization", "name": "{name}"}}}}'
            f'</script></head><body><article><h1>Anomaly detection in SQL</h1><p>{body}</p>'
            f'<p>{body}</p></article></body></html>')


def test_an_organisation_typed_author_named_like_the_publisher_is_not():
    assert _authors_of(_page_with_json_ld("Organization", "Harbour News")) == ()


def test_an_untyped_author_named_like_the_site_is_the_publisher():
    body = " ".join(["The ferry returns to the harbour after a winter of repairs to its hull."] * 12)
    html = ('<html><head><meta name="author" content="Harbour News">'
            '<meta property="og:site_name" content="Harbour News"></head>'
            f'<body><article><h1>Ferry returns</h1><p>{body}</p><p>{body}</p></article></body></html>')
    assert _authors_of(html) == ()


def _box(first: str, last: str) -> str:
    return (f'<div class="byline"><div class="content"><address class="name"><a rel="author" href="#">'
            f'<span class="firstname">{first}</span> <span class="lastname">{last}</span></a>'
            f'</address></div></div>')


def test_authors_in_boxes_of_their_own_are_one_byline():
    html = (f'<html><body><div class="story"><div class="bylines">{_box("Ingrid", "Tveit")}'
            f'{_box("Marit Lunde", "Holm")}</div><p>The court gave its verdict on Thursday.</p>'
            f'</div></body></html>')
    meta = read_metadata(LexborHTMLParser(html), None)
    assert ["Ingrid Tveit", "Marit Lunde Holm"] in meta.author_groups


def test_the_writers_of_teasers_below_a_byline_are_not_in_it():
    teasers = "".join(f'<li><div><a href="/t{i}"><h2>Teaser {i}</h2></a><span class="author">'
                      f'<span class="authorname">Writer Number{i}</span></span></div></li>' for i in range(2))
    html = (f'<html><body><aside><ul>{teasers}</ul></aside><div class="story"><p>Text.</p></div>'
            f'</body></html>')
    meta = read_metadata(LexborHTMLParser(html), None)
    assert ["Writer Number0"] in meta.author_groups
    assert not any("Writer Number1" in group for group in meta.author_groups)


def test_a_dated_teaser_under_a_heading_is_not_a_byline():
    # Forum threads under the article: a heading and a date read like "Name · Nov 18, 2019".
    body = "<p>" + "The lander measured the plume for an hour before the signal faded. " * 6 + "</p>"
    teaser = ('<div class="mb-2"><h4><a href="/t/1">Our Cosmic Neighbourhood Pictures</a></h4>'
              '<div class="text-darken">Nov 18, 2019</div></div>')
    html = f"<html><body><article><h1>Plumes over Europa</h1>{body}</article>{teaser}</body></html>"
    assert clean_html(html).authors == ()
    # A byline led by "By" under the headline still counts.
    byline = '<div class="meta"><h4>By Dana Whitfield</h4><div>Nov 18, 2019</div></div>'
    html = f"<html><body><article><h1>Plumes over Europa</h1>{byline}{body}</article></body></html>"
    assert clean_html(html).authors == ("Dana Whitfield",)


def test_a_byline_time_outside_the_article_element_is_read_but_not_a_teasers():
    body = "<p>" + "The duvet had been shedding feathers into the room for years. " * 6 + "</p>"
    teaser = '<ul><li><a href="/x">Another story</a><time datetime="2019-11-02T08:00:00Z">Nov 2</time></li></ul>'
    byline = '<div class="byline"><span>By Sandee LaMotte</span><time datetime="2019-11-19T11:45:59Z">1 day ago</time></div>'
    html = f"<html><body>{teaser}{byline}<article><h1>The man whose duvet nearly killed him</h1>{body}</article></body></html>"
    assert clean_html(html).published == "2019-11-19T11:45:59+00:00"


def test_a_time_marked_as_the_update_is_not_the_publication():
    html = ('<html><body><article><h1>Offer to take Sudan off the list</h1>'
            '<time datetime="2017-01-13T03:38:38-05:00" itemprop="dateModified">JAN. 13, 2017</time>'
            '<time datetime="2017-01-12T18:00:00-05:00">Jan. 12, 2017</time>'
            '<p>' + "Officials said the offer had been sweetened over the weekend. " * 6 + '</p></article></body></html>')
    assert clean_html(html).published == "2017-01-12T18:00:00-05:00"


def test_json_ld_authors_and_publishers_referred_to_by_id_are_read():
    # Yoast's @graph: each node once, referred to by @id from the article.
    graph = ('{"@context": "https://schema.org", "@graph": ['
             '{"@type": "Organization", "@id": "https://example.org/#org", "name": "Example Ads"},'
             '{"@type": "Person", "@id": "https://example.org/#/schema/person/1", "name": "Yara Stein"},'
             '{"@type": "Article", "headline": "Native ads, measured",'
             ' "author": {"@id": "https://example.org/#/schema/person/1"},'
             ' "publisher": {"@id": "https://example.org/#org"}}]}')
    html = f'<html><head><script type="application/ld+json">{graph}</script></head><body></body></html>'
    meta = read_metadata(LexborHTMLParser(html), None)
    assert ["Yara Stein"] in meta.author_groups
    assert "Example Ads" in meta.site_names


def test_a_clips_date_in_microdata_is_not_the_articles():
    html = ('<html><body><div itemscope itemtype="https://schema.org/VideoObject">'
            '<meta itemprop="datePublished" content="2015-03-12T13:11:07Z"></div>'
            '<div itemscope itemtype="https://schema.org/Article"><h1>Doctors offer flu shots</h1>'
            '<meta itemprop="datePublished" content="2015-03-11T19:46:14Z">'
            '<p>' + "Doctors said the shots could be given within a day of arrival. " * 6 + '</p></div></body></html>')
    assert clean_html(html).published == "2015-03-11T19:46:14+00:00"


def test_json_ld_date_created_gives_way_to_a_publication_date():
    ld = '{"@type": "NewsArticle", "headline": "Mugabe insists", "dateCreated": "2017-11-17T10:41:09Z"}'
    html = (f'<html><head><script type="application/ld+json">{ld}</script>'
            '<meta property="article:published_time" content="2017-11-16T14:15+0000"></head>'
            '<body><article><h1>Mugabe insists</h1><p>' + "The talks went on into the night. " * 8 +
            '</p></article></body></html>')
    assert clean_html(html).published == "2017-11-16T14:15:00+00:00"


def test_an_articles_own_footer_signs_it_and_the_pages_footer_does_not():
    body = "<p>" + "Emscripten can now emit standalone Wasm files that run without JavaScript. " * 6 + "</p>"
    signed = '<footer><div><p>Posted by Alon Zakai.</p></div></footer>'
    html = f"<html><body><main><article><h1>Outside the web</h1>{body}{signed}</article></main></body></html>"
    assert clean_html(html).authors == ("Alon Zakai",)
    html = (f"<html><body><main><article><h1>Outside the web</h1>{body}</article></main>"
            f'<footer><p>Posted by Dana Whitfield</p></footer></body></html>')
    assert clean_html(html).authors == ()


def test_a_date_opening_the_text_dates_a_page_that_gives_none_elsewhere():
    html = ('<html><body><article><h1>Sick at work</h1><p>April 17, 2015 -- Imagine being sick and '
            + "still going in to the office because you cannot afford a day off. " * 5 + '</p></article></body></html>')
    assert clean_html(html).published == "2015-04-17"


def test_a_name_alone_under_the_headline_is_the_byline():
    body = " ".join(["Der Stadtrat hat am Dienstag beschlossen, das alte Hallenbad im Herbst zu schließen."] * 8)
    html = ('<html lang="de"><body><article><h1>Das alte Hallenbad schließt im Herbst</h1><p>Anna Keller</p>'
            f'<p>{body}</p><p>{body}</p></article></body></html>')
    article = clean_html(html)
    assert article.authors == ("Anna Keller",)
    assert not article.text.startswith("Anna Keller")  # the byline is not the text
    # One word under the headline is a label, not a byline.
    assert clean_html(html.replace("Anna Keller", "Lokales")).authors == ()


def test_an_organisation_typed_author_is_credited_apart():
    article = clean_html(_page_with_json_ld("Organization", "Harbour News"), url="https://blog.example/post")
    assert article.authors == () and article.author_organisations == ("Harbour News",)
