"""Geometries to what a layer stores: valid, of the layer's kind, 2D, in EPSG:4326.

Invalid shapes (self-intersecting rings, bow ties) are repaired with shapely's
``make_valid`` and reported as warnings, keeping only the parts of the layer's
dimension. A polygon given to a point layer becomes its representative point
(a warning); a point given to a polygon layer is an error. Coordinates outside
[-180, 180] × [-90, 90] in a geographic source are reported before reprojection, and
NaN or infinite coordinates before anything else (GEOS cannot work on them).
"""

from __future__ import annotations

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


def prepare(geometry: gpd.GeoSeries, crs: CRS, spec: LayerSpec,
            rows: list[int]) -> PreparedGeometry:
    """Repair, adapt and reproject (see the module docstring); ``rows`` are report rows."""
    dimension = _DIMENSION[spec.geometry]
    values = np.asarray(shapely.force_2d(np.asarray(geometry.values, dtype=object)),
                        dtype=object)
    issues: list[tuple[int, Issue]] = []
    out_of_range: dict[int, shapely.Geometry] = {}
    geographic = crs.is_geographic
    for position, geom in enumerate(values):
        row = rows[position]
        if geom is None or geom.is_empty:
            values[position] = None
            if spec.geometry_required:
                issues.append((position, Issue(ERROR, "geometry_missing", row=row,
                                               field="geometry")))
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            # NaN or infinite coordinates (GeoJSON allows writing them, WKT reads them):
            # GEOS cannot validate, repair or place such a shape.
            issues.append((position, Issue(ERROR, "not_finite", row=row, field="geometry")))
            values[position] = None
            continue
        if geographic:
            xmin, ymin, xmax, ymax = geom.bounds
            if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
                out_of_range[position] = geom
                values[position] = None
                continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            repaired = _parts_of_dimension(shapely.make_valid(geom), _DIMENSION.get(
                geom.geom_type, dimension))
            if repaired is None or repaired.is_empty:
                issues.append((position, Issue(ERROR, "geometry_unrepairable", row=row,
                                               field="geometry", params={"reason": reason})))
                values[position] = None
                continue
            issues.append((position, Issue(WARNING, "geometry_repaired", row=row,
                                           field="geometry", params={"reason": reason})))
            geom = repaired
        kind = _DIMENSION.get(geom.geom_type)
        if kind is None:  # a GeometryCollection: keep the layer's dimension
            geom = _parts_of_dimension(geom, dimension) or geom
            kind = _DIMENSION.get(geom.geom_type)
        if dimension == 0 and kind != 0:
            issues.append((position, Issue(WARNING, "geometry_converted", row=row,
                                           field="geometry",
                                           params={"found": geom.geom_type,
                                                   "expected": spec.geometry})))
            geom = geom.representative_point()
        elif dimension == 0 and geom.geom_type == "MultiPoint" and spec.geometry == "Point":
            parts = shapely.get_parts(geom)
            if len(parts) > 1:
                issues.append((position, Issue(WARNING, "geometry_converted", row=row,
                                               field="geometry",
                                               params={"found": geom.geom_type,
                                                       "expected": spec.geometry})))
            geom = parts[0] if len(parts) == 1 else geom.centroid
        elif kind != dimension:
            issues.append((position, Issue(ERROR, "geometry_type", row=row, field="geometry",
                                           params={"found": geom.geom_type,
                                                   "expected": spec.geometry})))
            values[position] = None
            continue
        values[position] = geom
    series = gpd.GeoSeries(values, crs=crs)
    if not crs.equals(STORAGE):
        series = series.to_crs(STORAGE)
        transformed = np.asarray(series.values, dtype=object)
        present = ~shapely.is_missing(transformed)
        finite = np.array([g is None or bool(np.isfinite(shapely.get_coordinates(g)).all())
                           for g in transformed])
        for position in np.flatnonzero(present & ~finite):
            issues.append((int(position), Issue(ERROR, "transform_failed",
                                                row=rows[int(position)], field="geometry")))
            transformed[position] = None
        series = gpd.GeoSeries(transformed, crs=STORAGE)
    return PreparedGeometry(series, issues, out_of_range)
