"""Territorial diagnostics: indicators per territory at any level.

Each value is compared with the parent territory, the siblings and the standards
(JMP, Sphere, programme targets).

- :func:`diagnose` — the tidy table of indicators for all territories of a level;
- :func:`priority_localities`, :func:`priority_schools` — who to serve first;
- :func:`distance_to_water` — each school or locality to its nearest usable water point;
- :func:`what_if` — coverage gained by proposed water points, nothing written;
- :func:`indicator` — declare an indicator (built-in ones use it too).
"""

from __future__ import annotations

from . import indicators as _builtin  # noqa: F401 - registers the built-in indicators
from .engine import COLUMNS, diagnose
from .priority import distance_to_water, priority_localities, priority_schools
from .registry import REGISTRY, THEMES, Breakdown, Indicator, Registry, indicator
from .standards import DEFAULT_STANDARDS, Standard
from .values import Values, divide, explain
from .whatif import what_if

__all__ = [
    "COLUMNS",
    "DEFAULT_STANDARDS",
    "REGISTRY",
    "THEMES",
    "Breakdown",
    "Indicator",
    "Registry",
    "Standard",
    "Values",
    "diagnose",
    "distance_to_water",
    "divide",
    "explain",
    "indicator",
    "priority_localities",
    "priority_schools",
    "what_if",
]
