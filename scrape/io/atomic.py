"""Files written whole or not at all, for every output scrape writes (`clean`'s sinks, the
crawl's run files, `--stats-json`).

A file is written into a temporary file in its folder, flushed and fsynced, then renamed over
the target and the folder fsynced, so a reader never sees half a file and a failed or killed
run leaves an existing file as it was. A temporary file is a hidden `.<name>.<random>.tmp`,
locked while it is written; one that nobody holds was left by a killed run, and
`remove_stale_temps` (run by the next writer in that folder) removes it. A write that fails is
an `OutputError` naming the path, its detail the system's ("No space left on device").
Reads no config keys.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from typing import BinaryIO

from ..errors import OutputError


class AtomicFile:
    """A file written under a temporary name in its folder and renamed into place on commit.

    If the target exists and is not a regular file (a FIFO, /dev/stdout), it is written in
    place: there is nothing to rename over.

    Raises:
        OutputError: the folder or the temporary file cannot be made (here), written
            (`write`) or renamed into place (`commit`).
    """

    def __init__(self, path: str):
        self.path = path
        self.temp: str | None = None
        self._handle: BinaryIO | None = None
        self._key: tuple[int, int] | None = None
        try:
            folder = os.path.dirname(os.path.abspath(path))
            if os.path.exists(path) and not os.path.isfile(path):
                if os.path.isdir(path):
                    raise IsADirectoryError(21, "Is a directory")
                self._handle = open(path, "wb")
                return
            os.makedirs(folder, exist_ok=True)
            fd, self.temp = tempfile.mkstemp(dir=folder, prefix=temp_prefix(os.path.basename(path)), suffix=".tmp")
            self._key = _hold(fd)
            os.fchmod(fd, 0o666 & ~_umask())
            self._handle = os.fdopen(fd, "wb")
        except OSError as exc:
            self._discard()
            raise OutputError(error_detail(exc), path) from None

    @property
    def handle(self) -> BinaryIO:
        """The open file; an error once the file is committed or discarded."""
        if self._handle is None:
            raise OutputError("already closed", self.path)
        return self._handle

    def write(self, data: bytes) -> None:
        try:
            self.handle.write(data)
        except OSError as exc:
            raise OutputError(error_detail(exc), self.path) from None

    def commit(self) -> None:
        """Make what was written the file at `path`."""
        if self._handle is None:
            return
        try:
            self._handle.flush()
            renamed = self.temp is not None
            if self.temp is not None:
                os.fsync(self._handle.fileno())
                os.replace(self.temp, self.path)  # still open, so still locked: never taken for stale
                self.temp = None
                _release(self._key)
            self._handle.close()
            self._handle = None
            if renamed:
                fsync_folder(os.path.dirname(os.path.abspath(self.path)))
        except OSError as exc:
            self._discard()
            raise OutputError(error_detail(exc), self.path) from None

    def discard(self) -> None:
        """Drop what was written; an existing file at `path` stays as it was."""
        self._discard()

    def _discard(self) -> None:
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass
            self._handle = None
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass
            self.temp = None
            _release(self._key)


def write_atomically(path: str, data: bytes) -> None:
    """Write `data` to `path` atomically.

    Raises:
        OutputError: it could not be written; an existing file at `path` is as it was.
    """
    target = AtomicFile(path)
    try:
        target.write(data)
    except BaseException:
        target.discard()
        raise
    target.commit()


# What tempfile.mkstemp makes of prefix + random + suffix, for our prefixes.
TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_TEMP_STEM_BYTES = 100  # keeps ".<stem>.<random>.tmp" under 255 bytes whatever the target's name


def temp_prefix(name: str) -> str:
    """The start of the temporary files' names for a target file named `name`."""
    stem = name.encode("utf-8", "surrogateescape")[:_TEMP_STEM_BYTES].decode("utf-8", "ignore")
    return f".{stem}."


# (device, inode) of the temp files this process is writing. A POSIX lock does not stop its
# own process, and closing any descriptor of a file drops the process's locks on it, so the
# sweep must not even open these.
_LIVE: set[tuple[int, int]] = set()


def _hold(fd: int) -> tuple[int, int]:
    """Mark a temporary file as in use while this process lives.

    A POSIX (lockf) lock, not flock: it belongs to this process alone, so the worker
    processes forked after the file was opened do not keep it held once this one is killed.
    """
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a filesystem without locks: such a temp file is never taken for stale
        pass
    info = os.fstat(fd)
    _LIVE.add((info.st_dev, info.st_ino))
    return info.st_dev, info.st_ino


def _release(key: tuple[int, int] | None) -> None:
    if key is not None:
        _LIVE.discard(key)


def remove_stale_temps(folder: str, prefix: str = ".") -> int:
    """Remove the temporary files a killed run left in `folder` (those starting with
    `prefix`); returns how many. A temp file is stale when no process holds its lock."""
    removed = 0
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and TEMP_NAME.fullmatch(e.name)]
    except OSError:
        return 0
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if (info.st_dev, info.st_ino) in _LIVE:
                continue
            fd = os.open(entry.path, os.O_RDWR | os.O_NOFOLLOW)  # a write lock needs a writable descriptor
        except OSError:
            continue
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(entry.path)
            removed += 1
        except OSError:  # held: a run is writing it
            pass
        finally:
            os.close(fd)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_folder(folder: str) -> None:
    """Persist a rename; not every platform or filesystem can open a folder, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def error_detail(exc: OSError) -> str:
    """What an OSError says, without its number: "No space left on device"."""
    return exc.strerror or str(exc)
