"""A real HTTP server on 127.0.0.1 for the crawler tests: fixture site plus faults.

`CrawlServer` serves `fixtures/site/` (with `{{base}}` in files replaced by the server's own
base URL), answers conditional requests from ETag and Last-Modified, logs every request, and
has routes that misbehave on purpose. A route returns a `Reply`, a `(status, body)` or
`(status, body, headers)` tuple, `RESET`, or None when it wrote the response itself.

A plain module: tests get a running server from the `crawl_server` fixture (conftest.py);
bench/reliability.py imports it to run the same cases at length.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)

_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain",
          ".rss": "application/rss+xml", ".atom": "application/atom+xml"}


@dataclass
class Logged:
    method: str
    path: str
    headers: dict
    status: int


class Reply:
    """What a route returns: a status, headers and a body."""

    def __init__(self, status: int = 200, body: bytes | str = b"", headers: dict | None = None):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = headers or {}


RESET = object()  # a route returning this resets the connection


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CrawlServer

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        srv = self.server
        path = self.path
        route = srv.routes.get(path.split("?")[0])
        if route is None:
            route = next((fn for prefix, fn in srv.prefix_routes.items() if path.startswith(prefix)), None)
        # Logged on arrival, before any reply: a client that has its response may look at
        # the log at once. The status is filled in as the reply goes out.
        logged = Logged("GET", path, dict(self.headers), 0)
        counted = path != "/robots.txt"  # robots.txt is asked outside the politeness gate, by design
        host = self.headers.get("Host", "")
        with srv.lock:
            srv.log.append(logged)
            if counted:
                srv.in_flight[host] = srv.in_flight.get(host, 0) + 1
                srv.most_in_flight[host] = max(srv.most_in_flight.get(host, 0), srv.in_flight[host])
        status = 0
        try:
            if route is not None:
                reply = route(self)
            else:
                reply = srv.static(path.split("?")[0], self.headers)
            if isinstance(reply, tuple):
                reply = Reply(*reply)
            if reply is RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                status = -1
                return
            if reply is None:  # the route wrote the response itself
                status = -2
                return
            status = logged.status = reply.status
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            logged.status = status
            if counted:
                with srv.lock:
                    srv.in_flight[host] -= 1


class CrawlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: Path = SITE):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.routes: dict[str, Callable] = {}
        self.prefix_routes: dict[str, Callable] = {}
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        # Requests being answered per Host header, and the most at once: the politeness a
        # crawl kept, over all its workers (robots.txt requests are not counted).
        self.in_flight: dict[str, int] = {}
        self.most_in_flight: dict[str, int] = {}
        self.overrides: dict[str, bytes] = {}  # path -> body replacing the fixture file
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def handle_error(self, request, client_address):  # resets are on purpose here; stay quiet
        pass

    def route(self, path: str):
        def register(fn):
            self.routes[path] = fn
            return fn
        return register

    def hit(self, path: str) -> int:
        """Count a request to `path` and return the count so far (1 for the first)."""
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]

    def requests(self, path: str | None = None) -> list[Logged]:
        with self.lock:
            return [r for r in self.log if path is None or r.path == path]

    def body_of(self, path: str) -> bytes | None:
        if path in self.overrides:
            return self.overrides[path].replace(b"{{base}}", self.base.encode())
        rel = path.lstrip("/") or "index.html"
        if rel.endswith("/"):
            rel += "index.html"
        file = (self.site / rel).resolve()
        if not file.is_relative_to(self.site) or not file.is_file():
            gz = path.endswith(".gz") and self.body_of(path[:-3])
            return gzip.compress(gz, mtime=0) if gz else None
        return file.read_bytes().replace(b"{{base}}", self.base.encode())

    def static(self, path: str, headers) -> Reply:
        body = self.body_of(path)
        if body is None:
            return Reply(404, "not found", {"Content-Type": "text/plain"})
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        suffix = Path(path).suffix
        kind = "application/gzip" if suffix == ".gz" else _TYPES.get(suffix, "text/html; charset=utf-8")
        common = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if headers.get("If-None-Match") == etag or (
                "If-None-Match" not in headers and headers.get("If-Modified-Since") == LAST_MODIFIED):
            return Reply(304, b"", common)
        return Reply(200, body, {"Content-Type": kind, **common})

    def serve_generated(self, count: int, delay: float = 0.0) -> None:
        """`/gen/1.html` ... `/gen/<count>.html` with ETags (each answered after `delay`
        seconds), and `/gen-sitemap.xml` listing them."""

        def page(req):
            n = int(req.path.split("/")[-1].split(".")[0])
            if delay:
                time.sleep(delay)
            body = self.overrides.get(req.path) or generated_article(n, self.base)
            etag = '"g%s"' % hashlib.sha1(body).hexdigest()[:12]
            if req.headers.get("If-None-Match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, body, {"Content-Type": "text/html; charset=utf-8", "ETag": etag})

        self.prefix_routes["/gen/"] = page
        urls = "".join(f"<url><loc>{{{{base}}}}/gen/{n}.html</loc></url>" for n in range(1, count + 1))
        self.overrides["/gen-sitemap.xml"] = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + urls + "</urlset>").encode()

    def change_generated(self, n: int, version: int = 2) -> None:
        """Give `/gen/<n>.html` (of `serve_generated`) another text."""
        self.overrides[f"/gen/{n}.html"] = generated_article(n, self.base, version)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


ARTICLE_TEMPLATE = (SITE / "news" / "tram-line.html").read_text("utf-8")
_WORDS = ("harbour council tram bridge library school garden budget market square river ferry station "
          "museum park street lights pupils teachers engineers residents visitors mayor").split()


def generated_article(n: int, base: str, version: int = 1) -> bytes:
    """A distinct, realistic article page number `n` (the text differs per `version`)."""
    words = [_WORDS[(n * 7 + i * 3 + version) % len(_WORDS)] for i in range(60)]
    paras = "".join(f"<p>Story {n} paragraph {p}: the {' '.join(words[p * 12:(p + 1) * 12])} "
                    f"said residents at a meeting on the {p + 1}th of the month, version {version}.</p>\n"
                    for p in range(5))
    html = ARTICLE_TEMPLATE.replace("{{base}}/news/tram-line.html", f"{base}/gen/{n}.html")
    html = html.replace("New tram line to the hospital opens two months early", f"Generated story number {n}")
    start = html.index('<div class="story-body">') + len('<div class="story-body">')
    end = html.index("</div>", start)
    return (html[:start] + "\n" + paras + html[end:]).encode("utf-8")


def install_faults(srv: CrawlServer) -> None:
    """The misbehaving routes every fault test uses."""

    @srv.route("/fault/500-then-200")
    def _(req):
        if srv.hit("/fault/500-then-200") == 1:
            return Reply(500, "oops")
        return srv.static("/news/harbour-bridge.html", {})

    @srv.route("/fault/always-503")
    def _(req):
        return Reply(503, "down")

    @srv.route("/fault/429")
    def _(req):
        if srv.hit("/fault/429") == 1:
            return Reply(429, "slow down", {"Retry-After": "1"})
        return srv.static("/news/harbour-bridge.html", {})

    @srv.route("/fault/429-date")
    def _(req):
        if srv.hit("/fault/429-date") == 1:
            return Reply(429, "slow down", {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
        return Reply(200, "ok", {"Content-Type": "text/plain"})

    @srv.route("/fault/429-long")
    def _(req):
        return Reply(429, "come back tomorrow", {"Retry-After": "86400"})

    @srv.route("/fault/slow")
    def _(req):
        time.sleep(1.0)
        return Reply(200, "late", {"Content-Type": "text/plain"})

    @srv.route("/fault/trickle")
    def _(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/plain")
        req.send_header("Content-Length", "100")
        req.end_headers()
        for _ in range(100):  # each byte in time for the read timeout, the whole too late
            req.wfile.write(b"x")
            req.wfile.flush()
            time.sleep(0.02)
        return None

    @srv.route("/fault/reset")
    def _(req):
        return RESET

    @srv.route("/fault/reset-then-200")
    def _(req):
        if srv.hit("/fault/reset-then-200") == 1:
            return RESET
        return Reply(200, "fine now", {"Content-Type": "text/plain"})

    @srv.route("/fault/loop")
    def _(req):
        return Reply(302, "", {"Location": "/fault/loop2"})

    @srv.route("/fault/loop2")
    def _(req):
        return Reply(302, "", {"Location": "/fault/loop"})

    @srv.route("/fault/redirect-file")
    def _(req):
        return Reply(302, "", {"Location": "file:///etc/passwd"})

    @srv.route("/fault/redirect-ok")
    def _(req):
        return Reply(301, "", {"Location": "/news/harbour-bridge.html"})

    @srv.route("/fault/big")
    def _(req):
        return Reply(200, b"a" * 300_000, {"Content-Type": "text/plain"})

    @srv.route("/fault/big-chunked")
    def _(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/plain")
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        chunk = b"b" * 16384
        try:
            for _ in range(40):
                req.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            req.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        return None

    @srv.route("/fault/gzip-bomb")
    def _(req):
        return Reply(200, _BOMB, {"Content-Type": "text/html", "Content-Encoding": "gzip"})

    @srv.route("/fault/br-bomb")
    def _(req):
        return Reply(200, _BR_BOMB, {"Content-Type": "text/html", "Content-Encoding": "br"})

    @srv.route("/fault/gzip-ok")
    def _(req):
        return Reply(200, gzip.compress(b"<p>small</p>" * 10), {"Content-Type": "text/html", "Content-Encoding": "gzip"})

    @srv.route("/fault/wrong-charset")
    def _(req):
        body = srv.body_of("/news/cafe-reopens.html").replace(b"charset=utf-8", b"charset=iso-8859-1")
        return Reply(200, body.decode("utf-8").encode("cp1252"), {"Content-Type": "text/html; charset=utf-8"})


def _write_until_gone(req, head: bytes, piece: bytes, pause: float = 0.0, seconds: float = 30.0) -> None:
    """Send `head`, then `piece` again and again until the client leaves (or `seconds` pass:
    a client that never leaves is a failed test, not a stuck server thread)."""
    req.close_connection = True
    deadline = time.monotonic() + seconds
    try:
        req.wfile.write(head)
        while time.monotonic() < deadline:
            req.wfile.write(piece)
            req.wfile.flush()
            if pause:
                time.sleep(pause)
    except OSError:
        pass


def install_hostile(srv: CrawlServer) -> None:
    """Routes that attack the client: endless bodies, a 1 byte/s trickle, enormous headers,
    redirects that grow forever or point anywhere (`/hostile/redirect?to=<url>`)."""
    from urllib.parse import parse_qs, urlsplit

    chunk = b"c" * 65536

    @srv.route("/hostile/endless-chunked")
    def _(req):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        _write_until_gone(req, head, b"%x\r\n%s\r\n" % (len(chunk), chunk))

    @srv.route("/hostile/endless-length")
    def _(req):  # announces a modest length, then never stops sending
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
        _write_until_gone(req, head, chunk)

    @srv.route("/hostile/trickle-1bps")
    def _(req):  # no length, no end: one byte a second for as long as anyone listens
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
        _write_until_gone(req, head, b"x", pause=1.0)

    @srv.route("/hostile/trickle-headers")
    def _(req):  # slowloris the other way round: the status line, then a header byte a second
        _write_until_gone(req, b"HTTP/1.1 200 OK\r\nX-Slow: ", b"x", pause=1.0)

    # Built now, not per request, so that a memory measure of the client leaves them out.
    huge_line = b"HTTP/1.1 200 OK\r\nX-Huge: " + b"h" * 1_000_000 + b"\r\nContent-Length: 2\r\n\r\nok"
    many_lines = (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Header-%05d: %s\r\n" % (n, b"v" * 32) for n in range(20_000))
                  + b"Content-Length: 2\r\n\r\nok")  # 1 MB of headers in 20,000 ordinary lines
    huge_location = (b"HTTP/1.1 302 Found\r\nLocation: /news/" + b"a" * 1_000_000
                     + b".html\r\nContent-Length: 0\r\n\r\n")

    layered = b"<p>deep</p>"
    for _ in range(1000):
        layered = gzip.compress(layered, compresslevel=1)

    @srv.route("/hostile/encoding-chain")
    def _(req):  # a body gzipped 1,000 times over, and a header saying so
        return Reply(200, layered, {"Content-Type": "text/html", "Content-Encoding": ", ".join(["gzip"] * 1000)})

    @srv.route("/hostile/huge-header-line")
    def _(req):
        _write_until_gone(req, huge_line, b"", seconds=0)

    @srv.route("/hostile/many-headers")
    def _(req):
        _write_until_gone(req, many_lines, b"", seconds=0)

    @srv.route("/hostile/huge-location")
    def _(req):
        _write_until_gone(req, huge_location, b"", seconds=0)

    @srv.route("/hostile/grow")
    def _(req):  # a redirect chain of new URLs that never repeats
        n = int(parse_qs(urlsplit(req.path).query).get("n", ["0"])[0])
        return Reply(302, "", {"Location": f"/hostile/grow?n={n + 1}"})

    @srv.route("/hostile/redirect")
    def _(req):
        return Reply(302, "", {"Location": parse_qs(urlsplit(req.path).query)["to"][0]})


_BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB that inflate to 50 MB


def _br_bomb() -> bytes:
    import brotli
    return brotli.compress(b"\0" * 50_000_000, quality=5)


_BR_BOMB = _br_bomb()
