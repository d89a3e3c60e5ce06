"""Bring data frames to the canonical shape of a layer spec, and fingerprint them.

Both stores hand back frames in exactly this shape (same columns, same dtypes), so
results never depend on the backend, and a checksum of a layer's content is the
same wherever it is stored.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..catalog import LayerSpec
from ..crs import STORAGE
from ..errors import StoreError

GEOMETRY = "geometry"

#: pandas dtype of each spec field type.
DTYPES = {
    "string": "str",
    "category": "str",
    "date": "str",
    "integer": "Int64",
    "float": "float64",
    "boolean": "boolean",
}


def empty_frame(spec: LayerSpec) -> gpd.GeoDataFrame:
    """A frame with the layer's columns and no rows."""
    data = {f.name: pd.Series([], dtype=DTYPES[f.type]) for f in spec.fields}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=STORAGE), crs=STORAGE)


def _as_dates(values: pd.Series) -> pd.Series:
    """ISO dates (YYYY-MM-DD) from strings, datetimes or timestamps."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.astype("str").where(values.notna())
        out = text.str.slice(0, 10)
    return out.astype("str").where(out.notna())


def conform_column(values: pd.Series, kind: str) -> pd.Series:
    """One column cast to the canonical dtype of a field type.

    Values that cannot be cast raise: the import validator reports them before a
    frame ever reaches a store.
    """
    if kind == "date":
        return _as_dates(values)
    if kind in ("string", "category"):
        text = values.astype("str")
        return text.where(values.notna())
    if kind == "integer":
        numbers = pd.to_numeric(values, errors="raise")
        if (np.abs(pd.Series(numbers).astype("float64")) >= 2.0**63).any():
            raise OverflowError("integer outside the 64-bit range")
        return pd.array(numbers, dtype="Int64")
    if kind == "float":
        return pd.to_numeric(values, errors="raise").astype("float64")
    if kind == "boolean":
        return values.astype("boolean")
    raise ValueError(kind)


def conform(frame: pd.DataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Columns of ``spec`` in its order and dtypes, geometry last, CRS EPSG:4326.

    Missing optional columns are added empty; extra columns are dropped.
    """
    index = pd.RangeIndex(len(frame))
    data: dict[str, object] = {}
    for field in spec.fields:
        if field.name in frame.columns:
            column = pd.Series(frame[field.name].to_numpy(), index=index)
            try:
                data[field.name] = conform_column(column, field.type)
            except OverflowError as exc:  # e.g. 1e19 for a 64-bit integer column
                raise StoreError("store.integer_out_of_range", layer=spec.name,
                                 field=field.name) from exc
        else:
            data[field.name] = pd.Series([None] * len(frame), index=index,
                                         dtype=DTYPES[field.type])
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geoms = np.asarray(frame.geometry.values, dtype=object)
        crs = frame.crs or STORAGE
    else:
        geoms = np.full(len(frame), None, dtype=object)
        crs = STORAGE
    out = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, index=index, crs=crs),
                           crs=crs)
    out.index = index
    return out


def checksum(frame: gpd.GeoDataFrame, spec: LayerSpec, *, conformed: bool = False) -> str:
    """SHA-256 of a layer's content, independent of row order and of the store.

    Rows are ordered by the id field; each attribute column is hashed by pandas
    after canonical conversion, and geometries by their WKB with coordinates
    rounded to 1e-9 degree (well below survey precision) so that a trip through
    any store gives the same fingerprint. ``conformed=True`` skips the canonical
    conversion for frames that already went through :func:`conform`.
    """
    if not conformed:
        frame = conform(frame, spec)
    frame = frame.sort_values(spec.id_field, kind="mergesort").reset_index(drop=True)
    digest = hashlib.sha256()
    digest.update(spec.name.encode())
    digest.update(str(len(frame)).encode())
    for field in spec.fields:
        column = frame[field.name]
        digest.update(field.name.encode())
        present = column.notna()
        if not present.any():
            digest.update(b"all-missing")
            continue
        hashed = pd.util.hash_pandas_object(column.astype("object").where(present),
                                            index=False)
        digest.update(hashed.to_numpy().tobytes())
    geoms = shapely.transform(np.asarray(frame.geometry.values, dtype=object),
                              lambda xy: np.round(xy, 9))
    blobs = [b"" if blob is None else blob for blob in shapely.to_wkb(geoms, output_dimension=2)]
    digest.update(np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)).tobytes())
    digest.update(b"".join(blobs))
    return digest.hexdigest()


def prepare(frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Check what every store requires: CRS, geometry kind, unique non-empty ids."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None \
            and not frame.crs.equals(STORAGE):
        raise StoreError("store.wrong_crs", crs=frame.crs.to_string())
    frame = conform(frame, spec)
    for field in spec.fields:
        if field.type == "float":
            # -0.0 == 0.0, but SQLite reads it back as 0.0 while PostgreSQL keeps the
            # sign: one value for every store keeps checksums store-independent.
            frame[field.name] = frame[field.name] + 0.0
    ids = frame[spec.id_field]
    if ids.isna().any():
        raise StoreError("store.missing_ids", layer=spec.name, field=spec.id_field,
                         count=int(ids.isna().sum()))
    dupes = ids[ids.duplicated()].unique().tolist()
    if dupes:
        raise StoreError("store.duplicate_ids", layer=spec.name, field=spec.id_field,
                         ids=", ".join(map(str, dupes[:10])))
    geoms = frame.geometry
    missing = geoms.isna() | geoms.is_empty
    if spec.geometry_required and missing.any():
        raise StoreError("store.missing_geometry", layer=spec.name,
                         count=int(missing.sum()))
    frame = frame.set_geometry(_promote(geoms, spec.geometry))
    kinds = set(frame.geometry[~missing].geom_type.unique())
    if kinds - {spec.geometry}:
        raise StoreError("store.wrong_geometry", layer=spec.name, expected=spec.geometry,
                         found=", ".join(sorted(kinds)))
    return frame


def row_dicts(frame: gpd.GeoDataFrame, spec: LayerSpec, geom_column: str,
              encoded: list[object]) -> list[dict[str, object]]:
    """One insertable dict per row: Python scalars, None for missing, dates as dates.

    ``encoded`` holds the geometries as the backend binds them, under ``geom_column``.
    """
    columns: dict[str, list[object]] = {geom_column: encoded}
    for field in spec.fields:
        values = frame[field.name]
        if field.type == "date":
            parsed = pd.to_datetime(values, errors="coerce", format="%Y-%m-%d")
            columns[field.name] = [None if pd.isna(v) else v.date() for v in parsed]
        else:
            columns[field.name] = values.astype(object).where(values.notna(), None).tolist()
    keys = list(columns)
    return [dict(zip(keys, values, strict=True))
            for values in zip(*columns.values(), strict=True)]


_MULTI = {
    "MultiPolygon": (shapely.Polygon, shapely.MultiPolygon),
    "MultiPoint": (shapely.Point, shapely.MultiPoint),
    "MultiLineString": (shapely.LineString, shapely.MultiLineString),
}


def _promote(geoms: gpd.GeoSeries, expected: str) -> gpd.GeoSeries:
    """Wrap single parts into multi-part geometries when the layer expects those."""
    if expected not in _MULTI:
        return geoms
    single, multi = _MULTI[expected]
    values = [multi([g]) if isinstance(g, single) else g for g in geoms.values]
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)
