"""Byte ranges of a record-gzipped WARC (io.split, inputs.load_warc_span): wherever a file is
cut, the ranges read every record once, with the offsets a whole read gives; URLs read
through fsspec."""

from __future__ import annotations

import gzip
import os

import engine_helpers
import pytest

from scrape.errors import SkipError
from scrape.io.inputs import load_file, load_warc_span
from scrape.io.split import first_record, is_record_gzipped
from scrape.io.warc import Span


def _pages(count):
    # Random bytes in a comment: compressed data that holds false gzip starts (1f 8b 08) too.
    return [b"<html><body><p>" + b"news words " * (40 + i) + b"</p><!--" + os.urandom(3000).hex().encode()
            + b"\x1f\x8b\x08" + b"--></body></html>" for i in range(count)]


@pytest.fixture
def warc(tmp_path):
    return engine_helpers.write_warc(tmp_path / "a.warc.gz", _pages(40))


def _read(path, cuts):
    names, spans = [], []
    for start, stop in zip(cuts, cuts[1:] + [None], strict=True):
        span = Span(start, stop)
        names += [str(item.source) for item in load_warc_span(str(path), span)]
        spans.append(span)
    return names, spans


@pytest.mark.parametrize("step", [997, 4096, 20_011, 10**9])
def test_ranges_read_every_record_once_wherever_the_file_is_cut(warc, step):
    whole = [str(item.source) for item in load_file(str(warc))]
    size = os.path.getsize(warc)
    names, spans = _read(warc, list(range(0, size, step)))
    assert names == whole
    cursor = 0
    for span in spans:  # each range starts where the one before stopped
        if span.first is not None:
            assert span.first == cursor
            cursor = span.next
    assert cursor == size


def test_only_a_warc_gzipped_record_by_record_is_split(warc, tmp_path):
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(gzip.decompress(warc.read_bytes())))
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(warc.read_bytes()))
    with open(warc, "rb") as a, open(whole, "rb") as b, open(plain, "rb") as c:
        assert [is_record_gzipped(a), is_record_gzipped(b), is_record_gzipped(c)] == [True, False, False]


def test_a_range_without_a_record_start_reads_nothing(warc):
    with open(warc, "rb") as handle:
        start = first_record(handle, 1, 10**9)
        second = first_record(handle, start + 1, 10**9)
        assert first_record(handle, start + 1, second) is None
    span = Span(start + 1, second)
    assert list(load_warc_span(str(warc), span)) == [] and span.first is None


def test_file_urls_read_as_files_and_missing_ones_are_skips(warc):
    pytest.importorskip("fsspec") if not os.environ.get("CI") else None
    assert [p.body for p in load_file(f"file://{warc}")] == [p.body for p in load_file(str(warc))]
    [skip] = list(load_file(f"file://{warc}.missing"))
    assert isinstance(skip, SkipError) and skip.reason == "unreadable" and skip.input.endswith(".missing")
