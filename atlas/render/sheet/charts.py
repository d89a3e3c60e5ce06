"""Charts of the fact sheets (SVG, drawn with matplotlib), where a picture says more.

The JMP ladder is a 100 % stacked bar per service, the territory above its parent,
as JMP draws it. Every segment has a hatch as well as a colour and its share written
on it when there is room, so the chart reads on a black-and-white photocopy. SVGs
keep their text as paths (no font needed where the sheet is opened) and carry no
date, so the same data gives the same file.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..formatting import format_number

#: Ladder levels, best first: colour (JMP-like), hatch for black and white (lines only:
#: dotted hatches are huge SVG paths that slow PDFs down), text colour.
LADDER_STYLE = {
    "basic": ("#1f5f9e", "", "#ffffff"),
    "limited": ("#f2c744", "//", "#000000"),
    "no_service": ("#d6604d", "xx", "#000000"),
    "unknown": ("#d9d9d9", "--", "#000000"),
}
RC = {"font.family": "DejaVu Sans", "svg.fonttype": "none", "svg.hashsalt": "atlas-sheet",
      "hatch.linewidth": 0.6, "font.size": 8}


def svg_uri(svg: str) -> str:
    """A ``data:`` URI for an SVG document (base64, safe in any attribute)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()


def data_uri(data: bytes, mime: str) -> str:
    """A ``data:`` URI for image bytes (``image/png``, ``image/jpeg``)."""
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def png_uri(png: bytes) -> str:
    """A ``data:`` URI for PNG bytes."""
    return data_uri(png, "image/png")


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def ladder_chart(services: Sequence[tuple[str, str, dict[str, float]]],
                 levels: Sequence[tuple[str, str]], lang: str) -> str | None:
    """Stacked 100 % bars, as SVG; None when no bar has any school.

    ``services`` = (service label, bar label, counts per level); ``levels`` = (code,
    label), best first.
    """
    bars = [(s, b, c) for s, b, c in services if sum(v for v in c.values() if v == v) > 0]
    if not bars:
        return None
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(6.6, 0.42 * len(bars) + 0.9), dpi=100)
        ax = figure.add_axes((0.30, 0.30, 0.66, 0.66))
        for y, (_service, _bar, counts) in enumerate(reversed(bars)):
            total = sum(v for v in counts.values() if v == v)
            left = 0.0
            for code, _ in levels:
                share = 100 * counts.get(code, 0.0) / total
                if share <= 0:
                    continue
                color, hatch, ink = LADDER_STYLE.get(code, ("#999999", "", "#000000"))
                ax.barh(y, share, left=left, color=color, hatch=hatch, edgecolor="#333333",
                        linewidth=0.5, height=0.72)
                if share >= 9:
                    ax.text(left + share / 2, y, f"{format_number(round(share), lang, 0)} %",
                            ha="center", va="center", fontsize=7, color=ink,
                            bbox={"facecolor": "#ffffff", "edgecolor": "none", "pad": 0.6,
                                  "alpha": 0.85} if hatch else None)
                left += share
        ax.set_yticks(range(len(bars)))
        ax.set_yticklabels([f"{s} — {b}" for s, b, _ in reversed(bars)], fontsize=7)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xticklabels([f"{v} %" for v in (0, 25, 50, 75, 100)], fontsize=7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles = [Patch(facecolor=LADDER_STYLE[c][0], hatch=LADDER_STYLE[c][1],
                         edgecolor="#333333", linewidth=0.5, label=label)
                   for c, label in levels if c in LADDER_STYLE]
        figure.legend(handles=handles, loc="lower center", ncols=len(handles), fontsize=7,
                      frameon=False, bbox_to_anchor=(0.55, 0.0))
        return _svg(figure)


def bar_chart(items: Sequence[tuple[str, float]], unit: str, lang: str) -> str | None:
    """Horizontal bars with their value written at the end (people per programme...)."""
    items = [(label, value) for label, value in items if value == value and value > 0]
    if not items:
        return None
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(6.6, 0.32 * len(items) + 0.5), dpi=100)
        ax = figure.add_axes((0.36, 0.12, 0.56, 0.84))
        top = max(v for _, v in items)
        for y, (_label, value) in enumerate(reversed(items)):
            ax.barh(y, value, color="#4d4d4d", height=0.6)
            ax.text(value + top * 0.01, y, f"{format_number(value, lang, 0)} {unit}".strip(),
                    va="center", fontsize=7)
        ax.set_yticks(range(len(items)))
        ax.set_yticklabels([label for label, _ in reversed(items)], fontsize=7)
        ax.set_xlim(0, top * 1.25)
        ax.set_xticks([])
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        return _svg(figure)
