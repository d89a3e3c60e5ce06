"""Drawing the whole demo atlas, part by part, in one fixed order.

The order of the parts below is the order of the random draws: changing it changes
every layer drawn after the change, so new parts go at the end.
"""

from __future__ import annotations

from typing import Any

import shapely

from ..crs import storage_crs
from ..names import (
    ACTIVITIES,
    BIODIGESTERS,
    LOCALITIES,
    MANGROVES,
    NUBIAN_VAULTS,
    SCHOOLS,
    TERRITORIES,
    WASTE_SITES,
    WATER_POINTS,
)
from .activities import activity_rows
from .columns import conform
from .environment import mangrove_rows
from .localities import locality_rows
from .model import (
    COUNTRY_CODE,
    DEFAULT_SEED,
    LAYER_NAMES,
    LEVEL_NAMES,
    LEVEL_NAMES_EN,
    POPULATION_YEAR,
    DemoData,
)
from .programmes import biodigester_rows, vault_rows, waste_site_rows
from .schools import school_rows
from .state import DemoState, new_state
from .territories import boundary_version, population_grid, territory_rows
from .water import water_rows


def generate_demo(seed: int = DEFAULT_SEED) -> DemoData:
    """Build the fictional atlas; the same seed always gives the same data."""
    state = new_state(int(seed))
    layers = {
        LOCALITIES: locality_rows(state.loc, state.communes),
        SCHOOLS: school_rows(state),
        WATER_POINTS: water_rows(state),
        MANGROVES: mangrove_rows(state),
        NUBIAN_VAULTS: vault_rows(state),
        BIODIGESTERS: biodigester_rows(state),
        WASTE_SITES: waste_site_rows(state),
    }
    layers[ACTIVITIES] = activity_rows(state, layers)
    layers[TERRITORIES] = territory_rows(state)
    population, transform = population_grid(state)
    frames = {name: conform(state.catalog[name], layers[name]) for name in LAYER_NAMES}
    return DemoData(layers=frames, population=population, transform=transform,
                    crs=storage_crs(), settings=demo_settings(state))


def demo_settings(state: DemoState) -> dict[str, Any]:
    """Atlas settings: bilingual titles, the fictional country, the seed it came from."""
    seed = state.seed
    communes = len(state.communes.codes)
    return {
        "title": {"fr": "Atlas de démonstration – vallée de la Sorane (fictif)",
                  "en": "Demo atlas – Sorane valley (fictional)"},
        "subtitle": {"fr": "Données fictives : aucun lieu réel n'est décrit.",
                     "en": "Fictional data: no real place is described."},
        "country": COUNTRY_CODE,
        "countries": [COUNTRY_CODE],
        "country_name": {"fr": "République de Sorane", "en": "Republic of Sorane"},
        "fictional": True,
        "seed": seed,
        "metric_crs": state.frame.crs.to_string(),
        "languages": ["fr", "en"],
        "level_names": {level: {"fr": LEVEL_NAMES[level], "en": LEVEL_NAMES_EN[level]}
                        for level in LEVEL_NAMES},
        "population_year": POPULATION_YEAR,
        "attribution": f"Données fictives générées par atlas-territorial (graine {seed})",
        "boundary_version": boundary_version(seed),
        "bbox": [round(v, 6) for v in shapely.union_all(state.communes.geoms).bounds],
        "waste_programme_territory": state.communes.dept_codes[state.communes.waste_dept],
        "description": {
            "fr": ("Atlas fictif d'une vallée sahélienne traversée par le fleuve Sorane, "
                   "avec un delta à mangroves sur la côte : 2 régions, 5 départements, "
                   f"{communes} communes, localités, écoles, points d'eau et "
                   "actions de programmes. Généré par ordinateur ; toute ressemblance "
                   "avec des lieux réels est fortuite."),
            "en": ("Fictional atlas of a Sahelian valley crossed by the Sorane river, with "
                   "a mangrove delta on the coast: 2 regions, 5 departments, "
                   f"{communes} municipalities, localities, schools, water points "
                   "and programme activities. Computer-generated; any resemblance to real "
                   "places is coincidental."),
        },
    }
