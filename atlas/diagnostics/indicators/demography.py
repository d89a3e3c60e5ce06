"""Population and density.

They come from the atlas's population source (raster, localities or territory counts;
see :mod:`atlas.diagnostics.population`).
"""

from __future__ import annotations

from ...names import TERRITORIES
from ..context import Context
from ..population import population_total
from ..registry import POPULATION, indicator
from ..values import Values, divide


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
