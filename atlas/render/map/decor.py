"""What every static map draws the same way: extent, scale bar, north arrow, markers.

:mod:`.static` (one map with its title, legend and footer) and :mod:`.bulk` (the
hundreds of page maps of a book) draw with these, so a book page and a fact sheet
show the same scale bar, the same arrow and markers of the same size. Each function
returns the artists it added, so a figure reused for the next map can remove them.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from ..formatting import format_number

Extent = tuple[float, float, float, float]

BACKGROUND = "#ffffff"
NEIGHBOUR_FILL = "#e3e3e3"
#: Outlines: the territory in black, its sub-units in grey, neighbours edged in white.
FOCUS_EDGE = {"edgecolor": "#000000", "linewidth": 1.2}
SUBUNIT_EDGE = {"edgecolor": "#6b6b6b", "linewidth": 0.4}
NEIGHBOUR_STYLE = {"facecolor": NEIGHBOUR_FILL, "edgecolor": "#ffffff", "linewidth": 0.6}
#: Stacking order: neighbours, fills, polygons, sub-units, outline, lines, points.
ZORDER = {"neighbours": 1, "fill": 2, "polygon": 3, "subunits": 4, "focus": 5, "line": 6,
          "point": 7, "decor": 10}
#: Margin around the territory, as a share of its larger side.
PAD = 0.03


def padded(bounds: Extent) -> Extent:
    """The territory's bounds with a small margin."""
    minx, miny, maxx, maxy = bounds
    pad = PAD * max(maxx - minx, maxy - miny, 1.0)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def match_aspect(extent: Extent, ratio: float) -> Extent:
    """Widen the extent (around its centre) to the axes' width/height ratio."""
    minx, miny, maxx, maxy = extent
    width, height = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        return minx - grow, miny, maxx + grow, maxy
    grow = (width / ratio - height) / 2
    return minx, miny - grow, maxx, maxy + grow


def fit(ax: Axes, extent: Extent) -> None:
    """Show exactly ``extent``, north up, metres equal in x and y."""
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


def scale_bar(ax: Axes, extent: Extent, lang: str) -> list[Any]:
    """Black and white segments with the length written above, bottom left."""
    minx, miny, maxx, maxy = extent
    length = nice_length(maxx - minx)
    x0, y0 = minx + 0.03 * (maxx - minx), miny + 0.03 * (maxy - miny)
    height = 0.012 * (maxy - miny)
    artists: list[Any] = [
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, height,
                               facecolor="#000000" if i == 0 else "#ffffff",
                               edgecolor="#000000", linewidth=0.6, zorder=ZORDER["decor"]))
        for i in range(2)]
    text = f"{format_number(length / 1000, lang)} km" if length >= 1000 \
        else f"{format_number(length, lang)} m"
    artists.append(ax.text(x0 + length / 2, y0 + 1.8 * height, text, ha="center",
                           va="bottom", fontsize=7, zorder=ZORDER["decor"]))
    return artists


def north_arrow(ax: Axes, x: float = 0.96) -> list[Any]:
    """An arrow and "N" in the top right corner (the metric CRS has north up)."""
    return [ax.annotate("N", xy=(x, 0.97), xytext=(x, 0.88), xycoords="axes fraction",
                        ha="center", va="center", fontsize=9, fontweight="bold",
                        arrowprops={"facecolor": "#000000", "width": 3, "headwidth": 9,
                                    "headlength": 8}, zorder=ZORDER["decor"])]


def marker_scale(count: int) -> float:
    """Smaller markers when there are many, so a region map is not a carpet."""
    return 1.0 if count <= 200 else max(0.45, math.sqrt(200 / count))


def scatter(ax: Axes, xs: Any, ys: Any, options: dict[str, Any], zorder: float) -> Any:
    """Point markers drawn with the options of :func:`.symbols.matplotlib_options`."""
    return ax.scatter(xs, ys, s=options["markersize"], marker=options["marker"],
                      c=options["color"], edgecolors=options["edgecolor"],
                      linewidths=options["linewidth"], alpha=options["alpha"], zorder=zorder)
