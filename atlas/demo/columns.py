"""Typing the drawn rows like the catalogue, so the demo is written as any import is.

The store checks dtypes against the layer specs; building the frames here with the
exact dtypes (nullable integers and booleans, object text) keeps the demo on the same
write path as real data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..catalog import LayerSpec
from ..crs import storage_crs

_CONVERTERS: dict[str, Callable[[list[Any]], Any]] = {
    "integer": lambda v: pd.array([None if x is None else int(x) for x in v], dtype="Int64"),
    "float": lambda v: np.array([np.nan if x is None else float(x) for x in v], dtype="float64"),
    "boolean": lambda v: pd.array([None if x is None else bool(x) for x in v], dtype="boolean"),
}


def conform(spec: LayerSpec, rows: dict[str, Any]) -> gpd.GeoDataFrame:
    """Columns in spec order with the dtypes the store expects for each field type."""
    expected = set(spec.field_names) | {"geometry"}
    if set(rows) != expected:
        raise RuntimeError(f"demo layer {spec.name}: columns {sorted(rows)} "
                           f"do not match the spec {sorted(expected)}")
    columns: dict[str, Any] = {}
    for field in spec.fields:
        columns[field.name] = column(field.type, rows[field.name])
    geometry = gpd.GeoSeries(list(rows["geometry"]), crs=storage_crs())
    return gpd.GeoDataFrame(columns, geometry=geometry)


def column(kind: str, values: Sequence[Any]) -> Any:
    """One column with the dtype of a field type (text kinds stay object columns of str)."""
    converter = _CONVERTERS.get(kind)
    if converter is not None:
        return converter(list(values))
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)
