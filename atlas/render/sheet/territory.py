"""Territory fact sheets ("fiches territoriales") in HTML and PDF.

A sheet is what a planner prints or sends before a concertation meeting, shaped like
the synoptic tables of a communal development plan's diagnostic: a title block
(where the territory is, how many people, how big), a map with its key layers, then
one section per theme with every indicator beside the parent territory's value, the
rank among siblings and a verdict against the standard, charts where a picture says
more, the priority lists in short form, and a source and date line under every
table, chart and map. ::

    from atlas.render import territory_sheet

    sheet = territory_sheet(atlas, "ZZ010102", lang="fr")
    sheet.to_pdf("fiche.pdf"); sheet.to_html("fiche.html")

The figures are those of :func:`atlas.diagnostics.diagnose` for the territory,
written out (see :mod:`.data`); nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ...diagnostics import REGISTRY
from ...i18n import normalise_language, t
from ...snapshot import snapshot_of
from ..formatting import is_missing
from ..map.static import SceneDrawer
from .charts import bar_chart, ladder_chart, svg_uri
from .data import LADDER_LEVELS, ReportData, Row
from .document import Sheet
from .format import number
from .model import Picture, Section, SheetContent, Table
from .pictures import map_picture, sheet_map_options
from .templates import render

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...snapshot import AtlasSnapshot
    from ..map.static import MapDrawer

SERVICES = ("water", "sanitation", "hygiene")


def territory_sheet(atlas: Atlas | AtlasSnapshot, code: str, lang: str | None = None, *,
                    layers: Sequence[str] | None = None, list_size: int = 8,
                    today: date | None = None) -> Sheet:
    """The fact sheet of one territory (any level), in French or English.

    ``layers`` chooses the map's layers (default: mangroves, localities, water points
    and schools when the atlas has them); ``list_size`` the length of the priority
    lists; ``today`` the date printed as the production date.
    """
    lang = normalise_language(lang)
    snapshot = snapshot_of(atlas)
    here = snapshot.territories.get(code)
    data = ReportData(snapshot, here.level, lang, territories=[code], scope=code,
                      today=today, list_size=list_size)
    drawer = SceneDrawer(snapshot, sheet_map_options(snapshot, lang, layers,
                                                     today=data.today))
    html = render("sheet.html", lang, c=sheet_content(data, code, drawer))
    return Sheet(html=html, title=t("reports.sheet_title", lang, name=here.name), lang=lang,
                 meta={"code": code, "kind": "territory"})


def sheet_content(data: ReportData, code: str, drawer: MapDrawer | None) -> SheetContent:
    """Everything a sheet shows, assembled from :class:`ReportData`.

    ``drawer`` draws the map (None: a sheet without one).
    """
    lang = data.lang
    facts = data.facts(code)
    sections = data.sections(code)
    rows = data.rows_of(code)
    lists = data.priority_tables(code)
    for section in sections:
        if section.theme == "education":
            add_ladders(data, section, rows, facts.name, facts.parent_name)
            section.tables.append(lists[1])
        elif section.theme == "water":
            section.tables.append(lists[0])
        elif section.theme == "programmes":
            add_reach_chart(data, section, rows)
    picture = map_picture(drawer, code, data.produced) if drawer is not None else None
    return SheetContent(lang=lang, atlas_title=data.atlas.settings.title_in(lang),
                        warning=data.atlas.warning(lang), facts=facts, map=picture,
                        sections=sections, empty_note=data.empty_note())


def _ladder_counts(rows: list[Row], indicator: str, column: str) -> dict[str, float]:
    return {str(r["breakdown"]): float(r[column]) if not is_missing(r[column]) else 0.0
            for r in rows if r["indicator"] == indicator}


def add_ladders(data: ReportData, section: Section, rows: list[Row], name: str,
                parent: str) -> None:
    """The JMP ladders of the schools: a stacked bar chart and its table of counts."""
    lang = data.lang
    ladder = REGISTRY.get(f"sch_{SERVICES[0]}_ladder")
    if ladder is None:
        return
    levels = [(code, ladder.breakdown(code).label(lang)) for code in LADDER_LEVELS
              if ladder.breakdown(code) is not None]
    bars, table_rows = [], []
    for service in SERVICES:
        indicator = f"sch_{service}_ladder"
        own = _ladder_counts(rows, indicator, "value")
        if not own:
            continue
        label = t(f"reports.service_{service}", lang)
        bars.append((label, name, own))
        if parent:
            bars.append((label, parent, _ladder_counts(rows, indicator, "parent_value")))
        total = sum(own.values())
        table_rows.append([label, *[_count_share(own.get(c, 0.0), total, lang)
                                    for c, _ in levels]])
    if not table_rows:
        return
    wanted = {f"sch_{s}_ladder" for s in SERVICES}
    source = data.section_source(r for r in rows if r["indicator"] in wanted)
    svg = ladder_chart(bars, levels, lang)
    if svg is not None:
        section.pictures.append(Picture(
            title=t("reports.ladder_chart", lang), uri=svg_uri(svg),
            alt=t("reports.ladder_alt", lang, name=name), source=source))
    section.tables.append(Table(
        title=t("reports.ladder_table", lang),
        columns=[t("reports.col_service_name", lang), *[label for _, label in levels]],
        rows=table_rows, numeric=[False, *[True] * len(levels)], source=source,
        note=t("reports.ladder_note", lang)))


def _count_share(count: float, total: float, lang: str) -> str:
    if total <= 0:
        return number(count, "nb", lang)
    return f"{number(count, 'nb', lang)} ({number(100 * count / total, '%', lang, 0)} %)"


def add_reach_chart(data: ReportData, section: Section, rows: list[Row]) -> None:
    """People reached per programme, as bars (the figures are in the table too)."""
    lang = data.lang
    item = REGISTRY.get("act_beneficiaries")
    if item is None:
        return
    declared = {b.code for b in item.breakdowns}
    part = [r for r in rows
            if r["indicator"] == "act_beneficiaries" and r["breakdown"] not in declared]
    items = []
    for row in part:
        label = str(row["label"]).split(" — ", 1)[-1]
        items.append((label, float(row["value"]) if not is_missing(row["value"]) else 0.0))
    svg = bar_chart(items, t("reports.people", lang), lang)
    if svg is None:
        return
    section.pictures.append(Picture(
        title=t("reports.reach_chart", lang), uri=svg_uri(svg),
        alt=t("reports.reach_chart", lang), source=data.section_source(part)))
