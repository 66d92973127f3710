"""A real PostgreSQL server for the tests, started from the installed server binaries.

`PgServer` runs `initdb` in a temporary folder and `postgres` on a free port of 127.0.0.1,
trust authentication, no network beyond loopback. PostgreSQL refuses to run as root, so
under root (CI) the folder is given to the `postgres` system user and the server is started
as that user (`runuser`); anywhere else it runs as the current user. `fsync` is off: the
tests kill workers, not the machine.

A plain module: tests get a server from the `pg_server` fixture (conftest.py), one for the
whole session, and a fresh database per test (`new_database`); bench/crawl.py and
bench/reliability.py import it to run the same server by hand.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from itertools import count

_SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")


def find_binaries() -> str | None:
    """The folder holding initdb and postgres: on PATH, or Debian's versioned folder."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return os.path.dirname(on_path)
    for pattern in _SEARCH:
        for folder in sorted(glob.glob(pattern), reverse=True):  # the newest version first
            if os.path.exists(os.path.join(folder, "initdb")) and os.path.exists(os.path.join(folder, "postgres")):
                return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One PostgreSQL server in a temporary folder; `with PgServer() as server: server.url`."""

    def __init__(self, binaries: str | None = None):
        self.bin = binaries or find_binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, postgres) found")
        self.root = os.geteuid() == 0
        self.user = "postgres" if self.root else None
        self.folder = tempfile.mkdtemp(prefix="scrape-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._names = count(1)

    def _as_server_user(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else argv

    def start(self) -> PgServer:
        if self.user:
            os.chmod(self.folder, 0o755)
            shutil.chown(self.folder, self.user, self.user)
        subprocess.run(self._as_server_user([os.path.join(self.bin, "initdb"), "-D", self.data, "-A", "trust",
                                             "-U", "postgres", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(self._as_server_user([
            os.path.join(self.bin, "postgres"), "-D", self.data, "-h", "127.0.0.1", "-p", str(self.port),
            "-k", self.folder, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "shared_buffers=64MB"]),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.folder, "server.log"), "wb"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited: " + open(os.path.join(self.folder, "server.log")).read()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                if self._ready():
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("postgres did not start within 30 s")

    def _ready(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.url("postgres"), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"{prefix}{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # "immediate": the tests' data is thrown away, and runuser would not pass a signal on
            subprocess.run(self._as_server_user([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "stop",
                                                 "-m", "immediate", "-w"]), capture_output=True, timeout=30)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
