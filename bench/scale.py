"""`scrape clean --engine dask` against the local engine, on the same WARC, in one run.

Four commands, alternated round by round so that the machine's noise falls on all of them:
`scrape clean -j 1` and `-j 2` (the anchor: the local engine), and `scrape clean --engine
dask --workers 1` and `--workers 2` (a LocalCluster started by the command). Each writes its
articles to files (the local engine to one `-o` file, the Dask engine to its out-dir), from
the same record-gzipped WARC built by bench/build_warc.py (5,000 records by default; `--big`:
2 GB). Reported, medians over the rounds:

- records/s, end to end (the command's wall time, the cluster's start included);
- per-worker overhead: the Dask engine's wall time over the local engine's with as many
  workers, and the cluster's start alone (until the command says where it runs);
- peak memory per worker: the largest RSS of one worker's process tree (the Dask worker and
  its cleaning process; the local engine's worker process), sampled every 0.2 s with psutil;
  for a Dask worker also the peak of each process in it (the worker, its cleaning child, a
  forkserver or resource tracker if there is one); and the whole command's tree.

    python bench/scale.py [--big] [--records N] [--rounds 3] [--partition-bytes N]

Writes bench/results/scale.md (or scale-big.md with --big).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from build_warc import REPO, WORK, ensure_warc, load_pages

from scrape.config import CleanConfig

RESULTS = REPO / "bench" / "results"
SAMPLE_SECONDS = 0.2


@dataclass
class Run:
    name: str
    seconds: float
    records: int
    ready: float | None  # seconds until the cluster was up (dask)
    worker_peak_mb: float
    worker_pss_mb: float
    tree_peak_mb: float
    workers_seen: int
    roles: dict[str, float]  # a Dask worker's processes: peak RSS MB by what each is
    load: float  # the machine's 1-minute load average at the end of the run (2 cores)
    cpu: float  # CPU seconds of the whole process tree

    @property
    def rate(self) -> float:
        return self.records / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per record: what the machine's load does not change."""
        return 1000 * self.cpu / self.records

    @property
    def ideal(self) -> float:
        """records/s on a machine of its own: the workers' cores kept busy at this CPU cost."""
        return int(self.name[-1]) * 1000 / self.cpu_ms


@dataclass
class Sampler:
    """Samples the RSS of a command's process tree, per worker subtree and in all."""

    pid: int
    dask: bool
    worker_peak: float = 0.0
    worker_pss: float = 0.0  # proportional set size: shared pages counted once over the tree
    tree_peak: float = 0.0
    workers: set[int] = field(default_factory=set)
    roles: dict[str, float] = field(default_factory=dict)  # peak RSS of each kind of process in a worker's tree
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> user + system seconds, last seen
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._sample()
            except psutil.Error:
                pass
            time.sleep(SAMPLE_SECONDS)

    def _sample(self) -> None:
        root = psutil.Process(self.pid)
        total = _rss(root)
        self._cpu(root)
        for child in root.children():
            tree = [child] + child.children(recursive=True)
            for process in tree:
                self._cpu(process)
            sizes = [_rss(p) for p in tree]
            size = sum(sizes)
            total += size
            if self._is_worker(child):
                self.workers.add(child.pid)
                if self.dask:
                    for process, rss in zip(tree, sizes, strict=True):
                        role = _role(child, process)
                        self.roles[role] = max(self.roles.get(role, 0.0), rss)
                self.worker_peak = max(self.worker_peak, size)
                self.worker_pss = max(self.worker_pss, sum(_pss(p) for p in tree))
        self.tree_peak = max(self.tree_peak, total)

    def _cpu(self, process: psutil.Process) -> None:
        try:
            times = process.cpu_times()
        except psutil.Error:
            return
        self.cpu[process.pid] = times.user + times.system

    def _is_worker(self, child: psutil.Process) -> bool:
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            return False
        if self.dask:  # the Dask workers are spawned children; the resource tracker is not one
            return "spawn_main" in line
        return "resource_tracker" not in line and "forkserver" not in line


def _role(worker: psutil.Process, process: psutil.Process) -> str:
    """What a process of a Dask worker's tree is: the worker, its cleaning child, or a helper."""
    if process.pid == worker.pid:
        return "worker"
    try:
        line = " ".join(process.cmdline())
        parent = process.ppid()
    except psutil.Error:
        return "other"
    if "resource_tracker" in line:
        return "resource tracker"
    if "forkserver" in line and parent == worker.pid:
        return "forkserver"
    return "cleaning child"


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def _pss(process: psutil.Process) -> int:
    try:
        return process.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return 0


def command(name: str, warc: Path, out: Path, partition_bytes: int) -> list[str]:
    base = [sys.executable, "-m", "scrape", "--config", str(out / "config.toml"), "clean"]
    if name.startswith("local"):
        return base + ["-j", name[-1], "-o", str(out / "articles.jsonl"), str(warc)]
    return base + ["--engine", "dask", "--workers", name[-1], "--out-dir", str(out / "dask"), str(warc)]


def run_one(name: str, warc: Path, partition_bytes: int) -> Run:
    out = WORK / f"scale-{name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "config.toml").write_text(f"[clean]\npartition_bytes = {partition_bytes}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    process = subprocess.Popen(command(name, warc, out, partition_bytes), env=env, stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True, cwd=out)
    sampler = Sampler(process.pid, dask=name.startswith("dask"))
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    ready = None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if ready is None and line.startswith("dask: ") and " at " in line:
            ready = time.monotonic() - started
    process.wait()
    seconds = time.monotonic() - started
    sampler.stop.set()
    thread.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{name} failed ({process.returncode}):\n{''.join(lines[-20:])}")
    records = _records(out)
    return Run(name, seconds, records, ready, sampler.worker_peak / 2**20, sampler.worker_pss / 2**20,
               sampler.tree_peak / 2**20, len(sampler.workers), {k: v / 2**20 for k, v in sampler.roles.items()},
               os.getloadavg()[0], sum(sampler.cpu.values()))


def _records(out: Path) -> int:
    if (out / "articles.jsonl").exists():
        files = [out / "articles.jsonl"]
    else:
        files = sorted((out / "dask" / "parts").glob("*.jsonl"))
    count = 0
    for path in files:
        with open(path, "rb") as handle:
            count += sum(1 for _ in handle)
    return count


def table(runs: dict[str, list[Run]], info: dict, warc: Path, rounds: int, partition_bytes: int) -> str:
    med = {name: statistics.median(r.rate for r in rs) for name, rs in runs.items()}
    secs = {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}
    cpu = {name: statistics.median(r.cpu_ms for r in rs) for name, rs in runs.items()}
    rows = ["| run | records/s (wall) | wall s | against the local engine (rounds) | CPU ms/record "
            "| records/s at that CPU cost, cores to itself | against the local engine | cluster up s "
            "| peak per worker: RSS MB | PSS MB | peak RSS, whole tree MB |",
            "|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|"]
    for name, rs in runs.items():
        anchor = runs.get("local-j" + name[-1])
        ratio = ""
        if name.startswith("dask") and anchor:
            pairs = ", ".join(f"{r.rate / a.rate:.2f}" for r, a in zip(rs, anchor, strict=True))
            ratio = f"{med[name] / med['local-j' + name[-1]]:.2f}x `-j {name[-1]}` ({pairs})"
        ready = [r.ready for r in rs if r.ready is not None]
        up = f"{statistics.median(ready):.1f}" if ready else "–"
        ideal = int(name[-1]) * 1000 / cpu[name]
        anchor_cpu = cpu.get("local-j" + name[-1])
        cpu_ratio = f"{anchor_cpu / cpu[name]:.2f}x" if name.startswith("dask") and anchor_cpu else ""
        rows.append(f"| {label(name)} | {med[name]:.1f} | {secs[name]:.1f} | {ratio} | {cpu[name]:.1f} | {ideal:.1f} "
                    f"| {cpu_ratio} | {up} "
                    f"| {_mb(max(r.worker_peak_mb for r in rs))} | {_mb(max(r.worker_pss_mb for r in rs))} "
                    f"| {max(r.tree_peak_mb for r in rs):.0f} |")
    overhead = [f"- per-worker overhead, {n} worker(s): {secs[f'dask-w{n}'] - secs[f'local-j{n}']:+.1f} s of wall "
                f"time over `-j {n}` ({(secs[f'dask-w{n}'] / secs[f'local-j{n}'] - 1) * 100:+.1f}%)"
                for n in (1, 2) if f"dask-w{n}" in secs and f"local-j{n}" in secs]
    processes = [f"- {label(name)}, peak RSS of each process in a worker's tree (the largest over workers and "
                 f"rounds; the peaks need not coincide): {roles(rs)}" for name, rs in runs.items()
                 if name.startswith("dask")]
    records = {r.records for rs in runs.values() for r in rs}
    return "\n".join([
        f"WARC: `{warc.name}`, {info['records']:,} records, {info['bytes'] / 1e9:.2f} GB; "
        f"`clean.partition_bytes` = {partition_bytes:,}; {rounds} rounds, alternating; medians. The machine's "
        f"load average (2 cores) at the end of the runs: {', '.join(f'{r.load:.1f}' for rs in runs.values() for r in rs)}.",
        f"Records written by every run: {sorted(records)} (the same in all runs: "
        f"{'yes' if len(records) == 1 else 'NO'}).", "", *rows, "", *overhead, *processes])


def roles(runs: list[Run]) -> str:
    peaks: dict[str, float] = {}
    for run in runs:
        for role, mb in run.roles.items():
            peaks[role] = max(peaks.get(role, 0.0), mb)
    return ", ".join(f"{role} {mb:.0f} MB" for role, mb in sorted(peaks.items(), key=lambda item: -item[1])) or "–"


def _mb(value: float) -> str:
    return f"{value:.0f}" if value else "– (in one process)"


def label(name: str) -> str:
    return {"local-j1": "`scrape clean -j 1`", "local-j2": "`scrape clean -j 2`",
            "dask-w1": "`--engine dask --workers 1`", "dask-w2": "`--engine dask --workers 2`"}[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="a 2 GB WARC instead of --records")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--partition-bytes", type=int, default=None,
                        help="default: clean.partition_bytes's default with --big, else a twentieth of the WARC")
    parser.add_argument("--only", default="local-j1,local-j2,dask-w1,dask-w2")
    args = parser.parse_args(argv)
    pages = load_pages()
    warc, info = ensure_warc(pages, size=int(2e9)) if args.big else ensure_warc(pages, records=args.records)
    partition_bytes = args.partition_bytes or (CleanConfig().partition_bytes if args.big else info["bytes"] // 20 + 1)
    names = args.only.split(",")
    runs: dict[str, list[Run]] = {name: [] for name in names}
    for round_ in range(args.rounds):
        order = names if round_ % 2 == 0 else list(reversed(names))
        for name in order:
            run = run_one(name, warc, partition_bytes)
            runs[name].append(run)
            print(f"round {round_ + 1} {name}: {run.records} records in {run.seconds:.1f}s = {run.rate:.1f}/s, "
                  f"cluster up {run.ready}, worker peak {run.worker_peak_mb:.0f} MB RSS, {run.worker_pss_mb:.0f} MB PSS "
                  f"({run.workers_seen} workers), load {run.load:.1f}, CPU {run.cpu_ms:.1f} ms/record, "
                  f"tree {run.tree_peak_mb:.0f} MB" + (f"; {roles([run])}" if run.roles else ""), flush=True)
    text = table(runs, info, warc, args.rounds, partition_bytes)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / ("scale-big.md" if args.big else "scale.md")
    command_line = "python bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    target.write_text(f"# Dask engine against the local engine\n\n`{command_line.strip()}`\n\n{text}\n")
    print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
