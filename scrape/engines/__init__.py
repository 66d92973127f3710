"""Engines: `scrape clean` run as partitions on a cluster's engine (Dask) instead of the local
process pool.

- `plan.py`: inputs to partitions (a file, a folder shard, a byte range of a large WARC).
- `partition.py`: one partition cleaned into one output file and its manifest entry; what a
  task runs on a worker, with the same `clean_page` and `io` loaders as the local engine.
- `manifest.py`: the out-dir's `manifest.jsonl` and `plan.json`: what is done, for resume.
- `dask.py`: the Dask (dask.distributed) driver: a LocalCluster or an existing scheduler.

Sits beside `crawl` (neither imports the other), above `io` and `workers`, which it reuses;
only `dask.py` imports dask, and only when the engine is asked for.
"""
