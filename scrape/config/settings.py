"""Configuration: `config.toml` (and the built-in `defaults.toml`) loaded into frozen objects.

Every table is validated against the dataclass that holds it: an unknown key, a wrong type
or a bad value is a `ConfigError` that names the dotted key. Noise rules from the user's
file are added to the built-in ones unless `clean.builtin_rules = false`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from .lexicon import Lexicon, default_lexicon
from .rules import NoiseRule, RuleSet

_Built = typing.TypeVar("_Built")


@dataclass(frozen=True)
class SiteRule:
    """Rules for one site a user configures. Selectors are CSS."""

    domain: str  # matches the host and its subdomains
    drop: tuple[str, ...] = ()  # elements to remove before extraction
    body: str | None = None  # the article body container
    title: str | None = None
    author: str | None = None
    date: str | None = None
    timezone: str | None = None  # IANA name applied to dates given without an offset

    def __post_init__(self) -> None:
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(f"unknown timezone {self.timezone!r}", key=f"site {self.domain!r}.timezone") from None

    def applies_to(self, url: str | None) -> bool:
        try:
            host = (urlsplit(url).hostname or "") if url else ""
        except ValueError:  # "http://[::1": not an URL any site rule can be for
            return False
        domain = self.domain.lower().lstrip(".")
        return host == domain or host.endswith("." + domain)


EXTRACTORS = ("auto", "trafilatura")
ENGINES = ("local", "dask")


@dataclass(frozen=True)
class CleanConfig:
    min_words: int = 25  # fewer words than this and the page is "not an article"
    builtin_rules: bool = True  # false drops the shipped noise rules, keeping only yours
    favor_precision: bool = False  # passed to trafilatura: less text, less noise
    timeout: float = 20.0  # seconds one input may take to clean before it is skipped
    # "auto": scrape's own reading of the page where it is sure (most articles, several
    # times faster), trafilatura elsewhere; "trafilatura": trafilatura on every page.
    extractor: str = "auto"
    # Learn each host's boilerplate from its own pages (a crawl's, or the inputs of `clean`
    # holding several pages of a host) and remove it; false: built-in and own rules only.
    learn: bool = True
    # Read each paragraph's kind (heading, list item, quote, table cell) and links, for
    # Markdown (which turns it on) and for a `blocks` list in JSONL records. Off, it costs nothing.
    structure: bool = False
    # Where `scrape clean` runs (--engine): "local" (this machine's process pool) or "dask".
    engine: str = "local"
    scheduler: str = ""  # dask: a scheduler's address; "" = start a LocalCluster here
    workers: int = 0  # dask LocalCluster: worker processes; 0 = the number of cores
    # dask: a record-gzipped WARC larger than this is split into ranges of about this size
    # (about 2,800 records, 2.5 minutes of one core); 0 = never
    partition_bytes: int = 100_000_000

    def __post_init__(self) -> None:
        if self.extractor not in EXTRACTORS:
            raise ConfigError(f"must be one of {', '.join(EXTRACTORS)}", key="clean.extractor")
        if self.engine not in ENGINES:
            raise ConfigError(f"must be one of {', '.join(ENGINES)}", key="clean.engine")


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = "scrape/0.1 (+https://github.com/scrape/scrape)"
    state: str = "state/scrape.sqlite"  # SQLite file (or sqlite:PATH), or a postgresql:// URL workers share
    lock: str = ""  # lock file; empty = state path + ".lock"
    out_dir: str = "out"  # JSONL per run under out_dir/YYYY/MM/DD/
    warc: bool = False  # also keep raw responses as a WARC per run
    concurrency: int = 16  # requests in flight over all hosts
    per_host_concurrency: int = 2  # requests in flight per host
    per_host_delay: float = 0.5  # minimum seconds between requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # whole request, body included: ends slow trickles
    max_redirects: int = 5
    max_bytes: int = 10_000_000  # body limit, counted after decompression
    retries: int = 3  # tries after the first, for transport errors, 429 and 5xx
    backoff_base: float = 1.0  # seconds; doubles each retry, with jitter
    backoff_max: float = 60.0
    retry_after_max: float = 300.0  # longest Retry-After honoured within a run
    respect_robots: bool = True
    allow_private: bool = False  # allow loopback/private/link-local addresses (tests only)
    http2: bool = True
    max_pages: int = 0  # pages fetched per run; 0 = no limit (--max-pages)
    max_seconds: float = 0.0  # 0 = no limit (--max-seconds)
    recheck_after: float = 0.0  # seconds before a known URL with no newer lastmod is asked again
    #                             (conditionally, so mostly a 304); 0 = on every run
    max_failures: int = 5  # runs in a row a failed URL is retried on before it waits for its source
    clean_workers: int = 1  # processes cleaning pages beside the fetching one; 0 = a thread
    # A PostgreSQL state shared by several workers (crawl/state/shared.py):
    lease: float = 60.0  # seconds a worker's claims, host slots and heartbeat stay good unrenewed
    robots_expire: float = 86400.0  # seconds a host's robots.txt is kept before one worker fetches it again


@dataclass(frozen=True)
class CrawlSource:
    """A crawl source: an RSS/Atom feed, a sitemap (or index), or a seed page."""

    url: str
    type: str = "feed"  # "feed", "sitemap" or "seed"
    allow: str = ""  # seed: regex a followed link must match (empty: any same-site link)
    depth: int = 1  # seed: link hops to follow
    since_days: float = 0.0  # sitemap: skip entries whose lastmod is older (0 = keep all)

    def __post_init__(self) -> None:
        if self.type not in ("feed", "sitemap", "seed"):
            raise ConfigError("type must be feed, sitemap or seed", key=f"source {self.url!r}.type")
        try:
            parts = urlsplit(self.url)
            fetchable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        except ValueError:  # "http://[::1": no URL at all
            fetchable = False
        if not fetchable:
            raise ConfigError("must be an http or https URL with a host", key=f"source {self.url!r}.url")
        try:
            re.compile(self.allow)
        except re.error as exc:
            raise ConfigError(f"not a valid regex: {exc}", key=f"source {self.url!r}.allow") from None


@dataclass(frozen=True)
class Config:
    clean: CleanConfig = field(default_factory=CleanConfig)
    rules: tuple[NoiseRule, ...] = ()
    sites: tuple[SiteRule, ...] = ()
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    sources: tuple[CrawlSource, ...] = ()

    def site_for(self, url: str | None) -> SiteRule | None:
        """The site rule for `url`; the longest matching domain wins."""
        matching = [s for s in self.sites if s.applies_to(url)]
        return max(matching, key=lambda s: len(s.domain)) if matching else None

    def rules_of(self, kind: str) -> tuple[NoiseRule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    @cached_property
    def noise_selectors(self) -> tuple[str, ...]:
        """Every CSS selector of the "selector" rules, in order."""
        return tuple(p for r in self.rules_of("selector") for p in r.patterns)

    @cached_property
    def line_rules(self) -> RuleSet:
        return RuleSet(self.rules_of("line"))

    @cached_property
    def heading_rules(self) -> RuleSet:
        return RuleSet(self.rules_of("heading"))


# TOML table name -> Config field, for the array-of-tables sections ([[rule]] has its own builder).
_ARRAYS: dict[str, tuple[str, type]] = {"site": ("sites", SiteRule), "source": ("sources", CrawlSource)}
_TABLES: dict[str, type] = {"clean": CleanConfig, "crawl": CrawlConfig}


def _as_float(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError("must be a number", key=key)
    return float(value)


def _as_int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError("must be an integer", key=key)
    if value < 0:
        raise ConfigError("must not be negative", key=key)
    return value


def _as_bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError("must be true or false", key=key)
    return value


def _as_str(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError("must be a string", key=key)
    return value


_SCALARS: dict[object, Callable[[object, str], object]] = {
    float: _as_float, int: _as_int, bool: _as_bool, str: _as_str,
}


def _check_type(value: object, annotation: object, key: str) -> object:
    """Convert a TOML value to the annotated type, or raise ConfigError naming `key`."""
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):  # "X | None": TOML has no null, so X
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return None if value is None else _check_type(value, args[0], key)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError("must be a list", key=key)
        item = typing.get_args(annotation)[0]
        return tuple(_check_type(v, item, f"{key}[{i}]") for i, v in enumerate(value))
    convert = _SCALARS.get(annotation)
    if convert is None:
        raise ConfigError(f"unsupported type {annotation}", key=key)
    return convert(value, key)


def _build(cls: type[_Built], data: object, prefix: str) -> _Built:
    """Instantiate dataclass `cls` from a TOML table; unknown keys are errors."""
    if not isinstance(data, dict):
        raise ConfigError("must be a table", key=prefix)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]  # cls is a dataclass
    for key in data:
        if key not in names:
            raise ConfigError(f"unknown key {prefix}.{key!s}", key=f"{prefix}.{key}")
    kwargs = {k: _check_type(v, hints[k], f"{prefix}.{k}") for k, v in data.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required key is missing
        raise ConfigError(f"{prefix}: {exc}", key=prefix) from None


def _build_rule(data: object, prefix: str, lexicon: Lexicon) -> NoiseRule:
    """A [[rule]] table. Its patterns' `{category}` holes take the lexicon's words, and the
    phrases of the categories its `lexicon` key names (from every language file) join them."""
    if not isinstance(data, dict):
        raise ConfigError("must be a table", key=prefix)
    table = dict(data)
    if "grammars" in table:  # built from {line:...} patterns, never written
        raise ConfigError(f"unknown key {prefix}.grammars", key=f"{prefix}.grammars")
    named = table.pop("lexicon", [])
    categories = _check_type([named] if isinstance(named, str) else named, tuple[str, ...], f"{prefix}.lexicon")
    rule = _build(NoiseRule, table, prefix)
    if rule.kind == "selector":
        if categories:
            raise ConfigError("a selector rule takes no lexicon", key=f"{prefix}.lexicon")
        return rule
    try:
        grammars = [lexicon.line_grammar(p) for p in rule.patterns]
        patterns = [lexicon.fill(p) for p, grammar in zip(rule.patterns, grammars, strict=True) if grammar is None]
    except ConfigError as exc:
        raise ConfigError(str(exc), key=f"{prefix}.patterns") from None
    for category in typing.cast(tuple[str, ...], categories):
        if not lexicon.knows(category):
            raise ConfigError(f"no lexicon category {category!r}", key=f"{prefix}.lexicon")
        patterns.extend(lexicon.phrases(category))
    return dataclasses.replace(rule, patterns=tuple(patterns), grammars=tuple(g for g in grammars if g is not None))


def _parse(data: dict[str, object], lexicon: Lexicon) -> dict[str, object]:
    """Validate a parsed TOML document into Config keyword arguments."""
    kwargs: dict[str, object] = {}
    for key, value in data.items():
        if key in _TABLES:
            kwargs[key] = _build(_TABLES[key], value, key)
        elif key == "rule" or key in _ARRAYS:
            if not isinstance(value, list):
                raise ConfigError(f"use [[{key}]] tables", key=key)
            if key == "rule":
                kwargs["rules"] = tuple(_build_rule(item, f"rule[{i}]", lexicon) for i, item in enumerate(value))
            else:
                name, cls = _ARRAYS[key]
                kwargs[name] = tuple(_build(cls, item, f"{key}[{i}]") for i, item in enumerate(value))
        else:
            raise ConfigError(f"unknown key {key}", key=key)
    return kwargs


def _read_toml(text: str, path: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None


def builtin_rules(lexicon: Lexicon | None = None) -> tuple[NoiseRule, ...]:
    """The shipped noise rules (defaults.toml), their words from `lexicon` (by default the
    built-in lexicon files)."""
    text = resources.files("scrape.config").joinpath("defaults.toml").read_text("utf-8")
    rules = _parse(_read_toml(text, "defaults.toml"), lexicon or default_lexicon()).get("rules", ())
    return typing.cast(tuple[NoiseRule, ...], rules)


def load_config(path: str | Path | None = None, lexicon: Lexicon | None = None) -> Config:
    """Load `path` (or only the built-in defaults when None) into a validated Config. The
    noise rules take their words from `lexicon` (by default, the built-in lexicon files).

    Raises:
        ConfigError: the file is missing, not TOML, or has an unknown key or bad value.
    """
    data: dict[str, object] = {}
    if path is not None:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read config: {exc.strerror}", path=str(path)) from None
        data = _read_toml(text, str(path))
    lexicon = lexicon or default_lexicon()
    try:
        kwargs = _parse(data, lexicon)
    except ConfigError as exc:
        raise ConfigError(str(exc), key=exc.key, path=str(path) if path else None) from None
    clean = typing.cast(CleanConfig, kwargs.get("clean", CleanConfig()))
    user_rules = typing.cast(tuple[NoiseRule, ...], kwargs.get("rules", ()))
    kwargs["rules"] = (builtin_rules(lexicon) if clean.builtin_rules else ()) + user_rules
    if path is not None:
        crawl = typing.cast(CrawlConfig, kwargs.get("crawl", CrawlConfig()))
        kwargs["crawl"] = _paths_from(Path(path).resolve().parent, crawl)
    return Config(**kwargs)  # type: ignore[arg-type]  # each value was checked against its field


def _paths_from(folder: Path, crawl: CrawlConfig) -> CrawlConfig:
    """The crawl's files (state, lock, out_dir), relative ones taken from the config file's
    folder rather than the working one: the same config finds the same files from cron, from
    systemd and from a shell anywhere. `~` is the user's home; a state that is not a file
    path (":memory:", a database URL) is left as it is."""

    def resolved(value: str) -> str:
        if not value or value == ":memory:" or "://" in value:
            return value
        if value.startswith("sqlite:"):  # "sqlite:rel/path" (crawl.state): the path is resolved
            return "sqlite:" + resolved(value[len("sqlite:"):])
        return str(folder / os.path.expanduser(value))  # an absolute value replaces the folder

    return dataclasses.replace(crawl, state=resolved(crawl.state), lock=resolved(crawl.lock),
                               out_dir=resolved(crawl.out_dir))


_default: Config | None = None


def default_config() -> Config:
    """The built-in configuration, loaded once."""
    global _default
    if _default is None:
        _default = load_config(None)
    return _default
