"""The source lines of sheets and books: who produced each figure, when, against what.

Every table, chart and map of a sheet or a book page ends with one line: the sources
of the layers it was computed from (the population's as the atlas is set up: raster
or layer), the date of the latest data, the standards it is judged against and the
production date. They are written here once, for every part that prints one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ...diagnostics.registry import POPULATION
from ...i18n import t
from ...names import LOCALITIES, TERRITORIES
from ...provenance import layer_citations
from ..formatting import is_missing
from .format import date_text, is_day

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot


def population_source(atlas: AtlasSnapshot, lang: str) -> str:
    """Where the population figures come from, as the atlas is set up."""
    raster = atlas.population_raster_path()
    year = atlas.settings.population_year or ""
    if raster is not None and raster.is_file():
        return t("reports.population_raster", lang, name=raster.name, year=year)
    for layer in (LOCALITIES, TERRITORIES):
        if layer in atlas.catalog and (cited := layer_citations(atlas, layer)):
            key = "reports.population_layer" if year else "reports.population_layer_undated"
            return t(key, lang, source=" ; ".join(cited), year=year)
    return t("reports.population_unknown", lang)


def layer_sources(atlas: AtlasSnapshot, layers: Iterable[str], lang: str) -> list[str]:
    """Sources of layers, each once, in the order given."""
    found: list[str] = []
    for layer in layers:
        if layer == POPULATION:
            text = population_source(atlas, lang)
        elif layer in atlas.catalog:
            text = " ; ".join(layer_citations(atlas, layer))
        else:
            continue
        if text and text not in found:
            found.append(text)
    return found


def source_line(lang: str, sources: Sequence[str], data_date: object = None,
                standards: Sequence[str] = (), produced: str | None = None) -> str:
    """"Source : … — données au … — normes : … — calcul : …" under a table or chart."""
    parts = [t("reports.source", lang, source=" ; ".join(sources) or "–")]
    if not is_missing(data_date) and data_date:
        key = "reports.data_date" if is_day(data_date) else "reports.data_period"
        parts.append(t(key, lang, date=date_text(data_date, lang)))
    if standards:
        parts.append(t("reports.standards", lang, standards=", ".join(standards)))
    if produced:
        parts.append(t("reports.computed", lang, date=produced))
    return " — ".join(parts)
