"""Configuration: `config.toml` and the built-in defaults, loaded into validated frozen objects."""

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
    "CleanConfig", "Config", "CrawlConfig", "CrawlSource", "NoiseRule", "RuleSet", "SiteRule",
    "builtin_rules", "default_config", "load_config",
]
