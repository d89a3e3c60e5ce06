"""Standards and targets that indicators are judged against: the one place for their numbers.

Indicators name a standard by key (``threshold="wp_users_max.tap"``) and never spell
the figure, so a changed norm or a programme's own target is edited here, or overridden
per atlas (settings ``extra["standards"]``) or per call (``diagnose(standards=...)``),
without touching any indicator. Figures marked "check" in DOMAIN.md come from secondary
sources; their source label says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import DiagnosticError
from ..i18n import label


@dataclass(frozen=True)
class Standard:
    """A threshold with the body that sets it."""

    value: float
    source: dict[str, str]
    unit: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    def source_label(self, lang: str | None = None) -> str:
        """Who sets the threshold (JMP, Sphere, a programme), in a language."""
        return label(self.source, lang)


SPHERE = {"fr": "Sphere", "en": "Sphere"}
PROGRAMME_CHECK = {"fr": "programmes, à vérifier", "en": "programmes, to be checked"}

#: Built-in standards (DOMAIN.md, "Water points" and "Water, sanitation and hygiene").
DEFAULT_STANDARDS: dict[str, Standard] = {
    "water_distance_m": Standard(
        500, SPHERE, "m",
        {"fr": "Distance maximale d'un logement au point d'eau le plus proche",
         "en": "Maximum distance from a dwelling to the nearest water point"}),
    "wp_users_max.tap": Standard(
        250, SPHERE, "hab", {"fr": "Usagers au plus par robinet", "en": "Users per tap, at most"}),
    "wp_users_max.hand_pump": Standard(
        500, SPHERE, "hab",
        {"fr": "Usagers au plus par pompe à main", "en": "Users per hand pump, at most"}),
    "wp_users_max.open_well": Standard(
        400, SPHERE, "hab",
        {"fr": "Usagers au plus par puits ouvert", "en": "Users per open well, at most"}),
    "pupils_per_latrine.girls": Standard(
        30, PROGRAMME_CHECK, "élèves",
        {"fr": "Filles au plus par latrine", "en": "Girls per latrine, at most"}),
    "pupils_per_latrine.boys": Standard(
        60, PROGRAMME_CHECK, "élèves",
        {"fr": "Garçons au plus par latrine", "en": "Boys per latrine, at most"}),
}


def _override(key: str, base: Standard | None, raw: Any) -> Standard:
    """A standard from an override: a bare number, or a table with value/source/unit."""
    if isinstance(raw, Standard):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = {"value": raw}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("value"), (int, float)):
        raise DiagnosticError("diagnostics.bad_standard", key=key)
    source = raw.get("source")
    if isinstance(source, str):
        source = {"fr": source, "en": source}
    if base is None:
        return Standard(float(raw["value"]), source or {"fr": "atlas", "en": "atlas"},
                        raw.get("unit"))
    return replace(base, value=float(raw["value"]), source=source or base.source,
                   unit=raw.get("unit", base.unit))


def resolve_standards(*layers: Mapping[str, Any] | None) -> dict[str, Standard]:
    """The built-in standards overridden by each mapping in turn (atlas, then call)."""
    merged = dict(DEFAULT_STANDARDS)
    for overrides in layers:
        for key, raw in (overrides or {}).items():
            merged[key] = _override(key, merged.get(key), raw)
    return merged
