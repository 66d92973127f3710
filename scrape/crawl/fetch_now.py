"""`scrape fetch`: fetch and clean the URLs given, now, keeping no state.

Fetched as the crawl fetches (robots.txt, politeness, limits and address safety from
`crawl`), cleaned with the same `clean_page`, on one thread beside the event loop (a handful
of URLs do not pay for starting worker processes; `crawl.clean_workers` is not read).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

from ..config import Config
from ..errors import FetchError, SkipError
from ..models import Article
from ..workers import Cleaner
from .politeness import open_fetcher
from .urls import canonicalize


async def fetch_and_clean(config: Config, urls: list[str],
                          sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, explain: bool = False,
                          ) -> AsyncIterator[tuple[str, Article | SkipError | FetchError]]:
    """Fetch and clean `urls` concurrently; yields (url, its article or why there is none), in
    the order given. `explain` keeps the removed pieces in each article."""
    cleaner = Cleaner(replace(config, crawl=replace(config.crawl, clean_workers=0)), explain=explain)
    async with open_fetcher(config.crawl, sleep=sleep) as fetcher:

        async def one(url: str) -> Article | SkipError | FetchError:
            try:
                page = await fetcher.fetch(canonicalize(url))
            except FetchError as exc:
                return exc
            return await cleaner.clean(page)

        tasks = [asyncio.ensure_future(one(url)) for url in urls]
        try:
            for url, task in zip(urls, tasks, strict=True):
                yield url, await task
        finally:
            for task in tasks:
                task.cancel()
            cleaner.close()
