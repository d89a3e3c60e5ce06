"""The priority lists in short form: who to serve first, as a commune can act on it.

The lists come from :func:`atlas.diagnostics.priority_localities` and
:func:`~atlas.diagnostics.priority_schools` already sorted (most people, most pupils
first); a sheet prints the first few and says how many there are in all, so a short
list is never mistaken for the whole problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ...diagnostics import REGISTRY
from ...diagnostics.standards import resolve_standards
from ...i18n import t
from ...names import LOCALITIES, SCHOOLS, WATER_POINTS
from ...provenance import layer_as_of
from ..formatting import is_missing
from .format import latest_date, number
from .model import Table
from .sources import layer_sources, source_line

if TYPE_CHECKING:
    from .data import ReportData



def _distance_standard(data: ReportData) -> tuple[float, str]:
    """The distance the lists are judged against (Sphere 500 m unless overridden)."""
    overrides = data.atlas.settings.extra.get("standards")
    standard = resolve_standards(overrides if isinstance(overrides, dict) else None) \
        .get("water_distance_m")
    if standard is None:
        return 500.0, "Sphere"
    return float(standard.value), standard.source_label(data.lang)


def _field_label(data: ReportData, layer: str, field: str, value: object) -> str:
    if is_missing(value):
        return "–"
    spec = data.atlas.spec(layer)
    if not spec.has_field(field):
        return str(value)
    found = spec.field(field).value(str(value))
    return found.label(data.lang) if found is not None else str(value)


def _note(data: ReportData, total: int, shown: int) -> str:
    if total > shown:
        return t("reports.list_first", data.lang, shown=shown, total=total)
    return ""


def _source(data: ReportData, layers: list[str], standard: str) -> str:
    dates = []
    for layer in layers:
        if layer in data.atlas.catalog:
            dates.append(layer_as_of(data.atlas, layer))
    return source_line(data.lang, layer_sources(data.atlas, layers, data.lang),
                       latest_date(dates), [standard], data.produced)


def _nearest(data: ReportData, row: pd.Series) -> str:
    """The nearest water point by its name, with its state.

    Unnamed points carry their id as name (see ``distance_table``).
    """
    name = row.get("nearest_wp_name")
    if is_missing(name):
        return "–"
    status = row.get("nearest_wp_status")
    if is_missing(status):
        return str(name)
    return f"{name} ({_field_label(data, WATER_POINTS, 'status', status).lower()})"


def locality_table(data: ReportData, frame: pd.DataFrame, size: int) -> Table:
    """Localities beyond the distance from a functional improved water point."""
    lang = data.lang
    distance, who = _distance_standard(data)
    rows = [[str(r["name"]), number(r.get("population"), "hab", lang),
             number(r.get("distance_m"), "m", lang, decimals=0), _nearest(data, r)]
            for _, r in frame.head(size).iterrows()]
    dist = number(distance, "m", lang, decimals=0)
    return Table(
        title=t("reports.list_localities", lang, distance=dist),
        columns=[t("reports.col_locality", lang), t("reports.col_population", lang),
                 t("reports.col_distance", lang), t("reports.col_nearest", lang)],
        rows=rows, numeric=[False, True, True, False],
        source=_source(data, [LOCALITIES, WATER_POINTS], f"{dist} m ({who})"),
        note=_note(data, len(frame), len(rows)),
        empty=t("reports.list_localities_none", lang, distance=dist))


def school_table(data: ReportData, frame: pd.DataFrame, size: int) -> Table:
    """Schools whose drinking water service is limited or absent (JMP)."""
    lang = data.lang
    ladder = REGISTRY.get("sch_water_ladder")

    def service(code: object) -> str:
        found = ladder.breakdown(str(code)) if ladder is not None else None
        return found.label(lang) if found is not None else str(code)

    rows = [[str(r["name"]), number(r.get("pupils"), "élèves", lang),
             service(r.get("water_service")),
             _field_label(data, SCHOOLS, "water_source", r.get("water_source")),
             number(r.get("distance_m"), "m", lang, decimals=0)]
            for _, r in frame.head(size).iterrows()]
    return Table(
        title=t("reports.list_schools", lang),
        columns=[t("reports.col_school", lang), t("reports.col_pupils", lang),
                 t("reports.col_service", lang), t("reports.col_source", lang),
                 t("reports.col_distance", lang)],
        rows=rows, numeric=[False, True, False, False, True],
        source=_source(data, [SCHOOLS, WATER_POINTS], "JMP"),
        note=_note(data, len(frame), len(rows)),
        empty=t("reports.list_schools_none", lang))
