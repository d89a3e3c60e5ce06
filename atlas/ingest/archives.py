"""Size limits and safe extraction of zipped inputs (zipped Shapefiles, KMZ, XLSX).

A zip declares the uncompressed size of each member; a "zip bomb" declares (or
hides) gigabytes behind a few kilobytes. We refuse an archive whose declared total
is above the limit before anything is extracted, and we count the bytes actually
produced while extracting, so a member that lies about its size is stopped too.
Member paths are flattened to safe relative names (no ``..``, no absolute paths), and a
name the file system could not hold (a part over 255 bytes, a path too deep or too
long, a NUL byte) or that clashes with another member (``pts.csv`` and
``pts.csv/inner.csv``, or the same name twice) is refused with a sentence.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .. import config
from ..errors import IngestError

#: Default limit on the size of an input, compressed or not (``ATLAS_IMPORT_MAX_MB``).
DEFAULT_MAX_MB = config.DEFAULT_IMPORT_MAX_MB
MAX_MEMBERS = 5000
CHUNK = 1 << 20
#: Longest file or folder name most file systems hold (bytes), deepest and longest path.
MAX_NAME_BYTES = 255
MAX_DEPTH = 32
MAX_PATH_BYTES = 3000


def size_limit(max_size_mb: float | None = None) -> int:
    """The limit in bytes: the argument, else ``ATLAS_IMPORT_MAX_MB``, else the default."""
    if max_size_mb is None:
        max_size_mb = config.current().import_max_mb
    return int(max_size_mb * 1024 * 1024)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def check_file_size(path: Path, limit: int) -> None:
    """Refuse a file larger than the limit."""
    size = path.stat().st_size
    if size > limit:
        raise IngestError("ingest.too_big", file=path.name, size=_mb(size), limit=_mb(limit))


def open_zip(path: Path, limit: int) -> zipfile.ZipFile:
    """Open an archive after checking the declared uncompressed sizes."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    members = archive.infolist()
    declared = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or declared > limit:
        archive.close()
        raise IngestError("ingest.archive_too_big", file=path.name, size=_mb(declared),
                          limit=_mb(limit))
    return archive


def _safe_name(name: str) -> PurePosixPath | None:
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts
             if p not in ("", ".", "..", "/")]
    if not parts or parts[0].startswith("__MACOSX"):
        return None
    return PurePosixPath(*parts)


def _shown(name: str) -> str:
    """A member name for a message: controls escaped, shortened."""
    from .text import printable

    text = printable(name)
    return text if len(text) <= 120 else text[:60] + "…" + text[-40:]


def _check_name(archive: Path, member: str, relative: PurePosixPath, dest: Path) -> None:
    """Refuse a name the file system cannot hold (see the module docstring)."""
    parts = relative.parts
    too_long = any(len(os.fsencode(p)) > MAX_NAME_BYTES for p in parts)
    too_deep = len(parts) > MAX_DEPTH
    if too_long or too_deep or "\x00" in member \
            or len(os.fsencode(str(dest.joinpath(*parts)))) > MAX_PATH_BYTES:
        raise IngestError("ingest.archive_bad_name", file=archive.name, member=_shown(member))


class _Layout:
    """Files and folders extracted so far, to refuse members that clash."""

    def __init__(self) -> None:
        self.files: set[PurePosixPath] = set()
        self.folders: set[PurePosixPath] = set()

    def claim(self, archive: Path, member: str, relative: PurePosixPath) -> None:
        parents = set(relative.parents) - {PurePosixPath(".")}
        if relative in self.files or relative in self.folders or parents & self.files:
            raise IngestError("ingest.archive_conflict", file=archive.name,
                              member=_shown(member))
        self.files.add(relative)
        self.folders |= parents


def extract(path: Path, dest: Path, limit: int) -> list[Path]:
    """Extract an archive under ``dest``, counting real bytes; returns the files."""
    try:
        return _extract(path, dest, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # e.g. a size that lies
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc


def _extract(path: Path, dest: Path, limit: int) -> list[Path]:
    written = 0
    files: list[Path] = []
    layout = _Layout()
    with open_zip(path, limit) as archive:
        for member in archive.infolist():
            relative = _safe_name(member.filename)
            if member.is_dir() or relative is None:
                continue
            _check_name(path, member.filename, relative, dest)
            layout.claim(path, member.filename, relative)
            target = dest.joinpath(*relative.parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limit:
                            raise IngestError("ingest.archive_too_big", file=path.name,
                                              size=f">{_mb(limit)}", limit=_mb(limit))
                        out.write(chunk)
            except (OSError, ValueError) as exc:  # what the checks above did not foresee
                raise IngestError("ingest.archive_bad_name", file=path.name,
                                  member=_shown(member.filename)) from exc
            files.append(target)
    return files


def verify_zip(path: Path, limit: int) -> None:
    """Decompress every member without writing it, to check the real total size.

    This runs before another library (GDAL for KMZ, openpyxl for XLSX) opens the archive.
    """
    try:
        _verify(path, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc


def _verify(path: Path, limit: int) -> None:
    total = 0
    with open_zip(path, limit) as archive:
        for member in archive.infolist():
            with archive.open(member) as source:
                while chunk := source.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise IngestError("ingest.archive_too_big", file=path.name,
                                          size=f">{_mb(limit)}", limit=_mb(limit))
