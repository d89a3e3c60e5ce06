"""Localities: commune seats on the commune seeds, then villages denser near the river.

Their populations add up to the census counts of communes and départements, and the
layers that follow (schools, water points, programmes) are anchored on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ..names import TERRITORY_FIELD
from .frame import MetricFrame
from .geography import DEPARTMENTS, Communes, Outline
from .model import POPULATION_YEAR
from .names import NameMaker


@dataclass(frozen=True)
class Localities:
    """Every locality (sorted by commune code, seat first), and what they add up to."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    commune: np.ndarray
    population: np.ndarray
    kind: np.ndarray
    name: list[str]
    id: list[str]
    river: np.ndarray
    chef: np.ndarray
    commune_names: list[str]
    dept_capitals: list[int]
    capital_population: list[int]
    commune_population: np.ndarray


def draw_localities(rng: np.random.Generator, frame: MetricFrame, names: NameMaker,
                    outline: Outline, communes: Communes) -> Localities:
    """Commune seats on the seeds, then villages denser near the river."""
    n_communes = len(communes.seed_x)
    xs, ys = _sites(rng, outline, communes, int(rng.integers(700, 921)))
    lon, lat = frame.lonlat(xs, ys)
    commune = communes.assign(lon, lat)
    if (commune[:n_communes] != np.arange(n_communes)).any():
        raise RuntimeError("a commune seat fell outside its commune")
    keep = commune >= 0
    xs, ys, lon, lat, commune = xs[keep], ys[keep], lon[keep], lat[keep], commune[keep]
    chef = np.arange(len(xs)) < n_communes
    river = shapely.distance(shapely.points(xs, ys), outline.river)
    population, capitals = _populations(rng, communes, river, chef)

    kind = np.where(population >= 5_000, "town",
                    np.where(population < 150, "hamlet", "village")).astype(object)
    kind[chef] = "chef_lieu"
    drawn = [names.make(decorate=False) if i < n_communes else names.make()
             for i in range(len(xs))]

    codes = np.array(communes.code_of(commune), dtype=object)
    order = sorted(range(len(xs)), key=lambda i: (codes[i], not chef[i], -population[i], i))
    order = np.array(order)
    ids, rank = [], {}
    for i in order:
        rank[codes[i]] = rank.get(codes[i], 0) + 1
        ids.append(f"{codes[i]}{rank[codes[i]]:03d}")
    sorted_commune, sorted_chef = commune[order], chef[order]
    sorted_names = [drawn[i] for i in order]
    commune_names = [""] * n_communes
    for i in np.flatnonzero(sorted_chef):
        commune_names[sorted_commune[i]] = sorted_names[i]
    return Localities(
        x=xs[order], y=ys[order], lon=lon[order], lat=lat[order], commune=sorted_commune,
        population=population[order], kind=kind[order], name=sorted_names, id=ids,
        river=river[order], chef=sorted_chef, commune_names=commune_names,
        dept_capitals=capitals, capital_population=[int(population[c]) for c in capitals],
        commune_population=np.bincount(sorted_commune, weights=population[order],
                                       minlength=n_communes).astype(int))


def _sites(rng: np.random.Generator, outline: Outline, communes: Communes,
           total: int) -> tuple[np.ndarray, np.ndarray]:
    """Seats first, then village sites at least 1.4 km apart, more likely near the river."""
    n_communes = len(communes.seed_x)
    xs = np.zeros(total)
    ys = np.zeros(total)
    xs[:n_communes], ys[:n_communes] = communes.seed_x, communes.seed_y
    count = n_communes
    minx, miny, maxx, maxy = outline.country.bounds
    for _ in range(60):
        if count >= total:
            break
        cx = rng.uniform(minx, maxx, 3000)
        cy = rng.uniform(miny, maxy, 3000)
        distance = shapely.distance(shapely.points(cx, cy), outline.river)
        weight = 0.1 + 0.9 * np.exp(-distance / 10_000)
        keep = (shapely.contains_xy(outline.country, cx, cy) & (distance > 300)
                & (rng.random(3000) < weight))
        for x, y in zip(cx[keep], cy[keep], strict=True):
            near = np.hypot(xs[:count] - x, ys[:count] - y).min()
            if near >= 1400:
                xs[count], ys[count] = x, y
                count += 1
                if count >= total:
                    break
    return xs[:count], ys[:count]


def _populations(rng: np.random.Generator, communes: Communes, river: np.ndarray,
                 chef: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Census counts (river villages bigger), and the index of each département capital."""
    n_communes = len(communes.seed_x)
    population = np.exp(rng.normal(math.log(420), 0.95, len(river)))
    population *= 1 + 0.8 * np.exp(-river / 8_000)
    population = np.clip(population, 25, 15_000)
    population[chef] = np.clip(np.exp(rng.normal(math.log(3_500), 0.5, n_communes)),
                               900, 20_000)
    # Département capitals are river towns; the largest of each region is its capital.
    capitals = []
    for d in range(DEPARTMENTS):
        members = np.flatnonzero(communes.dept == d)
        capital = int(members[np.argmin(river[members])])
        population[capital] = np.exp(rng.normal(math.log(28_000), 0.35))
        capitals.append(capital)
    for r in range(2):
        in_region = [c for d, c in enumerate(capitals) if communes.dept_region[d] == r]
        population[max(in_region, key=lambda c: population[c])] *= 1.8
    return np.round(population).astype(int), capitals


def locality_rows(localities: Localities, communes: Communes) -> dict[str, Any]:
    """The localities layer, column by column."""
    n = len(localities.id)
    return {
        "locality_id": localities.id, "name": localities.name, "kind": list(localities.kind),
        "population": [int(p) for p in localities.population],
        "population_year": [POPULATION_YEAR] * n,
        TERRITORY_FIELD: communes.code_of(localities.commune),
        "geometry": shapely.points(localities.lon, localities.lat),
    }
