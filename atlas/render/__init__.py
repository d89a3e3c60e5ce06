"""Renderers: maps, fact sheets, programme sheets and atlas books.

Renderers read an :class:`~atlas.Atlas` (or one revision of it, an
:class:`~atlas.snapshot.AtlasSnapshot`) and the diagnostics, and return artefacts;
they never write to the store. Three wings:

- :mod:`.map` — interactive maps (folium), static maps (matplotlib) and the
  offline HTML export, all taking one :class:`MapOptions`;
- :mod:`.sheet` — territory fact sheets and programme sheets (Jinja2, WeasyPrint);
- :mod:`.book` — atlas books: a PDF to print, an HTML presentation to project.

The public names are re-exported here::

    from atlas.render import territory_map, static_map, export_html, territory_sheet

Interactive maps are loaded at once; everything that needs matplotlib or WeasyPrint
(static maps, sheets, books) is loaded on first use, so that the app's first page
(an interactive map) does not pay for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..errors import RenderError, ReportError
from .map import (
    Classification,
    IndicatorValues,
    MapOptions,
    classify,
    export_html,
    indicator_values,
    make_offline,
    map_options,
    territory_map,
    to_html,
)

if TYPE_CHECKING:
    from .book import atlas_book, plan_book
    from .map import (
        figure_png,
        figure_svg,
        legend_texts,
        save_static_map,
        static_map,
        static_map_png,
        static_map_svg,
    )
    from .sheet import ProgrammeSheet, Sheet, programme_sheet, territory_sheet

#: Names loaded on first use and the wing that defines each.
LAZY = {
    "figure_png": "map", "figure_svg": "map", "legend_texts": "map",
    "save_static_map": "map", "static_map": "map", "static_map_png": "map",
    "static_map_svg": "map",
    "Sheet": "sheet", "ProgrammeSheet": "sheet", "territory_sheet": "sheet",
    "programme_sheet": "sheet",
    "atlas_book": "book", "plan_book": "book",
}


def __getattr__(name: str) -> Any:
    """Load the matplotlib- and WeasyPrint-based names lazily (see :data:`LAZY`)."""
    if name in LAZY:
        value = getattr(import_module(f".{LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Classification",
    "IndicatorValues",
    "MapOptions",
    "ProgrammeSheet",
    "RenderError",
    "ReportError",
    "Sheet",
    "atlas_book",
    "classify",
    "export_html",
    "figure_png",
    "figure_svg",
    "indicator_values",
    "legend_texts",
    "make_offline",
    "map_options",
    "plan_book",
    "programme_sheet",
    "save_static_map",
    "static_map",
    "static_map_png",
    "static_map_svg",
    "territory_map",
    "territory_sheet",
    "to_html",
]
