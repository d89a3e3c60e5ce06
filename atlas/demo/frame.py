"""The metric frame: geometry is drawn in metres (UTM) and stored in longitude/latitude.

Distances and buffers only make sense in metres, while the store and every check work
in the storage CRS; this module is the one place that converts between the two, with
the rounding that keeps converted coordinates identical on every machine.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ..crs import storage_crs, utm_for
from .model import BBOX, GRID


class MetricFrame:
    """Transforms between the storage CRS and the UTM zone at the centre of the country."""

    def __init__(self) -> None:
        lon0, lat0 = (BBOX[0] + BBOX[2]) / 2, (BBOX[1] + BBOX[3]) / 2
        self.crs = utm_for(lon0, lat0)
        self.to_metric = Transformer.from_crs(storage_crs(), self.crs, always_xy=True)
        self.to_lonlat = Transformer.from_crs(self.crs, storage_crs(), always_xy=True)

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metric coordinates to longitude/latitude rounded to 7 decimals (about 1 cm)."""
        lon, lat = self.to_lonlat.transform(np.asarray(x, float), np.asarray(y, float))
        return np.round(lon, 7), np.round(lat, 7)

    def metric_geom(self, geometry: BaseGeometry) -> BaseGeometry:
        """A longitude/latitude geometry in metres."""
        return shapely.transform(geometry, self.to_metric.transform, interleaved=False)

    def lonlat_geom(self, geometry: BaseGeometry) -> BaseGeometry:
        """A metric geometry in longitude/latitude, snapped to the shared vertex grid."""
        moved = shapely.transform(geometry, self.to_lonlat.transform, interleaved=False)
        return shapely.set_precision(moved, GRID)


def multi(geometry: BaseGeometry | None) -> MultiPolygon:
    """Valid MultiPolygon made of the polygonal parts of a geometry."""
    if geometry is None or geometry.is_empty:
        return MultiPolygon()
    geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon) and not p.is_empty]
    nested = [q for p in shapely.get_parts(geometry) if isinstance(p, MultiPolygon)
              for q in p.geoms]
    return MultiPolygon(parts + nested)


def xy(point: BaseGeometry) -> tuple[float, float]:
    """Coordinates of a point as plain floats."""
    return float(point.x), float(point.y)
