"""Programme activities (trainings, works, awareness...) at the programmes' own sites.

Activities are what monitoring and evaluation counts: people reached by sex, by
programme and territory. A fifth of them have no precise place, and some of those are
recorded at département level, as happens in real programme reports.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
from shapely.geometry import Point

from ..names import (
    ACTIVITIES,
    BIODIGESTERS,
    MANGROVES,
    NUBIAN_VAULTS,
    SCHOOLS,
    TERRITORY_FIELD,
    WASTE_SITES,
)
from .draws import day, pick
from .frame import xy
from .state import DemoState, add_row

PROGRAMME_WEIGHTS = {"wash_schools": 0.25, "biodigesters": 0.12, "mangroves": 0.15,
                     "nubian_vaults": 0.13, "waste": 0.20, "youth_training": 0.15}
PROGRAMME_START = {"wash_schools": 2019, "biodigesters": 2019, "mangroves": 2019,
                   "nubian_vaults": 2020, "waste": 2021, "youth_training": 2019}
#: Share of women and girls among the people an activity reaches, by programme.
WOMEN_SHARE = {"wash_schools": 0.58, "biodigesters": 0.42, "mangroves": 0.66,
               "nubian_vaults": 0.15, "waste": 0.56, "youth_training": 0.46}
ACTIVITY_TYPES = {
    "wash_schools": {"awareness": 0.35, "training": 0.2, "works": 0.2,
                     "distribution": 0.15, "monitoring": 0.1},
    "biodigesters": {"training": 0.3, "works": 0.35, "awareness": 0.15, "monitoring": 0.2},
    "mangroves": {"works": 0.4, "awareness": 0.25, "training": 0.15, "monitoring": 0.2},
    "nubian_vaults": {"training": 0.4, "works": 0.35, "awareness": 0.15, "meeting": 0.1},
    "waste": {"awareness": 0.3, "works": 0.2, "distribution": 0.2, "meeting": 0.2,
              "training": 0.1},
    "youth_training": {"training": 0.7, "meeting": 0.15, "monitoring": 0.15},
}
ACTIVITY_TITLES = {
    ("wash_schools", "awareness"): "Sensibilisation au lavage des mains",
    ("wash_schools", "training"): "Formation du comité de gestion de l'école",
    ("wash_schools", "works"): "Construction de blocs de latrines séparés",
    ("wash_schools", "distribution"): "Remise de kits de lavage des mains",
    ("wash_schools", "monitoring"): "Suivi des équipements WASH",
    ("biodigesters", "training"): "Formation des maçons biogaz",
    ("biodigesters", "works"): "Construction de biodigesteurs",
    ("biodigesters", "awareness"): "Démonstration du biogaz et du compost",
    ("biodigesters", "monitoring"): "Visite de suivi des biodigesteurs",
    ("mangroves", "works"): "Reboisement de palétuviers",
    ("mangroves", "awareness"): "Sensibilisation à la protection de la mangrove",
    ("mangroves", "training"): "Formation des groupements de femmes à la pépinière",
    ("mangroves", "monitoring"): "Comptage de survie des plants",
    ("nubian_vaults", "training"): "Formation de maçons et d'apprentis",
    ("nubian_vaults", "works"): "Chantier voûte nubienne",
    ("nubian_vaults", "awareness"): "Présentation de la technique voûte nubienne",
    ("nubian_vaults", "meeting"): "Réunion avec les clients et la commune",
    ("waste", "awareness"): "Campagne de propreté",
    ("waste", "works"): "Résorption d'un dépôt sauvage",
    ("waste", "distribution"): "Distribution de bacs et de charrettes",
    ("waste", "meeting"): "Concertation communale sur la gestion des déchets",
    ("waste", "training"): "Formation des agents de collecte",
    ("youth_training", "training"): "Formation professionnelle des jeunes",
    ("youth_training", "meeting"): "Forum de l'emploi des jeunes",
    ("youth_training", "monitoring"): "Suivi de l'insertion des jeunes formés",
}
#: People reached by an activity type: (low, high) of a log-uniform draw.
REACH = {"training": (8, 45), "awareness": (40, 650), "works": (4, 40),
         "distribution": (20, 300), "meeting": (10, 70), "monitoring": (2, 20)}
PARTNERS = {
    "wash_schools": ["Inspection de l'éducation et de la formation",
                     "Association des parents d'élèves", "ONG Écoles propres du Fleuve"],
    "biodigesters": ["Programme national biogaz domestique", "Entreprise Biogaz du Fleuve"],
    "mangroves": ["Service des eaux et forêts", "Groupement de femmes transformatrices",
                  "Aire marine communautaire du delta"],
    "nubian_vaults": ["Réseau des maçons voûte nubienne", "Commune de {commune}"],
    "waste": ["Commune de {commune}", "GIE de collecte",
              "Service régional de l'assainissement"],
    "youth_training": ["Centre de formation professionnelle",
                       "Agence régionale de développement"],
}

#: A drafted activity: (date, programme, type, x, y, men, women, partner template).
Draft = tuple[str, str, str, float, float, int, int, str]


def activity_rows(state: DemoState, layers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Programme activities at the programme's sites; a fifth have no precise place."""
    rng = state.rng
    communes = state.communes
    sites = programme_sites(state, layers)
    drafts = [_draft(state, sites) for _ in range(int(rng.integers(150, 261)))]
    anchors_x = np.array([d[3] for d in drafts])
    anchors_y = np.array([d[4] for d in drafts])
    lon, lat, commune = state.place(anchors_x, anchors_y, rng.uniform(0, 150, len(drafts)))
    pointless = np.zeros(len(drafts), dtype=bool)
    pointless[rng.permutation(len(drafts))[:round(0.2 * len(drafts))]] = True
    district = rng.random(len(drafts)) < 0.25
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i][0], i))
    rows = state.empty_rows(ACTIVITIES)
    geometries: list[Point | None] = []
    for k, i in enumerate(order):
        when, programme, kind, _x, _y, men, women, partner = drafts[i]
        code = communes.codes[commune[i]]
        if pointless[i] and district[i]:
            code = communes.dept_codes[communes.dept[commune[i]]]
        add_row(rows, {
            "activity_id": f"ACT{k + 1:04d}", "programme": programme,
            "activity_type": kind, "title": ACTIVITY_TITLES[(programme, kind)],
            "date": when, TERRITORY_FIELD: code, "women": women, "men": men,
            "partner": partner.format(commune=state.loc.commune_names[commune[i]])})
        geometries.append(None if pointless[i] else Point(lon[i], lat[i]))
    rows["geometry"] = geometries
    return rows


def programme_sites(state: DemoState,
                    layers: dict[str, dict[str, Any]]) -> dict[str, list[tuple[float, float]]]:
    """Where each programme works: its equipped schools, units, plots, sites, seats."""
    loc = state.loc
    schools = layers[SCHOOLS]
    equipped = [i for i, p in enumerate(schools["wash_programme"]) if p]
    plots = [i for i, kind in enumerate(layers[MANGROVES]["kind"]) if kind == "reforested"]
    return {
        "wash_schools": [xy(schools["geometry"][i]) for i in equipped],
        "biodigesters": [xy(g) for g in layers[BIODIGESTERS]["geometry"]],
        "mangroves": [xy(layers[MANGROVES]["geometry"][i].representative_point())
                      for i in plots],
        "nubian_vaults": [xy(g) for g in layers[NUBIAN_VAULTS]["geometry"]],
        "waste": [xy(g) for g in layers[WASTE_SITES]["geometry"]],
        "youth_training": [(loc.lon[i], loc.lat[i]) for i in np.flatnonzero(loc.chef)],
    }


def _draft(state: DemoState, sites: dict[str, list[tuple[float, float]]]) -> Draft:
    """One activity: programme, type, site (in metres), date, people reached, partner."""
    rng = state.rng
    programme = pick(rng, PROGRAMME_WEIGHTS)
    kind = pick(rng, ACTIVITY_TYPES[programme])
    lon, lat = sites[programme][int(rng.integers(len(sites[programme])))]
    x, y = state.frame.to_metric.transform(lon, lat)
    when = day(rng, date(PROGRAMME_START[programme], 1, 15), date(2025, 11, 30))
    low, high = REACH[kind]
    reached = int(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
    share = float(np.clip(rng.normal(WOMEN_SHARE[programme], 0.08), 0.0, 1.0))
    women = int(rng.binomial(reached, share))
    partner = PARTNERS[programme][int(rng.integers(len(PARTNERS[programme])))]
    return (when, programme, kind, x, y, reached - women, women, partner)
