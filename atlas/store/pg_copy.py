"""PostgreSQL's binary ``COPY`` format, encoded column by column.

The PostGIS store loads rows with ``COPY ... FROM STDIN (FORMAT binary)``: building
that stream with numpy and Arrow compute kernels, never a Python object per row, is
what makes a million-row import take seconds. This module is only the codec (the
sibling of :mod:`atlas.store.gpkg_blob` for GeoPackage); when and how the stream is
sent is :mod:`atlas.store.pg_bulk`'s business.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..catalog import LayerSpec
from ..crs import STORAGE_EPSG

#: Rows encoded per COPY chunk: bounds memory and lets encoding overlap sending.
COPY_CHUNK_ROWS = 100_000

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension
_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH = np.datetime64("2000-01-01", "D")
_BLOB = pa.large_binary()
_EMPTY_BLOB = pa.scalar(b"", _BLOB)
_NULL_LENGTH = -1
#: EWKB of a 2D point: byte order, type with the SRID flag, SRID, x, y.
_EWKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("srid", "<u4"),
                        ("x", "<f8"), ("y", "<f8")])
_EWKB_SRID_FLAG = 0x20000000


class CopyStream:
    """File-like source of a binary COPY stream, encoded by a background thread.

    ``psycopg2`` pulls the stream with :meth:`read`; meanwhile the encoder thread
    prepares the next chunk of rows (numpy and Arrow release the GIL), so encoding
    overlaps with the server parsing the previous chunk.
    """

    def __init__(self, frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                 fids: np.ndarray | None) -> None:
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
        self._buffer = memoryview(_COPY_HEADER)
        self._done = False
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._encode, daemon=True,
                                        args=(frame, spec, rev, fids),
                                        name="atlas-copy-encoder")
        self._thread.start()

    def _encode(self, frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                fids: np.ndarray | None) -> None:
        try:
            columns = CopyColumns(frame, spec)
            for start in range(0, len(frame), COPY_CHUNK_ROWS):
                if self._stop.is_set():
                    return
                stop = start + COPY_CHUNK_ROWS
                self._put(columns.rows(start, stop, rev,
                                       None if fids is None else fids[start:stop]))
            self._put(_COPY_TRAILER)
            self._put(None)
        except BaseException as exc:  # handed to the reading thread, which raises it
            self._put(exc)

    def _put(self, item: bytes | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(self, size: int = -1) -> bytes:
        """Next piece of the stream (b"" at the end), at most ``size`` bytes."""
        while not len(self._buffer):
            if self._done:
                return b""
            item = self._queue.get()
            if item is None:
                self._done = True
                return b""
            if isinstance(item, BaseException):
                self._done = True
                self.error = item
                raise item
            self._buffer = memoryview(item)
        size = len(self._buffer) if size is None or size < 0 else size
        piece, self._buffer = self._buffer[:size], self._buffer[size:]
        return piece.tobytes()

    def close(self) -> None:
        """Stop the encoder (when COPY failed half-way) and wait for it."""
        self._stop.set()
        self._thread.join()


# -- binary COPY encoding -----------------------------------------------------------------
# A binary COPY row is: int16 number of fields, then for each field an int32 length
# (-1 for NULL) and that many bytes, all big-endian. Rows are assembled column-wise:
# runs of fixed-width pieces (lengths, numbers, dates, point EWKB) become one numpy
# structured array each, variable-width pieces (text, other geometries) Arrow binary
# arrays, and Arrow's element-wise join concatenates them row by row in C.


class _RowLayout:
    """Accumulates the pieces of every row, merging runs of fixed-width pieces."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.parts: list[pa.Array] = []
        self._fixed: list[tuple[np.dtype, np.ndarray]] = []

    def fixed(self, values: np.ndarray) -> None:
        """A fixed-width piece (one big-endian value, or a structured record, per row)."""
        self._fixed.append((values.dtype, values))

    def variable(self, values: pa.Array) -> None:
        """A variable-width piece (large_binary, nulls stand for nothing)."""
        self._flush()
        self.parts.append(values)

    def _flush(self) -> None:
        if not self._fixed:
            return
        dtype = np.dtype([(f"f{i}", d) for i, (d, _) in enumerate(self._fixed)])
        record = np.empty(self.n, dtype=dtype)
        for i, (_, values) in enumerate(self._fixed):
            record[f"f{i}"] = values
        self.parts.append(_fixed_blobs(record.view(np.uint8), dtype.itemsize, self.n))
        self._fixed = []

    def join(self) -> bytes:
        """The rows, concatenated."""
        self._flush()
        if len(self.parts) == 1:
            return _binary_body(self.parts[0])
        joined = pc.binary_join_element_wise(*self.parts, _EMPTY_BLOB,
                                             null_handling="replace", null_replacement=b"")
        return _binary_body(joined)


def _fixed_blobs(buffer: np.ndarray, width: int, n: int) -> pa.Array:
    array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), n,
                                                 [None, pa.py_buffer(buffer)])
    return array.cast(_BLOB)


def _binary_body(array: pa.Array) -> bytes:
    """Bytes of all the values of a large_binary array, in order."""
    validity, offsets, data = array.buffers()
    positions = np.frombuffer(offsets, dtype=np.int64)
    start, stop = positions[array.offset], positions[array.offset + len(array)]
    return memoryview(data)[start:stop].tobytes() if data is not None else b""


def _lengths(lengths: np.ndarray) -> np.ndarray:
    return lengths.astype(">i4")


def _fixed_field(layout: _RowLayout, values: np.ndarray, valid: np.ndarray) -> None:
    """A field of fixed width (``values`` already big-endian), NULL where not ``valid``."""
    width = values.dtype.itemsize
    if valid.all():
        layout.fixed(np.full(layout.n, width, dtype=">i4"))
        layout.fixed(values)
        return
    layout.fixed(_lengths(np.where(valid, width, _NULL_LENGTH)))
    blobs = _fixed_blobs(np.ascontiguousarray(values).view(np.uint8), width, layout.n)
    layout.variable(pc.if_else(pa.array(valid), blobs, _EMPTY_BLOB))


def _geometry_field(layout: _RowLayout, geoms: np.ndarray) -> None:
    """EWKB with SRID 4326: points built directly with numpy, others by GEOS."""
    missing = shapely.is_missing(geoms)
    if not missing.any() and (shapely.get_type_id(geoms) == 0).all() \
            and not shapely.is_empty(geoms).any() and not shapely.has_z(geoms).any():
        xy = shapely.get_coordinates(geoms)
        record = np.empty(layout.n, dtype=_EWKB_POINT)
        record["order"] = 1
        record["type"] = _EWKB_SRID_FLAG | 1
        record["srid"] = STORAGE_EPSG
        record["x"] = xy[:, 0]
        record["y"] = xy[:, 1]
        layout.fixed(np.full(layout.n, _EWKB_POINT.itemsize, dtype=">i4"))
        layout.fixed(record)
        return
    blobs = shapely.to_wkb(shapely.set_srid(geoms, STORAGE_EPSG), include_srid=True,
                           flavor="extended", byte_order=1, output_dimension=2)
    array = pa.array(blobs, type=_BLOB, from_pandas=True)
    lengths = pc.fill_null(pc.binary_length(array), _NULL_LENGTH).to_numpy(zero_copy_only=False)
    layout.fixed(_lengths(lengths))
    layout.variable(array)


class CopyColumns:
    """The columns of a frame conformed to a spec, converted once for binary COPY.

    Conversions that are cheapest on whole columns (text to Arrow, dates to day
    numbers, byte order) are done here; :meth:`rows` then encodes any slice of rows
    with zero-copy slices of these arrays, so chunking costs nothing extra.
    """

    def __init__(self, frame: gpd.GeoDataFrame, spec: LayerSpec) -> None:
        self.n = len(frame)
        self.geoms = np.asarray(frame.geometry.values, dtype=object)
        self.fields = [self._convert(frame[f.name], f.type) for f in spec.fields]

    @staticmethod
    def _convert(values: pd.Series, kind: str) -> tuple[Any, np.ndarray]:
        """(Arrow binary array, lengths) for text; (big-endian values, valid) otherwise."""
        if kind in ("string", "category"):
            array = pa.array(values, type=pa.large_string(), from_pandas=True)
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            blobs = array.cast(_BLOB)
            lengths = pc.fill_null(pc.binary_length(blobs), _NULL_LENGTH)
            return blobs, _lengths(lengths.to_numpy(zero_copy_only=False))
        valid = values.notna().to_numpy(dtype=bool)
        if kind == "integer":
            return values.to_numpy(dtype="int64", na_value=0).astype(">i8"), valid
        if kind == "float":
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            return numbers.astype(">f8"), valid & ~np.isnan(numbers)
        if kind == "boolean":
            return values.to_numpy(dtype=bool, na_value=False).astype("u1"), valid
        if kind == "date":
            parsed = pd.to_datetime(values, errors="coerce", format="%Y-%m-%d")
            valid = parsed.notna().to_numpy(dtype=bool)
            days = parsed.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            offsets = np.where(valid, (days - _PG_EPOCH).astype(np.int64), 0)
            return offsets.astype(">i4"), valid
        raise ValueError(kind)  # pragma: no cover - the catalogue admits no other type

    def rows(self, start: int, stop: int, rev: int, fids: np.ndarray | None = None) -> bytes:
        """Binary COPY rows ``start:stop`` (no header or trailer).

        Columns, in this order: ``[fid,] _rev_from, geom, <spec fields>``; ``fids``
        holds the fids of these rows only.
        """
        n = max(0, min(stop, self.n) - start)
        layout = _RowLayout(n)
        count = (1 if fids is not None else 0) + 2 + len(self.fields)
        layout.fixed(np.full(n, count, dtype=">i2"))
        if fids is not None:
            layout.fixed(np.full(n, 8, dtype=">i4"))
            layout.fixed(np.asarray(fids).astype(">i8"))
        layout.fixed(np.full(n, 4, dtype=">i4"))
        layout.fixed(np.full(n, rev, dtype=">i4"))
        _geometry_field(layout, self.geoms[start:start + n])
        for data, extra in self.fields:
            if isinstance(data, pa.Array):
                layout.fixed(extra[start:start + n])
                layout.variable(data.slice(start, n))
            else:
                _fixed_field(layout, data[start:start + n], extra[start:start + n])
        return layout.join()


def encode_copy_rows(frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                     fids: np.ndarray | None = None) -> bytes:
    """Binary COPY rows (no header or trailer) of a whole frame conformed to ``spec``."""
    return CopyColumns(frame, spec).rows(0, len(frame), rev, fids)



__all__ = ["COPY_CHUNK_ROWS", "CopyColumns", "CopyStream", "encode_copy_rows"]
