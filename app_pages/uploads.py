"""Uploaded files on disk: only while an analysis reads them, under the CLI's size limit.

The readers take a path, so an uploaded file is written to a private
``atlas-upload-*`` folder for the time of one analysis and removed right after it,
whatever happens (:func:`staged`); the bytes stay in the visitor's session (memory,
freed when the session ends) for a re-analysis with another mapping. Nothing is
written for a file above the import limit, which is the CLI's
(:func:`atlas.ingest.archives.size_limit`, ``ATLAS_IMPORT_MAX_MB``). A server killed
in the middle of an analysis leaves its folder behind: :func:`sweep`, run at start
and then at most once a minute, removes such folders once they are older than
:data:`MAX_AGE_S`, longer than any analysis takes.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.errors import IngestError
from atlas.ingest import archives

PREFIX = "atlas-upload-"
#: Leftover upload folders older than this are removed (seconds).
MAX_AGE_S = 2 * 3600
#: The sweep runs at most this often per server process (seconds).
SWEEP_INTERVAL_S = 60.0
_MB = 1024 * 1024
_sweep_lock = threading.Lock()
_last_sweep = -math.inf


def limit_bytes() -> int:
    """The import size limit, the same as the CLI's."""
    return archives.size_limit()


def limit_mb() -> int:
    """The limit in whole megabytes, for the upload widget (rounded up, at least 1)."""
    return max(1, math.ceil(limit_bytes() / _MB))


def check_size(name: str, size: int) -> None:
    """Refuse, in the import's own words, a file above the limit (before any write)."""
    limit = limit_bytes()
    if size > limit:
        raise IngestError("ingest.too_big", file=name, size=f"{size / _MB:.1f}",
                          limit=f"{limit / _MB:.1f}")


def safe_name(name: str) -> str:
    """The uploaded file's own name, without any folder, usable as a file name."""
    base = Path(str(name).replace("\\", "/")).name.replace("\x00", "")
    stem, suffix = os.path.splitext(base)
    # A name longer than the file system allows would fail the write: keep its suffix,
    # which tells the readers the format.
    while len((stem + suffix).encode("utf-8")) > 200 and stem:
        stem = stem[:-1]
    return (stem + suffix) if stem not in ("", ".", "..") else f"upload{suffix}"


@contextmanager
def staged(name: str, data: bytes) -> Iterator[Path]:
    """The upload as a file in a fresh private folder, removed when the block ends."""
    check_size(name, len(data))
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        path = folder / safe_name(name)
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(max_age_s: float = MAX_AGE_S, now: float | None = None) -> list[Path]:
    """Remove ``atlas-upload-*`` folders older than ``max_age_s``; the ones removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) \
                    or now - entry.stat(follow_symlinks=False).st_mtime <= max_age_s:
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.lexists(entry.path):
            removed.append(Path(entry.path))
    return removed


def sweep_now_and_then() -> None:
    """:func:`sweep`, unless this process swept less than a minute ago."""
    global _last_sweep
    with _sweep_lock:
        if time.monotonic() - _last_sweep < SWEEP_INTERVAL_S:
            return
        _last_sweep = time.monotonic()
    sweep()


def reset_sweep_clock() -> None:
    """Let the next :func:`sweep_now_and_then` sweep (a new server, or a test)."""
    global _last_sweep
    with _sweep_lock:
        _last_sweep = -math.inf
