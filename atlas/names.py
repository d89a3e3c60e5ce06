"""The names of the built-in layers and of the fields that tie layers together.

Code that needs a particular layer (the territory tree, the water points a diagnostic
counts) names it through these constants rather than a string literal, so that a layer
renamed in ``atlas/layers/*.toml`` is renamed here once and every caller follows.
"""

from __future__ import annotations

#: The admin tree (one row per territory, every level).
TERRITORIES = "territories"
LOCALITIES = "localities"
WATER_POINTS = "water_points"
SCHOOLS = "schools"
MANGROVES = "mangroves"
NUBIAN_VAULTS = "nubian_vaults"
BIODIGESTERS = "biodigesters"
WASTE_SITES = "waste_sites"
ACTIVITIES = "activities"

#: Every built-in layer, in the catalogue's order.
BUILT_IN_LAYERS = (TERRITORIES, LOCALITIES, WATER_POINTS, SCHOOLS, MANGROVES, NUBIAN_VAULTS,
                   BIODIGESTERS, WASTE_SITES, ACTIVITIES)

#: Field of every located layer that holds the code of the finest territory containing it.
TERRITORY_FIELD = "territory_code"
