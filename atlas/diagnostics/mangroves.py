"""Mangrove areas per territory: extents per year and reforested plots, in hectares.

Areas cannot be attached to one territory by code (a mangrove stretch straddles
communes), so polygons are cut by the finest territories' boundaries in the metric
CRS, once per call; coarser levels add up the pieces. Polygons of the same kind and
year are merged first, so two overlapping extents (tiles, duplicate imports) are not
counted twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..names import MANGROVES
from .context import Context

EXTENT, REFORESTED = "extent", "reforested"


def territory_shapes(ctx: Context, level: int) -> np.ndarray:
    """Boundaries of a level's territories in the metric CRS."""
    return ctx.memo(("metric_shapes", level), lambda: np.asarray(
        ctx.tree.at_level(level).geometry.to_crs(ctx.metric).values, dtype=object))


def mangrove_pieces(ctx: Context) -> pd.DataFrame:
    """Hectares of each (kind, year) in each finest territory."""
    def build() -> pd.DataFrame:
        frame = ctx.frame(MANGROVES)
        finest = ctx.tree.finest_level
        shapes = territory_shapes(ctx, finest)
        codes = ctx.level_index(finest)
        tree = shapely.STRtree(shapes)
        metric = frame.geometry.to_crs(ctx.metric)
        rows = []
        for (kind, year), group in metric.groupby([frame["kind"], frame["year"]]):
            merged = shapely.union_all(shapely.make_valid(np.asarray(group.values, object)))
            parts = shapely.get_parts(merged)
            parts = parts[shapely.get_type_id(parts) >= 3]  # polygons only
            part, where = tree.query(parts, predicate="intersects")
            hectares = shapely.area(shapely.intersection(parts[part], shapes[where])) / 1e4
            total = np.bincount(where, weights=hectares, minlength=len(codes))
            for position in np.flatnonzero(total):
                rows.append({"territory": codes[position], "kind": kind, "year": int(year),
                             "area_ha": float(total[position])})
        return pd.DataFrame(rows, columns=["territory", "kind", "year", "area_ha"])
    return ctx.memo("mangrove_pieces", build, step="mangrove areas")


def mangrove_areas(ctx: Context, level: int, kind: str = EXTENT) -> pd.DataFrame:
    """Hectares per territory of a level (rows) and year (columns); 0 where none."""
    pieces = mangrove_pieces(ctx)
    pieces = pieces[pieces["kind"] == kind]
    index = ctx.level_index(level)
    years = sorted(int(y) for y in ctx.frame(MANGROVES).loc[
        ctx.frame(MANGROVES)["kind"] == kind, "year"].dropna().unique())
    if pieces.empty:
        return pd.DataFrame(0.0, index=index, columns=years)
    inverse, uniques = pd.factorize(pieces["territory"])
    groups = ctx.grouping(list(uniques), inverse, level)
    return pd.DataFrame({year: groups.sum(np.where(pieces["year"] == year,
                                                   pieces["area_ha"], 0.0))
                         for year in years}, index=index)


def change_years(ctx: Context) -> tuple[int, int] | None:
    """Reference and compared years: the call's choice, else the first and last extents."""
    if ctx.options.mangrove_years is not None:
        return ctx.options.mangrove_years
    frame = ctx.frame(MANGROVES)
    years = sorted(int(y) for y in frame.loc[frame["kind"] == EXTENT, "year"].dropna().unique())
    return (years[0], years[-1]) if len(years) >= 2 else None
