"""The parts of a Shapefile must describe the same records.

GDAL reads a Shapefile through its ``.shx`` index and pairs each geometry with the
``.dbf`` record of the same number; when the parts disagree it says nothing: a ``.shp``
of 10 records with a ``.dbf`` of 3 imports 3 rows (7 geometries dropped), the other way
round 7 attribute records are ignored. Parts from two different exports, or a copy cut
short, are common in files sent by email. We count the records of each part from
their headers and refuse a Shapefile whose counts differ, naming them.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import IngestError
from .encoding import sidecar

SHP_HEADER = 100
RECORD_HEADER = 8


@dataclass(frozen=True)
class Counts:
    """Records in each part of a Shapefile."""

    shp: int
    shx: int
    dbf: int

    @property
    def consistent(self) -> bool:
        """True when the three parts hold as many records."""
        return self.shp == self.shx == self.dbf


def shp_records(path: Path) -> int:
    """Complete records of a ``.shp``, walked through their headers (a cut one is not)."""
    size = path.stat().st_size
    if size <= SHP_HEADER:
        return 0
    count = 0
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0,
                                               access=mmap.ACCESS_READ) as data:
        position = SHP_HEADER
        unpack = struct.Struct(">ii").unpack_from
        while position + RECORD_HEADER <= size:
            _, words = unpack(data, position)
            end = position + RECORD_HEADER + 2 * words
            if words < 0 or end > size:
                break
            count += 1
            position = end
    return count


def shx_records(path: Path) -> int:
    """Entries of a ``.shx`` index (8 bytes each after a 100-byte header)."""
    return max(0, (path.stat().st_size - SHP_HEADER) // RECORD_HEADER)


def dbf_records(path: Path) -> int:
    """Record count declared by a ``.dbf`` header, bounded by what the file holds."""
    with open(path, "rb") as handle:
        header = handle.read(32)
    if len(header) < 12:
        return 0
    declared, header_length, record_length = struct.unpack_from("<IHH", header, 4)
    if record_length == 0:
        return 0
    present = max(0, path.stat().st_size - header_length) // record_length
    return min(declared, present)


def count_records(shp: Path) -> Counts:
    """Records of the ``.shp``, ``.shx`` and ``.dbf`` of a Shapefile (all present)."""
    shx, dbf = sidecar(shp, ".shx"), sidecar(shp, ".dbf")
    assert shx is not None and dbf is not None
    return Counts(shp_records(shp), shx_records(shx), dbf_records(dbf))


def check_records(shp: Path) -> None:
    """Refuse a Shapefile whose parts do not hold the same number of records."""
    counts = count_records(shp)
    if not counts.consistent:
        raise IngestError("ingest.shapefile_counts", file=shp.name, shp=counts.shp,
                          shx=counts.shx, dbf=counts.dbf)
