"""Mangroves and waste.

Mangrove extent per year, change between two years, reforested plots; illegal dumps
and collection points per inhabitant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...names import MANGROVES, WASTE_SITES
from ..context import Context
from ..mangroves import EXTENT, REFORESTED, change_years, mangrove_areas
from ..population import population_total
from ..registry import POPULATION, Breakdown, indicator
from ..values import Values, divide, explain

#: Site states that no longer count as a dump or a service (closed, cleaned up).
INACTIVE = ("closed", "cleaned")


@indicator("mangrove_area", labels={"fr": "Surface de mangrove", "en": "Mangrove area"},
           theme="environment", unit="ha", layers=(MANGROVES,), direction="higher")
def mangrove_area(ctx: Context, level: int) -> Values:
    """Mapped extent per year (one breakdown per year in the data), cut by territory."""
    areas = mangrove_areas(ctx, level, EXTENT)
    return Values.of({str(year): areas[year] for year in areas.columns},
                     labels={str(year): str(year) for year in areas.columns})


@indicator("mangrove_change",
           labels={"fr": "Variation de la mangrove {start}–{end}",
                   "en": "Mangrove change {start}–{end}"},
           theme="environment", unit="ha", layers=(MANGROVES,), direction="higher",
           breakdowns=(Breakdown("ha", {"fr": "hectares", "en": "hectares"}),
                       Breakdown("pct", {"fr": "%", "en": "%"}, unit="%")))
def mangrove_change(ctx: Context, level: int) -> Values:
    """Gain (or loss, negative) of extent between a reference and a later year."""
    index = ctx.level_index(level)
    years = change_years(ctx)
    if years is None:
        return Values.unavailable(index, ["ha", "pct"], ctx.reason("one_extent_year"))
    start, end = years
    areas = mangrove_areas(ctx, level, EXTENT)
    missing = [year for year in years if year not in areas.columns]
    if missing:
        return Values.unavailable(index, ["ha", "pct"],
                                  ctx.reason("no_extent_year", year=missing[0]))
    gain = areas[end] - areas[start]
    return Values.of({"ha": explain(gain), "pct": divide(
        gain, areas[start], scale=100, default=ctx.reason("no_mangrove_in", year=start))})


@indicator("mangrove_reforested", labels={"fr": "Surface de mangrove reboisée",
                                          "en": "Reforested mangrove area"},
           theme="environment", unit="ha", layers=(MANGROVES,), direction="higher")
def mangrove_reforested(ctx: Context, level: int) -> pd.Series:
    """Area of the reforested plots of all years (overlaps within a year merged)."""
    return mangrove_areas(ctx, level, REFORESTED).sum(axis=1)


def _active(ctx: Context, site_types: tuple[str, ...]) -> np.ndarray:
    frame = ctx.frame(WASTE_SITES)
    return (frame["site_type"].isin(site_types) & ~frame["status"].isin(INACTIVE)).to_numpy()


@indicator("waste_dumps", labels={"fr": "Dépôts sauvages actifs", "en": "Active illegal dumps"},
           theme="environment", unit="nb", layers=(WASTE_SITES,), direction="lower")
def waste_dumps(ctx: Context, level: int) -> pd.Series:
    """Illegal dumps not closed or cleaned up."""
    return ctx.groups(WASTE_SITES, level).count(_active(ctx, ("illegal_dump",)))


@indicator("waste_collection_per_1000",
           labels={"fr": "Points de collecte pour 1\u00a0000 hab.",
                   "en": "Collection points per 1,000 people"},
           theme="environment", unit="/1000 hab", layers=(WASTE_SITES, POPULATION),
           direction="higher")
def waste_collection_per_1000(ctx: Context, level: int) -> Values:
    """Active collection and transfer points per 1,000 inhabitants."""
    population, why = population_total(ctx, level)
    points = ctx.groups(WASTE_SITES, level).count(
        _active(ctx, ("collection_point", "transfer_point")))
    return Values.of({"": divide(points, population, scale=1000, why=[
        (why.notna(), why), (population == 0, ctx.reason("no_population"))])})
