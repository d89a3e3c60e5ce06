"""Maps of sheets and book pages, embedded as pictures with their source line.

A sheet map is a static map of the map wing (same scene, styles and footer as every
other map of the platform) drawn by a *drawer* (``drawer.figure(code)``, see
:mod:`atlas.render.map.static`) and written as a PNG ``data:`` URI, so the sheet
opens offline as one file; a book's PDF pages use JPEG files and the bulk drawer
(:class:`~atlas.render.map.bulk.PageMaps`). Maps carry many points, which SVG would
turn into heavy pages, hence raster images at print resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...i18n import normalise_language, t
from ...names import LOCALITIES, MANGROVES, SCHOOLS, TERRITORIES, WATER_POINTS
from ...provenance import layer_as_of
from ..map.options import MapOptions
from .charts import data_uri
from .format import latest_date
from .model import Picture
from .sources import layer_sources, source_line

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot
    from ..map.static import MapDrawer

#: Layers drawn on a territory's map when they exist in the atlas, in drawing order.
MAP_LAYERS = (MANGROVES, LOCALITIES, WATER_POINTS, SCHOOLS)
#: Size (pixels) and resolution of a sheet's map.
SHEET_MAP_SIZE = (1200, 860)
SHEET_MAP_DPI = 150


def map_layers(atlas: AtlasSnapshot, layers: Sequence[str] | None = None) -> list[str]:
    """The layers to draw: those asked for (default :data:`MAP_LAYERS`) that exist."""
    wanted = MAP_LAYERS if layers is None else layers
    return [name for name in wanted if name in atlas.catalog and name != TERRITORIES]


def sheet_map_options(atlas: AtlasSnapshot, lang: str, layers: Sequence[str] | None = None,
                      **changes: Any) -> MapOptions:
    """The options of a sheet's map: existing layers, the sheet's size and language."""
    fields: dict[str, Any] = {"size": SHEET_MAP_SIZE, "dpi": SHEET_MAP_DPI, **changes}
    return MapOptions(layers=tuple(map_layers(atlas, layers)), lang=lang, **fields)


def embed(data: bytes, fmt: str, folder: str | None = None, name: str = "") -> str:
    """A ``data:`` URI, or with ``folder`` a ``file:`` URI of the image written there.

    Sheets and slides must be one self-contained file; a book's PDF pages need not, and
    WeasyPrint parses a file URL much faster than a long base64 string.
    """
    if folder is None:
        return data_uri(data, f"image/{fmt}")
    path = Path(folder) / f"{name or 'image'}.{'jpg' if fmt == 'jpeg' else fmt}"
    path.write_bytes(data)
    return path.resolve().as_uri()


def map_source(atlas: AtlasSnapshot, layers: Sequence[str], lang: str, produced: str) -> str:
    """Source and date line under a map: boundaries and every layer drawn."""
    names = [TERRITORIES, *layers]
    dates = [layer_as_of(atlas, name) for name in names if name in atlas.catalog]
    return source_line(lang, layer_sources(atlas, names, lang), latest_date(dates), (),
                       produced)


def map_picture(drawer: MapDrawer, code: str | None, produced: str, *,
                title: str | None = None, caption: str | None = None, fmt: str = "png",
                folder: str | None = None, stem: str | None = None) -> Picture:
    """The map of a territory (None: the whole atlas) drawn by ``drawer``, embedded.

    ``title`` is drawn inside the map (by drawers that draw one), ``caption`` above
    it (default: "Carte — name"); ``fmt``, ``folder`` and ``stem`` (the image's file
    name) are those of :func:`embed`.
    """
    from ..map.output import figure_image

    atlas, lang = drawer.atlas, normalise_language(drawer.options.lang)
    figure = drawer.figure(code, title=title)
    name = atlas.territories.name(code) if code else atlas.settings.title_in(lang)
    layers = list(drawer.options.layers or ())
    return Picture(title=caption or t("reports.map_title", lang, name=name),
                   uri=embed(figure_image(figure, fmt), fmt, folder,
                             stem or f"map-{code or 'all'}"),
                   alt=t("reports.map_alt", lang, name=name),
                   source=map_source(atlas, layers, lang, produced), kind="map")


def legend_picture(atlas: AtlasSnapshot, layers: Sequence[str] | None, lang: str,
                   present: dict[str, Any] | None = None, columns: int = 3,
                   width_mm: float = 115, fmt: str = "png",
                   folder: str | None = None) -> Picture | None:
    """One legend for all the maps of a book, drawn once with the catalogue's symbols.

    ``present`` gives, per layer, the category values found in the book's territories
    (so the legend lists only those); without it every styled category is listed.
    """
    from matplotlib.figure import Figure

    from ..map.handles import bold_headers, layer_handles
    from ..map.output import figure_image

    rows: list[tuple[Any, str]] = []
    for name in map_layers(atlas, layers):
        values = None if present is None else present.get(name)
        if present is None or values is not None:
            rows += layer_handles(atlas.spec(name), lang, values)
    if not rows:
        return None
    handles, labels = [h for h, _ in rows], [label for _, label in rows]
    lines = -(-len(handles) // columns)
    figure = Figure(figsize=(width_mm / 25.4, 0.16 * lines + 0.1), dpi=150,
                    facecolor="#ffffff")
    box = figure.legend(handles, labels, loc="upper left", ncols=columns, frameon=False,
                        fontsize=6.5, handlelength=1.2, borderaxespad=0.1,
                        labelspacing=0.3, columnspacing=1.0, bbox_to_anchor=(0, 1))
    bold_headers(box, handles)
    data = figure_image(figure, fmt)
    return Picture(title=t("render.legend", lang), uri=embed(data, fmt, folder, "legend"),
                   alt=t("render.legend", lang), source="", kind="legend")
