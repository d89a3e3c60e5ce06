"""Where people live: population cells of a raster, or localities with their census counts.

Coverage and loads need population with a position, so the atlas's population is
turned once per call into "units" (a point, a number of people, a territory). A raster
gives one unit per populated cell, assigned to the territory containing the cell
centre by rasterising the finest territories on the raster grid (no point-in-polygon
test for millions of cells). Without a raster, localities are the units; without
either, only the territories' own census counts are left and coverage cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import rasterio
from rasterio.features import rasterize

from ..errors import DiagnosticError
from ..names import LOCALITIES
from .context import Context
from .grouping import Grouping
from .values import Column, explain, numbers


@dataclass(frozen=True)
class PopulationUnits:
    """People located in space.

    ``population[i]`` people at ``xy[i]`` (metric CRS), in the finest territory
    ``territories[inverse[i]]`` (-1: none).
    """

    source: str
    xy: np.ndarray
    population: np.ndarray
    territories: list[str]
    inverse: np.ndarray


def population_source(ctx: Context) -> str:
    """The population source used by this call.

    The chosen one, or for ``auto`` the raster when the atlas has one, else localities
    with population, else territory counts.
    """
    def build() -> str:
        choice = ctx.options.population
        path = ctx.atlas.population_raster_path()
        has_raster = path is not None and path.is_file()
        if choice == "raster" and not has_raster:
            raise DiagnosticError("diagnostics.no_raster", path=str(path or "-"))
        if choice != "auto":
            return choice
        if has_raster:
            return "raster"
        if ctx.has_layer(LOCALITIES) and ctx.frame(LOCALITIES)["population"].notna().any():
            return LOCALITIES
        return "territories"
    return ctx.memo("population_source", build)


def _raster_units(ctx: Context) -> PopulationUnits:
    path = ctx.atlas.population_raster_path()
    finest = ctx.tree.finest_level
    codes = list(ctx.level_index(finest))
    with rasterio.open(path) as src:
        data, nodata = src.read(1), src.nodata
        transform, crs = src.transform, src.crs
    shapes = ctx.tree.at_level(finest).geometry
    if crs is not None:
        shapes = shapes.to_crs(crs)
    ids = rasterize(zip(shapes, range(1, len(codes) + 1), strict=True), out_shape=data.shape,
                    transform=transform, fill=0, dtype="int32")
    populated = (data > 0) & (ids > 0)  # NaN compares False
    if nodata is not None:
        populated &= data != nodata
    rows, cols = np.nonzero(populated)
    if transform.b == 0 and transform.d == 0:  # north-up grid: one coordinate per row/column
        x = (transform.c + (np.arange(data.shape[1]) + 0.5) * transform.a)[cols]
        y = (transform.f + (np.arange(data.shape[0]) + 0.5) * transform.e)[rows]
    else:
        x, y = transform * (cols + 0.5, rows + 0.5)
    return PopulationUnits("raster", ctx.to_metric(x, y, crs or None),
                           data[rows, cols].astype("float64"), codes, ids[rows, cols] - 1)


def _locality_units(ctx: Context) -> PopulationUnits:
    xy = ctx.xy(LOCALITIES)
    population = ctx.numbers(LOCALITIES, "population")
    keep = ~np.isnan(population) & ~np.isnan(xy[:, 0])
    inverse, uniques = pd.factorize(ctx.feature_codes(LOCALITIES)[keep])
    return PopulationUnits(LOCALITIES, xy[keep], population[keep], list(uniques), inverse)


def population_units(ctx: Context) -> PopulationUnits | None:
    """Located population of the call (None when only territory counts exist)."""
    def build() -> PopulationUnits | None:
        source = population_source(ctx)
        if source == "raster":
            return _raster_units(ctx)
        if source == LOCALITIES:
            return _locality_units(ctx)
        return None
    return ctx.memo("population_units", build, step="population units")


def unit_groups(ctx: Context, level: int) -> Grouping:
    """Population units grouped by the territories of a level."""
    def build() -> Grouping:
        units = population_units(ctx)
        assert units is not None
        return ctx.grouping(units.territories, units.inverse, level)
    return ctx.memo(("unit_groups", level), build)


def population_problem(ctx: Context) -> str | None:
    """Why the atlas has no population to work with, else None."""
    source = population_source(ctx)
    if source == LOCALITIES:
        if not ctx.has_layer(LOCALITIES):
            return ctx.reason("layer_missing", layer=LOCALITIES)
        if not ctx.frame(LOCALITIES)["population"].notna().any():
            return ctx.reason("no_population_data")
    if source == "territories" and not ctx.tree.frame["population"].notna().any():
        return ctx.reason("no_population_data")
    return None


def population_total(ctx: Context, level: int) -> Column:
    """Population of each territory of a level, with the reason where it is unknown."""
    def build() -> Column:
        index = ctx.level_index(level)
        source = population_source(ctx)
        if source == "territories":
            values = pd.Series(numbers(ctx.tree.at_level(level)["population"]), index=index)
            return explain(values, default=ctx.reason("no_population_data"))
        groups = unit_groups(ctx, level)
        units = population_units(ctx)
        assert units is not None
        values = groups.sum(units.population)
        if source == LOCALITIES:
            values = values.where(groups.count() > 0)
        return explain(values, default=ctx.reason("no_localities"))
    return ctx.memo(("population_total", level), build)


def located_population_problem(ctx: Context) -> str | None:
    """Why coverage cannot be computed (population without position), else None."""
    if population_source(ctx) == "territories":
        return ctx.reason("no_located_population")
    return None


def population_date(ctx: Context, level: int) -> pd.Series | str | None:
    """Year or date of the population figures of each territory of a level."""
    source = population_source(ctx)
    if source == "raster":
        year = ctx.settings.population_year
        return None if year is None else str(year)
    if source == LOCALITIES:
        return ctx.data_date(LOCALITIES, level)
    years = ctx.tree.at_level(level)["population_year"]
    return pd.Series(years.to_numpy(), index=ctx.level_index(level)).map(
        lambda v: None if pd.isna(v) else str(int(v)))
