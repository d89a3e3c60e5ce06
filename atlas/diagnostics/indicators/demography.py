"""Population and density; the localities and their own populations.

They come from the atlas's population source (raster, localities or territory counts;
see :mod:`atlas.diagnostics.population`).
"""

from __future__ import annotations

import numpy as np

from ...names import LOCALITIES, TERRITORIES
from ..context import Context
from ..population import population_total
from ..registry import POPULATION, indicator
from ..values import Values, divide, explain


@indicator("pop_total", labels={"fr": "Population", "en": "Population"},
           theme="demography", unit="hab", layers=(POPULATION,))
def pop_total(ctx: Context, level: int) -> Values:
    """Sum of the population units (cells or localities) of each territory."""
    return Values.of({"": population_total(ctx, level)})


@indicator("pop_density", labels={"fr": "Densité de population", "en": "Population density"},
           theme="demography", unit="hab/km²", layers=(POPULATION, TERRITORIES))
def pop_density(ctx: Context, level: int) -> Values:
    """Population per km² of territory, the area measured in the metric CRS."""
    population, why = population_total(ctx, level)
    return Values.of({"": divide(population, ctx.area_km2(level),
                                 why=[(why.notna(), why)])})


@indicator("loc_count", labels={"fr": "Localités", "en": "Localities"},
           theme="demography", unit="nb", layers=(LOCALITIES,))
def loc_count(ctx: Context, level: int) -> Values:
    """Localities (villages, quarters, hamlets) of each territory: the first count."""
    return Values.of({"": ctx.groups(LOCALITIES, level).count().astype("float64")})


@indicator("loc_population", labels={"fr": "Population des localités",
                                     "en": "Population of the localities"},
           theme="demography", unit="hab", layers=(LOCALITIES,))
def loc_population(ctx: Context, level: int) -> Values:
    """Sum of the localities' own populations, whatever the atlas's population source.

    Localities whose population is not recorded add nothing; a territory where none is
    recorded is "n/a" with its reason, not 0 people.
    """
    people = ctx.numbers(LOCALITIES, "population")
    groups = ctx.groups(LOCALITIES, level)
    known = groups.count(~np.isnan(people))
    total = groups.sum(np.nan_to_num(people)).where(known > 0)
    return Values.of({"": explain(total, [
        (groups.count() == 0, ctx.reason("no_locality")),
        (known == 0, ctx.reason("no_locality_population"))])})
