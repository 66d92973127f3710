"""Partitions: the units of work an engine hands to its workers, one output file each.

- a file (HTML, text, JSONL, WARC, gzipped or not, or a URL) is one partition;
- small files found in a folder are grouped, in the folder's walk order, into shards of at
  most `partition_bytes` and `SHARD_FILES` files;
- a record-gzipped WARC larger than `partition_bytes` (`clean.partition_bytes`) is split
  into byte ranges of about that size (`io.split`), so that a task stays within a few
  minutes; its last range reads to the end of the file.

The plan depends only on the inputs and `partition_bytes`, so a rerun over the same inputs
plans the same partitions, with the same ids, and can skip those already done. Pages keep
the names the local engine gives them (the path or URL as given, joined with the folder
walk's names), so both engines write the same records.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import SkipError
from ..io.inputs import open_input, walk_folder
from ..io.outputs import slugify
from ..io.remote import is_url, seekable, url_size
from ..io.split import is_record_gzipped

SHARD_FILES = 256  # files in one folder shard at most: a task's skip lines and retries stay small


@dataclass(frozen=True)
class Partition:
    """One task's input: a file or URL, a shard of a folder's files, or a byte range of a WARC."""

    input: str  # the file or URL; for a shard, its first file
    files: tuple[str, ...] = ()  # a shard's files in walk order; empty: `input` alone
    start: int = 0  # a WARC range: the records that start in [start, stop)
    stop: int | None = None  # None: to the end of the file
    size: int = 0  # bytes to read (0 when unknown), for the progress bar's ETA

    @property
    def id(self) -> str:
        """A name for the output file, the same in every run: readable stem, then a digest."""
        key = "\0".join([self.input, *self.files, str(self.start), str(self.stop)])
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        stem = slugify(os.path.basename(self.input.rstrip("/")), 60) or "input"
        if self.files:
            stem += f"-{len(self.files)}files"
        elif self.is_range:
            stem += f"-at{self.start}"
        return f"{stem}-{digest}"

    @property
    def is_range(self) -> bool:
        return self.start > 0 or self.stop is not None

    @property
    def names(self) -> tuple[str, ...]:
        """The files (or URL) the partition reads, in order."""
        return self.files or (self.input,)


def plan(paths: list[str], partition_bytes: int) -> tuple[list[Partition], list[SkipError]]:
    """The partitions for `paths` (files, folders, URLs), in input order, and the folders that
    could not be listed (skips, as the local engine reports them)."""
    partitions: list[Partition] = []
    skips: list[SkipError] = []
    for path in paths:
        if not is_url(path) and os.path.isdir(path):
            for item in _folder(path, partition_bytes):
                if isinstance(item, SkipError):
                    skips.append(item)
                else:
                    partitions.append(item)
        else:
            partitions.extend(_file(path, _size(path), partition_bytes))
    return partitions, skips


def _size(path: str) -> int:
    if is_url(path):
        return url_size(path) or 0
    try:
        return os.path.getsize(path)
    except OSError:  # missing or unreadable: its partition reports it as a skip
        return 0


def _file(path: str, size: int, partition_bytes: int) -> list[Partition]:
    """One partition, or byte ranges of a large record-gzipped WARC."""
    if partition_bytes <= 0 or size <= partition_bytes or not _splittable(path):
        return [Partition(path, size=size)]
    count = -(-size // partition_bytes)
    bounds = [size * index // count for index in range(count)] + [size]
    return [Partition(path, start=bounds[i], stop=None if i == count - 1 else bounds[i + 1],
                      size=bounds[i + 1] - bounds[i])
            for i in range(count)]


def _splittable(path: str) -> bool:
    if is_url(path) and not seekable(path):
        return False
    try:
        with open_input(path) as handle:
            return is_record_gzipped(handle)
    except (OSError, SkipError):
        return False


def _folder(folder: str, partition_bytes: int) -> Iterator[Partition | SkipError]:
    """A folder's files: large ones on their own (split when they are WARCs), small ones in
    shards of consecutive files."""
    shard: list[str] = []
    shard_bytes = 0
    for item in walk_folder(folder):
        if isinstance(item, SkipError):
            yield item
            continue
        size = _size(item)
        if partition_bytes > 0 and size > partition_bytes:
            yield from _shard(shard, shard_bytes)
            shard, shard_bytes = [], 0
            yield from _file(item, size, partition_bytes)
            continue
        if shard and (len(shard) >= SHARD_FILES or (partition_bytes > 0 and shard_bytes + size > partition_bytes)):
            yield from _shard(shard, shard_bytes)
            shard, shard_bytes = [], 0
        shard.append(item)
        shard_bytes += size
    yield from _shard(shard, shard_bytes)


def _shard(files: list[str], size: int) -> Iterator[Partition]:
    if len(files) == 1:
        yield Partition(files[0], size=size)
    elif files:
        yield Partition(files[0], files=tuple(files), size=size)
