"""Programme sheets ("fiches programme") for capitalisation and donor reporting.

One sheet per programme of the activities layer (WASH in schools, biodigesters,
mangrove restoration, Nubian vault, waste, youth training): what it achieved, where
it acted (a static map), results by territory and year, and the people its
activities reached, by sex. Each figure says how it was counted (a "méthode" line),
each table and map its source and date. The figures are counted by
:mod:`atlas.diagnostics.programmes`; this module only lays them out. ::

    from atlas.render import programme_sheet

    programme_sheet(atlas, "wash_schools").to_pdf("wash.pdf")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from ...diagnostics.programmes import Counted, count_programme, found_programmes, resolve
from ...errors import ReportError
from ...i18n import normalise_language, t
from ...names import ACTIVITIES
from ...snapshot import snapshot_of
from ..formatting import format_date, is_missing
from ..map.options import MapOptions, map_options
from .document import Sheet
from .format import number, unit_text
from .model import Picture, Table
from .pictures import embed, map_layers, map_source
from .sources import layer_sources, source_line
from .templates import render

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...snapshot import AtlasSnapshot
    from ...territories import TerritoryTree

#: Tables of a programme sheet, in order, and the unit of their cells.
TABLES = ("territory_year", "by_name", "by_use", "type_status", "people_territory",
          "people_year", "people_type")
#: Size (pixels) and resolution of the programme's map.
MAP_SIZE = (1200, 860)
MAP_DPI = 150


@dataclass
class ProgrammeSheet(Sheet):
    """A programme sheet, with its figures and tables as data (for checks and reuse)."""

    code: str = ""
    figures: dict[str, float] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def programme_sheet(atlas: Atlas | AtlasSnapshot, programme: str, lang: str | None = None,
                    *, level: int | str | None = None, today: date | None = None
                    ) -> ProgrammeSheet:
    """The sheet of one programme (a code, a label or a programme name from the data).

    ``level`` is the territorial level of the "by territory" tables and of the map
    (default: the finest, communes).
    """
    lang = normalise_language(lang)
    snapshot = snapshot_of(atlas)
    code = resolve(snapshot, programme)
    if code is None:
        raise ReportError("reports.unknown_programme", name=programme,
                          available=", ".join(found_programmes(snapshot)) or "–")
    counted = count_programme(snapshot, code, lang, level)
    produced = format_date(today or date.today(), lang)
    tree = snapshot.territories
    source = _source(snapshot, counted, lang, produced)
    tables = [_table(counted, key, tree, lang, source) for key in TABLES
              if key in counted.tables]
    picture = _map(snapshot, counted, lang, produced, today, level)
    period = f"{counted.years[0]}–{counted.years[1]}" if counted.years else "–"
    html = render("programme.html", lang, p=counted, results=counted.results,
                  tables=tables, map=picture, period=period, produced=produced,
                  atlas_title=snapshot.settings.title_in(lang),
                  notice=snapshot.warning(lang), source=source,
                  number=lambda v, u: number(v, u, lang), unit=lambda u: unit_text(u, lang))
    return ProgrammeSheet(html=html, title=t("reports.programme_title", lang,
                                             name=counted.label), lang=lang,
                          meta={"code": code, "kind": "programme"}, code=code,
                          figures=counted.figures, tables=counted.tables)


def _source(atlas: AtlasSnapshot, counted: Counted, lang: str, produced: str) -> str:
    return source_line(lang, layer_sources(atlas, counted.layers, lang),
                       str(counted.years[1]) if counted.years else None, (), produced)


def _label(key: object, tree: TerritoryTree, lang: str) -> str:
    text = str(key)
    if text == "total":
        return t("reports.total", lang)
    if text in ("?", "None", "nan", "<NA>"):
        return t("reports.unknown", lang)
    if text in tree:
        here = tree.get(text)
        return f"{here.name} ({text})" if here.level == tree.finest_level else \
            f"{here.name} ({tree.level_name(here.level, lang)}, {text})"
    return text


def _column(name: str, lang: str) -> str:
    key = f"reports.col.{name}"
    found = t(key, lang)
    return found if found != key else name


def _table(counted: Counted, key: str, tree: TerritoryTree, lang: str, source: str) -> Table:
    """A counted table written out, with its method line as note."""
    frame = counted.tables[key]
    units = {"floor_area": "m²", "_value": ""}
    decimals = 1 if counted.main == "hectares_reforested" and key == "territory_year" else 0
    rows = [[_label(index, tree, lang), *[
        number(value, units.get(str(col), "nb"), lang, decimals) if not is_missing(value)
        else "–" for col, value in row.items()]] for index, row in frame.iterrows()]
    first = t("reports.col_territory", lang) if key in ("territory_year", "people_territory") \
        else t(f"reports.col_first.{key}", lang)
    title = t(f"reports.table.{key}", lang, what=t(f"reports.result.{counted.main}", lang))
    return Table(title=title, columns=[first, *[_column(str(c), lang) for c in frame.columns]],
                 rows=rows, numeric=[False, *[True] * len(frame.columns)], source=source,
                 note=t("reports.method_line", lang, method=counted.methods.get(key, "")))


def _common_ancestor(tree: TerritoryTree, codes: list[str]) -> str | None:
    chains = [[c, *tree.ancestors(c)] for c in codes if c in tree]
    if not chains:
        return None
    common = set(chains[0]).intersection(*[set(chain) for chain in chains[1:]])
    return next((c for c in chains[0] if c in common), None)


def _map(atlas: AtlasSnapshot, counted: Counted, lang: str, produced: str,
         today: date | None, level: int | str | None) -> Picture | None:
    """Where the programme acted: its results per territory and its features."""
    from ..map.output import figure_image
    from ..map.scene import build_scene
    from ..map.static import scene_figure

    tree = atlas.territories
    number_level = tree.finest_level if level is None else tree.resolve_level(level)
    values = counted.by_territory[[c for c in counted.by_territory.index
                                   if c in tree and tree.get(c).level == number_level]]
    codes = [c for c in counted.by_territory.index if c in tree]
    if counted.layer is not None and len(counted.rows):
        codes += [c for c in counted.rows["_territory"].dropna().unique() if c in tree]
    if not codes:
        return None
    layers = [name for name in [counted.layer, ACTIVITIES] if name and name in atlas.catalog]
    title = t("reports.programme_map_title", lang, name=counted.label)
    options = MapOptions(layers=tuple(layers), lang=lang, size=MAP_SIZE, dpi=MAP_DPI,
                         title=title, today=today)
    if len(values.dropna()):  # the results per territory, as a choropleth
        options = map_options(options, indicator=values, level=number_level,
                              label=t(f"reports.result.{counted.main}", lang),
                              classes=max(1, min(5, int(values.nunique()))))
    scene = build_scene(atlas, _common_ancestor(tree, list(dict.fromkeys(codes))), options)
    for item in scene.layers:
        if item.name == counted.layer:
            id_field = atlas.spec(item.name).id_field
            item.frame = item.frame[item.frame[id_field].isin(counted.rows[id_field])]
        elif item.name == ACTIVITIES:
            item.frame = item.frame[item.frame["programme"] == counted.code]
    figure = scene_figure(scene, options)
    return Picture(title=title, uri=embed(figure_image(figure, "png"), "png"),
                   alt=t("reports.programme_map_alt", lang, name=counted.label),
                   source=map_source(atlas, map_layers(atlas, layers), lang, produced),
                   kind="map")
