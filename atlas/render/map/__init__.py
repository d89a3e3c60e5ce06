"""The map wing: interactive (folium) and static (matplotlib) maps from one scene.

Every map entry point takes the territory, then keyword-only a
:class:`~.options.MapOptions` (or its fields): :func:`territory_map` returns a
folium map, :func:`static_map` a matplotlib Figure, :func:`export_html` writes a map
as one offline file. The static side (matplotlib) is loaded on first use, so that
an interactive map (the app's first page) does not pay for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .choropleth import Classification, classify
from .interactive import territory_map
from .offline import export_html, make_offline, to_html
from .options import MapOptions, map_options
from .values import IndicatorValues, indicator_values

if TYPE_CHECKING:
    from .bulk import PageMaps
    from .output import (
        figure_image,
        figure_png,
        figure_svg,
        save_static_map,
        static_map_png,
        static_map_svg,
    )
    from .static import SceneDrawer, legend_texts, scene_figure, static_map

#: Static-map names and the module that defines each (loaded on first use).
STATIC = {"static_map": "static", "scene_figure": "static", "SceneDrawer": "static",
          "legend_texts": "static", "PageMaps": "bulk", "figure_image": "output",
          "figure_png": "output", "figure_svg": "output", "save_static_map": "output",
          "static_map_png": "output", "static_map_svg": "output"}


def __getattr__(name: str) -> Any:
    """Load the static-map names lazily (see :data:`STATIC`)."""
    if name in STATIC:
        value = getattr(import_module(f".{STATIC[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Classification", "IndicatorValues", "MapOptions", "PageMaps", "SceneDrawer",
           "classify", "export_html", "figure_image", "figure_png", "figure_svg",
           "indicator_values", "legend_texts", "make_offline", "map_options",
           "save_static_map", "scene_figure", "static_map", "static_map_png",
           "static_map_svg", "territory_map", "to_html"]
