"""Water points: taps, boreholes, wells, river intakes and pastoral boreholes.

Taps are in towns, wells and river intakes in villages, pastoral boreholes far from
both. Status, age and management follow the patterns of real water-point surveys (older
points and hand pumps break down more), so the water-access diagnostic has
something to find.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point

from ..names import TERRITORY_FIELD, WATER_POINTS
from .draws import day, pick
from .state import DemoState, add_row

#: Rural water points: (source_type, technology, probability, name prefix).
RURAL_WATER = (
    ("borehole", "hand_pump", 0.30, "Forage"),
    ("borehole", "solar_pump", 0.06, "Forage solaire"),
    ("borehole", "motorised_pump", 0.04, "Forage motorisé"),
    ("piped", "tap", 0.07, "Borne-fontaine"),
    ("protected_well", "bucket", 0.14, "Puits moderne"),
    ("protected_well", "hand_pump", 0.05, "Puits équipé"),
    ("unprotected_well", "bucket", 0.25, "Puits traditionnel"),
    ("rainwater", "none", 0.02, "Impluvium"),
    ("surface_water", "none", 0.07, "Prise d'eau au fleuve"),
)
TECH_RELIABILITY = {"tap": 0.76, "hand_pump": 0.6, "motorised_pump": 0.68,
                    "solar_pump": 0.78, "bucket": 0.76, "none": 0.8}

#: A drafted point: (locality index, source_type, technology, name prefix, distance in m).
Draft = tuple[int, str, str, str, float]
#: A placed point: (source_type, technology, prefix, place name, lon, lat, commune index).
Record = tuple[str, str, str, str, float, float, int]


def water_rows(state: DemoState) -> dict[str, Any]:
    """The water_points layer: village points, then pastoral boreholes, then attributes."""
    rng = state.rng
    loc = state.loc
    points = _village_points(state, int(rng.integers(1_000, 1_301)))
    anchor = np.array([p[0] for p in points])
    lon, lat, commune = state.place(loc.x[anchor], loc.y[anchor],
                                    np.array([p[4] for p in points]))
    _move_intakes_to_bank(state, points, lon, lat, commune)
    # Pastoral boreholes, far from villages, for herds in the dry season.
    pastoral = pastoral_sites(state, int(rng.integers(12, 26)))
    rows = state.empty_rows(WATER_POINTS)
    records: list[Record] = [(p[1], p[2], p[3], loc.name[p[0]], lon[k], lat[k], commune[k])
                             for k, p in enumerate(points)]
    for px, py, nearest in pastoral:
        plon, plat = state.frame.lonlat(np.array([px]), np.array([py]))
        where = state.communes.assign(plon, plat)[0]
        if where >= 0:
            tech = "solar_pump" if rng.random() < 0.5 else "motorised_pump"
            records.append(("borehole", tech, "Forage pastoral", loc.name[nearest],
                            plon[0], plat[0], where))
    numbers: dict[str, int] = {}
    for k, (source, tech, prefix, place, _lon, _lat, where) in enumerate(records):
        key = f"{prefix} {place}"
        numbers[key] = numbers.get(key, 0) + 1
        add_row(rows, {
            "wp_id": f"WP{k + 1:05d}",
            "name": f"{prefix} de {place}" + (f" {numbers[key]}" if numbers[key] > 1 else ""),
            "source_type": source, "technology": tech,
            **_condition(rng, source, tech),
            "management": management(rng, source, tech),
            "pay": pay(rng, source, tech),
            "report_date": day(rng, date(2023, 6, 1), date(2025, 3, 31)),
            TERRITORY_FIELD: state.communes.codes[where],
        })
    rows["geometry"] = shapely.points([r[4] for r in records], [r[5] for r in records])
    return rows


def _village_points(state: DemoState, target: int) -> list[Draft]:
    """About ``target`` points: network taps and boreholes in towns, rural points elsewhere."""
    rng = state.rng
    loc = state.loc
    urban = (loc.population >= 2_500) & (loc.kind != "village")
    urban |= loc.kind == "town"
    pop = loc.population.astype(float)
    tap_lambda = np.where(urban, 1.5 + pop / 1_600, 0.0)
    rural_lambda = np.where(urban, 0.6, np.maximum(pop / 380, 0.12))
    factor = max(0.3, (target - tap_lambda.sum() - 20) / rural_lambda.sum())
    points: list[Draft] = []
    for i in range(len(pop)):
        if urban[i]:
            for _ in range(min(45, int(rng.poisson(tap_lambda[i])))):
                points.append((i, "piped", "tap", "Borne-fontaine",
                               rng.uniform(50, 1_800 if pop[i] > 10_000 else 900)))
            tech = "solar_pump" if rng.random() < 0.4 else "motorised_pump"
            points.append((i, "borehole", tech, "Forage du réseau", rng.uniform(300, 2_000)))
        for _ in range(int(rng.poisson(rural_lambda[i] * factor))):
            source, tech, _p, prefix = RURAL_WATER[int(rng.choice(
                len(RURAL_WATER), p=[w[2] for w in RURAL_WATER]))]
            if source == "surface_water" and loc.river[i] > 4_000:
                source, tech, prefix = "unprotected_well", "bucket", "Puits traditionnel"
            far = rng.random() < 0.12
            distance = rng.uniform(600, 2_000) if far else np.exp(
                rng.normal(math.log(170), 0.7))
            points.append((i, source, tech, prefix, float(distance)))
    return points


def _move_intakes_to_bank(state: DemoState, points: list[Draft], lon: np.ndarray,
                          lat: np.ndarray, commune: np.ndarray) -> None:
    """River intakes sit on the bank: the nearest point of the river to the village."""
    river = state.geo.outline.river
    loc = state.loc
    for k, (i, source, *_rest) in enumerate(points):
        if source == "surface_water":
            bank = shapely.line_interpolate_point(
                river, river.project(Point(loc.x[i], loc.y[i])))
            blon, blat = state.frame.lonlat(np.array([bank.x]), np.array([bank.y]))
            where = state.communes.assign(blon, blat)[0]
            if where >= 0:
                lon[k], lat[k], commune[k] = blon[0], blat[0], where


def _condition(rng: np.random.Generator, source: str, tech: str) -> dict[str, Any]:
    """Status, water on the day, installation and rehabilitation years of one point."""
    install = install_year(rng, source)
    age = 2024 - (install if install is not None else 1990)
    p_ok = float(np.clip(TECH_RELIABILITY[tech] - 0.006 * max(age - 8, 0), 0.35, 0.95))
    draw = rng.random()
    if draw < p_ok:
        status = "functional"
    elif draw < p_ok + 0.09:
        status = "partly_functional"
    else:
        status = "abandoned" if rng.random() < (0.4 if age > 25 else 0.15) else \
            "non_functional"
    # Both draws happen whatever the status, so later draws do not depend on it.
    available: bool | None = {"functional": rng.random() < 0.95,
                              "partly_functional": rng.random() < 0.7}.get(status, False)
    if rng.random() < 0.04:
        available = None
    rehab = None
    if install is not None and install < 2012 and source in (
            "borehole", "protected_well") and rng.random() < 0.3:
        rehab = int(rng.integers(install + 6, 2025))
    return {"status": status,
            "water_available": None if available is None else bool(available),
            "install_year": install, "rehab_year": rehab}


def pastoral_sites(state: DemoState, count: int) -> list[tuple[float, float, int]]:
    """Places at least 5 km from any village, with the nearest village's index."""
    rng = state.rng
    loc = state.loc
    country = state.geo.outline.country
    minx, miny, maxx, maxy = country.bounds
    found: list[tuple[float, float, int]] = []
    for _ in range(40):
        if len(found) >= count:
            break
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not shapely.contains_xy(country, x, y):
            continue
        distance = np.hypot(loc.x - x, loc.y - y)
        if distance.min() > 5_000:
            found.append((float(x), float(y), int(np.argmin(distance))))
    return found


def install_year(rng: np.random.Generator, source: str) -> int | None:
    """Installation year: piped networks are recent, wells can be decades old."""
    if source == "surface_water":
        return None
    scale = {"piped": 8.0, "borehole": 12.0, "rainwater": 7.0}.get(source, 17.0)
    floor = 1995 if source == "piped" else 1980
    return int(np.clip(2024 - math.floor(rng.exponential(scale)), floor, 2024))


def management(rng: np.random.Generator, source: str, tech: str) -> str | None:
    """Who manages the point: private operators for taps, communities for pumps."""
    if source == "surface_water":
        return None
    if tech == "tap":
        weights = {"private": 0.45, "commune": 0.2, "community": 0.3, "institution": 0.05}
    elif source == "borehole" and tech != "hand_pump":
        weights = {"community": 0.68, "private": 0.22, "commune": 0.1}
    elif tech == "hand_pump":
        weights = {"community": 0.78, "commune": 0.08, "institution": 0.04, "unknown": 0.1}
    else:
        weights = {"community": 0.45, "unknown": 0.5, "institution": 0.05}
    return pick(rng, weights)


def pay(rng: np.random.Generator, source: str, tech: str) -> bool | None:
    """Whether users pay for water: almost always at taps, rarely at wells."""
    if source == "surface_water":
        return False
    chance = {"tap": 0.97, "motorised_pump": 0.9, "solar_pump": 0.85, "hand_pump": 0.45}
    return bool(rng.random() < chance.get(tech, 0.08))
