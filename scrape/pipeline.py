"""Page → Article: decode, clean (HTML or text dump), normalise. No I/O.

`clean_page` is a pure, picklable function of (page, config, explain), shared by
`scrape clean`, `scrape crawl` and `scrape fetch`, and by worker processes.
"""

from __future__ import annotations

from .config import Config, default_config
from .models import Article, Page


def clean_page(page: Page, config: Config | None = None, explain: bool = False) -> Article:
    """Clean one page into an Article.

    Raises:
        SkipError: (EmptyInput, Unreadable, NotAnArticle, CleanTimeout) naming page.source.
    """
    raise NotImplementedError
