"""Maps of the fact sheets and book pages: :mod:`.static` maps embedded as PNG.

A sheet map is the static map of :mod:`.static` (same scene, styles and footer as
every other map of the platform) written as a PNG ``data:`` URI, so the sheet opens
offline as one file. Maps carry many points, which SVG would turn into heavy pages,
hence PNG at print resolution.

A book draws hundreds of maps. :class:`PreloadedAtlas` reads each map layer once
and answers the scene's per-territory reads from memory with the same rule as
:meth:`atlas.atlas.Atlas.read` (features meeting the boundary, or attached to the
territory by code), instead of one database query per layer and territory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..i18n import t
from .sheet_charts import data_uri
from .sheet_model import Picture

if TYPE_CHECKING:
    from ..atlas import Atlas

#: Layers drawn on a territory's map when they exist in the atlas, in drawing order.
MAP_LAYERS = ("mangroves", "localities", "water_points", "schools")
TERRITORY_FIELD = "territory_code"
#: PNG compression: level 1 is several times faster than the default and the files
#: (flat colours) are hardly bigger.
PNG_COMPRESSION = 1


def map_layers(atlas: Any, layers: Sequence[str] | None = None) -> list[str]:
    """The layers to draw: those asked for (default :data:`MAP_LAYERS`) that exist."""
    wanted = MAP_LAYERS if layers is None else layers
    return [name for name in wanted if name in atlas.catalog and name != "territories"]


def figure_image(figure: Figure, fmt: str = "png") -> bytes:
    """RGB image bytes of a figure: PNG (sheets, slides) or JPEG (book PDFs).

    No alpha channel: WeasyPrint would otherwise split and recompress colour and
    transparency. Books use JPEG (quality 85, no chroma subsampling, so text stays
    sharp), which WeasyPrint copies into the PDF untouched, where a PNG is decoded and
    compressed again: on 550 pages that is several seconds.
    """
    from PIL import Image

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=85, subsampling=0,
                                  dpi=(figure.dpi, figure.dpi))
    else:
        image.convert("RGB").save(buffer, format="PNG", compress_level=PNG_COMPRESSION,
                                  dpi=(figure.dpi, figure.dpi))
    return buffer.getvalue()


def figure_png(figure: Figure) -> bytes:
    """RGB PNG bytes of a figure (see :func:`figure_image`)."""
    return figure_image(figure, "png")


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


def map_source(atlas: Any, layers: Sequence[str], lang: str, produced: str) -> str:
    """Source and date line under a map: boundaries and every layer drawn."""
    from .sheet_data import layer_sources, source_line

    dates = [atlas.spec(name).metadata.get("date") for name in ["territories", *layers]
             if name in atlas.catalog]
    from .sheet_format import latest_date

    return source_line(lang, layer_sources(atlas, ["territories", *layers], lang),
                       latest_date(dates), (), produced)


def territory_picture(atlas: Any, code: str | None, lang: str, produced: str,
                      layers: Sequence[str] | None = None, size: tuple[int, int] = (1200, 860),
                      dpi: int = 150, title: str | None = None, indicator: object = None,
                      today: date | None = None, legend: bool = True, fmt: str = "png",
                      folder: str | None = None, **options: Any) -> Picture:
    """The static map of a territory (None: the whole atlas) as an embedded picture.

    ``legend=False`` leaves the legend out (a book prints one shared legend, see
    :func:`legend_picture`); ``fmt`` and ``folder`` are those of :func:`embed`.
    """
    from .scene import build_scene
    from .static import scene_figure

    drawn = map_layers(atlas, layers)
    scene = build_scene(atlas, code, drawn, lang, indicator, **options)
    figure = scene_figure(scene, size=size, dpi=dpi, title=title, today=today, legend=legend)
    name = atlas.territories.name(code) if code else atlas.settings.title_in(lang)
    return Picture(title=t("reports.map_title", lang, name=name),
                   uri=embed(figure_image(figure, fmt), fmt, folder, f"map-{code or 'all'}"),
                   alt=t("reports.map_alt", lang, name=name),
                   source=map_source(atlas, drawn, lang, produced), kind="map")


def legend_picture(atlas: Any, layers: Sequence[str] | None, lang: str,
                   present: dict[str, Any] | None = None, columns: int = 3,
                   width_mm: float = 115, fmt: str = "png",
                   folder: str | None = None) -> Picture | None:
    """One legend for all the maps of a book, drawn once with the catalogue's symbols.

    ``present`` gives, per layer, the category values found in the book's territories
    (so the legend lists only those); without it every styled category is listed.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .symbols import geometry_kind, legend_entries, matplotlib_options

    handles: list[Any] = []
    labels: list[str] = []
    headers: list[int] = []
    for name in map_layers(atlas, layers):
        spec = atlas.spec(name)
        values = None if present is None else present.get(name)
        if present is not None and values is None:
            continue
        headers.append(len(handles))
        handles.append(Patch(visible=False))
        labels.append(spec.title(lang))
        kind = geometry_kind(spec)
        for entry in legend_entries(spec, lang, values):
            options = matplotlib_options(spec, entry.symbol, entry.shape)
            if kind == "point":
                handles.append(Line2D([], [], linestyle="none", marker=options["marker"],
                                      markersize=options["markersize"] ** 0.5,
                                      markerfacecolor=options["color"],
                                      markeredgecolor=options["edgecolor"],
                                      markeredgewidth=0.6))
            elif kind == "line":
                handles.append(Line2D([], [], color=options["color"], linewidth=1.5))
            else:
                handles.append(Patch(facecolor=options["facecolor"],
                                     edgecolor=options["edgecolor"], linewidth=0.5))
            labels.append(entry.label)
    if not handles:
        return None
    rows = -(-len(handles) // columns)
    width = width_mm / 25.4
    figure = Figure(figsize=(width, 0.16 * rows + 0.1), dpi=150, facecolor="#ffffff")
    box = figure.legend(handles, labels, loc="upper left", ncols=columns, frameon=False,
                        fontsize=6.5, handlelength=1.2, borderaxespad=0.1,
                        labelspacing=0.3, columnspacing=1.0, bbox_to_anchor=(0, 1))
    for index, text in enumerate(box.get_texts()):
        if index in headers:
            text.set_fontweight("bold")
    data = figure_image(figure, fmt)
    return Picture(title=t("render.legend", lang), uri=embed(data, fmt, folder, "legend"),
                   alt=t("render.legend", lang), source="", kind="legend")


class PreloadedAtlas:
    """A read-only snapshot of an atlas for rendering many pages.

    Its catalogue, settings and territory tree are taken once (an :class:`Atlas`
    checks the store's revision on each access, a query per call that a book would
    repeat thousands of times), and its map layers are read once and cut per
    territory in memory. Everything else is the wrapped atlas's own.
    """

    def __init__(self, atlas: Atlas, layers: Sequence[str]) -> None:
        self._atlas = atlas
        self.url = atlas.url
        self.catalog = atlas.catalog
        self.settings = atlas.settings
        self.territories = atlas.territories
        self.metric_crs = atlas.metric_crs
        self.revision = atlas.revision
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        for name in layers:
            if name in self.catalog and name != "territories":
                frame = atlas.read(name)
                frame.sindex  # noqa: B018 - build the spatial index once, here
                self._frames[name] = frame

    def __getattr__(self, name: str) -> Any:
        """Delegate to the wrapped atlas."""
        return getattr(self._atlas, name)

    def spec(self, layer: str) -> Any:
        """Spec of a layer (from the snapshot's catalogue)."""
        if layer in self.catalog:
            return self.catalog[layer]
        return self._atlas.spec(layer)

    def warning(self, lang: str | None = None) -> str | None:
        """The fictional-data warning when the atlas is a demonstration."""
        return t("cli.fictional", lang) if self.settings.fictional else None

    def frame(self, layer: str) -> gpd.GeoDataFrame:
        """All rows of a map layer (read once)."""
        found = self._frames.get(layer)
        return found if found is not None else self._atlas.read(layer)

    def read(self, layer: str, territory: str | None = None, **kwargs: Any
             ) -> gpd.GeoDataFrame:
        """Rows of ``layer`` meeting ``territory`` or attached to it, like Atlas.read."""
        frame = self._frames.get(layer)
        if frame is None or kwargs or territory is None:
            return self._atlas.read(layer, territory=territory, **kwargs)
        tree = self.territories
        boundary = tree.geometry(territory)
        hits = frame.sindex.query(boundary, predicate="intersects")
        keep = np.zeros(len(frame), dtype=bool)
        keep[hits] = True
        if TERRITORY_FIELD in frame.columns:
            codes = [territory, *tree.descendants(territory)]
            keep |= frame[TERRITORY_FIELD].isin(codes).to_numpy()
        chosen = frame[keep]
        spec = self.spec(layer)
        if spec.id_field in chosen.columns:
            chosen = chosen.sort_values(spec.id_field)
        return chosen.reset_index(drop=True)


def representative_points(frame: gpd.GeoDataFrame, metric: Any) -> gpd.GeoSeries:
    """A point inside each polygon, in the metric CRS (for labels on overview maps)."""
    return gpd.GeoSeries(shapely.point_on_surface(frame.to_crs(metric).geometry.values),
                         index=frame.index, crs=metric)
