"""Programme sites: Nubian-vault buildings, household biodigesters and waste sites.

Each programme works where it would in reality (earth buildings in the dry east, biogas
where there are cattle, waste management in the one département the programme
supports), so the territorial diagnostics show contrasts between places.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import shapely

from ..names import BIODIGESTERS, NUBIAN_VAULTS, TERRITORY_FIELD, WASTE_SITES
from .draws import day, pick
from .state import DemoState, add_row

WASTE_KINDS = {"illegal_dump": 0.45, "collection_point": 0.3, "transfer_point": 0.1,
               "sorting_centre": 0.08, "recycling_centre": 0.07}
WASTE_STATUS = {"illegal_dump": {"active": 0.6, "cleaned": 0.3, "closed": 0.1},
                "collection_point": {"active": 0.85, "closed": 0.15}}
WASTE_MANAGERS = {"illegal_dump": {"commune": 1.0},
                  "collection_point": {"commune": 0.5, "association": 0.4, "private": 0.1},
                  "transfer_point": {"commune": 0.7, "association": 0.2, "private": 0.1},
                  "sorting_centre": {"association": 0.5, "private": 0.3, "commune": 0.2},
                  "recycling_centre": {"private": 0.5, "association": 0.4, "commune": 0.1}}
WASTE_CAPACITY = {"collection_point": (1, 20), "transfer_point": (20, 150),
                  "sorting_centre": (50, 400), "recycling_centre": (50, 300)}
WASTE_PREFIX = {"illegal_dump": "Dépôt sauvage", "collection_point": "Point de collecte",
                "transfer_point": "Point de transfert", "sorting_centre": "Centre de tri",
                "recycling_centre": "Centre de valorisation"}
VAULT_AREA = {"house": (25, 80), "school": (60, 150), "health_post": (50, 120),
              "mosque": (40, 160), "public_building": (50, 200), "other": (20, 90)}


def anchors(state: DemoState, count: int, mask: np.ndarray, power: float) -> np.ndarray:
    """Localities drawn among ``mask``, more likely when more populated."""
    candidates = np.flatnonzero(mask)
    weight = state.loc.population[candidates].astype(float) ** power
    return np.sort(state.rng.choice(candidates, size=count, p=weight / weight.sum()))


def vault_rows(state: DemoState) -> dict[str, Any]:
    """Earth buildings, in the two easternmost (driest) départements."""
    rng = state.rng
    loc = state.loc
    dept = state.communes.dept[loc.commune]
    chosen = anchors(state, int(rng.integers(35, 57)), dept >= 3, 0.5)
    lon, lat, commune = state.place(loc.x[chosen], loc.y[chosen],
                                    rng.uniform(40, 600, len(chosen)))
    rows = state.empty_rows(NUBIAN_VAULTS)
    for k, a in enumerate(chosen):
        use = pick(rng, {"house": 0.6, "school": 0.1, "health_post": 0.05, "mosque": 0.1,
                         "public_building": 0.08, "other": 0.07})
        place = loc.name[a]
        # Every client is spelt out, so a family name is drawn whatever the use.
        client = {"house": f"Famille {state.names.make(decorate=False)}",
                  "school": f"Comité de gestion de l'école de {place}",
                  "health_post": f"Comité de santé de {place}",
                  "mosque": f"Communauté de {place}",
                  "public_building": f"Commune de {loc.commune_names[commune[k]]}",
                  "other": f"Groupement de {place}"}[use]
        area = round(float(rng.uniform(*VAULT_AREA[use])), 1)
        year = int(rng.integers(2012, 2026))
        if year >= 2025:
            stage = pick(rng, {"planned": 0.5, "under_construction": 0.5})
        elif year == 2024:
            stage = pick(rng, {"under_construction": 0.5, "completed": 0.5})
        else:
            stage = pick(rng, {"completed": 0.95, "under_construction": 0.05})
        add_row(rows, {
            "building_id": f"NV{k + 1:03d}", "use": use, "client": client,
            "floor_area_m2": area, "vaults": max(1, int(round(area / rng.uniform(9, 14)))),
            "year": year, "stage": stage,
            "masons_trained": int(rng.binomial(2, 0.4)) if stage != "planned" else 0,
            "apprentices_trained": int(rng.binomial(4, 0.45)) if stage != "planned" else 0,
            "programme": "Programme Voûte Nubienne",
            TERRITORY_FIELD: state.communes.codes[commune[k]],
        })
    rows["geometry"] = shapely.points(lon, lat)
    return rows


def biodigester_rows(state: DemoState) -> dict[str, Any]:
    """Household biogas units in villages with cattle, away from the delta."""
    rng = state.rng
    loc = state.loc
    dept = state.communes.dept[loc.commune]
    mask = (dept >= 1) & (dept <= 3) & (loc.kind != "town") & (loc.population >= 150)
    chosen = anchors(state, int(rng.integers(42, 79)), mask, 0.3)
    lon, lat, commune = state.place(loc.x[chosen], loc.y[chosen],
                                    rng.uniform(30, 500, len(chosen)))
    builders = [f"Maçon biogaz {state.names.make(decorate=False)}" for _ in range(6)]
    builders.append("Entreprise Biogaz du Fleuve")
    rows = state.empty_rows(BIODIGESTERS)
    for k, a in enumerate(chosen):
        installed = day(rng, date(2013, 1, 1), date(2024, 12, 31))
        age = 2025 - int(installed[:4])
        working = rng.random() < float(np.clip(0.92 - 0.035 * age, 0.4, 0.95))
        add_row(rows, {
            "biodigester_id": f"BIO{k + 1:03d}",
            "volume_m3": float(rng.choice([4.0, 6.0, 8.0, 10.0, 12.0, 16.0],
                                          p=[0.1, 0.3, 0.25, 0.2, 0.1, 0.05])),
            "install_date": installed,
            "builder": builders[int(rng.integers(len(builders)))],
            "household": f"Ménage {state.names.make(decorate=False)} ({loc.name[a]})",
            "cattle": int(2 + rng.negative_binomial(3, 0.25)),
            "status": "working" if working else "not_working",
            "programme": "Programme national biogaz domestique",
            TERRITORY_FIELD: state.communes.codes[commune[k]],
        })
    rows["geometry"] = shapely.points(lon, lat)
    return rows


def waste_site_rows(state: DemoState) -> dict[str, Any]:
    """Waste sites, most of them in the département the waste programme supports."""
    rng = state.rng
    loc = state.loc
    waste_dept = state.communes.waste_dept
    dept = state.communes.dept[loc.commune]
    total = int(rng.integers(40, 71))
    inside = int(round(total * 0.85))
    big = loc.population >= 400
    chosen = np.concatenate([
        anchors(state, inside, (dept == waste_dept) & big, 0.9),
        anchors(state, total - inside, (dept != waste_dept) & (loc.population >= 5_000), 0.5),
    ])
    lon, lat, commune = state.place(loc.x[chosen], loc.y[chosen],
                                    rng.uniform(150, 900, len(chosen)))
    rows = state.empty_rows(WASTE_SITES)
    numbers: dict[str, int] = {}
    for k, a in enumerate(chosen):
        # The programme built one sorting and one recycling centre in its département.
        kind = ("sorting_centre", "recycling_centre")[k] if k < 2 else pick(rng, WASTE_KINDS)
        status = pick(rng, WASTE_STATUS.get(kind, {"active": 0.8, "closed": 0.2}))
        managing = pick(rng, WASTE_MANAGERS[kind]) if kind != "illegal_dump" or \
            rng.random() < 0.8 else None
        capacity = WASTE_CAPACITY.get(kind)
        prefix = WASTE_PREFIX[kind]
        key = f"{prefix} {loc.name[a]}"
        numbers[key] = numbers.get(key, 0) + 1
        add_row(rows, {
            "site_id": f"WS{k + 1:03d}",
            "name": f"{prefix} de {loc.name[a]}" + (
                f" {numbers[key]}" if numbers[key] > 1 else ""),
            "site_type": kind, "status": status, "managing_body": managing,
            "capacity_m3": None if capacity is None else round(float(rng.uniform(*capacity)),
                                                               1),
            TERRITORY_FIELD: state.communes.codes[commune[k]],
        })
    rows["geometry"] = shapely.points(lon, lat)
    return rows
