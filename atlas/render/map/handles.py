"""Legend entries of static maps as matplotlib handles, declared once.

The static map's own legend and the one legend a book prints for all its maps show
the catalogue's symbols through :func:`layer_handles`, so a water point looks the
same in the legend of a sheet, of a map and of a book.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ...catalog import LayerSpec
from .symbols import LegendEntry, geometry_kind, legend_entries, matplotlib_options

#: Hatch of the no-data class (readable in black and white).
NO_DATA_HATCH = "////"


def header() -> Patch:
    """An invisible handle: its label is a section title, shown in bold."""
    return Patch(visible=False)


def entry_handle(spec: LayerSpec, entry: LegendEntry) -> Any:
    """The handle drawing one legend entry of a layer as the map draws it."""
    options = matplotlib_options(spec, entry.symbol, entry.shape)
    kind = geometry_kind(spec)
    if kind == "point":
        return Line2D([], [], linestyle="none", marker=options["marker"],
                      markersize=math.sqrt(options["markersize"]),
                      markerfacecolor=options["color"], markeredgecolor=options["edgecolor"],
                      markeredgewidth=0.6)
    if kind == "line":
        return Line2D([], [], color=options["color"], linewidth=1.5)
    return Patch(facecolor=options["facecolor"], edgecolor=options["edgecolor"],
                 linewidth=0.5)


def layer_handles(spec: LayerSpec, lang: str, present: Iterable[object] | None = None
                  ) -> list[tuple[Any, str]]:
    """(handle, label) of a layer's section: its title, then one per entry."""
    rows: list[tuple[Any, str]] = [(header(), spec.title(lang))]
    rows += [(entry_handle(spec, entry), entry.label)
             for entry in legend_entries(spec, lang, present)]
    return rows


def class_handle(color: str) -> Patch:
    """The swatch of one choropleth class."""
    return Patch(facecolor=color, edgecolor="#555555", linewidth=0.4)


def no_data_handle() -> Patch:
    """The swatch of territories without a value."""
    return Patch(facecolor="#ffffff", edgecolor="#8c8c8c", hatch=NO_DATA_HATCH, linewidth=0.4)


def bold_headers(box: Any, handles: list[Any]) -> None:
    """Section titles of a drawn legend in bold (their handles are :func:`header`)."""
    for text, handle in zip(box.get_texts(), handles, strict=True):
        if isinstance(handle, Patch) and not handle.get_visible():
            text.set_fontweight("bold")
