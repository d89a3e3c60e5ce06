"""GeoJSON read feature by feature, in bounded memory, with the semantics of ``json``.

A 176 MB FeatureCollection parsed whole with ``json.loads`` is gigabytes of dicts. Here
the top-level object is walked by hand and each member — each feature of
``features`` in particular — is decoded on its own by the standard library's C decoder
(``raw_decode``) from a text buffer refilled chunk by chunk: memory holds one chunk,
the feature being decoded and the table being built (sparse, see
:class:`atlas.ingest.limits.ColumnBuilder`). The standard decoder keeps what
``json.loads`` accepts (NaN, Infinity, big integers) and raises ``RecursionError`` on
absurd nesting, which the reader reports. Members may come in any order (a ``crs``
after the features is still found).

Nested property objects become ``group/key`` columns (the Kobo convention); OSM
``tags`` stay whole for :mod:`atlas.ingest.osm`; lists are kept as JSON text.
"""

from __future__ import annotations

import codecs
import json
import re
from array import array
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from ..crs import STORAGE, STORAGE_EPSG
from ..errors import IngestError
from .limits import ColumnBuilder, Progress, report
from .osm import flatten_osm
from .report import ERROR, WARNING, Issue
from .sniff import check_json, head
from .text import display, printable

CHUNK = 4 << 20
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection"}
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Syntax(Exception):
    """Not JSON at some point of the file (message and character offset)."""


class _Stream:
    """JSON values read one at a time from a file, through a refilled text buffer."""

    def __init__(self, handle: IO[bytes], size: int, progress: Progress | None) -> None:
        self.handle = handle
        self.size = max(size, 1)
        self.progress = progress
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.buffer = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front of the buffer
        self.eof = False
        self.read_size = CHUNK

    def fill(self) -> bool:
        """Append the next chunk (dropping what was consumed); False at the end."""
        if self.eof:
            return False
        data = self.handle.read(self.read_size)
        text = self.decoder.decode(data, final=not data)
        self.offset += self.pos
        self.buffer = self.buffer[self.pos:] + text
        self.pos = 0
        self.eof = not data
        report(self.progress, self.handle.tell() / self.size)
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.pos = _WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer) or not self.fill():
                return self.buffer[self.pos:self.pos + 1]

    def expect(self, char: str) -> None:
        """Consume ``char`` (after white space), or fail."""
        if self.peek() != char:
            found = printable(self.peek()) or "end of file"
            raise _Syntax(f"Expecting '{char}', found '{found}' (char {self.offset + self.pos})")
        self.pos += 1

    def value(self) -> Any:
        """Decode the next JSON value, reading more when it runs past the buffer."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self._grow():
                    continue
                raise _Syntax(f"{exc.msg} (char {self.offset + exc.pos})") from exc
            if end >= len(self.buffer) and self._grow():
                continue  # a number cut by the chunk end: decode it whole
            self.read_size = CHUNK
            self.pos = end
            return value

    def _grow(self) -> bool:
        """Read more for a value larger than the buffer (doubling, so it stays linear)."""
        grown = self.fill()
        if grown:
            self.read_size = min(self.read_size * 2, 256 << 20)
        return grown


def _flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become ``group/key`` columns; ``tags`` stays whole; lists as JSON."""
    flat: dict[str, Any] = {}
    for key, value in properties.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (key == "tags" and not prefix):
            flat.update(_flatten(value, f"{name}/"))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def _plain_point(geometry: Any) -> tuple[float, float] | None:
    """(x, y) of a well-formed, finite 2D/3D point, for the fast path; else None."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not 2 <= len(coords) <= 3:
        return None
    if not all(type(c) in (int, float) for c in coords):
        return None
    x, y = float(coords[0]), float(coords[1])
    return (x, y) if np.isfinite(x) and np.isfinite(y) else None


class _Features:
    """Properties, geometries and issues of features, gathered as they stream by."""

    def __init__(self, name: str) -> None:
        self.table = ColumnBuilder(name)
        self.point_rows = array("q")
        self.point_xy = array("d")
        self.shapes: list[tuple[int, Any]] = []
        self.issues: list[Issue] = []

    def add(self, feature: Any) -> None:
        position = self.table.rows
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties")
        flat = _flatten(properties if isinstance(properties, dict) else {})
        if "id" in feature and "id" not in flat:
            flat = {"id": feature["id"], **flat}
        self.table.add(flat)
        geometry = feature.get("geometry")
        point = _plain_point(geometry)
        if point is not None:
            self.point_rows.append(position)
            self.point_xy.extend(point)
        elif geometry:
            try:
                self.shapes.append((position, shape(geometry)))
            except Exception:  # noqa: BLE001 - shapely raises several kinds on bad input
                self.issues.append(Issue(ERROR, "bad_geometry", row=position + 1))

    def geometry(self, crs: CRS) -> gpd.GeoSeries:
        values = np.full(self.table.rows, None, dtype=object)
        if len(self.point_rows):
            xy = np.frombuffer(self.point_xy, dtype=np.float64).reshape(-1, 2)
            values[np.frombuffer(self.point_rows, dtype=np.int64)] = shapely.points(xy)
        for position, geom in self.shapes:
            values[position] = geom
        return gpd.GeoSeries(values, crs=crs)


def geojson_crs(data: dict[str, Any]) -> tuple[CRS, list[Issue]]:
    """The legacy ``crs`` member of a GeoJSON, else WGS 84 (RFC 7946).

    A member that does not parse falls back to WGS 84, the GeoJSON standard, with a
    warning naming what the file declared: the person can check the places or give
    the right system with ``--crs``.
    """
    member = data.get("crs")
    if isinstance(member, dict):
        properties = member.get("properties")
        name = properties.get("name") if isinstance(properties, dict) else None
        if name:
            try:
                crs = CRS.from_user_input(name)
            except (CRSError, TypeError, ValueError):
                return STORAGE, [Issue(WARNING, "crs_unknown", field="geometry",
                                       value=display(name))]
            return (STORAGE if crs.to_epsg() == STORAGE_EPSG or "CRS84" in str(name) else crs), []
    return STORAGE, []


def _stream_array(stream: _Stream, features: _Features) -> None:
    """Each item of the ``features`` array, decoded and gathered one at a time."""
    stream.expect("[")
    first = True
    while stream.peek() != "]":
        if not first:
            stream.expect(",")
        first = False
        features.add(stream.value())
    stream.expect("]")


def _walk(stream: _Stream, features: _Features, name: str) -> tuple[dict[str, Any], bool]:
    """The top-level members other than ``features`` (streamed into ``features``)."""
    if stream.peek() == "[":
        stream.value()  # a broken or absurdly nested array is unreadable, a good one…
        raise IngestError("ingest.not_geojson", file=name, found="[…]")
    stream.expect("{")
    members: dict[str, Any] = {}
    collection = False
    first = True
    while stream.peek() != "}":
        if not first:
            stream.expect(",")
        first = False
        key = stream.value()
        if not isinstance(key, str):
            raise _Syntax(f"member name expected (char {stream.offset + stream.pos})")
        stream.expect(":")
        if key == "features" and stream.peek() == "[":
            collection = True
            _stream_array(stream, features)
        else:
            members[key] = stream.value()
    stream.expect("}")
    if stream.peek():
        raise _Syntax(f"Extra data (char {stream.offset + stream.pos})")
    return members, collection


def read_geojson_file(path: Path, progress: Progress | None = None
                      ) -> tuple[Any, gpd.GeoSeries, CRS, list[Issue]]:
    """Attribute frame, geometries, CRS and issues of a GeoJSON file."""
    check_json(path, head(path))
    features = _Features(path.name)
    try:
        with open(path, "rb") as handle:
            members, collection = _walk(_Stream(handle, path.stat().st_size, progress),
                                        features, path.name)
    except (_Syntax, UnicodeDecodeError) as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    except RecursionError as exc:
        # Arrays or objects nested thousands deep: a hostile file, or a broken one.
        raise IngestError("ingest.unreadable", file=path.name,
                          detail=f"JSON nested too deeply ({exc})") from exc
    if not collection:
        kind = members.get("type")
        if kind == "Feature":
            features.add(members)
        elif kind in GEOMETRY_TYPES:
            features.add({"type": "Feature", "properties": {}, "geometry": members})
        else:
            shown = f'"type": "{printable(str(kind))[:40]}"' if kind is not None else "{…}"
            raise IngestError("ingest.not_geojson", file=path.name, found=shown)
    crs, issues = geojson_crs(members)
    frame = flatten_osm(features.table.frame())
    report(progress, 1.0)
    return frame, features.geometry(crs), crs, features.issues + issues
