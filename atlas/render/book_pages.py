"""One territory's page of an atlas book, in each layout.

- ``summary`` (default): the title block, the map and the key figures beside their
  parent value, rank and verdict, with the first priority localities and schools;
  exactly one A4 landscape page, so a book of N territories has N such pages.
- ``map``: the title and a large map (the plain map atlas QGIS users know).
- ``sheets``: each territory's full fact sheet (several A4 portrait pages).

The same content feeds the printed page and the projected slide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import t
from .book_maps import PageMapper
from .book_plan import Entry
from .sheet_data import ReportData
from .sheet_maps import embed, figure_image, map_layers, map_source, territory_picture
from .sheet_model import PageContent, Picture

LAYOUTS = ("summary", "map", "sheets")
#: Map sizes (pixels, dpi) per layout: drawn at the size they are printed.
MAP_SIZE = {"summary": ((900, 648), 108), "map": ((1400, 830), 130)}
#: Maps drawn by :class:`~.book_maps.PageMapper` for PDF pages (no title, footer or
#: legend inside the image: the page prints them).
PAGE_MAP_SIZE = {"summary": ((1063, 765), 180), "map": ((1636, 874), 150)}
#: Rows of each priority list on a summary page.
PAGE_LIST_SIZE = 3


def page_content(data: ReportData, map_atlas: Any, entry: Entry, layout: str,
                 layers: Sequence[str] | None, *, legend: bool = True, fmt: str = "png",
                 folder: str | None = None, mapper: PageMapper | None = None) -> PageContent:
    """Content of one summary or map page; ``map_atlas`` may be a preloaded atlas.

    ``legend=False`` when the book prints one shared legend; ``fmt`` and ``folder``
    choose how the map is embedded (see :func:`.sheet_maps.embed`); a ``mapper``
    draws the map in bulk (PDF books) instead of :mod:`.static`.
    """
    if mapper is not None:
        figure = mapper.draw(entry.code)
        picture = Picture(
            title=_map_title(data, entry),
            uri=embed(figure_image(figure, fmt), fmt, folder, f"map-{entry.number}"),
            alt=t("reports.map_alt", data.lang, name=entry.name),
            source=map_source(map_atlas, map_layers(map_atlas, layers), data.lang,
                              data.produced), kind="map")
    else:
        size, dpi = MAP_SIZE[layout if layout in MAP_SIZE else "summary"]
        picture = territory_picture(map_atlas, entry.code, data.lang, data.produced,
                                    layers=layers, size=size, dpi=dpi, today=data.today,
                                    legend=legend, title=_map_title(data, entry), fmt=fmt,
                                    folder=folder)
    facts = data.facts(entry.code)
    if layout == "map":
        return PageContent(number=entry.number, code=entry.code, name=entry.name,
                           group=entry.group_name, facts=facts, rows=[], source="",
                           map=picture)
    return PageContent(
        number=entry.number, code=entry.code, name=entry.name, group=entry.group_name,
        facts=facts, rows=data.key_rows(entry.code), source=data.key_source(entry.code),
        lists=data.priority_tables(entry.code, PAGE_LIST_SIZE), map=picture)


def _map_title(data: ReportData, entry: Entry) -> str:
    return t("reports.book_map_title", data.lang, number=entry.number, name=entry.name)
