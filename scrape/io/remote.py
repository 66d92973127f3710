"""Inputs named by URL (`s3://`, `gs://`, `https://`, `file://`...), opened through fsspec, the
library Dask itself reads with, so that `scrape clean` reads where a cluster keeps its data.

fsspec is optional (the `dask` extra, with aiohttp for http(s)); a protocol whose library is
missing (s3fs, gcsfs) is an `Unreadable` saying which one to install, never a traceback.
HTTP(S) is read as one stream (a plain GET: servers need not answer byte ranges); the other
protocols are opened for random access, read ahead in large blocks, so that a partition of a
split WARC reads only its own range. Reads no config keys.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from types import ModuleType
from typing import BinaryIO, cast

from ..errors import Unreadable
from ..version import DISTRIBUTION

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
BLOCK_BYTES = 8 * 1024 * 1024  # read-ahead for random-access protocols (S3, GCS)
STREAMING = ("http", "https")  # read front to back, without range requests


def is_url(name: str) -> bool:
    """Whether an input name is a URL (scheme://...) rather than a path."""
    return bool(_URL.match(name))


def protocol(url: str) -> str:
    return url.split("://", 1)[0].lower()


def install_hint() -> str:
    """How to install the dask extra."""
    return f"pip install '{DISTRIBUTION}[dask]'"


def _fsspec(url: str) -> ModuleType:
    try:
        return importlib.import_module("fsspec")
    except ImportError:
        raise Unreadable(f"reading URLs needs fsspec: {install_hint()}", input=url) from None


def open_url(url: str) -> BinaryIO:
    """`url` opened for reading as bytes.

    Raises:
        Unreadable: fsspec or the protocol's library is missing, or the URL cannot be opened.
    """
    fsspec = _fsspec(url)
    try:
        fs, path = fsspec.core.url_to_fs(url)  # fsspec is untyped: Any
        if protocol(url) in STREAMING:
            return cast(BinaryIO, fs.open(path, "rb", block_size=0))
        return cast(BinaryIO, fs.open(path, "rb", block_size=BLOCK_BYTES, cache_type="readahead"))
    except ImportError as exc:  # s3fs, gcsfs... not installed
        raise Unreadable(f"cannot read {protocol(url)}:// URLs here: {exc}", input=url) from None
    except FileNotFoundError:
        raise Unreadable("no such file or URL", input=url) from None
    except Exception as exc:  # OSError, the protocol library's own errors (aiohttp's, botocore's)
        raise Unreadable(f"cannot open: {type(exc).__name__}: {exc}"[:300], input=url) from None


def url_size(url: str) -> int | None:
    """The size in bytes of the object at `url`, when the store tells it (None otherwise)."""
    fsspec = _fsspec(url)
    try:
        fs, path = fsspec.core.url_to_fs(url)
        size = fs.size(path)
    except Exception:  # unknown, or not reachable: the partition's reading will say why
        return None
    return int(size) if isinstance(size, int) else None


def seekable(url: str) -> bool:
    """Whether a partition may read a byte range of `url` (every protocol but http(s))."""
    return protocol(url) not in STREAMING
