"""The territory tree and the population grid, both derived from communes and localities.

Parents are unions and sums of their children, and the grid spreads each locality's
census count, so every figure of the demo adds up whichever level or source is read.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from rasterio.features import geometry_mask
from rasterio.transform import Affine
from shapely.geometry.base import BaseGeometry

from ..names import TERRITORIES
from .frame import multi
from .geography import DEPARTMENTS
from .localities import Localities
from .model import COUNTRY_CODE, GRID, LEVEL_NAMES, POPULATION_YEAR, RASTER_RESOLUTION
from .state import DemoState, add_row

#: (code, name, level, parent code, population, geometry) of one territory.
Entry = tuple[str, str, int, str | None, int, BaseGeometry]


def territory_rows(state: DemoState) -> dict[str, Any]:
    """All admin units of all levels; parents are unions and sums of their children."""
    communes = state.communes
    loc = state.loc
    n = len(communes.codes)
    dept_pop = np.bincount(communes.dept, weights=loc.commune_population,
                           minlength=DEPARTMENTS).astype(int)
    region_pop = np.bincount(communes.dept_region, weights=dept_pop, minlength=2).astype(int)
    dept_geoms = [multi(shapely.union_all(
        [communes.geoms[i] for i in range(n) if communes.dept[i] == d],
        grid_size=GRID)) for d in range(DEPARTMENTS)]
    region_geoms = [multi(shapely.union_all(
        [dept_geoms[d] for d in range(DEPARTMENTS) if communes.dept_region[d] == r],
        grid_size=GRID)) for r in range(2)]
    country = multi(shapely.union_all(region_geoms, grid_size=GRID))
    capital_names, region_names = _capital_names(state)
    entries: list[Entry] = [
        (COUNTRY_CODE, "Sorane", 0, None, int(region_pop.sum()), country)]
    entries += [(communes.region_codes[r], region_names[r], 1, COUNTRY_CODE,
                 int(region_pop[r]), region_geoms[r]) for r in range(2)]
    entries += [(communes.dept_codes[d], capital_names[d], 2,
                 communes.region_codes[communes.dept_region[d]], int(dept_pop[d]),
                 dept_geoms[d]) for d in range(DEPARTMENTS)]
    entries += [(communes.codes[c], loc.commune_names[c], 3,
                 communes.dept_codes[communes.dept[c]], int(loc.commune_population[c]),
                 communes.geoms[c]) for c in range(n)]
    version = boundary_version(state.seed)
    rows = state.empty_rows(TERRITORIES)
    for code, name, level, parent, population, _geometry in entries:
        add_row(rows, {"code": code, "name": name, "level": level,
                       "level_name": LEVEL_NAMES[level], "parent_code": parent,
                       "country": COUNTRY_CODE, "population": population,
                       "population_year": POPULATION_YEAR, "boundary_version": version})
    rows["geometry"] = [e[5] for e in entries]
    return rows


def boundary_version(seed: int) -> str:
    """The boundary version the demo's territories carry: fictional, tied to the seed."""
    return f"Démo {COUNTRY_CODE} {seed} (limites fictives)"


def _capital_names(state: DemoState) -> tuple[list[str], list[str]]:
    """Départements take their capital's name; regions that of their largest capital."""
    communes = state.communes
    loc = state.loc
    capital_names = [loc.name[int(np.flatnonzero(
        loc.chef & (loc.commune == c))[0])] for c in loc.dept_capitals]
    region_names = []
    for r in range(2):
        members = [d for d in range(DEPARTMENTS) if communes.dept_region[d] == r]
        region_names.append(capital_names[max(
            members, key=lambda d: loc.capital_population[d])])
    return capital_names, region_names


def population_grid(state: DemoState) -> tuple[np.ndarray, Affine]:
    """People per cell: each locality spread as a Gaussian, summing to its census count."""
    res = RASTER_RESOLUTION
    country = shapely.union_all(state.communes.geoms, grid_size=GRID)
    minx, miny, maxx, maxy = country.bounds
    west = math.floor(minx / res) * res
    north = math.ceil(maxy / res) * res
    width = int(math.ceil((maxx - west) / res))
    height = int(math.ceil((north - miny) / res))
    transform = Affine(res, 0.0, round(west, 6), 0.0, -res, round(north, 6))
    inside = geometry_mask([country], out_shape=(height, width), transform=transform,
                           invert=True)
    return _spread(state.loc, inside, transform).astype(np.float32), transform


def _spread(loc: Localities, inside: np.ndarray, transform: Affine) -> np.ndarray:
    """Add each locality's people as a Gaussian kept inside the country (mask ``inside``)."""
    res = transform.a
    height, width = inside.shape
    grid = np.zeros((height, width), dtype=np.float64)
    for lon, lat, people in zip(loc.lon, loc.lat, loc.population, strict=True):
        sigma = 120.0 + 4.0 * math.sqrt(people)
        sx = sigma / (111_320.0 * math.cos(math.radians(lat)) * res)
        sy = sigma / (110_574.0 * res)
        col = (lon - transform.c) / res
        row = (transform.f - lat) / res
        c0, c1 = max(0, int(col - 3 * sx) - 1), min(width, int(col + 3 * sx) + 2)
        r0, r1 = max(0, int(row - 3 * sy) - 1), min(height, int(row + 3 * sy) + 2)
        cc = np.arange(c0, c1) + 0.5
        rr = np.arange(r0, r1) + 0.5
        kernel = np.exp(-0.5 * (((rr[:, None] - row) / sy) ** 2
                                + ((cc[None, :] - col) / sx) ** 2))
        kernel *= inside[r0:r1, c0:c1]
        if kernel.sum() <= 0:
            grid[min(int(row), height - 1), min(int(col), width - 1)] += people
            continue
        grid[r0:r1, c0:c1] += people * kernel / kernel.sum()
    return grid
