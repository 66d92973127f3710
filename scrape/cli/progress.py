"""How far `scrape clean` is through its inputs, for the progress bar: by bytes, when the
inputs' sizes are known (files and folders, not stdin), so that the bar shows a total and an
ETA; a WARC's records tell where in the file a run is by their offsets.

Results come back in input order, so the files before the current one are done. Offsets
are the ones `Source` carries (compressed ones in a record-gzipped WARC, as the file size
is); a JSONL file counts as done when the next file starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import SkipError
from ..io.inputs import STDIN, walk_folder
from ..models import Source


class Work:
    """The byte sizes of a run's input files, and how many of those bytes are behind it."""

    def __init__(self, sizes: dict[str, int]):
        self.sizes = sizes
        self.total = sum(sizes.values())
        self._behind = 0  # bytes of the files done
        self._current: str | None = None

    @classmethod
    def of(cls, paths: Iterable[str]) -> Work | None:
        """The work of these inputs; None when a size cannot be known (stdin)."""
        sizes: dict[str, int] = {}
        for path in paths:
            if path == STDIN:
                return None
            files = [f for f in walk_folder(path) if isinstance(f, str)] if os.path.isdir(path) else [path]
            for name in files:
                try:
                    sizes[name] = os.path.getsize(name)
                except OSError:  # gone, or unreadable: it will be a skip of its own
                    sizes[name] = 0
        return cls(sizes) if sizes else None

    def position(self, where: Source | SkipError | None) -> int:
        """The bytes behind the run once this result (an article's source, or a skip) is in."""
        path, offset = _located(where, self.sizes)
        if path is None:
            return self._behind
        if path != self._current:
            if self._current is not None:
                self._behind += self.sizes[self._current]
            self._current = path
        return self._behind + min(offset, self.sizes[path])


def _located(where: Source | SkipError | None, sizes: dict[str, int]) -> tuple[str | None, int]:
    """The input file a result came from, and how far into it (0 when it does not say)."""
    if isinstance(where, Source):
        return (where.path, where.offset or 0) if where.path in sizes else (None, 0)
    name = where.input if isinstance(where, SkipError) else None
    if not name:
        return None, 0
    if name in sizes:
        return name, 0
    for mark in ("@", ":"):  # "file.warc@1234" (a record), "file.jsonl:7" (a line)
        path, _, rest = name.rpartition(mark)
        if path in sizes:
            return path, int(rest) if mark == "@" and rest.isdigit() else 0
    return None, 0
