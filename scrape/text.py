"""Text keys and paragraph normalisation shared by the normaliser's parts. No I/O."""

from __future__ import annotations

import re
import unicodedata

# The one set of characters a reader never sees, for every module: zero-width spaces and
# joiners, the word joiner, the byte-order mark and the soft hyphen; and the C0 controls and
# DEL that are not whitespace (str.split() takes \t-\r and \x1c-\x1f as whitespace).
_ZERO_WIDTH_CHARACTERS = r"\u200b-\u200d\u2060\ufeff\u00ad"
_CONTROL_CHARACTERS = r"\x00-\x08\x0e-\x1b\x7f"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARACTERS}]")
_CONTROL = re.compile(f"[{_CONTROL_CHARACTERS}]")
_INVISIBLE = re.compile(f"[{_ZERO_WIDTH_CHARACTERS}{_CONTROL_CHARACTERS}]")


def without_invisible(text: str) -> str:
    """The text without its zero-width and control characters ("Ad\u200bvertisement")."""
    return _INVISIBLE.sub("", text)


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
