"""Where imported features fall in the atlas's territory.

Each feature gets the code of the finest territory containing it (its
representative point), with ``TerritoryTree.locate`` level by level so that a point
in a region whose départements are missing still gets the region. A feature in no
territory is a warning when it lies within a tolerance of the atlas's outer
boundary (coasts and generalised borders) and an error beyond it: such points are
usually wrong coordinates. When swapping latitude and longitude would bring an
out-of-territory point inside, the report says the columns look swapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import STORAGE
from ..territories import TerritoryTree
from .report import ERROR, WARNING, Issue

#: Distance from the atlas boundary within which a feature in no territory is only
#: a warning (meters, measured in the atlas's metric CRS).
DEFAULT_TOLERANCE_M = 5000.0


@dataclass
class Placement:
    """Territory code of each feature (None where none) and what was found."""

    codes: list[str | None]
    issues: list[tuple[int, Issue]] = field(default_factory=list)


def _swap(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


class TerritoryIndex:
    """The coarsest territories projected once, to measure distances to the atlas."""

    def __init__(self, tree: TerritoryTree, metric_crs: CRS, tolerance_m: float) -> None:
        self.tree = tree
        self.tolerance_m = tolerance_m
        self.metric_crs = metric_crs
        outer = tree.at_level(tree.levels[0])
        self.outer = gpd.GeoSeries(outer.geometry.values, crs=outer.crs or STORAGE) \
            .to_crs(metric_crs)
        self.strtree = shapely.STRtree(np.asarray(self.outer.values, dtype=object))

    def locate(self, geometry: gpd.GeoSeries) -> pd.Series:
        """Finest territory containing each geometry, trying coarser levels for the rest."""
        codes = pd.Series([None] * len(geometry), dtype=object)
        geometry = geometry.reset_index(drop=True)
        present = ~(geometry.isna() | geometry.is_empty)
        for level in reversed(self.tree.levels):
            todo = present & codes.isna()
            if not todo.any():
                break
            found = self.tree.locate(geometry[todo], level=level)
            codes[todo] = found.to_numpy()
        return codes

    def distances_m(self, geometry: gpd.GeoSeries) -> np.ndarray:
        """Distance of each geometry to the atlas's outer territories (meters)."""
        projected = np.asarray(geometry.to_crs(self.metric_crs).values, dtype=object)
        found, distances = self.strtree.query_nearest(projected, return_distance=True,
                                                      all_matches=False)
        out = np.full(len(projected), np.inf)
        out[found[0]] = distances
        return out

    def inside(self, geom: shapely.Geometry) -> bool:
        """True when a geometry (EPSG:4326) lies in or near the atlas's territory."""
        series = gpd.GeoSeries([geom], crs=STORAGE)
        if not series.is_valid.all() or not np.isfinite(shapely.get_coordinates(geom)).all():
            return False
        bounds = geom.bounds
        if bounds[0] < -180 or bounds[2] > 180 or bounds[1] < -90 or bounds[3] > 90:
            return False
        return bool(self.distances_m(series)[0] <= self.tolerance_m)


def place(geometry: gpd.GeoSeries, index: TerritoryIndex, rows: Sequence[int],
          out_of_range: dict[int, shapely.Geometry], geographic_source: bool) -> Placement:
    """Territory codes of features (EPSG:4326) and issues for those outside."""
    geometry = geometry.reset_index(drop=True)
    codes = index.locate(geometry)
    issues: list[tuple[int, Issue]] = []
    present = ~(geometry.isna() | geometry.is_empty).to_numpy()
    missing = np.flatnonzero(present & codes.isna().to_numpy())
    if len(missing):
        distances = index.distances_m(geometry.iloc[missing])
        for position, distance in zip(missing, distances, strict=True):
            position = int(position)
            row = rows[position]
            geom = geometry.iloc[position]
            if distance <= index.tolerance_m:
                issues.append((position, Issue(WARNING, "in_no_territory", row=row,
                                               field="geometry", value=_where(geom),
                                               params={"km": f"{distance / 1000:.1f}"})))
            elif geographic_source and geom.geom_type == "Point" and index.inside(_swap(geom)):
                issues.append((position, Issue(ERROR, "coords_swapped", row=row,
                                               field="geometry", value=_where(geom))))
            else:
                issues.append((position, Issue(ERROR, "outside_territory", row=row,
                                               field="geometry", value=_where(geom),
                                               params={"km": f"{distance / 1000:.0f}"})))
    for position, geom in out_of_range.items():
        row = rows[position]
        swapped = geom.geom_type == "Point" and index.inside(_swap(geom))
        issues.append((position, Issue(ERROR, "coords_swapped" if swapped
                                       else "coords_out_of_range", row=row, field="geometry",
                                       value=_where(geom))))
    shared: dict[str, str] = {}  # one string per territory, not one per feature
    return Placement([None if pd.isna(c) else shared.setdefault(str(c), str(c))
                      for c in codes], issues)


def out_of_range_issues(out_of_range: dict[int, shapely.Geometry],
                        rows: Sequence[int]) -> list[tuple[int, Issue]]:
    """Issues for out-of-range coordinates when the atlas has no territory to compare."""
    issues = []
    for position, geom in out_of_range.items():
        swapped = _swap(geom)
        xmin, ymin, xmax, ymax = swapped.bounds
        looks_swapped = geom.geom_type == "Point" and -180 <= xmin <= xmax <= 180 \
            and -90 <= ymin <= ymax <= 90
        issues.append((position, Issue(ERROR, "coords_swapped" if looks_swapped
                                       else "coords_out_of_range", row=rows[position],
                                       field="geometry", value=_where(geom))))
    return issues


def _where(geom: shapely.Geometry) -> str:
    """Coordinates of a point (or of a shape's representative point) as "lat, lon"."""
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return f"lat {point.y:.5f}, lon {point.x:.5f}"
