"""The command line: the only layer that prints or exits."""

from .main import main

__all__ = ["main"]
