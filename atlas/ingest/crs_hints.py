"""Coordinates in metres read as degrees: say once which ``--crs`` places them.

A GeoJSON in UTM metres without a ``crs`` member is read as WGS 84 (RFC 7946), so
every feature has "impossible coordinates". When those coordinates, taken in the
atlas's metric CRS or in a UTM zone over the atlas, fall on the atlas's territory,
the report says so once, with the ``--crs`` to give, instead of once per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ..crs import STORAGE, utm_for
from .report import ERROR, Issue

#: Share of the out-of-range features that must fall on the atlas for the hint.
MIN_SHARE = 0.8
#: Features looked at (a representative sample is enough to recognise metres).
SAMPLE = 200


def _candidates(metric: CRS, bounds: tuple[float, float, float, float]) -> list[CRS]:
    """The atlas's metric CRS, then the WGS 84 UTM zones over its extent."""
    found = [metric]
    west, south, east, north = bounds
    middle = (south + north) / 2
    for lon in (west, (west + east) / 2, east):
        crs = utm_for(lon, middle)
        if not any(crs.equals(c) for c in found):
            found.append(crs)
    return found


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def degrees_hint(ctx: Any, out_of_range: dict[int, shapely.Geometry],
                 crs: CRS | None) -> Issue | None:
    """One file-level error with the ``--crs`` that places the rows, else None."""
    if not out_of_range or crs is None or not crs.is_geographic or ctx.tree is None:
        return None
    outline = shapely.union_all(np.asarray(ctx.tree.at_level(ctx.tree.levels[0])
                                           .geometry.values, dtype=object))
    if outline is None or outline.is_empty:
        return None
    geoms = list(out_of_range.values())[:SAMPLE]
    points = [g if g.geom_type == "Point" else g.representative_point() for g in geoms]
    xs = np.array([p.x for p in points])
    ys = np.array([p.y for p in points])
    area = outline.buffer(max(ctx.tolerance_m, 0) / 111_000)
    for candidate in _candidates(ctx.atlas.metric_crs, outline.bounds):
        to_degrees = Transformer.from_crs(candidate, STORAGE, always_xy=True)
        lon, lat = to_degrees.transform(xs, ys)
        inside = shapely.contains_xy(area, lon, lat)
        if inside.mean() >= MIN_SHARE:
            code = candidate.to_string()
            return Issue(ERROR, "coords_projected", field="geometry", value=code,
                         params={"x": _fmt(xs[0]), "y": _fmt(ys[0]), "crs": code,
                                 "count": len(out_of_range)})
    return None
