"""scrape: turn news pages into clean article text with trustworthy metadata.

Library first: `clean_html` and `clean_text` clean one document; `clean_page` cleans a
loaded or fetched `Page`; `learn` learns each host's boilerplate from its pages, for them to
take as `learnt=`. The CLI (`scrape clean`, `scrape crawl`, `scrape fetch`) is a
thin layer over these.
"""

from __future__ import annotations

import re

from .clean.learned import LearntTemplate, LearntTemplates
from .clean.learning import learn
from .clean.page import clean_page
from .config import Config, default_config, load_config
from .errors import (
    ConfigError,
    EmptyInput,
    FetchError,
    NotAnArticle,
    ScrapeError,
    SkipError,
    Unreadable,
)
from .models import Article, Extract, Page, Removal, Source
from .version import __version__

__all__ = [
    "Article", "Config", "ConfigError", "EmptyInput", "Extract", "FetchError", "LearntTemplate",
    "LearntTemplates", "NotAnArticle", "Page", "Removal", "ScrapeError", "SkipError", "Source", "Unreadable",
    "__version__", "clean_html", "clean_page", "clean_text", "default_config", "learn", "load_config",
]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of a str; lone surrogates (not characters) become U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def clean_html(html: str | bytes, url: str | None = None, config: Config | None = None,
               explain: bool = False, learnt: LearntTemplates | None = None) -> Article:
    """Clean one HTML document into an Article (`learnt`: templates from `learn`).

    Raises:
        SkipError: the document is empty, unreadable or holds no article.
    """
    body = _utf8(html) if isinstance(html, str) else html
    charset = "utf-8" if isinstance(html, str) else None
    page = Page(source=Source(url or "<html>"), body=body, kind="html", url=url, charset=charset)
    return clean_page(page, config, explain, learnt)


def clean_text(text: str, url: str | None = None, config: Config | None = None,
               explain: bool = False, learnt: LearntTemplates | None = None) -> Article:
    """Clean one plain-text dump (title line, body, byline) into an Article (`learnt`:
    templates from `learn`; a dump's host is its `url`'s).

    Raises:
        SkipError: the text is empty or holds no article.
    """
    page = Page(source=Source(url or "<text>"), body=_utf8(text), kind="text", url=url,
                charset="utf-8")
    return clean_page(page, config, explain, learnt)
