"""One error tree for the whole library. Only the CLI turns these into messages and exit codes.

    ScrapeError
    ├── ConfigError          a config file or value is wrong (names the key)
    ├── SkipError            an input yields no article; `reason` is counted in the summary
    │   ├── EmptyInput       nothing there                       reason "empty"
    │   ├── Unreadable       binary, truncated or undecodable    reason "unreadable"
    │   ├── NotAnArticle     readable, but no article text       reason "not an article"
    │   ├── CleanTimeout     cleaning took longer than allowed   reason "timeout"
    │   └── UnexpectedError  loading or cleaning raised something unforeseen (a bug, or a
    │                        library's surprise); the run goes on  reason "error"
    ├── FetchError           an URL could not be fetched (carries the URL)
    │   ├── HTTPStatusError  a final, non-retryable or exhausted HTTP status
    │   ├── TransportError   connect/read failure, reset, timeout
    │   ├── TooLarge         body (or decompressed body) over the limit
    │   ├── UnsafeURL        scheme, private address or redirect refused
    │   └── RobotsDisallowed robots.txt forbids the path
    ├── OutputError          an output could not be written (carries the path)
    ├── StateError           the crawl state is from a newer scrape (carries the path)
    ├── LockHeld             another crawl holds the lock
    └── EngineError          `clean --engine dask` cannot run: the extra is missing, the
                             scheduler cannot be reached or was lost (carries the address)
"""

from __future__ import annotations


class ScrapeError(Exception):
    """Base of every error scrape raises on purpose."""


class ConfigError(ScrapeError):
    """The configuration is invalid. `key` is the dotted key at fault, if any."""

    def __init__(self, message: str, key: str | None = None, path: str | None = None):
        self.key = key
        self.path = path
        where = f"{path}: " if path else ""
        what = f"{key}: " if key and key not in message else ""  # "must be an integer" alone names nothing
        super().__init__(f"{where}{what}{message}")


class SkipError(ScrapeError):
    """An input that yields no article. `input` names it; `reason` is the summary bucket."""

    reason = "skipped"

    def __init__(self, detail: str, input: str | None = None):
        self.detail = detail
        self.input = input
        super().__init__(f"{input}: {detail}" if input else detail)

    def for_input(self, input: str) -> SkipError:
        """The same skip, naming the input it concerns."""
        return type(self)(self.detail, input=input)


class EmptyInput(SkipError):
    reason = "empty"


class Unreadable(SkipError):
    reason = "unreadable"


class NotAnArticle(SkipError):
    reason = "not an article"


class CleanTimeout(SkipError):
    reason = "timeout"


class UnexpectedError(SkipError):
    """An input broke the loader or the cleaner in a way no rule foresaw. Counted, never fatal."""

    reason = "error"

    @classmethod
    def from_exception(cls, exc: BaseException, input: str | None) -> UnexpectedError:
        return cls(f"{type(exc).__name__}: {exc}"[:300], input=input)


class FetchError(ScrapeError):
    """An URL could not be fetched. `reason` is the summary bucket."""

    reason = "fetch error"

    def __init__(self, detail: str, url: str):
        self.detail = detail
        self.url = url
        super().__init__(f"{url}: {detail}")


class HTTPStatusError(FetchError):
    """A status that ends the tries. `retry_after`: the seconds a 429 or 503 asked to wait
    before the next; `final`: no more tries within this run (a Retry-After too long)."""

    reason = "http status"

    def __init__(self, detail: str, url: str, status: int, retry_after: float | None = None, final: bool = False):
        self.status = status
        self.retry_after = retry_after
        self.final = final
        super().__init__(detail, url)


class TransportError(FetchError):
    reason = "transport"


class TooLarge(FetchError):
    reason = "too large"


class UnsafeURL(FetchError):
    reason = "unsafe url"


class RobotsDisallowed(FetchError):
    reason = "robots.txt"


class OutputError(ScrapeError):
    """An output file could not be written."""

    def __init__(self, detail: str, path: str):
        self.detail = detail
        self.path = path
        super().__init__(f"{path}: {detail}")


class StateError(ScrapeError):
    """The crawl state file cannot be used by this scrape: its schema is from a newer one."""

    def __init__(self, detail: str, path: str):
        self.detail = detail
        self.path = path
        super().__init__(f"{path}: {detail}")


class LockHeld(ScrapeError):
    """Another run holds the crawl lock."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"another scrape crawl is running (lock {path} is held)")


class EngineError(ScrapeError):
    """The engine `scrape clean` was asked to run on cannot run. `address`: the scheduler's,
    when one is concerned."""

    def __init__(self, detail: str, address: str | None = None):
        self.detail = detail
        self.address = address
        super().__init__(f"{address}: {detail}" if address else detail)
