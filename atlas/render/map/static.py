"""Static maps (PNG, SVG) with matplotlib, for fact sheets, reports and print.

A static map draws the same :class:`~.scene.Scene` as the interactive map, with
the same catalogue styles and choropleth classes, in the atlas's metric CRS (so the
scale bar is true and shapes are not stretched). No tiles: the territory, its
sub-units and greyed neighbours are the background. Sheets are often printed in
black and white, so point categories also differ by marker shape, the no-data
class is hatched, and the legend names every symbol.

:func:`static_map` takes the same :class:`~.options.MapOptions` as the interactive
map. Sheets and books draw through a *drawer* (``drawer.figure(code)``): a
:class:`SceneDrawer` draws each map whole like :func:`static_map`;
:class:`~.bulk.PageMaps` draws many page maps into one reused figure.

Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``: no global
state, safe in the app's threads, nothing left open.
"""

from __future__ import annotations

import math
import textwrap
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ...i18n import t
from ...names import TERRITORIES
from ...provenance import layer_citations
from ..formatting import format_date
from . import decor
from .choropleth import decimals_for, legend_title
from .geometry import simplify
from .handles import (
    NO_DATA_HATCH,
    bold_headers,
    class_handle,
    header,
    layer_handles,
    no_data_handle,
)
from .options import MapOptions, map_options
from .scene import Scene, build_scene
from .symbols import (
    draw_order,
    geometry_kind,
    legend_entries,
    matplotlib_options,
    style_codes,
    styled_keys,
)

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...snapshot import AtlasSnapshot

#: Share of the figure width kept for the legend, by number of legend columns.
LEGEND_WIDTH = {0: 0.02, 1: 0.30, 2: 0.50}
LEGEND_ROWS_PER_COLUMN = 30
FOOTER_LINES = 5


def static_map(atlas: Atlas | AtlasSnapshot, territory: str | None = None, *,
               options: MapOptions | None = None, **fields: Any) -> Figure:
    """A matplotlib Figure of ``territory`` (None: the whole atlas).

    ``options`` (or its fields as keywords) are those of
    :func:`~.interactive.territory_map`; ``size`` (pixels), ``dpi``, ``title``,
    ``legend`` and ``today`` (the date in the footer) are the static map's own.
    """
    chosen = map_options(options, **fields)
    return scene_figure(build_scene(atlas, territory, chosen), chosen)


class MapDrawer(Protocol):
    """What sheets and books draw maps with: one snapshot, one set of options."""

    atlas: AtlasSnapshot
    options: MapOptions
    #: False when the page around the map prints its title instead.
    draws_title: bool

    def figure(self, territory: str | None, title: str | None = None) -> Figure:
        """The map of ``territory``; ``title`` replaces the options' one."""


class SceneDrawer:
    """Draws whole static maps of one snapshot (title, legend, footer), one per call."""

    draws_title = True

    def __init__(self, atlas: AtlasSnapshot, options: MapOptions) -> None:
        self.atlas = atlas
        self.options = options

    def figure(self, territory: str | None, title: str | None = None) -> Figure:
        """The static map of ``territory`` (a new figure each time)."""
        options = self.options if title is None else map_options(self.options, title=title)
        return scene_figure(build_scene(self.atlas, territory, options), options)


def scene_figure(scene: Scene, options: MapOptions) -> Figure:
    """Draw an already built scene (see :func:`static_map`)."""
    width, height = options.size
    dpi = options.dpi
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=decor.BACKGROUND)
    handles, labels = _legend_items(scene) if options.legend else ([], [])
    columns = 0 if not handles else (1 if len(handles) <= LEGEND_ROWS_PER_COLUMN else 2)
    if columns == 2:
        handles, labels = _keep_headers_with_rows(handles, labels)
    footer = _footer(scene, options.today, width / dpi)
    line = 6 * 1.35 / 72 / (height / dpi)  # one 6-pt footer line, as a figure fraction
    bottom = 0.03 + line * (footer.count("\n") + 1)
    box = (0.02, bottom, 1 - LEGEND_WIDTH[columns] - 0.03, 0.92 - bottom)
    ax = figure.add_axes(box)
    ax.set_axis_off()
    metric = scene.atlas.metric_crs
    minx, miny, maxx, maxy = scene.focus.to_crs(metric).total_bounds
    extent = decor.match_aspect(decor.padded((minx, miny, maxx, maxy)),
                                (box[2] * width) / (box[3] * height))
    _draw(scene, ax, metric, max(maxx - minx, maxy - miny) / max(width, 1))
    decor.fit(ax, extent)
    decor.scale_bar(ax, extent, scene.lang)
    decor.north_arrow(ax)
    figure.text(0.02, 0.97, options.title if options.title is not None else scene.title,
                fontsize=11, fontweight="bold", va="top", ha="left", wrap=True)
    figure.text(0.02, 0.012, footer, fontsize=6, va="bottom", ha="left", color="#444444",
                linespacing=1.2)
    if handles:
        legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                           frameon=False, fontsize=7 if len(handles) <= 40 else 6,
                           ncols=columns, handlelength=1.4, borderaxespad=0.0,
                           labelspacing=0.35)
        bold_headers(legend, handles)
    return figure


def _geoms(frame: gpd.GeoDataFrame, metric: Any, tolerance: float,
           coverage: bool = False) -> gpd.GeoSeries:
    """Drawable geometries in the metric CRS; territories simplified level by level."""
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    geoms = frame.geometry[keep]
    groups = list(frame.loc[keep, "level"]) if coverage and "level" in frame.columns else None
    return simplify(geoms.to_crs(metric), metric, tolerance, groups)


def _draw(scene: Scene, ax: Axes, metric: Any, tolerance: float) -> None:
    """Neighbours, the territory (or its choropleth), sub-units, outline, then layers."""
    z = decor.ZORDER
    if not scene.neighbours.empty:
        _geoms(scene.neighbours, metric, tolerance, True).plot(
            ax=ax, zorder=z["neighbours"], **decor.NEIGHBOUR_STYLE)
    focus_rows = scene.outline["code"].isin(scene.focus_codes)
    focus = _geoms(scene.outline[focus_rows], metric, tolerance, True)
    subunits = _geoms(scene.outline[~focus_rows], metric, tolerance, True)
    if scene.choropleth is None:
        focus.plot(ax=ax, facecolor="#ffffff", edgecolor="none", zorder=z["fill"])
    else:
        _draw_choropleth(scene, ax, metric, tolerance)
    if not subunits.empty:
        subunits.plot(ax=ax, facecolor="none", zorder=z["subunits"], **decor.SUBUNIT_EDGE)
    focus.plot(ax=ax, facecolor="none", zorder=z["focus"], **decor.FOCUS_EDGE)
    for item in sorted(scene.layers, key=lambda i: draw_order(scene.atlas.spec(i.name))):
        if not item.frame.empty:
            _draw_layer(scene, ax, item.name, item.frame, _geoms(item.frame, metric,
                                                                 tolerance))


def _draw_layer(scene: Scene, ax: Axes, name: str, frame: gpd.GeoDataFrame,
                geoms: gpd.GeoSeries) -> None:
    """One catalogue layer, one call per legend entry (category)."""
    spec = scene.atlas.spec(name)
    kind = geometry_kind(spec)
    codes = style_codes(spec, frame.loc[geoms.index])
    zorder = decor.ZORDER[kind] + spec.order / 1000
    entries = legend_entries(spec, scene.lang, codes)
    for entry in entries:
        if codes is None:
            chosen = geoms
        elif entry.key is None:
            chosen = geoms[~codes.astype(str).isin(styled_keys(entries))]
        else:
            chosen = geoms[codes.astype(str) == entry.key]
        if chosen.empty:
            continue
        options = matplotlib_options(spec, entry.symbol, entry.shape,
                                     scale=decor.marker_scale(len(geoms)))
        if kind == "point":
            decor.scatter(ax, chosen.x, chosen.y, options, zorder)
        else:
            chosen.plot(ax=ax, zorder=zorder, **options)


def _draw_choropleth(scene: Scene, ax: Axes, metric: Any, tolerance: float) -> None:
    choro = scene.choropleth
    assert choro is not None
    geoms = _geoms(choro.frame, metric, tolerance, True)
    classes = choro.frame.loc[geoms.index, "class"]
    for index, color in enumerate(choro.classification.colors):
        chosen = geoms[classes == index]
        if not chosen.empty:
            chosen.plot(ax=ax, facecolor=color, edgecolor="#ffffff", linewidth=0.3,
                        zorder=decor.ZORDER["fill"])
    missing = geoms[classes < 0]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="#ffffff", edgecolor="#8c8c8c", hatch=NO_DATA_HATCH,
                     linewidth=0.3, zorder=decor.ZORDER["fill"])


def _footer(scene: Scene, today: date | None, width_in: float) -> str:
    """Sources of everything drawn, the date, and the fictional-data warning."""
    lang = scene.lang
    atlas = scene.atlas
    sources = layer_citations(atlas, TERRITORIES) if TERRITORIES in atlas.catalog else []
    for item in scene.layers:
        if not item.frame.empty:
            sources += layer_citations(atlas, item.name)
    if scene.choropleth is not None and scene.choropleth.values.source:
        sources.append(scene.choropleth.values.source)
    unique = list(dict.fromkeys(s for s in sources if s))
    parts = [t("render.source", lang, source=" ; ".join(unique))] if unique else []
    parts.append(t("render.date_line", lang, date=format_date(today or date.today(), lang)))
    if atlas.settings.fictional:
        parts.append(t("render.fictional", lang))
    return "\n".join(textwrap.wrap(" — ".join(parts), width=max(40, int(width_in * 19)),
                                   max_lines=FOOTER_LINES, placeholder=" […]"))


def _keep_headers_with_rows(handles: list[Any], labels: list[str]
                            ) -> tuple[list[Any], list[str]]:
    """Pad the first legend column so no section title ends it, cut from its rows."""
    last = math.ceil(len(handles) / 2) - 1
    if not handles[last].get_visible():
        handles = [*handles[:last], header(), *handles[last:]]
        labels = [*labels[:last], "", *labels[last:]]
    return handles, labels


def _legend_items(scene: Scene) -> tuple[list[Any], list[str]]:
    """Handles and labels of the legend: the choropleth's classes, then each layer."""
    lang = scene.lang
    rows: list[tuple[Any, str]] = []
    if scene.choropleth is not None:
        values, classes = scene.choropleth.values, scene.choropleth.classification
        rows.append((header(), legend_title(values, scene.lang)))
        rows += [(class_handle(color), text) for color, text in zip(
            classes.colors, classes.labels(lang, decimals_for(values, classes)), strict=True)]
        if classes.counts()[-1]:
            rows.append((no_data_handle(), t("render.no_data", lang)))
    for item in scene.layers:
        if item.frame.empty:
            continue
        spec = scene.atlas.spec(item.name)
        rows += layer_handles(spec, lang, style_codes(spec, item.frame))
    return [h for h, _ in rows], [label for _, label in rows]


def legend_texts(figure: Figure) -> list[str]:
    """Texts of a static map's legend (section titles and entries), in order."""
    texts: list[str] = []
    for ax in figure.axes:
        box = ax.get_legend()
        if box is not None:
            texts += [text.get_text() for text in box.get_texts()]
    return texts


__all__ = ["MapDrawer", "SceneDrawer", "legend_texts", "scene_figure", "static_map"]
