"""Static maps (PNG, SVG) with matplotlib, for fact sheets, reports and print.

A static map draws the same :class:`~.scene.Scene` as the interactive map, with
the same catalogue styles and choropleth classes, in the atlas's metric CRS (so the
scale bar is true and shapes are not stretched). No tiles: the territory, its
sub-units and greyed neighbours are the background. Sheets are often printed in
black and white, so point categories also differ by marker shape, the no-data
class is hatched, and the legend names every symbol.

Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``: no global
state, safe in the app's threads, nothing left open.
"""

from __future__ import annotations

import io
import math
import os
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..i18n import t
from .choropleth import DEFAULT_CLASSES, decimals_for, legend_title
from .errors import RenderError
from .formatting import format_date, format_number
from .geometry import simplify
from .scene import Scene, build_scene
from .symbols import geometry_kind, legend_entries, matplotlib_options

if TYPE_CHECKING:
    from ..atlas import Atlas

DEFAULT_SIZE = (1200, 900)
DEFAULT_DPI = 150
BACKGROUND = "#ffffff"
NEIGHBOUR_FILL = "#e3e3e3"
NO_DATA_HATCH = "////"
#: Share of the figure width kept for the legend, by number of legend columns.
LEGEND_WIDTH = {0: 0.02, 1: 0.30, 2: 0.50}
LEGEND_ROWS_PER_COLUMN = 30
FOOTER_LINES = 5


def static_map(
    atlas: Atlas,
    territory: str | None = None,
    layers: Sequence[str] | None = None,
    indicator_values: object = None,
    lang: str | None = None,
    size: tuple[int, int] = DEFAULT_SIZE,
    dpi: int = DEFAULT_DPI,
    *,
    level: int | str | None = None,
    scheme: str = "quantiles",
    k: int = DEFAULT_CLASSES,
    breaks: Sequence[float] | None = None,
    palette: str | None = None,
    label: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    higher_is_better: bool | None = None,
    title: str | None = None,
    legend: bool = True,
    today: date | None = None,
) -> Figure:
    """A matplotlib Figure of ``territory`` of ``size`` pixels at ``dpi``.

    ``indicator_values`` is what :func:`~.choropleth.indicator_values` accepts (a
    Series or DataFrame per territory code, IndicatorValues, or an indicator code);
    other arguments are those of :func:`atlas.render.maps.territory_map`.
    """
    scene = build_scene(atlas, territory, layers, lang, indicator_values, level=level,
                        scheme=scheme, k=k, breaks=breaks, palette=palette, label=label,
                        unit=unit, source=source, higher_is_better=higher_is_better)
    return scene_figure(scene, size=size, dpi=dpi, title=title, legend=legend, today=today)


def scene_figure(scene: Scene, size: tuple[int, int] = DEFAULT_SIZE, dpi: int = DEFAULT_DPI,
                 title: str | None = None, legend: bool = True,
                 today: date | None = None) -> Figure:
    """Draw an already built scene (see :func:`static_map`)."""
    width, height = size
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=BACKGROUND)
    handles, labels, headers = _legend_items(scene) if legend else ([], [], set())
    columns = 0 if not handles else (1 if len(handles) <= LEGEND_ROWS_PER_COLUMN else 2)
    if columns == 2:
        handles, labels = _keep_headers_with_rows(handles, labels, headers)
    right = 1 - LEGEND_WIDTH[columns]
    footer = _footer(scene, today, width / dpi)
    line = 6 * 1.35 / 72 / (height / dpi)  # one 6-pt footer line, as a figure fraction
    bottom = 0.03 + line * (footer.count("\n") + 1)
    box = (0.02, bottom, right - 0.03, 0.92 - bottom)
    ax = figure.add_axes(box)
    ax.set_axis_off()
    metric = scene.atlas.metric_crs
    focus = scene.focus.to_crs(metric)
    minx, miny, maxx, maxy = focus.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    extent = _match_aspect((minx - pad, miny - pad, maxx + pad, maxy + pad),
                           (box[2] * width) / (box[3] * height))
    tolerance = max(maxx - minx, maxy - miny) / max(width, 1)
    _draw(scene, ax, metric, tolerance)
    _fit(ax, extent)
    _scale_bar(ax, extent, scene.lang)
    _north_arrow(ax)
    figure.text(0.02, 0.97, title if title is not None else scene.title, fontsize=11,
                fontweight="bold", va="top", ha="left", wrap=True)
    figure.text(0.02, 0.012, footer, fontsize=6, va="bottom", ha="left", color="#444444",
                linespacing=1.2)
    if handles:
        fontsize = 7 if len(handles) <= 40 else 6
        box = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                        frameon=False, fontsize=fontsize, ncols=columns,
                        handlelength=1.4, borderaxespad=0.0, labelspacing=0.35)
        for text, handle in zip(box.get_texts(), handles, strict=True):
            if id(handle) in headers:
                text.set_fontweight("bold")
    return figure


def _geoms(frame: gpd.GeoDataFrame, metric: Any, tolerance: float,
           coverage: bool = False) -> gpd.GeoSeries:
    """Drawable geometries in the metric CRS; territories simplified level by level."""
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    geoms = frame.geometry[keep]
    groups = list(frame.loc[keep, "level"]) if coverage and "level" in frame.columns else None
    return simplify(geoms.to_crs(metric), metric, tolerance, groups)


def _draw(scene: Scene, ax: Axes, metric: Any, tolerance: float) -> None:
    if not scene.neighbours.empty:
        _geoms(scene.neighbours, metric, tolerance, True).plot(
            ax=ax, facecolor=NEIGHBOUR_FILL, edgecolor="#ffffff", linewidth=0.6, zorder=1)
    focus_rows = scene.outline["code"].isin(scene.focus_codes)
    focus = _geoms(scene.outline[focus_rows], metric, tolerance, True)
    subunits = _geoms(scene.outline[~focus_rows], metric, tolerance, True)
    if scene.choropleth is None:
        focus.plot(ax=ax, facecolor="#ffffff", edgecolor="none", zorder=2)
    else:
        _draw_choropleth(scene, ax, metric, tolerance)
    if not subunits.empty:
        subunits.plot(ax=ax, facecolor="none", edgecolor="#6b6b6b", linewidth=0.4, zorder=4)
    focus.plot(ax=ax, facecolor="none", edgecolor="#000000", linewidth=1.2, zorder=5)
    order = {"polygon": 0, "line": 1, "point": 2}
    for item in sorted(scene.layers, key=lambda i: (
            order[geometry_kind(scene.atlas.spec(i.name))], scene.atlas.spec(i.name).order)):
        spec = scene.atlas.spec(item.name)
        if item.frame.empty:
            continue
        kind = geometry_kind(spec)
        geoms = _geoms(item.frame, metric, tolerance)
        by = spec.style.by
        codes = item.frame.loc[geoms.index, by].astype("object") if by in item.frame.columns \
            else None
        for entry in legend_entries(spec, scene.lang, codes):
            if codes is None:
                chosen = geoms
            elif entry.key is None:
                chosen = geoms[~codes.astype(str).isin(list(spec.style.categories))]
            else:
                chosen = geoms[codes.astype(str) == entry.key]
            if chosen.empty:
                continue
            options = matplotlib_options(spec, entry.symbol, entry.shape,
                                         scale=_marker_scale(len(geoms)))
            zorder = {"polygon": 3, "line": 6, "point": 7}[kind] + spec.order / 1000
            if kind == "point":
                ax.scatter(chosen.x, chosen.y, s=options["markersize"],
                           marker=options["marker"], c=options["color"],
                           edgecolors=options["edgecolor"], linewidths=options["linewidth"],
                           alpha=options["alpha"], zorder=zorder)
            else:
                chosen.plot(ax=ax, zorder=zorder, **options)


def _marker_scale(count: int) -> float:
    """Smaller markers when there are many, so a region map is not a carpet."""
    return 1.0 if count <= 200 else max(0.45, math.sqrt(200 / count))


def _draw_choropleth(scene: Scene, ax: Axes, metric: Any, tolerance: float) -> None:
    choro = scene.choropleth
    assert choro is not None
    geoms = _geoms(choro.frame, metric, tolerance, True)
    classes = choro.frame.loc[geoms.index, "class"]
    for index, color in enumerate(choro.classification.colors):
        chosen = geoms[classes == index]
        if not chosen.empty:
            chosen.plot(ax=ax, facecolor=color, edgecolor="#ffffff", linewidth=0.3, zorder=2)
    missing = geoms[classes < 0]
    if not missing.empty:
        missing.plot(ax=ax, facecolor="#ffffff", edgecolor="#8c8c8c", hatch=NO_DATA_HATCH,
                     linewidth=0.3, zorder=2)


def _match_aspect(extent: tuple[float, float, float, float],
                  ratio: float) -> tuple[float, float, float, float]:
    """Widen the extent (around its centre) to the axes' width/height ratio."""
    minx, miny, maxx, maxy = extent
    width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        return minx - grow, miny, maxx + grow, maxy
    grow = (width / ratio - height) / 2
    return minx, miny - grow, maxx, maxy + grow


def _fit(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 x 10^n metres) near a fifth of ``span``."""
    if span <= 0:
        return 1.0
    target = span / 5
    power = 10 ** math.floor(math.log10(target))
    return next(m * power for m in (5, 2, 1) if m * power <= target)


def _scale_bar(ax: Axes, extent: tuple[float, float, float, float], lang: str) -> None:
    """Black and white segments with the length written above, bottom left."""
    minx, miny, maxx, maxy = extent
    length = nice_length(maxx - minx)
    x0, y0 = minx + 0.03 * (maxx - minx), miny + 0.03 * (maxy - miny)
    height = 0.012 * (maxy - miny)
    for i in range(2):
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, height,
                               facecolor="#000000" if i == 0 else "#ffffff",
                               edgecolor="#000000", linewidth=0.6, zorder=10))
    text = f"{format_number(length / 1000, lang)} km" if length >= 1000 \
        else f"{format_number(length, lang)} m"
    ax.text(x0 + length / 2, y0 + 1.8 * height, text, ha="center", va="bottom", fontsize=7,
            zorder=10)


def _north_arrow(ax: Axes) -> None:
    """An arrow and "N" in the top right corner (the metric CRS has north up)."""
    ax.annotate("N", xy=(0.96, 0.97), xytext=(0.96, 0.87), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold",
                arrowprops={"facecolor": "#000000", "width": 3, "headwidth": 9,
                            "headlength": 8}, zorder=10)


def _footer(scene: Scene, today: date | None, width_in: float) -> str:
    """Sources of everything drawn, the date, and the fictional-data warning."""
    lang = scene.lang
    sources = [str(scene.atlas.spec("territories").metadata.get("source", ""))] \
        if "territories" in scene.atlas.catalog else []
    for item in scene.layers:
        if not item.frame.empty:
            sources.append(str(scene.atlas.spec(item.name).metadata.get("source", "")))
    if scene.choropleth is not None and scene.choropleth.values.source:
        sources.append(scene.choropleth.values.source)
    unique = list(dict.fromkeys(s for s in sources if s))
    parts = [t("render.source", lang, source=" ; ".join(unique))] if unique else []
    parts.append(t("render.date_line", lang, date=format_date(today or date.today(), lang)))
    if scene.atlas.settings.fictional:
        parts.append(t("render.fictional", lang))
    text = " — ".join(parts)
    return "\n".join(textwrap.wrap(text, width=max(40, int(width_in * 19)),
                                   max_lines=FOOTER_LINES, placeholder=" […]"))


def _keep_headers_with_rows(handles: list[Any], labels: list[str],
                            headers: set[int]) -> tuple[list[Any], list[str]]:
    """Pad the first legend column so no section title ends it, cut from its rows."""
    per_column = math.ceil(len(handles) / 2)
    last = per_column - 1
    if id(handles[last]) in headers:
        handles = [*handles[:last], Patch(visible=False), *handles[last:]]
        labels = [*labels[:last], "", *labels[last:]]
    return handles, labels


def _legend_items(scene: Scene) -> tuple[list[Any], list[str], set[int]]:
    """Handles and labels of the legend; ids of the handles that are section headers."""
    lang = scene.lang
    handles: list[Any] = []
    labels: list[str] = []
    headers: set[int] = set()

    def header(text: str) -> None:
        handle = Patch(visible=False)
        headers.add(id(handle))
        handles.append(handle)
        labels.append(text)

    if scene.choropleth is not None:
        values, classes = scene.choropleth.values, scene.choropleth.classification
        header(legend_title(values))
        counts = classes.counts()
        for color, text in zip(classes.colors,
                               classes.labels(lang, decimals_for(values, classes)),
                               strict=True):
            handles.append(Patch(facecolor=color, edgecolor="#555555", linewidth=0.4))
            labels.append(text)
        if counts[-1]:
            handles.append(Patch(facecolor="#ffffff", edgecolor="#8c8c8c",
                                 hatch=NO_DATA_HATCH, linewidth=0.4))
            labels.append(t("render.no_data", lang))
    for item in scene.layers:
        spec = scene.atlas.spec(item.name)
        if item.frame.empty:
            continue
        by = spec.style.by
        present = item.frame[by] if by in item.frame.columns else None
        header(spec.title(lang))
        kind = geometry_kind(spec)
        for entry in legend_entries(spec, lang, present):
            options = matplotlib_options(spec, entry.symbol, entry.shape)
            if kind == "point":
                handles.append(Line2D([], [], linestyle="none", marker=options["marker"],
                                      markersize=math.sqrt(options["markersize"]),
                                      markerfacecolor=options["color"],
                                      markeredgecolor=options["edgecolor"],
                                      markeredgewidth=0.6))
            elif kind == "line":
                handles.append(Line2D([], [], color=options["color"], linewidth=1.5))
            else:
                handles.append(Patch(facecolor=options["facecolor"],
                                     edgecolor=options["edgecolor"], linewidth=0.5))
            labels.append(entry.label)
    return handles, labels, headers


def legend_texts(figure: Figure) -> list[str]:
    """Texts of a static map's legend (section titles and entries), in order."""
    texts: list[str] = []
    for ax in figure.axes:
        box = ax.get_legend()
        if box is not None:
            texts += [text.get_text() for text in box.get_texts()]
    return texts


# ---------------------------------------------------------------------------- output


def figure_png(figure: Figure) -> bytes:
    """PNG bytes of a figure at its own dpi."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, facecolor=figure.get_facecolor())
    return buffer.getvalue()


def figure_svg(figure: Figure) -> str:
    """SVG text of a figure (text drawn as paths, so fonts need not match)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", facecolor=figure.get_facecolor())
    return buffer.getvalue()


def static_map_png(atlas: Atlas, *args: Any, **kwargs: Any) -> bytes:
    """:func:`static_map` as PNG bytes (e.g. a ``data:`` URI in a fact sheet)."""
    return figure_png(static_map(atlas, *args, **kwargs))


def static_map_svg(atlas: Atlas, *args: Any, **kwargs: Any) -> str:
    """:func:`static_map` as an SVG string (sharp at any size in WeasyPrint PDFs)."""
    return figure_svg(static_map(atlas, *args, **kwargs))


def save_static_map(atlas: Atlas, path: str | os.PathLike[str], *args: Any,
                    **kwargs: Any) -> Path:
    """Write :func:`static_map` to ``path``; ``.png`` or ``.svg`` decides the format."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise RenderError("render.bad_format", suffix=suffix)
    figure = static_map(atlas, *args, **kwargs)
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        target.write_bytes(figure_png(figure))
    else:
        target.write_text(figure_svg(figure), encoding="utf-8")
    return target


__all__ = ["figure_png", "figure_svg", "legend_texts", "nice_length", "save_static_map",
           "scene_figure", "static_map", "static_map_png", "static_map_svg"]
