"""Geometries made light enough to draw: simplified for the map's scale, rounded, compact.

Stored boundaries keep every vertex surveyors gave; a map only needs what shows at
its scale. Simplification is done here, for display only (the store is never
touched), in the atlas's metric CRS so that the tolerance is in metres: the map
extent divided by a number of "pixels of detail". Territories of one level form a
coverage (they share edges), so they are simplified together with
:func:`shapely.coverage_simplify`, which keeps shared edges shared instead of
opening slivers between neighbours. Coordinates are then rounded (5 decimals of a
degree is about a metre), which shortens the embedded GeoJSON by a third.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ...crs import STORAGE

#: Decimals kept on longitudes and latitudes (1e-5 degree ~ 1.1 m).
PRECISION = 5
#: How many "pixels" of detail an interactive map keeps across its extent: enough
#: for a full-screen map zoomed in two levels before edges look angular.
INTERACTIVE_DETAIL = 4000


def extent_metres(frame: gpd.GeoDataFrame | gpd.GeoSeries, metric_crs: CRS) -> float:
    """Largest side of the bounding box of a frame, in metres."""
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    geoms = geoms[geoms.notna() & ~geoms.is_empty]
    if geoms.empty:
        return 0.0
    minx, miny, maxx, maxy = geoms.to_crs(metric_crs).total_bounds
    return float(max(maxx - minx, maxy - miny))


def tolerance_for(extent_m: float, detail: float = INTERACTIVE_DETAIL) -> float:
    """Simplification tolerance (metres) for a map of this extent."""
    return extent_m / detail if detail > 0 else 0.0


def round_coordinates(geoms: gpd.GeoSeries, precision: int = PRECISION) -> gpd.GeoSeries:
    """Coordinates rounded to ``precision`` decimals (display only: may touch validity)."""
    values = shapely.transform(np.asarray(geoms.values, dtype=object),
                               lambda coords: np.round(coords, precision))
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)


def _coverage_simplify(values: np.ndarray, tolerance_m: float,
                       groups: Sequence[object]) -> np.ndarray:
    """Simplify each group (e.g. one territorial level) as a coverage.

    Territories of different levels overlap, and GEOS leaves an overlapping input
    untouched, so levels are simplified separately.
    """
    out = np.empty(len(values), dtype=object)
    keys = np.asarray([str(g) for g in groups])
    for key in dict.fromkeys(keys):
        mask = keys == key
        try:
            out[mask] = shapely.coverage_simplify(values[mask], tolerance_m)
        except shapely.errors.GEOSException:
            out[mask] = shapely.simplify(values[mask], tolerance_m, preserve_topology=True)
    return out


def simplify(geoms: gpd.GeoSeries, metric_crs: CRS, tolerance_m: float,
             groups: Sequence[object] | None = None) -> gpd.GeoSeries:
    """Simplified lines and polygons (points untouched), returned in the input CRS.

    ``groups`` (one key per geometry) marks polygons that form coverages together
    (territories of one level); without it each geometry is simplified alone.
    """
    if tolerance_m <= 0 or geoms.empty or geoms.geom_type.isin(["Point", "MultiPoint"]).all():
        return geoms
    metric = geoms.to_crs(metric_crs)
    values = np.asarray(metric.values, dtype=object)
    if groups is not None:
        simplified = _coverage_simplify(values, tolerance_m, groups)
    else:
        simplified = shapely.simplify(values, tolerance_m, preserve_topology=True)
    # Tiny shapes may collapse: keep the original rather than lose a feature.
    collapsed = shapely.is_empty(simplified) & ~shapely.is_empty(values)
    simplified = np.where(collapsed, values, simplified)
    out = gpd.GeoSeries(simplified, index=geoms.index, crs=metric_crs)
    return out.to_crs(geoms.crs)


def for_display(frame: gpd.GeoDataFrame, metric_crs: CRS, tolerance_m: float,
                coverage_by: str | None = None,
                precision: int = PRECISION) -> gpd.GeoDataFrame:
    """Rows with a geometry, in EPSG:4326, simplified and rounded for drawing.

    ``coverage_by`` names the column whose groups are coverages (``level`` for
    territories), simplified with shared edges kept shared.
    """
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.crs is None:
        frame = frame.set_crs(STORAGE)
    elif not frame.crs.equals(STORAGE):
        frame = frame.to_crs(STORAGE)
    groups = None if coverage_by is None else list(frame[coverage_by])
    geoms = simplify(frame.geometry, metric_crs, tolerance_m, groups)
    out = frame.copy()
    out.geometry = round_coordinates(geoms, precision)
    return out


def feature_collection(geoms: gpd.GeoSeries, properties: Sequence[object]) -> str:
    """GeoJSON FeatureCollection text, one feature per geometry with its properties.

    GEOS writes the coordinates (shortest decimal form of the rounded numbers);
    properties go through :func:`json.dumps`. The result is data, to be embedded
    with :func:`atlas.render.map.leaflet.js_literal`.
    """
    texts = shapely.to_geojson(np.asarray(geoms.values, dtype=object))
    parts = [f'{{"type":"Feature","geometry":{g},"properties":'
             f'{json.dumps(p, ensure_ascii=False, separators=(",", ":"))}}}'
             for g, p in zip(texts, properties, strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
