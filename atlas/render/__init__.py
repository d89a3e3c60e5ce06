"""Renderers: interactive maps (folium), static maps (matplotlib), offline HTML export.

Renderers read an :class:`~atlas.Atlas` and indicator values and return artefacts;
they never write to the store. The public entry points are re-exported here::

    from atlas.render import territory_map, export_html, static_map

``territory_map`` returns a :class:`folium.Map` (shown inline in Jupyter; pass
``offline=True`` for a notebook that must work without the internet),
``export_html`` writes it as one self-contained file, and ``static_map`` returns a
matplotlib Figure for PNG/SVG output and fact sheets.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .choropleth import Classification, IndicatorValues, classify, indicator_values
from .errors import RenderError
from .maps import territory_map
from .offline import export_html, make_offline, to_html

if TYPE_CHECKING:
    from .static import (
        figure_png,
        figure_svg,
        legend_texts,
        save_static_map,
        static_map,
        static_map_png,
        static_map_svg,
    )

#: Static maps pull in matplotlib; they are loaded on first use so that interactive
#: maps (the app's first page) do not pay for it.
_STATIC = {"figure_png", "figure_svg", "legend_texts", "save_static_map", "static_map",
           "static_map_png", "static_map_svg"}


def __getattr__(name: str) -> Any:
    """Load the static-map functions lazily (see ``_STATIC``)."""
    if name in _STATIC:
        value = getattr(import_module(".static", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Classification",
    "IndicatorValues",
    "RenderError",
    "classify",
    "export_html",
    "figure_png",
    "figure_svg",
    "indicator_values",
    "legend_texts",
    "make_offline",
    "save_static_map",
    "static_map",
    "static_map_png",
    "static_map_svg",
    "territory_map",
    "to_html",
]
