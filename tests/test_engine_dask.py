"""`scrape clean --engine dask` on a real LocalCluster (worker processes talking TCP on
127.0.0.1): the same records as the local engine, split WARCs, resume after a worker or the
whole run (scheduler included) is killed, poison records, URL inputs, one-line errors.

Without dask installed these tests skip on a developer's machine and fail under CI."""

from __future__ import annotations

import argparse
import dataclasses
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import engine_helpers
import orjson
import pytest

from scrape import workers
from scrape.clean.page import clean_page
from scrape.cli import clean_dask
from scrape.cli.main import main
from scrape.config import default_config
from scrape.engines import dask as engine
from scrape.engines.manifest import Manifest, settings
from scrape.engines.partition import Job
from scrape.engines.plan import plan
from scrape.io.inputs import iter_pages
from scrape.models import Article
from scrape.workers import CleanOptions, clean_pages

ROOT = Path(__file__).resolve().parent.parent
HTML = sorted((ROOT / "fixtures" / "html").glob("*.html"))
INPUTS = ROOT / "fixtures" / "inputs"


def _distributed():
    try:
        import distributed
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("dask.distributed is not installed (CI is set): install the dask extra")
        pytest.skip("dask.distributed is not installed (pip install -e '.[dask]')")
    return distributed


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, on 127.0.0.1."""
    distributed = _distributed()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


def config(partition_bytes=40_000, timeout=20.0):
    base = default_config()
    return dataclasses.replace(base, clean=dataclasses.replace(base.clean, partition_bytes=partition_bytes,
                                                               timeout=timeout))


def pages(copies=6, extra=()):
    """The fixture pages, each `copies` times (made distinct), then `extra`."""
    bodies = [path.read_bytes() + f"<!-- copy {n} -->".encode() for n in range(copies) for path in HTML]
    return bodies + list(extra)


def args(paths, out_dir, scheduler="", **more):
    values = dict(paths=[str(p) for p in paths], out_dir=str(out_dir), output=None, format=None, explain=False,
                  scheduler=scheduler, workers=2, quiet=True, engine="dask")
    values.update(more)
    return argparse.Namespace(**values)


def local_records(paths, cfg, clean=clean_page):
    results = clean_pages(iter_pages([str(p) for p in paths]), CleanOptions(config=cfg, jobs=1, timeout=cfg.clean.timeout),
                          clean)
    return sorted(orjson.dumps(r.as_dict(), option=orjson.OPT_SORT_KEYS) for r in results if isinstance(r, Article))


def dask_records(out_dir):
    lines = []
    for part in sorted((Path(out_dir) / "parts").iterdir()):
        assert not part.name.startswith("."), f"a temporary file was left: {part.name}"
        lines += [orjson.dumps(orjson.loads(line), option=orjson.OPT_SORT_KEYS)
                  for line in part.read_bytes().splitlines()]
    return sorted(lines)


def manifest(out_dir):
    return [orjson.loads(line) for line in (Path(out_dir) / "manifest.jsonl").read_bytes().splitlines()]


def test_dask_writes_the_local_engines_records_with_warcs_split_into_ranges(cluster, tmp_path):
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(extra=[(INPUTS / "too-short.html").read_bytes()]))
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps({"id": f"r{i}", "html": p.read_text("utf-8")}) + b"\n"
                               for i, p in enumerate(HTML[:4])) + b"not json\n")
    paths = [warc, INPUTS, ROOT / "fixtures" / "html", jsonl]
    cfg = config()
    out = tmp_path / "out"

    assert clean_dask.run(args(paths, out, cluster.scheduler_address), cfg, clean_page) == 1  # skips: exit 1

    expected = local_records(paths, cfg)
    assert len(expected) > 70
    assert dask_records(out) == expected
    entries = manifest(out)
    ranges = [e for e in entries if e["input"] == str(warc)]
    assert len(ranges) >= 4, "the WARC was not split"
    assert engine.check_spans([engine_from(e) for e in entries]) == []
    assert sum(e["read"] for e in entries) == len(expected) + 3  # too-short twice, the bad JSONL line
    assert sum(e["skipped"].get("not an article", 0) for e in entries) == 2
    assert all(len(e["sha256"]) == 64 and e["seconds"] > 0 for e in entries)


def engine_from(entry):
    from scrape.engines.manifest import from_record
    return from_record(entry)


def test_a_rerun_skips_the_partitions_done_and_redoes_a_partition_whose_file_is_gone(cluster, tmp_path, capsys):
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=3))
    out = tmp_path / "out"
    cfg = config(partition_bytes=30_000)
    assert clean_dask.run(args([warc], out, cluster.scheduler_address), cfg, clean_page) == 0
    first = manifest(out)
    gone = first[1]
    (out / "parts" / gone["output"]).unlink()
    with open(out / "manifest.jsonl", "ab") as cut:  # a line a killed driver left half-written
        cut.write(b'{"id": "half')

    assert clean_dask.run(args([warc], out, cluster.scheduler_address), cfg, clean_page) == 0

    second = manifest(out)
    assert sorted(e["id"] for e in second) == sorted(e["id"] for e in first)
    redone = [e for e in second if e["id"] == gone["id"]]
    assert len(redone) == 1 and redone[0]["sha256"] == gone["sha256"]
    kept = {e["id"]: e["seconds"] for e in second if e["id"] != gone["id"]}
    assert kept == {e["id"]: e["seconds"] for e in first if e["id"] != gone["id"]}  # not run again
    assert dask_records(out) == local_records([warc], cfg)
    capsys.readouterr()
    assert clean_dask.run(args([warc], out, "tcp://127.0.0.1:9", quiet=False), cfg, clean_page) == 0
    err = capsys.readouterr().err  # all done: no scheduler is even reached
    assert f"dask: all {len(second)} partitions already done" in err and f"cleaned {len(dask_records(out))}," in err


def test_a_rerun_with_other_settings_is_refused_naming_what_changed(tmp_path):
    out = tmp_path / "out"
    Manifest(str(out), settings(default_config(), "jsonl", False, 1000)).close()
    with pytest.raises(Exception) as caught:
        Manifest(str(out), settings(default_config(), "jsonl", False, 2000))
    assert "partition_bytes 1000 then, 2000 now" in str(caught.value)


def test_a_worker_killed_mid_run_loses_no_record_and_doubles_none(cluster, tmp_path):
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=8))
    out = tmp_path / "out"
    cfg = config(partition_bytes=25_000)
    client = _client(cluster)
    outcome = []
    run = threading.Thread(target=lambda: outcome.append(
        clean_dask.run(args([warc], out, cluster.scheduler_address), cfg, engine_helpers.slow_clean)))
    run.start()
    _wait_for(lambda: (out / "manifest.jsonl").exists() and len(manifest(out)) >= 2, 60)
    pids = client.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    run.join(120)

    assert outcome == [0]
    assert dask_records(out) == local_records([warc], cfg)
    assert len({e["id"] for e in manifest(out)}) == len(manifest(out)) == len(plan([str(warc)], 25_000)[0])
    client.close()  # the nanny starts the killed worker again; the tests after this need not wait for it


def _client(cluster):
    return _distributed().Client(cluster.scheduler_address, set_as_default=False)


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


RUN_SLOWLY = """
import sys
from scrape.cli.main import build_parser
from scrape.cli import clean
import engine_helpers
args = build_parser().parse_args(sys.argv[1:])
args.verbose = False
sys.exit(clean.run(args, clean=engine_helpers.slow_clean))
"""


def test_the_whole_run_killed_scheduler_and_all_then_rerun_gives_every_record_once(tmp_path, processes):
    _distributed()
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=4))
    (tmp_path / "config.toml").write_text("[clean]\npartition_bytes = 15000\n")
    out = tmp_path / "out"
    command = [sys.executable, "-c", RUN_SLOWLY, "--config", str(tmp_path / "config.toml"), "clean", "--engine", "dask",
               "--workers", "1", "-q", "--out-dir", str(out), str(warc)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    _wait_for(lambda: (out / "manifest.jsonl").exists() and len(manifest(out)) >= 1, 120)
    below = processes.descendants(first.pid)
    first.kill()  # the LocalCluster's scheduler and nannies live in this process
    first.wait()
    done_before = len(manifest(out))
    total = len(plan([str(warc)], 15_000)[0])
    assert done_before < total, "the run ended before it was killed"
    _wait_for(lambda: not any(processes.alive(pid) for pid in below), 60)  # workers and cleaners end too

    second = subprocess.run([c for c in command if c != "-q"], env=env, stderr=subprocess.PIPE, text=True, timeout=300)

    assert second.returncode == 0, second.stderr
    assert f"{total} partitions, {done_before} already done" in second.stderr
    cfg = config(partition_bytes=15_000)
    assert dask_records(out) == local_records([warc], cfg)
    assert len(manifest(out)) == total


def test_a_poison_record_is_skipped_and_the_partition_goes_on(cluster, tmp_path):
    bodies = pages(copies=1)
    bodies[3] = bodies[3].replace(b"<body", b"<body data-x='" + engine_helpers.HANG + b"'", 1)
    bodies[6] = bodies[6].replace(b"<body", b"<body data-x='" + engine_helpers.CRASH + b"'", 1)
    warc = engine_helpers.write_warc(tmp_path / "poison.warc.gz", bodies)
    out = tmp_path / "out"
    # Generous limits: after each failure the pages run one by one in fresh children, and the
    # wait for a page includes its child's start, which took over 4 s on a machine at load 16.
    cfg = config(partition_bytes=0, timeout=5.0)
    partitions, _ = plan([str(warc)], 0)
    manifest_ = Manifest(str(out), settings(cfg, "jsonl", False, 0))
    job = Job(config=cfg, folder=manifest_.parts, clean=engine_helpers.clean_or_misbehave, stuck_grace=5.0)
    started = time.monotonic()

    engine.run(partitions, job, manifest_, engine.DaskOptions(scheduler=cluster.scheduler_address), _Quiet())
    manifest_.close()

    [entry] = manifest(out)
    assert entry["read"] == len(bodies)
    assert entry["skipped"] == {"timeout": 1, "error": 1}
    assert entry["cleaned"] == len(bodies) - 2
    assert {s["input"] for s in entry["skips"]} == {f"{warc}@{off}" for off in _offsets(warc, [3, 6])}
    assert time.monotonic() - started < 120


def _offsets(warc, indexes):
    found = [p.source.offset for p in iter_pages([str(warc)]) if not isinstance(p, Exception)]
    return [found[i] for i in indexes]


def test_the_config_travels_to_each_worker_once_not_per_task(cluster, tmp_path):
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=2))
    client = _client(cluster)
    before = client.run(engine_helpers.loads)
    out = tmp_path / "out"
    partitions, _ = plan([str(warc)], 15_000)
    cfg = config(partition_bytes=15_000)
    manifest_ = Manifest(str(out), settings(cfg, "jsonl", False, 15_000))
    job = engine_helpers.CountingJob(config=cfg, folder=manifest_.parts)

    engine.run(partitions, job, manifest_, engine.DaskOptions(scheduler=cluster.scheduler_address), _Quiet())
    manifest_.close()

    after = client.run(engine_helpers.loads)
    assert len(partitions) >= 6
    assert len(manifest_.done) == len(partitions)
    assert {worker: after[worker] - before.get(worker, 0) for worker in after} == {worker: 1 for worker in after}
    client.close()


class _Quiet:
    def started(self, info): pass

    def progress(self, done_bytes, read): pass

    def finished(self, result): pass

    def failed(self, partition, detail): raise AssertionError(detail)


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_urls_are_read_through_fsspec_as_the_local_engine_reads_them(cluster, tmp_path):
    pytest.importorskip("aiohttp") if not os.environ.get("CI") else None
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=2))
    (tmp_path / "page.html").write_bytes(HTML[0].read_bytes())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Files(*a, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/news.warc.gz", f"{base}/page.html", f"file://{warc}", f"{base}/missing.html"]
        out = tmp_path / "out"
        cfg = config(partition_bytes=20_000)
        code = clean_dask.run(args(urls, out, cluster.scheduler_address), cfg, clean_page)
        expected = local_records(urls, cfg)
    finally:
        server.shutdown()
    assert code == 1  # the missing URL
    assert dask_records(out) == expected
    assert len(expected) == 2 * 2 * len(HTML) + 1
    entries = manifest(out)
    assert len([e for e in entries if e["input"] == f"file://{warc}"]) >= 3  # file:// seeks: split
    assert len([e for e in entries if e["input"] == f"{base}/news.warc.gz"]) == 1  # http streams: whole
    assert any(s["input"] == f"{base}/missing.html" and s["reason"] == "unreadable" for e in entries for s in e["skips"])


def test_a_bad_scheduler_address_is_one_line(tmp_path, capsys, monkeypatch):
    _distributed()
    monkeypatch.setattr(engine, "CONNECT_SECONDS", 2.0)
    code = main(["clean", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out-dir", str(tmp_path / "o"),
                 str(INPUTS)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("scrape: tcp://127.0.0.1:9: cannot reach the Dask scheduler")


def test_without_dask_the_engine_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    real = engine.importlib.import_module

    def without_dask(name, *rest):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *rest)

    monkeypatch.setattr(engine.importlib, "import_module", without_dask)
    code = main(["clean", "--engine", "dask", "--out-dir", str(tmp_path / "o"), str(INPUTS)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "scrape: the dask engine needs dask.distributed: pip install 'scrape-articles[dask]'\n"


@pytest.mark.parametrize("options, message", [
    ([str(INPUTS)], "give --out-dir DIR"),
    (["--out-dir", "x", str(INPUTS), "-"], "cannot read - (stdin)"),
])
def test_usage_errors_of_the_dask_engine(options, message, capsys):
    code = main(["clean", "--engine", "dask", *options])
    assert code == 2
    assert message in capsys.readouterr().err


def test_with_learn_from_dask_and_the_local_engine_remove_the_same_learnt_template(cluster, tmp_path, capsys):
    # The Dask engine learns in the driver from --learn-from and sends the templates to the
    # workers with the config; the local engine learns the same from the same folder.
    site = ROOT / "fixtures" / "learned" / "harbour"
    local_out, dask_out = tmp_path / "local.jsonl", tmp_path / "dask"
    common = ["--learn-from", str(site), "-q", "-j", "1"]
    assert main(["clean", str(site), "-o", str(local_out), *common]) == 0
    assert main(["clean", str(site), "--engine", "dask", "--scheduler", cluster.scheduler_address,
                 "--out-dir", str(dask_out), *common]) == 0
    local = sorted(orjson.dumps(orjson.loads(line), option=orjson.OPT_SORT_KEYS)
                   for line in local_out.read_bytes().splitlines())
    assert dask_records(dask_out) == local
    removed_by_learning = [r for r in main_records_with_explain(site, tmp_path) if r.startswith("learnt:")]
    assert removed_by_learning, "the fixture site teaches no template: the test would prove nothing"


def main_records_with_explain(site, tmp_path):
    out = tmp_path / "explain.jsonl"
    assert main(["clean", str(site), "-o", str(out), "--explain", "-q", "--learn-from", str(site)]) == 0
    return [removal["rule"] for line in out.read_bytes().splitlines() for removal in orjson.loads(line)["removed"]]


def test_each_worker_cleans_in_one_spawned_child_kept_across_its_partitions(cluster, tmp_path):
    warc = engine_helpers.write_warc(tmp_path / "news.warc.gz", pages(copies=3))
    client = _client(cluster)
    workers = client.run(os.getpid)  # address -> pid
    out = tmp_path / "out"
    cfg = config(partition_bytes=15_000)
    partitions, _ = plan([str(warc)], 15_000)
    manifest_ = Manifest(str(out), settings(cfg, "jsonl", False, 15_000))
    job = Job(config=cfg, folder=manifest_.parts, clean=engine_helpers.noting_clean)

    engine.run(partitions, job, manifest_, engine.DaskOptions(scheduler=cluster.scheduler_address), _Quiet())
    manifest_.close()
    client.close()

    assert len(partitions) >= 6 and len(manifest_.done) == len(partitions)
    used = {result.worker for result in manifest_.done.values()}  # the addresses of the workers that ran some
    children = engine_helpers.cleaners(tmp_path)
    # One child per worker, whatever the number of its partitions...
    assert sorted(child["ppid"] for child in children.values()) == sorted(workers[address] for address in used)
    # ...spawned (not forked from the worker, nor from a forkserver: its parent is the worker).
    assert all("spawn_main" in child["cmdline"] for child in children.values()), children


def test_a_kept_cleaning_child_gives_its_free_memory_back_to_the_os(tmp_path):
    for i, path in enumerate(HTML[:3]):
        (tmp_path / f"{i}.html").write_bytes(path.read_bytes())
    options = CleanOptions(config=default_config(), jobs=1, start_method="spawn", keep_pool=True)

    results = list(clean_pages(iter_pages([str(tmp_path)]), options, engine_helpers.fragmenting_clean))

    assert sum(isinstance(r, Article) for r in results) == 3
    [(pid, noted)] = engine_helpers.cleaners(tmp_path).items()
    try:
        after = engine_helpers.rss_bytes(pid)  # the child lives on, kept for the next call
    finally:
        workers._kept.clear()
    assert noted["fullest"] - after > 0.8 * engine_helpers.FRAGMENT_BYTES, (noted["fullest"] >> 20, after >> 20)


def test_release_memory_trims_the_heap_on_glibc_and_only_collects_elsewhere(monkeypatch):
    assert workers.release_memory() is (sys.platform.startswith("linux") and workers._malloc_trim() is not None)
    workers._malloc_trim.cache_clear()
    monkeypatch.setattr(workers.sys, "platform", "darwin")
    try:
        assert workers._malloc_trim() is None
        assert workers.release_memory() is False
    finally:
        workers._malloc_trim.cache_clear()


def test_the_engines_local_cluster_runs_its_workers_without_the_profiler():
    distributed = _distributed()
    with engine._client(distributed, engine.DaskOptions(workers=1)) as (client, info):
        assert info.local and info.workers == 1
        profiling = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
    assert profiling and all("profile" not in names for names in profiling.values()), profiling


def test_the_shipped_config_shows_the_built_in_partition_size():
    import tomllib

    from scrape.config import CleanConfig

    shipped = tomllib.loads((ROOT / "config.toml").read_text())["clean"]["partition_bytes"]
    assert shipped == CleanConfig().partition_bytes == 100_000_000
