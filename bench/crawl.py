"""Crawl benchmark: scrape against Scrapy on one local static site served by nginx.

    .venv/bin/python bench/crawl.py [--pages 2000] [--concurrency 16] [--skip-clean]

Builds a site of PAGES article pages of about 90 KB (plus a sitemap with lastmod and a
robots.txt) in a temporary folder, pre-gzipped as most news sites serve them, and serves it
with nginx (Debian's package; a Python server only when nginx is missing) on 127.0.0.1.
Then, at the same concurrency and in this one run, it measures

    fetch only          scrape crawl --no-clean  vs  a Scrapy SitemapSpider doing nothing
    fetch + clean       scrape crawl             vs  the same spider calling scrape's clean_page
    conditional recrawl scrape crawl --no-clean --recheck-all on the warm state (the
                        sitemap asked conditionally too: crawl.state keeps what it listed)
                        vs  Scrapy with its RFC 2616 HTTP cache (revalidating every page)

With `--state postgresql://...` (or `--state local`: a PostgreSQL server started for the
bench from the installed binaries, as the tests do) it measures instead the crawl on a
shared state: 1, 2 and 3 `scrape crawl --no-clean` workers on one PostgreSQL state, side by
side with one worker on a SQLite state (the anchor, same run, same site): pages/s, the
time each page spends waiting on the database (client side, every call), and, for a local
server, the server's CPU per page, from which the README estimates how many workers one
PostgreSQL server carries. The table goes to bench/results/crawl-state.md.

Each measurement runs in its own process; a sampler in that process records CPU seconds
(its own and its worker processes') and peak RSS (summed over the process tree) during the
crawl only, not the imports. nginx's access log tells how many re-crawl answers were 304s,
to the pages and to the sitemap.
The table goes to stdout and to bench/results/crawl.md. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "crawl.md"

# --- the site --------------------------------------------------------------------------

_WORDS = ("the council said on monday that the new harbour bridge would open in spring after "
          "engineers finished work on the northern ramp residents welcomed news but shop owners "
          "worried about parking during busy weeks of december while buses run through tunnel "
          "library school garden market square tram line hospital station budget lights river").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def make_page(n: int, rng: random.Random, base: str, filler: str) -> str:
    paragraphs = "\n".join(f"<p>{' '.join(_sentence(rng) for _ in range(4))}</p>" for _ in range(14))
    nav = "".join(f'<li><a href="/section/{i}.html">Section {i}</a></li>' for i in range(120))
    related = "".join(f'<li><a href="/news/{(n + i) % 9999}.html">{_sentence(rng)}</a></li>' for i in range(40))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Story {n}: {_sentence(rng)[:60]} | The Bench Gazette</title>
<link rel="canonical" href="{base}/news/{n}.html">
<meta property="og:type" content="article"><meta property="og:site_name" content="The Bench Gazette">
<meta name="author" content="Reporter {n % 37}">
<meta property="article:published_time" content="2026-11-{1 + n % 27:02d}T08:{n % 60:02d}:00+01:00">
<style>{filler}</style>
<script>window.__STATE__ = {json.dumps({"id": n, "blob": filler[:20000]})};</script>
</head><body>
<header><a href="/">The Bench Gazette</a><nav><ul>{nav}</ul></nav></header>
<main><article><h1>Story number {n} about the harbour city</h1>
<p class="byline">By Reporter {n % 37}</p>
<div class="story-body">
{paragraphs}
</div></article>
<aside><h2>Related</h2><ul>{related}</ul></aside></main>
<footer><p>© 2026 The Bench Gazette</p></footer>
</body></html>
"""


def build_site(folder: Path, pages: int, base: str) -> None:
    rng = random.Random(7)
    filler = "".join(f".c{i}{{margin:{i % 9}px;padding:{i % 7}px;color:#{i * 2654435761 % 0xFFFFFF:06x}}}"
                     for i in range(1300))
    (folder / "news").mkdir(parents=True)
    entries = []
    for n in range(1, pages + 1):
        html = make_page(n, rng, base, filler).encode("utf-8")
        path = folder / "news" / f"{n}.html"
        path.write_bytes(html)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(html, 6, mtime=0))
        entries.append(f"<url><loc>{base}/news/{n}.html</loc><lastmod>2026-11-{1 + n % 27:02d}</lastmod></url>")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(entries) + "\n</urlset>\n")
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(work: Path, site: Path, port: int) -> subprocess.Popen | None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        return None
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
error_log {work}/error.log warn;
pid {work}/nginx.pid;
{"user root root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
    log_format short '$status $request_uri';
    access_log {work}/access.log short;
    client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
    types {{ text/html html; application/xml xml; text/plain txt; }}
    sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 60;
    gzip_static on; etag on;
    server {{ listen 127.0.0.1:{port}; root {site}; }}
}}
""")
    (work / "tmp").mkdir(exist_ok=True)
    proc = subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"nginx failed: {proc.stderr.read().decode()}")
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def start_python_server(site: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count_statuses(log: Path, since: int) -> tuple[dict, dict, int]:
    """The statuses nginx answered since `since`: to the article pages, and to discovery (the
    sitemap); and the log's new end."""
    with open(log, "rb") as f:
        f.seek(since)
        data = f.read()
    pages: dict[str, int] = {}
    discovery: dict[str, int] = {}
    for line in data.splitlines():
        counts = pages if b"/news/" in line else discovery if b"/sitemap" in line else None
        if counts is not None:
            status = line.split(b" ", 1)[0].decode()
            counts[status] = counts.get(status, 0) + 1
    return pages, discovery, since + len(data)


# --- measuring a child -----------------------------------------------------------------


class Sampler:
    """CPU seconds and peak RSS of this process and its descendants, while running."""

    def __init__(self, interval: float = 0.05):
        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self._interval = interval
        self._cpu: dict[int, float] = {}
        self._base: dict[int, float] = {}
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    rss += proc.memory_info().rss
            except self._psutil.Error:
                continue
            self._cpu[proc.pid] = times.user + times.system
            self._base.setdefault(proc.pid, self._cpu[proc.pid] if proc is self._me else 0.0)
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread.start()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self._sample()
        self._stop.set()
        self._thread.join()
        self.cpu = sum(self._cpu[pid] - self._base.get(pid, 0.0) for pid in self._cpu)


def child_scrape(mode: str, base: str, work: Path, concurrency: int) -> dict:
    import dataclasses
    import logging

    from scrape.config import CrawlConfig, CrawlSource, default_config
    from scrape.crawl.run import CrawlOptions, run_crawl

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    crawl = CrawlConfig(state=str(work / "scrape-state.sqlite"), out_dir=str(work / "scrape-out"),
                        concurrency=concurrency, per_host_concurrency=concurrency, per_host_delay=0.0,
                        allow_private=True, http2=False, clean_workers=int(os.environ.get("CLEAN_WORKERS", "1")))
    config = dataclasses.replace(default_config(), crawl=crawl,
                                 sources=(CrawlSource(url=base + "/sitemap.xml", type="sitemap"),))
    options = CrawlOptions(clean=(mode == "clean"), recheck_all=(mode == "recrawl"))
    with Sampler() as sample:
        stats = run_crawl(config, options)
    pages = stats.fetched + stats.not_modified
    return {"pages": pages, "seconds": sample.seconds, "cpu": sample.cpu, "rss": sample.peak_rss,
            "new": stats.new, "not_modified": stats.not_modified, "failed": dict(stats.failed),
            "skipped": dict(stats.skipped)}


def child_scrapy(mode: str, base: str, work: Path, concurrency: int) -> dict:
    import logging

    from scrapy.crawler import CrawlerProcess
    from scrapy.spiders import SitemapSpider

    counted = {"pages": 0, "not_modified": 0, "articles": 0}
    clean = None
    if mode == "clean":
        from scrape import Page, SkipError, Source, clean_page, default_config

        config = default_config()

        def clean(response):
            page = Page(source=Source(response.url), body=response.body, url=response.url, status=response.status,
                        charset="utf-8")
            try:
                clean_page(page, config)
                counted["articles"] += 1
            except SkipError:
                pass

    class BenchSpider(SitemapSpider):
        name = "bench"
        sitemap_urls = [base + "/sitemap.xml"]

        def parse(self, response):
            counted["pages"] += 1
            if response.status == 304 or response.headers.get(b"X-Cache-Revalidated"):
                counted["not_modified"] += 1
            if clean is not None:
                clean(response)
            return ()

    settings = {
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "scrapy-bench", "COOKIES_ENABLED": False, "RETRY_TIMES": 2,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    if mode in ("warm", "recrawl"):  # RFC 2616 cache: revalidates stored pages with conditional requests
        settings.update({"HTTPCACHE_ENABLED": True, "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
                         "HTTPCACHE_DIR": str(work / "scrapy-cache"), "HTTPCACHE_ALWAYS_STORE": True})
    logging.getLogger("scrapy").setLevel(logging.WARNING)
    process = CrawlerProcess(settings)
    process.crawl(BenchSpider)
    with Sampler() as sample:
        process.start()
    return {"pages": counted["pages"], "seconds": sample.seconds, "cpu": sample.cpu, "rss": sample.peak_rss,
            "not_modified": counted["not_modified"]}


def child_worker(mode: str, base: str, work: Path, concurrency: int) -> dict:
    """One worker of a crawl on a PostgreSQL state (STATE_URL, WORKER_ID), fetch only;
    every database call of its crawl timed."""
    import dataclasses
    import logging

    from scrape.config import CrawlConfig, CrawlSource, default_config
    from scrape.crawl.run import CrawlOptions, run_crawl
    from scrape.crawl.state import shared

    timed = {"seconds": 0.0, "calls": 0}
    real_rows = shared.PgSession._rows

    async def rows(self, sql, params=None):
        start = time.perf_counter()
        try:
            return await real_rows(self, sql, params)
        finally:
            timed["seconds"] += time.perf_counter() - start
            timed["calls"] += 1

    shared.PgSession._rows = rows
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    worker = os.environ["WORKER_ID"]
    crawl = CrawlConfig(state=os.environ["STATE_URL"], out_dir=str(work / f"out-{worker}"),
                        concurrency=concurrency, per_host_concurrency=concurrency, per_host_delay=0.0,
                        allow_private=True, http2=False, clean_workers=1)
    config = dataclasses.replace(default_config(), crawl=crawl,
                                 sources=(CrawlSource(url=base + "/sitemap.xml", type="sitemap"),))
    began = time.time()
    with Sampler() as sample:
        stats = run_crawl(config, CrawlOptions(clean=(mode == "clean"), worker=worker))
    return {"pages": stats.fetched + stats.not_modified, "seconds": sample.seconds, "cpu": sample.cpu,
            "began": began, "ended": time.time(),
            "rss": sample.peak_rss, "db_seconds": timed["seconds"], "db_calls": timed["calls"],
            "failed": dict(stats.failed)}


def run_child(tool: str, mode: str, base: str, work: Path, concurrency: int, env: dict | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", tool, mode, base, str(work), str(concurrency)]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{tool} {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the report ------------------------------------------------------------------------


def row(label: str, result: dict, extra: str = "") -> str:
    pages = max(1, result["pages"])
    return (f"| {label} | {result['pages']} | {result['pages'] / result['seconds']:.0f} | "
            f"{result['cpu'] / pages * 1000:.2f} | {result['rss'] / 2**20:.0f} | {extra} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-clean", action="store_true", help="only fetch and re-crawl")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fetch-only and re-crawl measurement "
                                                              "(alternating the crawlers; the median is shown)")
    parser.add_argument("--state", metavar="URL", help="measure workers sharing this PostgreSQL state "
                        "(postgresql://...; 'local': a server started for the bench) instead of the Scrapy comparison")
    parser.add_argument("--workers", default="1,2,3", help="with --state: the worker counts to measure")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, mode, base, work, concurrency = args.child
        run = {"scrape": child_scrape, "scrapy": child_scrapy, "worker": child_worker}[tool]
        print(json.dumps(run(mode, base, Path(work), int(concurrency))))
        return
    if args.state:
        from crawl_state import bench_state  # bench/crawl_state.py: the --state measurements

        bench_state(args, build_site, start_nginx, start_python_server, free_port, run_child)
        return

    work = Path(tempfile.mkdtemp(prefix="scrape-bench-"))
    os.chmod(work, 0o755)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site = work / "site"
    print(f"building {args.pages} pages in {site} ...", file=sys.stderr)
    build_site(site, args.pages, base)
    size = sum(p.stat().st_size for p in (site / "news").glob("*.html")) / args.pages / 1024
    server = start_nginx(work, site, port)
    server_name = "nginx (gzip_static)"
    if server is None:
        server, server_name = start_python_server(site, port), "python http.server"
        time.sleep(1)
    log = work / "access.log"
    results: list[str] = []
    notes: list[str] = []
    try:
        offset = 0
        c = args.concurrency

        def fresh_scrape_state() -> None:  # each scrape fetch starts from an empty state
            shutil.rmtree(work / "scrape-out", ignore_errors=True)
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{work}/scrape-state.sqlite{suffix}").unlink(missing_ok=True)

        measured: dict = {}
        runs: dict = {}
        # Fetch only, alternating the two crawlers, `repeat` times each; the median is reported
        # (the machine is shared, so single runs are noisy).
        for i in range(args.repeat):
            for tool in ("scrape", "scrapy"):
                if tool == "scrape":
                    fresh_scrape_state()
                print(f"{tool}: fetch only ({i + 1}/{args.repeat}) ...", file=sys.stderr)
                runs.setdefault(("fetch only", tool), []).append(run_child(tool, "fetch", base, work, c))
        if not args.skip_clean:
            for tool in ("scrape", "scrapy"):
                if tool == "scrape":
                    fresh_scrape_state()
                print(f"{tool}: fetch + clean ...", file=sys.stderr)
                runs[("fetch + clean", tool)] = [run_child(tool, "clean", base, work, c)]
        else:  # the re-crawl needs a warm state
            fresh_scrape_state()
            run_child("scrape", "fetch", base, work, c)
        print("scrapy: warming its HTTP cache ...", file=sys.stderr)
        run_child("scrapy", "warm", base, work, c)
        _, _, offset = count_statuses(log, 0)
        # Conditional re-crawl: scrape on the state its last run left; Scrapy on its warm cache.
        codes: dict = {"scrape": {}, "scrapy": {}}
        discovery_codes: dict = {"scrape": {}, "scrapy": {}}
        for i in range(args.repeat):
            for tool in ("scrape", "scrapy"):
                print(f"{tool}: conditional re-crawl ({i + 1}/{args.repeat}) ...", file=sys.stderr)
                runs.setdefault(("recrawl", tool), []).append(run_child(tool, "recrawl", base, work, c))
                counted, discovered, offset = count_statuses(log, offset)
                for totals, new in ((codes[tool], counted), (discovery_codes[tool], discovered)):
                    for status, n in new.items():
                        totals[status] = totals.get(status, 0) + n
        for key, results_of_key in runs.items():
            results_of_key.sort(key=lambda r: r["pages"] / r["seconds"])
            measured[key] = results_of_key[len(results_of_key) // 2]
        scrape_codes, scrapy_codes = codes["scrape"], codes["scrapy"]

        for label in ("fetch only", "fetch + clean"):
            if (label, "scrape") not in measured:
                continue
            ours, theirs = measured[(label, "scrape")], measured[(label, "scrapy")]
            speed = (ours["pages"] / ours["seconds"]) / (theirs["pages"] / theirs["seconds"])
            cpu = (ours["cpu"] / max(1, ours["pages"])) / (theirs["cpu"] / max(1, theirs["pages"]))
            results.append(row(f"{label}: scrape", ours, f"{speed:.2f}x Scrapy's pages/s, {cpu:.2f}x its CPU/page"))
            results.append(row(f"{label}: Scrapy", theirs))
        ours, theirs = measured[("recrawl", "scrape")], measured[("recrawl", "scrapy")]
        results.append(row("conditional re-crawl: scrape", ours, f"server answered {_codes(scrape_codes)}"
                           f" to pages and {_codes(discovery_codes['scrape'])} to the sitemap over {args.repeat} "
                           f"runs"))
        results.append(row("conditional re-crawl: Scrapy (RFC 2616 cache)", theirs,
                           f"server answered {_codes(scrapy_codes)} to pages and "
                           f"{_codes(discovery_codes['scrapy'])} to the sitemap over {args.repeat} runs"))
    finally:
        server.terminate()
        server.wait(10)
    import platform

    import httpx
    import scrapy

    header = [
        "# Crawl benchmark",
        "",
        f"`.venv/bin/python bench/crawl.py --pages {args.pages} --concurrency {args.concurrency} "
        f"--repeat {args.repeat}`: "
        f"{args.pages} article pages of {size:.0f} KB (pre-gzipped) with a sitemap, served by {server_name} "
        f"on 127.0.0.1; both crawlers at concurrency {args.concurrency} (all on one host), robots.txt obeyed. "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, httpx {httpx.__version__}, "
        f"Scrapy {scrapy.__version__}. CPU and peak RSS cover the crawl process and its workers, "
        "crawl only (not imports); the server's CPU is not counted. Fetch-only and re-crawl rows are the "
        f"median (by pages/s) of {args.repeat} runs, alternating the crawlers; 304 counts add up all "
        "re-crawl runs. scrape cleans with "
        f"`crawl.clean_workers = {os.environ.get('CLEAN_WORKERS', '1')}` process(es); the Scrapy spider calls "
        "the same `clean_page` in its callback.",
        "",
        "| run | pages | pages/s | CPU s / 1,000 pages | peak RSS MB | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    table = "\n".join(header + results + notes) + "\n"
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    shutil.rmtree(work, ignore_errors=True)


def _codes(codes: dict) -> str:
    return ", ".join(f"{n} x {status}" for status, n in sorted(codes.items())) or "nothing"


if __name__ == "__main__":
    main()
