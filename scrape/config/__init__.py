"""Configuration: `config.toml` and the built-in defaults, loaded into validated frozen objects;
the lexicon of language words the matchers are built from."""

from .lexicon import Lexicon, default_lexicon, load_lexicon
from .rules import NoiseRule, RuleSet
from .settings import (
    CleanConfig,
    Config,
    CrawlConfig,
    CrawlSource,
    SiteRule,
    builtin_rules,
    default_config,
    load_config,
)

__all__ = [
    "CleanConfig", "Config", "CrawlConfig", "CrawlSource", "Lexicon", "NoiseRule", "RuleSet", "SiteRule",
    "builtin_rules", "default_config", "default_lexicon", "load_config", "load_lexicon",
]
