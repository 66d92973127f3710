"""scrape's version: the one place it is written. The package (`scrape.__version__`), the
command (`scrape --version`), the built distribution (pyproject.toml reads it from here) and
every output record (`scrape_version`) take it from this module."""

__version__ = "0.1.0"

# The distribution's name on PyPI (the import and the command are `scrape`; that name on PyPI
# belongs to another project). pyproject.toml's `name` says the same; a test checks they agree.
DISTRIBUTION = "scrape-articles"
