"""Bounds on what one file may bring, and the column builder the streaming readers share.

The size of a file says little about the memory it takes once read: 1.5 MB of GeoJSON
whose features each carry 40 property names of their own make an 80,000-column table
(gigabytes as a dense frame). So every reader counts, while it reads, the distinct
columns (at most :data:`MAX_COLUMNS`) and the cells of the table it is building (rows ×
columns, at most :data:`MAX_CELLS`), and stops with a sentence as soon as one is passed.
Both limits can be changed with ``ATLAS_IMPORT_MAX_COLUMNS`` / ``ATLAS_IMPORT_MAX_CELLS``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from .. import config
from ..errors import IngestError

#: Real exports (Kobo forms with repeat groups, WPDx) stay well below this.
MAX_COLUMNS = config.DEFAULT_IMPORT_MAX_COLUMNS
#: Rows × columns of one file's table: 25 million cells is a few hundred MB of objects.
MAX_CELLS = config.DEFAULT_IMPORT_MAX_CELLS
#: KML is parsed whole into a document tree (libkml): about 15 times its size in
#: memory. Larger KML is refused (``ATLAS_IMPORT_MAX_KML_MB``), with the advice to
#: send GeoPackage or GeoJSON, which are read in bounded memory.
MAX_KML_MB = config.DEFAULT_IMPORT_MAX_KML_MB
#: A callback receiving the fraction of the file read so far (0.0 to 1.0).
Progress = Callable[[float], None]
#: Short texts repeated down a column ("ok", "forage") are kept once.
_SHARED_TEXT_LENGTH = 64
_SHARED_TEXT_COUNT = 200_000


def max_columns() -> int:
    """The column limit (``ATLAS_IMPORT_MAX_COLUMNS``, else :data:`MAX_COLUMNS`)."""
    return config.current().import_max_columns


def max_cells() -> int:
    """The cell limit (``ATLAS_IMPORT_MAX_CELLS``, else :data:`MAX_CELLS`)."""
    return config.current().import_max_cells


def check_kml_size(name: str, size: int) -> None:
    """Refuse KML text (a .kml, or the .kml inside a .kmz) above :data:`MAX_KML_MB`."""
    limit = config.current().import_max_kml_mb
    if size > limit * 1024 * 1024:
        raise IngestError("ingest.kml_too_big", file=name, size=f"{size / 2**20:.1f}",
                          limit=f"{limit:g}")


def check_columns(name: str, columns: int) -> None:
    """Refuse a table with more distinct columns than the limit."""
    limit = max_columns()
    if columns > limit:
        raise IngestError("ingest.too_many_columns", file=name, count=columns, limit=limit)


def check_cells(name: str, rows: int, columns: int) -> None:
    """Refuse a table whose rows × columns pass the limit."""
    limit = max_cells()
    if rows * columns > limit:
        raise IngestError("ingest.too_many_cells", file=name, rows=rows, columns=columns,
                          limit=limit)


def report(progress: Progress | None, fraction: float) -> None:
    """Call the progress callback, if any, with a fraction clipped to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)))


class ColumnBuilder:
    """A table built row by row, stored column by column and sparsely.

    Each column keeps the row positions where it has a value and those values, so a
    row costs only its own cells and a column seen in one row costs one cell; the
    dense frame is made once at the end. Limits are checked as rows come in.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.order: dict[Hashable, int] = {}
        self._positions: list[array] = []
        self._values: list[list[Any]] = []
        self._shared: dict[str, str] = {}
        self._columns_limit = max_columns()
        self._cells_limit = max_cells()

    def ensure(self, key: Hashable) -> None:
        """Make sure a column exists, even if no row has a value in it."""
        self._column(key)

    def _column(self, key: Hashable) -> int:
        index = self.order.get(key)
        if index is None:
            check_columns(self.name, len(self.order) + 1)
            index = self.order[key] = len(self.order)
            self._positions.append(array("i"))
            self._values.append([])
            self._check_cells(self.rows + 1)
        return index

    def _check_cells(self, rows: int) -> None:
        if rows * len(self.order) > self._cells_limit:
            check_cells(self.name, rows, len(self.order))

    def share(self, value: Any) -> Any:
        """The one copy of a short text (bounded), else the value itself."""
        if isinstance(value, str) and len(value) <= _SHARED_TEXT_LENGTH:
            kept = self._shared.get(value)
            if kept is not None:
                return kept
            if len(self._shared) < _SHARED_TEXT_COUNT:
                self._shared[value] = value
        return value

    def add(self, cells: dict[Hashable, Any] | list[tuple[Hashable, Any]]) -> None:
        """Append one row given as column → value (absent columns stay empty)."""
        row = self.rows
        items = cells.items() if isinstance(cells, dict) else cells
        for key, value in items:
            index = self._column(key)
            self._positions[index].append(row)
            self._values[index].append(self.share(value))
        self.rows = row + 1
        if self.order and not row & 1023:
            self._check_cells(self.rows)

    def column(self, key: Hashable) -> np.ndarray:
        """One column as a dense object array (None where the row has no value)."""
        index = self.order[key]
        out = np.full(self.rows, None, dtype=object)
        values = self._values[index]
        out[np.frombuffer(self._positions[index], dtype=np.int32)] = np.fromiter(
            values, dtype=object, count=len(values))
        return out

    def skip_to(self, position: int) -> None:
        """Leave the rows before ``position`` empty (rows missing from a sheet)."""
        if position > self.rows:
            self.rows = position
            self._check_cells(self.rows)

    def frame(self, columns: list[tuple[Hashable, str]] | None = None) -> pd.DataFrame:
        """The dense table: ``(key, label)`` pairs in order, else every column as seen."""
        self._check_cells(self.rows)
        if columns is None:
            columns = [(key, str(key)) for key in self.order]
        data = {}
        for key, label in columns:
            data[label] = self.column(key)
            index = self.order[key]
            self._values[index] = []  # free as we go
            self._positions[index] = array("i")
        if not data:
            return pd.DataFrame(index=pd.RangeIndex(self.rows))
        return pd.DataFrame(data, index=pd.RangeIndex(self.rows), dtype=object)
