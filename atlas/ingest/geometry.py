"""Geometries to what a layer stores: valid, of the layer's kind, 2D, in EPSG:4326.

Invalid shapes (self-intersecting rings, bow ties) are repaired with shapely's
``make_valid`` and reported as warnings, keeping only the parts of the layer's
dimension. A polygon given to a point layer becomes its representative point
(a warning); a point given to a polygon layer is an error. Coordinates outside
[-180, 180] × [-90, 90] in a geographic source are reported before reprojection, and
NaN or infinite coordinates before anything else (GEOS cannot work on them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ..catalog import LayerSpec
from ..crs import STORAGE
from .report import ERROR, WARNING, Issue

_DIMENSION = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1,
              "Polygon": 2, "MultiPolygon": 2}


@dataclass
class PreparedGeometry:
    """Geometries in EPSG:4326 (None where absent or refused) and what happened."""

    geometry: gpd.GeoSeries
    issues: list[tuple[int, Issue]] = field(default_factory=list)
    #: Positions whose coordinates were out of range, with the geometry as read
    #: (checked later for a latitude/longitude swap).
    out_of_range: dict[int, shapely.Geometry] = field(default_factory=dict)


def _parts_of_dimension(geom: shapely.Geometry, dimension: int) -> shapely.Geometry | None:
    """Keep the parts of a (repaired) geometry that have the layer's dimension."""
    parts = [g for g in shapely.get_parts(geom) if _DIMENSION.get(g.geom_type) == dimension]
    parts = [p for g in parts for p in shapely.get_parts(g)]
    if not parts:
        return None
    if dimension == 2:
        return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]
    if dimension == 1:
        return shapely.MultiLineString(parts) if len(parts) > 1 else parts[0]
    return shapely.MultiPoint(parts) if len(parts) > 1 else parts[0]


#: shapely type ids a layer of each geometry kind keeps as they are, when valid.
_KEPT_TYPE_IDS = {"Point": (0,), "MultiPoint": (0, 4), "LineString": (1, 5),
                  "MultiLineString": (1, 5), "Polygon": (3, 6), "MultiPolygon": (3, 6)}


def _not_finite(values: np.ndarray) -> np.ndarray:
    """Per geometry: True when one of its coordinates is NaN or infinite."""
    coords, index = shapely.get_coordinates(values, return_index=True)
    bad = np.zeros(len(values), dtype=bool)
    bad[np.unique(index[~np.isfinite(coords).all(axis=1)])] = True
    return bad


def _untouched(values: np.ndarray, spec: LayerSpec, geographic: bool,
               missing: np.ndarray, not_finite: np.ndarray) -> np.ndarray:
    """Geometries that pass as they are: valid, finite, in range, of the layer's kind.

    Decided for all rows at once; only the others go through :func:`_prepare_one`.
    """
    usable = ~missing & ~not_finite
    keep = usable.copy()
    if geographic and usable.any():
        xmin, ymin, xmax, ymax = shapely.bounds(values).T
        with np.errstate(invalid="ignore"):
            keep &= (xmin >= -180) & (xmax <= 180) & (ymin >= -90) & (ymax <= 90)
    keep &= np.isin(shapely.get_type_id(values), _KEPT_TYPE_IDS[spec.geometry])
    keep[keep] = shapely.is_valid(values[keep])
    return keep


def prepare(geometry: gpd.GeoSeries, crs: CRS, spec: LayerSpec,
            rows: Sequence[int]) -> PreparedGeometry:
    """Repair, adapt and reproject (see the module docstring); ``rows`` are report rows.

    Rows are classified at once (missing, not finite, already right); only the rows
    that need a repair or a conversion are looked at one by one.
    """
    values = np.asarray(geometry.values, dtype=object).copy()
    with_z = shapely.has_z(values)
    if with_z.any():
        values[with_z] = shapely.force_2d(values[with_z])
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    not_finite = _not_finite(values)
    untouched = _untouched(values, spec, crs.is_geographic, missing, not_finite)
    issues: list[tuple[int, Issue]] = []
    out_of_range: dict[int, shapely.Geometry] = {}
    for position in np.flatnonzero(~untouched):
        position = int(position)
        row = rows[position]
        if missing[position]:
            values[position] = None
            if spec.geometry_required:
                issues.append((position, Issue(ERROR, "geometry_missing", row=row,
                                               field="geometry")))
        elif not_finite[position]:
            # NaN or infinite coordinates (GeoJSON allows writing them, WKT reads them):
            # GEOS cannot validate, repair or place such a shape.
            issues.append((position, Issue(ERROR, "not_finite", row=row, field="geometry")))
            values[position] = None
        else:
            values[position] = _prepare_one(values[position], position, row, spec,
                                            crs.is_geographic, issues, out_of_range)
    series = gpd.GeoSeries(values, crs=crs)
    if not crs.equals(STORAGE):
        series = _reproject(series, rows, issues)
    return PreparedGeometry(series, issues, out_of_range)


def _reproject(series: gpd.GeoSeries, rows: Sequence[int],
               issues: list[tuple[int, Issue]]) -> gpd.GeoSeries:
    """To EPSG:4326; a shape whose coordinates do not survive is refused."""
    transformed = np.asarray(series.to_crs(STORAGE).values, dtype=object).copy()
    present = ~shapely.is_missing(transformed)
    for position in np.flatnonzero(present & _not_finite(transformed)):
        issues.append((int(position), Issue(ERROR, "transform_failed",
                                            row=rows[int(position)], field="geometry")))
        transformed[position] = None
    return gpd.GeoSeries(transformed, crs=STORAGE)


def _prepare_one(geom: shapely.Geometry, position: int, row: int, spec: LayerSpec,
                 geographic: bool, issues: list[tuple[int, Issue]],
                 out_of_range: dict[int, shapely.Geometry]) -> shapely.Geometry | None:
    """One geometry that is not right as it is: out of range, invalid or of another kind."""
    dimension = _DIMENSION[spec.geometry]
    if geographic:
        xmin, ymin, xmax, ymax = geom.bounds
        if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
            out_of_range[position] = geom
            return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        repaired = _parts_of_dimension(shapely.make_valid(geom), _DIMENSION.get(
            geom.geom_type, dimension))
        if repaired is None or repaired.is_empty:
            issues.append((position, Issue(ERROR, "geometry_unrepairable", row=row,
                                           field="geometry", params={"reason": reason})))
            return None
        issues.append((position, Issue(WARNING, "geometry_repaired", row=row,
                                       field="geometry", params={"reason": reason})))
        geom = repaired
    kind = _DIMENSION.get(geom.geom_type)
    if kind is None:  # a GeometryCollection: keep the layer's dimension
        geom = _parts_of_dimension(geom, dimension) or geom
        kind = _DIMENSION.get(geom.geom_type)
    converted = Issue(WARNING, "geometry_converted", row=row, field="geometry",
                      params={"found": geom.geom_type, "expected": spec.geometry})
    if dimension == 0 and kind != 0:
        issues.append((position, converted))
        return geom.representative_point()
    if dimension == 0 and geom.geom_type == "MultiPoint" and spec.geometry == "Point":
        parts = shapely.get_parts(geom)
        if len(parts) > 1:
            issues.append((position, converted))
        return parts[0] if len(parts) == 1 else geom.centroid
    if kind != dimension:
        issues.append((position, Issue(ERROR, "geometry_type", row=row, field="geometry",
                                       params={"found": geom.geom_type,
                                               "expected": spec.geometry})))
        return None
    return geom
