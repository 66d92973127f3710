"""scrape's version: the one place it is written. The package (`scrape.__version__`), the
command (`scrape --version`), the built distribution (pyproject.toml reads it from here) and
every output record (`scrape_version`) take it from this module."""

__version__ = "0.1.0"
