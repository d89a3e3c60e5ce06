"""What if these water points were built? Coverage before and after, per territory.

Proposed points are assumed functional and improved. Nothing is written: the gain is
the population (cells or localities) not covered today whose distance to a proposed
point is within the distance, so someone already covered is never counted again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import storage_crs
from ..errors import DiagnosticError
from ..names import WATER_POINTS
from .access import SPHERE_CLASSES, nearest_for_units, nearest_to
from .context import Context
from .engine import select_territories
from .population import located_population_problem, population_units, unit_groups

if TYPE_CHECKING:
    from ..atlas import Atlas

Proposal = tuple[float, float] | tuple[float, float, str | None]


def _sphere_classes(ctx: Context) -> dict[str, str]:
    """Sphere class of each accepted type: a technology code or a class itself."""
    classes = {c: c for c in SPHERE_CLASSES}
    if ctx.has_layer(WATER_POINTS):
        for value in ctx.spec(WATER_POINTS).field("technology").values:
            classes[value.code] = str(value.attrs.get("sphere_class", ""))
    return classes


def _proposals(ctx: Context, proposals: gpd.GeoDataFrame | Sequence[Proposal]
               ) -> gpd.GeoDataFrame:
    """Proposed points as a GeoDataFrame in the storage CRS with a ``type`` column."""
    if isinstance(proposals, gpd.GeoDataFrame):
        frame = proposals.to_crs(storage_crs()) if proposals.crs is not None \
            else proposals.set_crs(storage_crs())
        types = frame["type"] if "type" in frame.columns else pd.Series(None, index=frame.index)
        frame = gpd.GeoDataFrame({"type": types.to_numpy(dtype=object)},
                                 geometry=frame.geometry.to_numpy(), crs=frame.crs)
    else:
        rows = [tuple(p) + (None,) * (3 - len(p)) for p in proposals]
        frame = gpd.GeoDataFrame(
            {"type": [r[2] for r in rows]},
            geometry=shapely.points([(float(r[0]), float(r[1])) for r in rows]) if rows else [],
            crs=storage_crs())
    known = _sphere_classes(ctx)
    for kind in frame["type"].dropna().unique():
        if kind not in known:
            raise DiagnosticError("diagnostics.bad_proposal_type", type=kind,
                                  choices=", ".join(known))
    return frame


def what_if(
    atlas: Atlas,
    proposals: gpd.GeoDataFrame | Sequence[Proposal],
    level: int | str,
    distance: float | None = None,
    *,
    population: str = "auto",
    territories: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Population covered before and after adding ``proposals``, per territory.

    ``proposals`` is a GeoDataFrame of points with an optional ``type`` column, or
    (lon, lat[, type]) tuples. Rows are the territories of ``level``, with the gain,
    the shares, and the Sphere capacity (maximum users) of the proposed points
    located in each territory.
    """
    ctx = Context(atlas, distance=distance, population=population)
    number = ctx.tree.resolve_level(level)
    problem = located_population_problem(ctx)
    if problem is not None:
        raise DiagnosticError("diagnostics.no_coverage", reason=problem)
    points = _proposals(ctx, proposals)
    units = population_units(ctx)
    assert units is not None
    limit = ctx.options.distance
    before = nearest_for_units(ctx).distance <= limit
    located = points.geometry.notna() & ~points.geometry.is_empty
    xy = ctx.to_metric(shapely.get_x(points.geometry[located].values),
                       shapely.get_y(points.geometry[located].values))
    after = before | (nearest_to(xy, units.xy)[0] <= limit)
    groups = unit_groups(ctx, number)
    people = units.population
    table = pd.DataFrame({
        "population": groups.sum(people),
        "covered_before": groups.sum(np.where(before, people, 0.0)),
        "covered_after": groups.sum(np.where(after, people, 0.0)),
    })
    table["gain"] = table["covered_after"] - table["covered_before"]
    total = table["population"].where(table["population"] > 0)
    table["share_before"] = table["covered_before"] / total * 100
    table["share_after"] = table["covered_after"] / total * 100
    where = ctx.tree.locate(points.geometry, number)
    maxima = {c: s.value for c in SPHERE_CLASSES
              if (s := ctx.standard(f"wp_users_max.{c}")) is not None}
    capacity = points["type"].map(_sphere_classes(ctx)).map(maxima).astype("float64")
    table["proposals"] = where.value_counts().reindex(table.index, fill_value=0).astype(int)
    table["capacity"] = capacity.groupby(where.to_numpy()).sum(min_count=1).reindex(table.index)
    table.index.name = "territory_code"
    table = table.reset_index()
    table.insert(1, "territory_name", table["territory_code"].map(ctx.tree.frame["name"]))
    table.insert(2, "level", number)
    if territories is not None:
        keep = select_territories(ctx, [number], territories)
        table = table[table["territory_code"].isin(keep)].reset_index(drop=True)
    return table
