"""`bench/crawl.py --state URL`: workers sharing a PostgreSQL crawl state, on the crawl bench's site.

    .venv/bin/python bench/crawl.py --state local [--pages 2000] [--concurrency 16] [--workers 1,2,3]
    .venv/bin/python bench/crawl.py --state postgresql://user@host/db ...

The same site as the Scrapy comparison (pre-gzipped article pages with a sitemap, nginx on
127.0.0.1). In this one run: the anchor, one `scrape crawl --no-clean` on a SQLite state;
then, for each worker count, that many workers started together on one PostgreSQL state
(emptied before each count), each with `crawl.concurrency` requests in flight and no
per-host limit beyond it. Reported: pages/s over the whole crawl (first start to last
exit), the database time per page the workers waited (every call of their crawl, client
side), calls per page, and, when the bench started the server itself (`local`), the
server's CPU per page: one core of it serves 1000 / that many pages a second, which is
what the README's estimate of workers per server comes from. Fetch only: cleaning would
make the two cores of this machine, not the state, the limit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "crawl-state.md"
TABLES = ("meta", "urls", "articles", "runs", "pending", "rounds", "frontier", "hosts", "host_slots")


def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL server's processes so far (its backends come and go:
    their time is in the postmaster's children's totals once they exit)."""
    if pid is None:
        return 0.0
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system + getattr(times, "children_user", 0.0) + getattr(
                    times, "children_system", 0.0)
            except psutil.Error:
                continue
        return total
    except psutil.Error:
        return 0.0


def _empty(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        for table in TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        db.execute("DROP FUNCTION IF EXISTS scrape_take_slot")


def _workers(count: int, base: str, work: Path, concurrency: int, url: str) -> tuple[list[dict], float]:
    """`count` workers started together; their results and the time from the first worker's
    crawl start to the last one's end (imports left out, as the anchor's are)."""
    procs = []
    for n in range(count):
        env = {**os.environ, "STATE_URL": url, "WORKER_ID": f"bench{n + 1}"}
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench" / "crawl.py"), "--child", "worker", "fetch",
                                       base, str(work), str(concurrency)], cwd=ROOT, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise SystemExit(f"worker failed:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results, max(r["ended"] for r in results) - min(r["began"] for r in results)


def _measure(counts: list[int], base: str, work: Path, concurrency: int, new_state, server_pid: int | None) -> list:
    rows = []
    for count in counts:
        url = new_state()
        for old in work.glob("out-*"):
            shutil.rmtree(old, ignore_errors=True)
        print(f"postgresql: {count} worker(s) ...", file=sys.stderr)
        cpu_before = _server_cpu(server_pid)
        results, wall = _workers(count, base, work, concurrency, url)
        server_cpu = _server_cpu(server_pid) - cpu_before
        pages = sum(r["pages"] for r in results)
        rows.append({"workers": count, "pages": pages, "wall": wall, "split": [r["pages"] for r in results],
                     "db_ms": sum(r["db_seconds"] for r in results) * 1000 / max(1, pages),
                     "calls": sum(r["db_calls"] for r in results) / max(1, pages),
                     "server_ms": server_cpu * 1000 / max(1, pages) if server_pid else None,
                     "cpu_ms": sum(r["cpu"] for r in results) * 1000 / max(1, pages),
                     "failed": [r["failed"] for r in results if r["failed"]]})
    return rows


def _report(args, anchor: dict, rows: list, server_name: str, size: float) -> str:
    anchor_rate = anchor["pages"] / anchor["seconds"]
    lines = [
        "# Crawl on a shared PostgreSQL state",
        "",
        f"`.venv/bin/python bench/crawl.py --state {'local' if args.state == 'local' else 'postgresql://...'} "
        f"--pages {args.pages} --concurrency {args.concurrency} --workers {args.workers}`: {args.pages} pages of "
        f"{size:.0f} KB (pre-gzipped) and a sitemap served by {server_name} on 127.0.0.1; `scrape crawl --no-clean` "
        f"workers at concurrency {args.concurrency} each, started together on one PostgreSQL state (emptied "
        "before each row), beside one worker on a SQLite state measured in the same run (the anchor). "
        f"{os.cpu_count()} cores shared by nginx, PostgreSQL and the workers (load average at the end "
        f"{os.getloadavg()[0]:.1f}: other programs ran too). Pages/s over the whole crawl (the "
        "first worker's crawl start to the last one's end; imports left out, as the anchor's are); DB ms/page: the time the workers waited on database calls, "
        "summed, per page; server CPU ms/page: the PostgreSQL server's processes.",
        "",
        "| state | workers | pages | seconds | pages/s | vs SQLite, 1 worker | pages per worker | "
        "worker CPU ms/page | DB ms/page | DB calls/page | server CPU ms/page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
        f"| SQLite (anchor) | 1 | {anchor['pages']} | {anchor['seconds']:.1f} | {anchor_rate:.0f} | 1.00x | – | "
        f"{anchor['cpu'] * 1000 / max(1, anchor['pages']):.2f} | – | – | – |",
    ]
    for row in rows:
        rate = row["pages"] / row["wall"]
        server = f"{row['server_ms']:.2f}" if row["server_ms"] is not None else "n/a"
        lines.append(f"| PostgreSQL | {row['workers']} | {row['pages']} | {row['wall']:.1f} | {rate:.0f} | "
                     f"{rate / anchor_rate:.2f}x | {', '.join(map(str, row['split']))} | {row['cpu_ms']:.2f} | "
                     f"{row['db_ms']:.2f} | {row['calls']:.1f} | {server} |")
    carried = [r for r in rows if r["server_ms"]]
    if carried:
        worst = max(r["server_ms"] for r in carried)
        one = rows[0]["pages"] / rows[0]["wall"]
        lines += ["", f"One core of the PostgreSQL server spends at most {worst:.2f} ms of CPU per page here, so it "
                  f"serves about {1000 / worst:.0f} pages/s; one fetch-only worker made {one:.0f} pages/s, so a "
                  f"core carries about {1000 / worst / one:.1f} such workers, or about "
                  f"{1000 / worst / max(1.0, one / 4):.0f} workers that also clean (about a quarter of the pages/s "
                  "each, per bench/results/crawl.md)."]
    for row in rows:
        if row["failed"]:
            lines.append(f"\nFailures with {row['workers']} workers: {row['failed']}")
    return "\n".join(lines) + "\n"


def bench_state(args, build_site, start_nginx, start_python_server, free_port, run_child) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    work = Path(tempfile.mkdtemp(prefix="scrape-bench-state-"))
    os.chmod(work, 0o755)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"building {args.pages} pages ...", file=sys.stderr)
    build_site(work / "site", args.pages, base)
    size = sum(p.stat().st_size for p in (work / "site" / "news").glob("*.html")) / args.pages / 1024
    server = start_nginx(work, work / "site", port)
    server_name = "nginx (gzip_static)"
    if server is None:
        server, server_name = start_python_server(work / "site", port), "python http.server"
        time.sleep(1)
    pg = None
    try:
        if args.state == "local":
            from pg_server import PgServer

            pg = PgServer().start()
            new_state, server_pid = pg.new_database, pg.proc.pid if pg.proc else None
        else:
            def new_state() -> str:
                _empty(args.state)
                return args.state
            server_pid = None
        print("sqlite: 1 worker (anchor) ...", file=sys.stderr)
        anchor = run_child("scrape", "fetch", base, work, args.concurrency)
        rows = _measure([int(n) for n in args.workers.split(",")], base, work, args.concurrency, new_state,
                        server_pid)
    finally:
        server.terminate()
        server.wait(10)
        if pg is not None:
            pg.stop()
    table = _report(args, anchor, rows, server_name, size)
    print(table)
    RESULTS.write_text(table)
    shutil.rmtree(work, ignore_errors=True)
