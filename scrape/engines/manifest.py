"""The out-dir of an engine run: `parts/` (one output file per partition), `manifest.jsonl`
(one line per partition done) and `plan.json` (the settings the outputs were made with).

A manifest line is added, flushed and fsynced when a partition's output has been renamed
into place, so a line always names a whole file. A rerun reads the manifest, keeps the lines
whose output file is there with the size the line gives (a line cut short by a kill, or a
file removed since, is dropped and its partition cleaned again), writes the kept lines back
atomically, and skips their partitions. A rerun whose settings differ from `plan.json`
(output format, --explain, partition size, cleaning config) would mix two kinds of records
in one out-dir, and stops before doing anything with an `OutputError` saying which differs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any, BinaryIO

import orjson

from ..config import Config
from ..errors import OutputError
from ..io.atomic import error_detail, fsync_folder, remove_stale_temps, write_atomically
from .partition import PartitionResult, SkipLine

MANIFEST = "manifest.jsonl"
PLAN = "plan.json"
PARTS = "parts"
PLAN_VERSION = 1


def settings(config: Config, fmt: str, explain: bool, partition_bytes: int) -> dict[str, object]:
    """What the outputs depend on besides the inputs: written to plan.json, checked on rerun.

    The engine keys (`clean.engine`, `scheduler`, `workers`) change where the work runs, not
    what it gives, so they are left out of the config's digest."""
    clean = dataclasses.replace(config.clean, engine="local", scheduler="", workers=0, partition_bytes=0)
    cleaning = repr((clean, config.rules, config.sites)).encode("utf-8", "surrogateescape")
    return {"version": PLAN_VERSION, "format": fmt, "explain": explain, "partition_bytes": partition_bytes,
            "config": hashlib.sha256(cleaning).hexdigest()[:16]}


def to_record(result: PartitionResult) -> dict[str, Any]:
    record = dataclasses.asdict(result)
    record["skips"] = [dataclasses.asdict(line) for line in result.skips]
    return record


def from_record(record: object) -> PartitionResult | None:
    """A manifest line read back, or None when it is not a whole, valid entry."""
    if not isinstance(record, dict):
        return None
    try:
        skips = tuple(SkipLine(**line) for line in record.get("skips", ()))
        return PartitionResult(**{**record, "skips": skips})
    except TypeError:
        return None


class Manifest:
    """The out-dir's record of the partitions done. Open it once per run, in the driver."""

    def __init__(self, out_dir: str, plan_settings: dict[str, object]):
        self.out_dir = out_dir
        self.parts = os.path.join(out_dir, PARTS)
        self.path = os.path.join(out_dir, MANIFEST)
        try:
            os.makedirs(self.parts, exist_ok=True)
        except OSError as exc:
            raise OutputError(error_detail(exc), out_dir) from None
        self._check_plan(plan_settings)
        remove_stale_temps(self.parts)  # left by tasks killed mid-way
        self.done: dict[str, PartitionResult] = self._load()
        write_atomically(self.path, b"".join(orjson.dumps(to_record(r)) + b"\n" for r in self.done.values()))
        self._handle: BinaryIO | None = None

    def _check_plan(self, plan_settings: dict[str, object]) -> None:
        path = os.path.join(self.out_dir, PLAN)
        try:
            with open(path, "rb") as handle:
                before = orjson.loads(handle.read())
        except FileNotFoundError:
            write_atomically(path, orjson.dumps(plan_settings, option=orjson.OPT_INDENT_2) + b"\n")
            return
        except (OSError, orjson.JSONDecodeError) as exc:
            raise OutputError(f"cannot read {PLAN}: {exc}", path) from None
        changed = [key for key in plan_settings
                   if not isinstance(before, dict) or before.get(key) != plan_settings[key]]
        if changed:
            what = ", ".join(f"{key} {_shown(before, key)} then, {plan_settings[key]!r} now" for key in changed)
            raise OutputError(f"this out-dir was made with other settings ({what}); "
                              "rerun with the same ones, or use another --out-dir", self.out_dir)

    def _load(self) -> dict[str, PartitionResult]:
        done: dict[str, PartitionResult] = {}
        try:
            with open(self.path, "rb") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return done
        except OSError as exc:
            raise OutputError(error_detail(exc), self.path) from None
        for line in lines:
            try:
                result = from_record(orjson.loads(line))
            except orjson.JSONDecodeError:  # cut short by a kill
                continue
            if result is not None and self._whole(result):
                done[result.id] = result
        return done

    def _whole(self, result: PartitionResult) -> bool:
        try:
            return os.path.getsize(os.path.join(self.parts, result.output)) == result.bytes
        except OSError:
            return False

    def add(self, result: PartitionResult) -> None:
        """Record a partition as done (its output is already in place)."""
        self.done[result.id] = result
        try:
            if self._handle is None:
                self._handle = open(self.path, "ab")
            self._handle.write(orjson.dumps(to_record(result)) + b"\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise OutputError(error_detail(exc), self.path) from None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            fsync_folder(self.out_dir)


def _shown(before: object, key: str) -> str:
    return repr(before.get(key)) if isinstance(before, dict) else "?"
