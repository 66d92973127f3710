"""The lock of a crawl on a SQLite state: one run at a time (a second exits with code 3).

A crawl on a shared PostgreSQL state has no lock file: its workers run together, and only
two runs with the same worker id are kept apart (`state.postgres.PgState.worker_lock`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..config import Config
from ..errors import LockHeld


class CrawlLock:
    """An exclusive `flock` on the lock file, held for a whole run."""

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> CrawlLock:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(self.path) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_path(config: Config) -> str:
    return config.crawl.lock or config.crawl.state + ".lock"
