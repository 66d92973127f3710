"""Text keys and paragraph normalisation shared by the normaliser's parts. No I/O."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")  # str.split() takes \t-\r and \x1c-\x1f


def normalise_paragraph(text: str) -> str:
    """NFC; zero-width and control characters out; every run of whitespace (line and
    paragraph separators included) one space."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """A comparison key: NFKC, casefolded, whitespace collapsed ("Jane  DOE" = "jane doe")."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
