"""Page → Article: decode, clean (HTML or text dump), normalise. No I/O.

`clean_page` is a pure, picklable function of (page, config, explain, learnt), shared by
`scrape clean`, `scrape crawl` and `scrape fetch`, and by worker processes. `learnt` holds
the templates learnt per host (`clean.learning`); the page's host's removes its boilerplate.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import Config, default_config
from ..dom import canonical_href
from ..errors import NotAnArticle, SkipError
from ..meta.language import detect_language
from ..meta.normalise import build_article
from ..models import Article, Page
from .decode import decode_body
from .html import clean_html_document
from .learned import LearntTemplates
from .structure import label_blocks
from .textdump import clean_text_dump


def clean_page(page: Page, config: Config | None = None, explain: bool = False,
               learnt: LearntTemplates | None = None) -> Article:
    """Clean one page into an Article; `learnt`: templates learnt per host, or None.

    Raises:
        EmptyInput, Unreadable: the body holds no readable text.
        NotAnArticle: readable, but too little article text is left after cleaning.
    """
    config = config or default_config()
    name = str(page.source)
    text = decode_body(page.body, page.charset, name)
    # A page that came without a URL (a saved file) gets its site rules by its canonical URL.
    site = config.site_for(page.url or (canonical_href(text) if config.sites and page.kind == "html" else None))
    try:
        if page.kind == "text":
            extract = clean_text_dump(text, config, learnt.for_url(page.url) if learnt else None)
        else:
            extract = clean_html_document(text, page.url, config, site, explain, learnt)
    except SkipError as exc:
        if exc.input:
            raise
        raise exc.for_input(name) from None
    article = build_article(extract, url=page.url, site=site, source=page.source, record_id=page.record_id)
    if article.word_count < config.clean.min_words and not _short_article(article, config.clean.min_words):
        raise NotAnArticle(f"not an article ({article.word_count} words of text)", input=name)
    if config.clean.structure:
        article = replace(article, blocks=label_blocks(article.text, extract.structure))
    article = replace(article, language=article.language or detect_language(article.text),
                      fetched_at=page.fetched_at.isoformat(timespec="seconds") if page.fetched_at else None)
    return article if explain else replace(article, removed=())


# A page shorter than `min_words` is still an article when it says so the way articles do:
# it credits someone and gives its publication date (a news brief, a one-paragraph update).
# A section front or a homepage credits no one. It needs a third of `min_words` still (8 of
# the default 25), so that a user's higher `min_words` keeps its meaning.
_SHORT_ARTICLE_SHARE = 3


def _short_article(article: Article, min_words: int) -> bool:
    return (article.word_count >= min_words // _SHORT_ARTICLE_SHARE and article.published is not None
            and bool(article.authors or article.author_organisations))
