"""One territory's page of an atlas book, in each layout.

- ``summary`` (default): the title block, the map and the key figures beside their
  parent value, rank and verdict, with the first priority localities and schools;
  exactly one A4 landscape page, so a book of N territories has N such pages.
- ``map``: the title and a large map (the plain map atlas QGIS users know).
- ``sheets``: each territory's full fact sheet (several A4 portrait pages).

The same content feeds the printed page and the projected slide; only the map's
drawer differs (the bulk page maps for PDF pages, whole static maps for slides).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ...choices import BOOK_LAYOUTS
from ...i18n import t
from ..map.options import MapOptions
from ..map.static import SceneDrawer
from ..sheet.data import ReportData
from ..sheet.model import PageContent
from ..sheet.pictures import map_layers, map_picture
from .plan import Entry

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot
    from ..map.static import MapDrawer

LAYOUTS = BOOK_LAYOUTS
#: Slide map sizes (pixels, dpi) per layout: drawn at the size they are shown.
MAP_SIZE = {"summary": ((900, 648), 108), "map": ((1400, 830), 130)}
#: Page maps of PDF pages (:class:`~atlas.render.map.bulk.PageMaps`: no title, footer or
#: legend inside the image, the page prints them).
PAGE_MAP_SIZE = {"summary": ((1063, 765), 180), "map": ((1636, 874), 150)}
#: Rows of each priority list on a summary page.
PAGE_LIST_SIZE = 3


def page_map_options(atlas: AtlasSnapshot, layout: str, layers: Sequence[str] | None,
                     lang: str, *, slide: bool, today: date | None = None) -> MapOptions:
    """Options of the page maps of a layout (PDF pages, or slides when ``slide``)."""
    sizes = MAP_SIZE if slide else PAGE_MAP_SIZE
    size, dpi = sizes[layout if layout in sizes else "summary"]
    return MapOptions(layers=tuple(map_layers(atlas, layers)), lang=lang, size=size,
                      dpi=dpi, today=today)


def slide_drawer(atlas: AtlasSnapshot, layout: str, layers: Sequence[str] | None,
                 lang: str, today: date | None) -> SceneDrawer:
    """Whole static maps (title, legend, footer) sized for the slides of ``layout``."""
    return SceneDrawer(atlas, page_map_options(atlas, layout, layers, lang, slide=True,
                                               today=today))


def page_content(data: ReportData, entry: Entry, layout: str, drawer: MapDrawer, *,
                 fmt: str = "png", folder: str | None = None) -> PageContent:
    """Content of one summary or map page, its map drawn by ``drawer``.

    ``fmt`` and ``folder`` choose how the map is embedded (see
    :func:`~atlas.render.sheet.pictures.embed`).
    """
    title = t("reports.book_map_title", data.lang, number=entry.number, name=entry.name)
    picture = map_picture(drawer, entry.code, data.produced, title=title,
                          caption=None if drawer.draws_title else title, fmt=fmt,
                          folder=folder, stem=f"map-{entry.number}")
    facts = data.facts(entry.code)
    if layout == "map":
        return PageContent(number=entry.number, code=entry.code, name=entry.name,
                           group=entry.group_name, facts=facts, rows=[], source="",
                           map=picture)
    return PageContent(
        number=entry.number, code=entry.code, name=entry.name, group=entry.group_name,
        facts=facts, rows=data.key_rows(entry.code), source=data.key_source(entry.code),
        lists=data.priority_tables(entry.code, PAGE_LIST_SIZE), map=picture)
