"""Throughput: scrape's cleaning next to plain trafilatura, one process and end to end.

1. **In-process**, on the pages of `zyte` (decoded HTML in memory, one process): after a
   warm-up pass over every page with every tool, `--rounds` timed rounds call, page by page,
   `scrape.clean_html(html, url=url)` (what users get: built-in config, SkipError caught),
   `trafilatura.extract(html, url=url, include_comments=False)` (the anchor, as the corpora
   README measured it) and the same with `favor_precision=True`, interleaved, the order
   rotated on every page so that no tool always runs first. Each round starts with the
   memos keyed by page text cleared in both tools (forget_seen_pages): without that, rounds
   over the same pages time cache hits no real run gets. Each call is timed with
   `time.process_time` (CPU time of this process: other work on the machine barely moves it)
   and `time.perf_counter`. pages/s = pages / CPU seconds.
2. **End to end**: a record-gzipped WARC of `--records` (default 5,000) HTML responses built
   from all three corpora by bench/build_warc.py (cached in bench/work/), cleaned by
   `scrape clean WARC -j 1 -o FILE` and `-j 2` as subprocesses, in ABBA order over
   `--e2e-rounds` pairs, run from bench/work/ (so the built-in config applies, as in 1).
   For each: wall time, pages/s (records / wall), CPU of the whole tree (wait4 rusage: the
   CLI plus its reaped workers), and peak memory of the process tree, polled every 0.2 s
   with psutil: the sum of every process's RSS (a strict figure: pages shared between the
   forked workers count once per process) and the sum of PSS (shared pages split between
   sharers: the tree's real footprint). The -j 1 and -j 2 outputs must be byte-identical.
3. **Bounded memory** (`--big`): a WARC of `--big-bytes` (default 2 GB) built the same way,
   cleaned with `-j 2`; peak tree RSS and PSS, and the peak in the first and last quarter
   of the run (equal when memory does not grow with the input). It takes a while (45,000
   records: about 10 minutes on 2 free cores), so its figures are saved in bench/work/, and
   `--reuse-big` reports the last ones (with their date) in a run without `--big`.
4. **Profile**: the stages of scrape's cleaning on the zyte pages (CPU time per stage, by
   wrapping the cleaner's stage functions in this process only), and a pyinstrument
   profile's top functions by cumulative share.

Prints one side-by-side table and writes bench/results/speed.md (unless --no-write).

    python bench/speed.py [--rounds N] [--records N] [--e2e-rounds N]
                          [--big [--big-bytes B] | --reuse-big] [--skip-e2e] [--wait-quiet [MINUTES]] [--no-write]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
RESULTS = BENCH / "results" / "speed.md"
BIG_SAVED = WORK / "speed-big.json"  # the last --big run, for --reuse-big
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SCRAPE_BIN = Path(sys.executable).parent / "scrape"

sys.path.insert(0, str(BENCH))
import build_warc  # noqa: E402

# Targets of issue 5 (2 cores).
TARGET_SPEEDUP = 1.5  # scrape pages/s over plain trafilatura's, one process
TARGET_JOBS = 1.8  # -j 2 pages/s over -j 1
TARGET_RSS_MB = 400  # peak RSS cleaning a 2 GB WARC
QUIET_LOAD = 0.5  # 1-minute load average under which the machine counts as quiet
POLL_SECONDS = 0.2
PSS_EVERY = 5  # PSS (smaps_rollup) on every 5th poll: it costs more than RSS
SCRAPE, TRAF, TRAF_PRECISION = "scrape", "trafilatura", "trafilatura favor_precision"


# ---------------------------------------------------------------------------- in-process

@dataclass
class Page:
    id: str
    url: str | None
    html: str


def load_zyte(root: Path) -> list[Page]:
    folder = root / "zyte"
    pages = []
    with open(folder / "cases.jsonl", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                raw = json.loads(line)
                with gzip.open(folder / raw["html"]) as fh:
                    pages.append(Page(raw["id"], raw.get("url"), fh.read().decode("utf-8", errors="replace")))
    return pages


def make_tools() -> dict:
    import trafilatura

    import scrape

    def run_scrape(page: Page) -> bool:
        try:
            scrape.clean_html(page.html, url=page.url)
        except scrape.SkipError:
            return False
        return True

    def run_trafilatura(page: Page) -> bool:
        return trafilatura.extract(page.html, url=page.url, include_comments=False) is not None

    def run_precision(page: Page) -> bool:
        return trafilatura.extract(page.html, url=page.url, include_comments=False,
                                   favor_precision=True) is not None

    return {SCRAPE: run_scrape, TRAF: run_trafilatura, TRAF_PRECISION: run_precision}


@dataclass
class ToolTimes:
    cpu: list[float] = field(default_factory=list)  # CPU seconds per round
    wall: list[float] = field(default_factory=list)
    pages: int = 0  # per round
    empty: int = 0  # per round: SkipError / None


# Memos keyed by page text, in both tools (module, function). One-time set-up caches
# (stop lists, parsers, time zones) are left warm: a long run pays for them once.
_TEXT_CACHES = [
    ("scrape.meta.bylines", "parse_byline"),
    ("scrape.clean.lineshape", "content_stems"),
    ("trafilatura.utils", "line_processing"),
    ("trafilatura.utils", "trim"),
    ("trafilatura.utils", "return_printables_and_spaces"),
    ("trafilatura.deduplication", "is_similar_domain"),
    ("trafilatura.deduplication", "_vector_to_add"),
    ("htmldate.extractors", "try_date_expr"),
    ("htmldate.validators", "_parse_and_validate"),
    ("htmldate.validators", "filter_ymd_candidate"),
]


def forget_seen_pages() -> int:
    """Clear every memo keyed by page text, in both tools: scrape's rule-match and class-name
    memos and the functools caches in _TEXT_CACHES. Otherwise a round over pages already
    cleaned is mostly cache hits (scrape's rule memo alone made a repeated round about 1.5x
    faster), which no real run over fresh pages gets. Returns the number of caches cleared."""
    import importlib

    import scrape
    import scrape.clean.extract

    config = scrape.default_config()
    for rule_set in (config.line_rules, config.heading_rules):
        rule_set.forget()
    scrape.clean.extract.forget()
    cleared = 3
    for module_name, function in _TEXT_CACHES:
        try:
            clear = getattr(importlib.import_module(module_name), function).cache_clear
        except (ImportError, AttributeError):
            continue  # a renamed or (in an older checkout) unmemoised function: the count says so
        clear()
        cleared += 1
    return cleared


def run_in_process(pages: list[Page], rounds: int, log) -> dict[str, ToolTimes]:
    tools = make_tools()
    names = list(tools)
    print(f"in-process: warm-up over {len(pages)} zyte pages...", file=log, flush=True)
    for page in pages:
        for name in names:
            tools[name](page)
    times = {name: ToolTimes(pages=len(pages)) for name in names}
    for round_no in range(rounds):
        forget_seen_pages()
        cpu, wall, empty = Counter(), Counter(), Counter()
        for index, page in enumerate(pages):
            shift = (index + round_no) % len(names)
            for name in names[shift:] + names[:shift]:
                c0, w0 = time.process_time(), time.perf_counter()
                ok = tools[name](page)
                cpu[name] += time.process_time() - c0
                wall[name] += time.perf_counter() - w0
                empty[name] += not ok
        for name in names:
            times[name].cpu.append(cpu[name])
            times[name].wall.append(wall[name])
            times[name].empty = empty[name]
        line = ", ".join(f"{name} {len(pages) / cpu[name]:.1f}" for name in names)
        print(f"  round {round_no + 1}/{rounds} pages/s (CPU): {line}", file=log, flush=True)
    return times


def in_process_figures(times: dict[str, ToolTimes]) -> dict:
    out = {}
    for name, t in times.items():
        total_pages = t.pages * len(t.cpu)
        per_round = [t.pages / c for c in t.cpu]
        out[name] = {
            "pages": t.pages, "rounds": len(t.cpu),
            "cpu_ms_per_page": 1000 * sum(t.cpu) / total_pages,
            "pages_per_s": total_pages / sum(t.cpu),
            "pages_per_s_min": min(per_round), "pages_per_s_max": max(per_round),
            "wall_pages_per_s": total_pages / sum(t.wall),
            "empty": t.empty,
        }
    scrape_rounds = times[SCRAPE].cpu
    for name in (TRAF, TRAF_PRECISION):
        # Per-round ratios: each round's tools shared the same machine conditions.
        ratios = [other / mine for mine, other in zip(scrape_rounds, times[name].cpu)]
        out[SCRAPE][f"ratio_vs_{name}"] = out[SCRAPE]["pages_per_s"] / out[name]["pages_per_s"]
        out[SCRAPE][f"ratio_vs_{name}_rounds"] = (min(ratios), statistics.median(ratios), max(ratios))
    return out


# ---------------------------------------------------------------------------- profile

class StageTimer:
    """CPU time per stage, inclusive and exclusive of the stages called inside it."""

    def __init__(self):
        self.inclusive: Counter = Counter()
        self.exclusive: Counter = Counter()
        self.calls: Counter = Counter()
        self.missing: list[str] = []  # stage functions not found
        self._stack: list[float] = []

    def wrap(self, name, fn):
        def timed(*args, **kwargs):
            label = name(args, kwargs) if callable(name) else name
            start = time.process_time()
            self._stack.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.process_time() - start
                inner = self._stack.pop()
                self.inclusive[label] += elapsed
                self.exclusive[label] += elapsed - inner
                self.calls[label] += 1
                if self._stack:
                    self._stack[-1] += elapsed
        return timed


# (module, attribute names tried in turn, stage label): the cleaner's stage functions, looked
# up as module globals at call time, so replacing the attribute times every call. A stage
# whose function is not found (renamed) is listed as such; its time then counts to its caller.
_STAGES = [
    ("scrape", ["clean_page"], "clean_page: Page, config, min_words (own)"),
    ("scrape.clean.page", ["decode_body"], "decode bytes -> str"),
    ("scrape.clean.page", ["clean_html_document"], "clean_html_document (own: Extract, authors, dates)"),
    ("scrape.clean.html", ["LexborHTMLParser"], "selectolax parse"),
    ("scrape.clean.html", ["read_metadata"], "metadata (JSON-LD, meta, byline, time)"),
    ("scrape.clean.html", ["drop_invisible"], "prune: invisible elements"),
    ("scrape.clean.html", ["drop_signup_widgets", "_drop_signup_widgets"], "prune: signup widgets"),
    ("scrape.clean.html", ["drop_selectors", "_drop_selectors"], "prune: selectors (structural, site drop)"),
    ("scrape.clean.html", ["prune_noise_blocks", "_prune_noise_blocks"], "prune: noise blocks and widgets"),
    ("scrape.clean.html", ["drop_doubled_blocks", "_drop_doubled_blocks"], "prune: doubled blocks"),
    ("scrape.clean.html", ["extract_text"], "extract_text (own: tree.html serialise, checks)"),
    ("scrape.clean.html", ["extract_lines"], "own reading of the tree (extract.py; calls: all pages)"),
    ("scrape.clean.html", ["_fold_source_newlines"], "fold source newlines (regex)"),
    ("scrape.clean.html", ["_trafilatura_lines"],
     lambda args, kwargs: "trafilatura fast pass" if kwargs.get("fast", True) else "trafilatura full mode (fallback)"),
    ("scrape.clean.html", ["_add_split_body"], "split-body paragraphs"),
    ("scrape.clean.html", ["_paragraph_fallback"], "paragraph fallback"),
    ("scrape.clean.html", ["filter_paragraphs"], "line filter"),
    ("scrape.clean.html", ["_guess_date"], "htmldate guess"),
    ("scrape.clean.html", ["rank_titles"], "normalise: rank titles"),
    ("scrape.clean.page", ["build_article"], "normalise: build_article"),
]


def profile_stages(pages: list[Page]) -> tuple[StageTimer, float]:
    """Run scrape's cleaning over `pages` with every stage timed; returns the timer and the
    CPU seconds of the whole clean_html calls."""
    import importlib

    import scrape

    timer = StageTimer()
    originals = []
    for module_name, attributes, label in _STAGES:
        module = importlib.import_module(module_name)
        attribute = next((name for name in attributes if hasattr(module, name)), None)
        if attribute is None:
            timer.missing.append(f"{module_name}.{attributes[0]}")
            continue
        original = getattr(module, attribute)
        originals.append((module, attribute, original))
        setattr(module, attribute, timer.wrap(label, original))
    total = 0.0
    forget_seen_pages()
    try:
        for page in pages:
            start = time.process_time()
            try:
                scrape.clean_html(page.html, url=page.url)
            except scrape.SkipError:
                pass
            total += time.process_time() - start
    finally:
        for module, attribute, original in originals:
            setattr(module, attribute, original)
    return timer, total


def profile_functions(pages: list[Page], top: int = 25) -> tuple[list[tuple[str, float]], float]:
    """pyinstrument over scrape's cleaning: functions by cumulative share of the time spent in
    clean_html (a function counted once per stack, however deep it recurses)."""
    from pyinstrument import Profiler

    import scrape

    forget_seen_pages()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for page in pages:
        try:
            scrape.clean_html(page.html, url=page.url)
        except scrape.SkipError:
            pass
    profiler.stop()
    root = profiler.last_session.root_frame()
    cumulative: Counter = Counter()
    total = 0.0

    def key(frame) -> str:
        path = frame.file_path or ""
        marker = "site-packages/"
        short = path.split(marker, 1)[1] if marker in path else os.path.relpath(path, REPO) if path else "?"
        return f"{frame.function} ({short}:{frame.line_no})"

    def walk(frame, seen: frozenset, inside: bool):
        nonlocal total
        if frame.is_synthetic:
            return
        name = key(frame)
        if not inside and frame.function == "clean_html" and "scrape" in (frame.file_path or ""):
            inside = True
            total += frame.time
        if inside and name not in seen:
            cumulative[name] += frame.time
            seen = seen | {name}
        for child in frame.children:
            walk(child, seen, inside)

    walk(root, frozenset(), False)
    rows = [(name, secs / total) for name, secs in cumulative.most_common(top)] if total else []
    return rows, total


# ---------------------------------------------------------------------------- end to end

def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Polls a process and its descendants: peak of the summed RSS (and PSS), with a timeline."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self.root = psutil.Process(pid)
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self.timeline: list[tuple[float, int]] = []  # (seconds since start, summed RSS)

    def run(self):
        import psutil

        start, polls = time.monotonic(), 0
        while not self.stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                break
            rss = pids = 0
            for proc in procs:
                try:
                    rss += proc.memory_info().rss
                    pids += 1
                except psutil.Error:
                    pass
            if polls % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss_bytes(p.pid) for p in procs))
            polls += 1
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_processes = max(self.peak_processes, pids)
            self.timeline.append((time.monotonic() - start, rss))
            self.stop.wait(POLL_SECONDS)

    def quarter_peaks(self) -> tuple[int, int]:
        """Peak summed RSS in the first and the last quarter of the run (past start-up)."""
        if not self.timeline:
            return 0, 0
        end = self.timeline[-1][0]
        first = [rss for t, rss in self.timeline if end * 0.05 <= t <= end * 0.25]
        last = [rss for t, rss in self.timeline if t >= end * 0.75]
        return max(first, default=0), max(last, default=0)


@dataclass
class CleanRun:
    jobs: int
    records: int
    wall: float
    cpu: float  # user + system of the CLI and its workers
    cleaned: int
    skipped: int
    exit_code: int
    peak_rss: int  # summed over the tree, bytes
    peak_pss: int
    max_single_rss: int  # the largest one process reached (kernel's maxrss), bytes
    processes: int
    output_sha256: str
    first_quarter_rss: int = 0
    last_quarter_rss: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end
    file_bytes: int = 0

    @property
    def pages_per_s(self) -> float:
        return (self.cleaned + self.skipped) / self.wall


def run_clean(warc: Path, records: int, jobs: int, log) -> CleanRun:
    """`scrape clean WARC -j N -o FILE` as a subprocess, its tree's memory polled."""
    out = WORK / f"out-j{jobs}.jsonl"
    err = WORK / f"stderr-j{jobs}.txt"
    command = [str(SCRAPE_BIN), "clean", str(warc), "-j", str(jobs), "-o", str(out)]
    load_before = os.getloadavg()[0]
    with open(err, "wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=WORK, stdout=subprocess.DEVNULL, stderr=stderr)
        monitor = TreeMemory(proc.pid)
        monitor.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        monitor.stop.set()
        monitor.join()
    summary = err.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    cleaned = skipped = 0
    try:
        words = summary[0].replace(",", "").replace(":", "").split()
        cleaned, skipped = int(words[1]), int(words[3])
    except (IndexError, ValueError):
        print(f"  unexpected summary from {shlex.join(command)}: {summary[0]!r}", file=log)
    digest = hashlib.sha256()
    with open(out, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    first, last = monitor.quarter_peaks()
    run = CleanRun(
        jobs=jobs, records=records, wall=wall, cpu=usage.ru_utime + usage.ru_stime,
        cleaned=cleaned, skipped=skipped, exit_code=proc.returncode,
        peak_rss=monitor.peak_rss, peak_pss=monitor.peak_pss,
        max_single_rss=usage.ru_maxrss * 1024, processes=monitor.peak_processes,
        output_sha256=digest.hexdigest(), first_quarter_rss=first, last_quarter_rss=last,
        load=(load_before, os.getloadavg()[0]), file_bytes=warc.stat().st_size,
    )
    out.unlink()
    print(f"  -j {jobs}: {run.pages_per_s:.1f} pages/s ({wall:.0f}s wall, {run.cpu:.0f}s CPU), "
          f"cleaned {cleaned}, skipped {skipped}, peak tree RSS {mb(run.peak_rss)} MB "
          f"(PSS {mb(run.peak_pss)} MB), load {run.load[0]:.2f} -> {run.load[1]:.2f}", file=log, flush=True)
    return run


def run_end_to_end(warc: Path, records: int, pairs: int, log) -> dict[int, list[CleanRun]]:
    """-j 1 and -j 2 in ABBA order (1 2 2 1 1 2 ...), so drift in machine load hits both alike."""
    runs: dict[int, list[CleanRun]] = {1: [], 2: []}
    for pair in range(pairs):
        for jobs in ((1, 2) if pair % 2 == 0 else (2, 1)):
            runs[jobs].append(run_clean(warc, records, jobs, log))
    return runs


def end_to_end_figures(runs: dict[int, list[CleanRun]]) -> dict:
    out = {}
    for jobs, items in runs.items():
        pages = sum(r.cleaned + r.skipped for r in items)
        out[jobs] = {
            "runs": len(items), "records": items[0].records,
            "pages_per_s": pages / sum(r.wall for r in items),
            "pages_per_s_each": [round(r.pages_per_s, 1) for r in items],
            "cpu_ms_per_page": 1000 * sum(r.cpu for r in items) / pages,
            "wall_s": [round(r.wall, 1) for r in items],
            "peak_rss_mb": mb(max(r.peak_rss for r in items)),
            "peak_pss_mb": mb(max(r.peak_pss for r in items)),
            "max_single_rss_mb": mb(max(r.max_single_rss for r in items)),
            "processes": max(r.processes for r in items),
            "cleaned": items[0].cleaned, "skipped": items[0].skipped,
            "exit_codes": sorted({r.exit_code for r in items}),
            "loads": [f"{r.load[0]:.2f}->{r.load[1]:.2f}" for r in items],
            "cores_used": [round(r.cpu / r.wall, 2) for r in items],
        }
    # Each pair ran back to back: its ratio saw the same machine.
    ratios = [b.pages_per_s / a.pages_per_s for a, b in zip(runs[1], runs[2])]
    out["speedup"] = out[2]["pages_per_s"] / out[1]["pages_per_s"]
    out["speedup_pairs"] = [round(r, 2) for r in ratios]
    # CPU per page of the tree, -j 2 over -j 1: the cost of parallelism (pickling, the parent).
    # With both cores free and busy, -j 2 would reach about 2 / this times -j 1's pages/s.
    out["cpu_ratio"] = out[2]["cpu_ms_per_page"] / out[1]["cpu_ms_per_page"]
    out["same_output"] = len({r.output_sha256 for items in runs.values() for r in items}) == 1
    return out


def mb(value: int) -> int:
    return round(value / 1_000_000)


# ---------------------------------------------------------------------------- report

def scrape_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "scrape"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return commit + (" (scrape/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine_line() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import trafilatura

    return (f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, trafilatura {trafilatura.__version__}, "
            f"scrape at {scrape_commit()}")


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("**yes**" if ok else "**no**")


def render_table(inproc: dict | None, e2e: dict | None, big: CleanRun | None) -> str:
    rows = ["| run | pages | CPU ms/page | pages/s | ratio | peak RSS, tree (PSS) | target | met |",
            "|---|---|---|---|---|---|---|---|"]
    if inproc:
        s = inproc[SCRAPE]
        lo, median, hi = s[f"ratio_vs_{TRAF}_rounds"]
        for name, label in ((SCRAPE, "in-process `scrape.clean_html`"),
                            (TRAF, "in-process `trafilatura.extract`"),
                            (TRAF_PRECISION, "in-process `trafilatura.extract` favor_precision")):
            f = inproc[name]
            ratio = target = met = "–"
            if name == SCRAPE:
                ratio = (f"{s[f'ratio_vs_{TRAF}']:.2f}x trafilatura (rounds {lo:.2f}–{hi:.2f}); "
                         f"{s[f'ratio_vs_{TRAF_PRECISION}']:.2f}x favor_precision")
                target = f"≥ {TARGET_SPEEDUP}x trafilatura"
                met = _met(s[f"ratio_vs_{TRAF}"] >= TARGET_SPEEDUP)
            rows.append(f"| {label} | {f['pages']} × {f['rounds']} | {f['cpu_ms_per_page']:.1f} | "
                        f"{f['pages_per_s']:.1f} ({f['pages_per_s_min']:.1f}–{f['pages_per_s_max']:.1f}) | "
                        f"{ratio} | – | {target} | {met} |")
    if e2e:
        for jobs in (1, 2):
            f = e2e[jobs]
            ratio = target = met = "–"
            if jobs == 2:
                ratio = f"{e2e['speedup']:.2f}x -j 1 (pairs {', '.join(map(str, e2e['speedup_pairs']))})"
                target = f"≥ {TARGET_JOBS}x -j 1"
                met = _met(e2e["speedup"] >= TARGET_JOBS)
            rows.append(f"| `scrape clean -j {jobs}`, {f['records']:,}-record WARC | {f['records']:,} × {f['runs']} | "
                        f"{f['cpu_ms_per_page']:.1f} (tree) | {f['pages_per_s']:.1f} wall "
                        f"({', '.join(map(str, f['pages_per_s_each']))}) | {ratio} | "
                        f"{f['peak_rss_mb']} MB ({f['peak_pss_mb']} MB) | {target} | {met} |")
    if big:
        pages = big.cleaned + big.skipped
        rows.append(f"| `scrape clean -j 2`, {big_label(big)} WARC | {pages:,} | "
                    f"{1000 * big.cpu / pages:.1f} (tree) | {big.pages_per_s:.1f} wall | – | "
                    f"{mb(big.peak_rss)} MB ({mb(big.peak_pss)} MB) | < {TARGET_RSS_MB} MB RSS | "
                    f"{_met(mb(big.peak_rss) < TARGET_RSS_MB)} |")
    return "\n".join(rows)


def big_label(run: CleanRun) -> str:
    return f"{run.records:,}-record, {run.file_bytes / 1e9:.2f} GB"


def render_stages(timer: StageTimer, total: float, pages: int) -> str:
    rows = ["| stage | calls | CPU ms/page (own) | share (own) | share (incl. inner stages) |",
            "|---|---|---|---|---|"]
    for label, own in sorted(timer.exclusive.items(), key=lambda item: -item[1]):
        rows.append(f"| {label} | {timer.calls[label]} | {1000 * own / pages:.2f} | {100 * own / total:.1f}% | "
                    f"{100 * timer.inclusive[label] / total:.1f}% |")
    outside = total - sum(timer.exclusive.values())
    rows.append(f"| `scrape.clean_html` itself (str → bytes), timers | {pages} | {1000 * outside / pages:.2f} | "
                f"{100 * outside / total:.1f}% | |")
    if timer.missing:
        rows.append("")
        rows.append(f"Not found, so counted in their callers: {', '.join(timer.missing)}.")
    return "\n".join(rows)


def render_functions(rows: list[tuple[str, float]]) -> str:
    lines = ["| function | cumulative share |", "|---|---|"]
    lines += [f"| `{name}` | {100 * share:.1f}% |" for name, share in rows]
    return "\n".join(lines)


def render_report(result: dict, command: str, when: str, machine: str) -> str:
    parts = [
        "# Throughput",
        "",
        f"Measured {when} on {machine}. {result['load']}",
        "",
        f"Command: `{command}`",
        "",
        result["table"],
        "",
        "- **in-process**: the 181 `zyte` pages, decoded, in one process, after a warm-up pass; each "
        "round starts with every memo keyed by page text cleared, in both tools (so that a round over "
        "pages already seen is timed as a first run over them), then calls the three tools page by "
        "page, interleaved (order rotated per page). CPU ms/page "
        "and pages/s from `time.process_time`; pages/s is over all rounds, with the slowest and "
        "fastest round in brackets; the ratio is scrape's pages/s over trafilatura's, with per-round "
        "ratios. scrape: `scrape.clean_html(html, url=url)`, built-in config, SkipError caught "
        f"({result['inproc_empty']}); trafilatura: `extract(html, url=url, include_comments=False)` "
        "(+ `favor_precision=True`).",
        "- **end to end**: `scrape clean WARC -j N -o FILE` as a subprocess from bench/work/ (built-in "
        "config), on a record-gzipped WARC built from the pages of all three corpora repeated with "
        "distinct URLs (`bench/build_warc.py`), -j 1 and -j 2 in ABBA order; pages/s = records / wall "
        "time (each run in brackets), CPU ms/page of the whole tree (wait4 rusage), peak memory of the "
        "tree polled every 0.2 s: summed RSS (pages the forked workers share count once per process) "
        "and, in brackets, summed PSS (shared pages split: the real footprint). "
        f"{result['e2e_note']}",
    ]
    if result.get("big_note"):
        parts.append(f"- **bounded memory**: {result['big_note']}")
    parts += [
        "",
        "## Where scrape's time goes",
        "",
        f"CPU time per stage of `scrape.clean_html` over the {result['profile_pages']} zyte pages "
        "(each stage function of the cleaner wrapped with a `process_time` timer in the benchmark "
        "process; \"own\" excludes the stages it calls; selectolax's C calls inside a stage count "
        "to that stage):",
        "",
        result["stages"],
        "",
        f"pyinstrument ({result['profile_seconds']:.1f} s sampled, 0.5 ms interval, wall clock): "
        "functions by cumulative share of the time inside `clean_html` (C code such as "
        "selectolax's parser and lxml counts to the Python function that called it):",
        "",
        result["functions"],
        "",
    ]
    return "\n".join(parts)


# ---------------------------------------------------------------------------- main

def wait_until_quiet(minutes: float, log) -> str:
    deadline = time.monotonic() + minutes * 60
    while True:
        load = os.getloadavg()
        if load[0] <= QUIET_LOAD:
            return f"Load average at start {load[0]:.2f} (quiet)."
        if time.monotonic() >= deadline:
            return f"Load average at start {load[0]:.2f}: the machine did not get quiet within {minutes:g} min."
        print(f"waiting for a quiet machine: load {load[0]:.2f} > {QUIET_LOAD}", file=log, flush=True)
        time.sleep(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="?", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--rounds", type=int, default=5, help="timed in-process rounds (default 5)")
    parser.add_argument("--records", type=int, default=5000, help="records in the end-to-end WARC")
    parser.add_argument("--e2e-rounds", type=int, default=2, help="-j 1 / -j 2 pairs, ABBA (default 2)")
    parser.add_argument("--skip-e2e", action="store_true", help="in-process figures and profile only")
    parser.add_argument("--big", action="store_true", help="also clean a --big-bytes WARC with -j 2")
    parser.add_argument("--reuse-big", action="store_true",
                        help="without --big: report the last --big run's figures (saved in bench/work)")
    parser.add_argument("--big-bytes", type=float, default=2e9, help="size of the --big WARC (default 2e9)")
    parser.add_argument("--wait-quiet", type=float, nargs="?", const=20.0, default=None, metavar="MINUTES",
                        help=f"first wait (at most MINUTES, default 20) for a load average under {QUIET_LOAD}")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(REPO)}")
    args = parser.parse_args(argv)
    log = sys.stderr
    WORK.mkdir(parents=True, exist_ok=True)

    # Build what the end-to-end runs need first, so that building never overlaps a timing.
    warc = big_warc = None
    if not args.skip_e2e or args.big:
        corpus_pages = build_warc.load_pages(args.corpora)
        if not args.skip_e2e:
            warc, warc_info = build_warc.ensure_warc(corpus_pages, records=args.records, log=log)
        if args.big:
            big_warc, big_info = build_warc.ensure_warc(corpus_pages, size=int(args.big_bytes), log=log)
        del corpus_pages

    load_note = (wait_until_quiet(args.wait_quiet, log) if args.wait_quiet is not None
                 else f"Load average at start {os.getloadavg()[0]:.2f}.")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = machine_line()  # the scrape commit measured: the one imported now
    pages = load_zyte(args.corpora)
    times = run_in_process(pages, args.rounds, log)
    inproc = in_process_figures(times)

    e2e = None
    e2e_note = "Not run (--skip-e2e)."
    if warc is not None:
        print(f"end to end: {warc.name}, {warc_info['records']} records, {warc_info['bytes'] / 1e6:.0f} MB "
              f"({warc_info['html_bytes'] / 1e6:.0f} MB of HTML)", file=log, flush=True)
        runs = run_end_to_end(warc, warc_info["records"], args.e2e_rounds, log)
        e2e = end_to_end_figures(runs)
        e2e_note = (f"The WARC: {warc_info['records']:,} records, {warc_info['bytes'] / 1e6:.0f} MB "
                    f"({warc_info['html_bytes'] / 1e9:.2f} GB of HTML); cleaned {e2e[1]['cleaned']:,}, "
                    f"skipped {e2e[1]['skipped']:,} (not an article); -j 1 and -j 2 outputs "
                    f"{'byte-identical' if e2e['same_output'] else '**differ**'}; processes in the tree "
                    f"at most {e2e[2]['processes']} with -j 2; largest single process "
                    f"{e2e[2]['max_single_rss_mb']} MB (kernel maxrss). Cores used (tree CPU / wall): "
                    f"-j 1 {', '.join(map(str, e2e[1]['cores_used']))}; "
                    f"-j 2 {', '.join(map(str, e2e[2]['cores_used']))} (of 2: the rest went to other "
                    f"work on the machine). CPU per page, -j 2 over -j 1: {e2e['cpu_ratio']:.2f}; with both "
                    f"cores free -j 2 would reach about {2 / e2e['cpu_ratio']:.2f}x -j 1 (a projection, not "
                    f"the measured figure the target is judged on). 1-minute load average at the "
                    f"start and end of each run: -j 1 {', '.join(e2e[1]['loads'])}; "
                    f"-j 2 {', '.join(e2e[2]['loads'])}.")

    print(f"profile: stages and pyinstrument over {len(pages)} zyte pages...", file=log, flush=True)
    timer, stage_total = profile_stages(pages)
    functions, profile_seconds = profile_functions(pages)

    # Last: the long run whose figure (memory) machine load does not move.
    big = None
    big_note = ""
    if big_warc is not None:
        print(f"bounded memory: {big_warc.name}, {big_info['records']} records, "
              f"{big_info['bytes'] / 1e9:.2f} GB", file=log, flush=True)
        big = run_clean(big_warc, big_info["records"], 2, log)
        big_info = dict(big_info, measured=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        commit=scrape_commit())
        BIG_SAVED.write_text(json.dumps({"run": dataclasses.asdict(big), "info": big_info}))
    elif args.reuse_big and BIG_SAVED.exists():
        saved = json.loads(BIG_SAVED.read_text())
        big, big_info = CleanRun(**{**saved["run"], "load": tuple(saved["run"]["load"])}), saved["info"]
    if big is not None:
        reused = "" if big_warc is not None else (
            f" (measured {big_info['measured']}" + (f", scrape at {big_info['commit']}" if big_info.get("commit") else "")
            + " by an earlier `--big` run)")
        big_note = (f"`scrape clean -j 2` on a {big_info['bytes'] / 1e9:.2f} GB WARC "
                    f"({big_info['records']:,} records, {big_info['html_bytes'] / 1e9:.1f} GB of HTML){reused} in "
                    f"{big.wall / 60:.1f} min ({big.cpu / big.wall:.2f} cores used): peak tree RSS "
                    f"{mb(big.peak_rss)} MB (PSS {mb(big.peak_pss)} MB), largest single process "
                    f"{mb(big.max_single_rss)} MB; peak summed RSS in the first quarter of the run "
                    f"{mb(big.first_quarter_rss)} MB, in the last quarter {mb(big.last_quarter_rss)} MB"
                    + (f"; the {e2e[2]['records']:,}-record run peaked at {e2e[2]['peak_rss_mb']} MB"
                       if e2e else "") + ".")

    table = render_table(inproc, e2e, big)
    print()
    print(table)
    print()
    empty = inproc[SCRAPE]["empty"]
    result = {
        "table": table, "load": load_note + f" At the end {os.getloadavg()[0]:.2f}.",
        "inproc_empty": f"{empty} of {len(pages)} pages skipped as not an article" if empty else "none skipped",
        "e2e_note": e2e_note, "big_note": big_note,
        "stages": render_stages(timer, stage_total, len(pages)), "profile_pages": len(pages),
        "functions": render_functions(functions), "profile_seconds": profile_seconds,
    }
    top = sorted(timer.exclusive.items(), key=lambda item: -item[1])[:6]
    print("where scrape's time goes (own CPU share): "
          + ", ".join(f"{label} {100 * secs / stage_total:.0f}%" for label, secs in top))
    if not args.no_write:
        command = "python bench/speed.py" + ("" if argv is None and len(sys.argv) == 1 else
                                              " " + shlex.join(sys.argv[1:] if argv is None else argv))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(render_report(result, command, when, machine), encoding="utf-8")
        (WORK / "speed.json").write_text(json.dumps(
            {"in_process": inproc, "end_to_end": {str(k): v for k, v in (e2e or {}).items()},
             "big": big.__dict__ if big else None}, indent=1, default=str))
        print(f"wrote {RESULTS.relative_to(REPO)}", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
