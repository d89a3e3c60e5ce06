"""Schools at localities, with WASH facilities better where a programme worked.

The WASH-in-schools indicators need contrast: equipped schools have water, separate
latrines and handwashing more often than the others, as in the surveys they imitate.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import shapely

from ..names import SCHOOLS, TERRITORY_FIELD
from .draws import day, pick
from .state import DemoState, add_row

WASH_PROGRAMMES = ("Programme WASH Écoles", "Projet Écoles saines")


def school_rows(state: DemoState) -> dict[str, Any]:
    """Schools at localities: one primary per seat, more in big localities."""
    rng = state.rng
    loc = state.loc
    total = int(rng.integers(340, 461))
    chefs = np.flatnonzero(loc.chef)
    eligible = np.flatnonzero(loc.population >= 150)
    weight = loc.population[eligible].astype(float) ** 0.85
    extra = rng.choice(eligible, size=total - len(chefs), p=weight / weight.sum())
    anchors = np.sort(np.concatenate([chefs, extra]))
    rows = state.empty_rows(SCHOOLS)
    seen: dict[int, int] = {}
    names: dict[str, int] = {}
    urban_radius = np.where(loc.population[anchors] > 5_000, 1_500.0, 500.0)
    distance = np.maximum(60.0, rng.uniform(0.1, 1.0, len(anchors)) * urban_radius)
    lon, lat, commune = state.place(loc.x[anchors], loc.y[anchors], distance)
    for k, a in enumerate(anchors):
        seen[a] = seen.get(a, 0) + 1
        level, sector = _level_and_sector(rng, first=seen[a] == 1,
                                          big=loc.population[a] >= 2_000)
        name = school_name(level, sector, loc.name[a])
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name += f" {names[name]}"
        values = _school_values(rng, level, sector, int(loc.population[a]),
                                near_river=loc.river[a] < 4_000)
        add_row(rows, {"school_id": f"SC{k + 1:04d}", "name": name, **values,
                       TERRITORY_FIELD: state.communes.codes[commune[k]]})
    rows["geometry"] = shapely.points(lon, lat)
    return rows


def _level_and_sector(rng: np.random.Generator, first: bool, big: bool) -> tuple[str, str]:
    """A locality's first school is primary; big localities also get secondary ones."""
    if first:
        level = "primary"
    elif big:
        level = pick(rng, {"primary": 0.45, "preschool": 0.17, "middle": 0.24,
                           "secondary": 0.14})
    else:
        level = pick(rng, {"primary": 0.75, "preschool": 0.17, "middle": 0.08})
    sector = pick(rng, {"public": 0.8, "private": 0.07, "community": 0.06,
                        "franco_arab": 0.07})
    return level, sector


def _school_values(rng: np.random.Generator, level: str, sector: str, people: int,
                   near_river: bool) -> dict[str, Any]:
    """Pupils, teachers and WASH facilities of one school, in the catalogue's field order."""
    big = people >= 2_000
    low, high = {"preschool": (40, 160), "primary": (90, 700),
                 "middle": (200, 900), "secondary": (300, 900)}[level]
    size = min(1.0, 0.35 + people / 8_000)
    pupils = int(np.clip(rng.uniform(low, low + (high - low) * size), 40, 900))
    girls_share = np.clip(rng.normal(0.51 if level != "secondary" else 0.47, 0.04),
                          0.3, 0.7)
    girls = int(round(pupils * girls_share))
    teachers = max(1, int(math.ceil(pupils / rng.uniform(32, 62))))

    equipped = sector in ("public", "community") and rng.random() < 0.24
    programme = WASH_PROGRAMMES[int(rng.random() < 0.3)] if equipped else None
    water, available = school_water(rng, equipped, big, near_river)
    sanitation, latrines = school_latrines(rng, equipped, big, pupils, girls)
    facility = rng.random() < (0.95 if equipped else 0.5)
    hw_water = facility and rng.random() < (0.86 if equipped else 0.64)
    soap = hw_water and rng.random() < (0.62 if equipped else 0.33)
    return {
        "level": level, "sector": sector,
        "pupils_girls": girls, "pupils_boys": pupils - girls,
        "teachers": None if rng.random() < 0.02 else teachers,
        "water_source": water, "water_available": available,
        "sanitation_type": sanitation, **latrines,
        "handwashing_facility": bool(facility), "handwashing_water": bool(hw_water),
        "handwashing_soap": bool(soap),
        "fenced": bool(rng.random() < (0.7 if equipped else 0.42)),
        "electricity": None if rng.random() < 0.03 else bool(
            rng.random() < (0.7 if big else 0.18)),
        "wash_programme": programme,
        "equipped_year": int(rng.integers(2016, 2025)) if equipped else None,
        "survey_date": day(rng, date(2024, 2, 1), date(2024, 6, 15)),
    }


def school_name(level: str, sector: str, place: str) -> str:
    """Name as written on the school's sign, from its level, sector and locality."""
    base = {"preschool": "Case des tout-petits de", "primary": "École élémentaire de",
            "middle": "CEM de", "secondary": "Lycée de"}[level]
    if sector == "franco_arab":
        base = "École franco-arabe de"
    elif sector == "community":
        base = "École communautaire de"
    elif sector == "private":
        base = {"preschool": "Jardin d'enfants privé de", "primary": "École privée de",
                "middle": "Collège privé de", "secondary": "Lycée privé de"}[level]
    return f"{base} {place}"


def school_water(rng: np.random.Generator, equipped: bool, big: bool,
                 near_river: bool) -> tuple[str, bool]:
    """Water source of a school and whether it had water on the survey day."""
    if rng.random() < (0.92 if equipped else 0.57):
        weights = ({"piped": 0.6, "borehole": 0.2, "protected_well": 0.1, "rainwater": 0.04,
                    "packaged": 0.06} if big else
                   {"piped": 0.12, "borehole": 0.45, "protected_well": 0.28,
                    "rainwater": 0.1, "packaged": 0.05})
        return pick(rng, weights), bool(rng.random() < (0.86 if equipped else 0.66))
    weights = {"unprotected_well": 0.55, "surface_water": 0.3 if near_river else 0.04,
               "none": 0.35}
    source = pick(rng, weights)
    return source, bool(source != "none" and rng.random() < 0.6)


def school_latrines(rng: np.random.Generator, equipped: bool, big: bool, pupils: int,
                    girls: int) -> tuple[str, dict[str, int]]:
    """Sanitation type and latrine counts (built and usable) of a school."""
    zero = {f"latrines_{s}{u}": 0 for s in ("girls", "boys", "mixed") for u in ("", "_usable")}
    draw = rng.random()
    if draw < (0.0 if equipped else 0.17):
        return "none", zero
    if draw < (0.05 if equipped else 0.37):
        kind = pick(rng, {"pit_no_slab": 0.8, "hanging": 0.1, "bucket": 0.1})
    else:
        kind = pick(rng, {"pit_slab": 0.34, "vip": 0.3, "pour_flush": 0.2,
                          "flush": 0.1 if big else 0.03, "composting": 0.06})
    counts = dict(zero)
    if rng.random() < (0.9 if equipped else 0.5):
        counts["latrines_girls"] = max(1, int(round(girls / rng.uniform(40, 140))))
        counts["latrines_boys"] = max(1, int(round((pupils - girls) / rng.uniform(60, 180))))
        counts["latrines_mixed"] = int(rng.random() < 0.15)
    else:
        counts["latrines_mixed"] = max(1, int(round(pupils / rng.uniform(80, 250))))
    usable_share = 0.0 if rng.random() < (0.03 if equipped else 0.12) else rng.uniform(
        0.55 if equipped else 0.3, 1.0)
    for sex in ("girls", "boys", "mixed"):
        built = counts[f"latrines_{sex}"]
        counts[f"latrines_{sex}_usable"] = int(rng.binomial(built, usable_share))
    return kind, counts

