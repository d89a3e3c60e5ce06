"""GeoPackage geometry blobs: a small header (magic, flags, SRS id, envelope) + WKB.

Written by hand because the embedded store talks to SQLite directly (to control
transactions), and the format is small and fixed by the OGC standard (clause 2.1.3).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
import shapely

_MAGIC = b"GP"
_ENVELOPE_SIZES = (0, 32, 48, 48, 64)
_LITTLE_ENDIAN = 0x01
_ENVELOPE_XY = 0x02  # envelope indicator 1 (minx, maxx, miny, maxy), shifted left by one
_EMPTY = 0x10
_POINT_HEADER = struct.Struct("<2sBBi")
_XY_HEADER = struct.Struct("<2sBBi4d")


def encode(geoms: np.ndarray, srs_id: int) -> list[bytes | None]:
    """Blobs for an array of shapely geometries (None stays None).

    Points carry no envelope (their WKB is their envelope); other geometries carry
    the XY envelope so that readers can filter without parsing the WKB.
    """
    geoms = np.asarray(geoms, dtype=object)
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    missing = shapely.is_missing(geoms)
    empty = shapely.is_empty(geoms) & ~missing
    points = shapely.get_type_id(geoms) == 0
    bounds = shapely.bounds(geoms)
    out: list[bytes | None] = []
    for i, body in enumerate(wkb):
        if missing[i]:
            out.append(None)
        elif empty[i]:
            out.append(_POINT_HEADER.pack(_MAGIC, 0, _LITTLE_ENDIAN | _EMPTY, srs_id) + body)
        elif points[i]:
            out.append(_POINT_HEADER.pack(_MAGIC, 0, _LITTLE_ENDIAN, srs_id) + body)
        else:
            minx, miny, maxx, maxy = bounds[i]
            out.append(_XY_HEADER.pack(_MAGIC, 0, _LITTLE_ENDIAN | _ENVELOPE_XY, srs_id,
                                       minx, maxx, miny, maxy) + body)
    return out


def header_size(blob: bytes) -> int:
    """Length of the header that precedes the WKB."""
    flags = blob[3]
    return 8 + _ENVELOPE_SIZES[(flags >> 1) & 0x07]


def decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries from blobs (None for NULL)."""
    bodies = [None if b is None else bytes(b[header_size(b):]) for b in blobs]
    return shapely.from_wkb(np.asarray(bodies, dtype=object))


def is_empty(blob: bytes | None) -> int | None:
    """SQL function ST_IsEmpty for GeoPackage triggers."""
    if blob is None:
        return None
    return 1 if blob[3] & _EMPTY else 0


def envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob, from its header or, for points, its WKB."""
    if blob is None or blob[3] & _EMPTY:
        return None
    flags = blob[3]
    if (flags >> 1) & 0x07:
        order = "<" if flags & _LITTLE_ENDIAN else ">"
        return struct.unpack_from(f"{order}4d", blob, 8)
    minx, miny, maxx, maxy = shapely.from_wkb(bytes(blob[header_size(blob):])).bounds
    return (minx, maxx, miny, maxy)
