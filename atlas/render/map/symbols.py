"""Catalogue styles (``[style]`` in ``atlas/layers/*.toml``) turned into drawing options.

The interactive map (Leaflet path options) and the static map (matplotlib keyword
arguments) read the same :class:`~atlas.catalog.Symbol`, so a water point has the
same colour everywhere, and the legend entries of both come from
:func:`legend_entries`. Conventions follow :mod:`atlas.store.styles` (QGIS): a symbol
with a ``fill`` uses ``color`` as its outline; a marker without one is filled with
``color`` and ringed in white.

Static maps are printed in black and white too, so point categories also differ by
marker shape: the shape named by the symbol's icon where it is a shape (star,
square, circle), otherwise one shape per category in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ...catalog import LayerSpec, Symbol
from ...i18n import label as pick_label
from ...i18n import t

#: Marker radius (screen pixels) when the spec gives none.
DEFAULT_RADIUS = 5.0
#: Fill opacity of polygons whose symbol gives none.
DEFAULT_POLYGON_OPACITY = 0.4
#: matplotlib markers cycled over categories; distinct in grey levels.
SHAPES = ("o", "s", "^", "D", "v", "P", "X", "p", "h", "<", ">", "*")
#: Icon names of the catalogue that already are shapes.
ICON_SHAPES = {"star": "*", "circle": "o", "circle-o": "o", "square": "s",
               "square-o": "s", "triangle": "^", "diamond": "D"}
MARKER_HALO = "#ffffff"
#: Between a category and its shade value in a style code: ``extent|2010``.
SHADE_SEP = "|"
#: How far toward white the oldest shade goes (the newest is the category's colour).
LIGHTEST = 0.65
#: Drawing order of geometry kinds: polygons below lines, points (clickable) on top.
KIND_ORDER = {"polygon": 0, "line": 1, "point": 2}


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a category (or the whole layer) and how it is drawn."""

    key: str | None
    label: str
    symbol: Symbol
    shape: str = "o"


def geometry_kind(spec: LayerSpec) -> str:
    """``point``, ``line`` or ``polygon``."""
    if spec.is_polygon:
        return "polygon"
    if spec.geometry.endswith("LineString"):
        return "line"
    return "point"


def draw_order(spec: LayerSpec) -> tuple[int, int]:
    """Sort key of a layer on every map: its geometry kind, then the catalogue order."""
    return KIND_ORDER[geometry_kind(spec)], spec.order


def _shapes(spec: LayerSpec) -> dict[str, str]:
    """Marker shape of each styled category (see the module docstring)."""
    codes = list(spec.style.categories)
    icons = [spec.style.categories[c].icon for c in codes]
    if codes and all(icon in ICON_SHAPES for icon in icons):
        return {c: ICON_SHAPES[str(i)] for c, i in zip(codes, icons, strict=True)}
    return {c: SHAPES[i % len(SHAPES)] for i, c in enumerate(codes)}


def default_shape(spec: LayerSpec) -> str:
    """Shape of the default symbol: one no category uses, so "other values" stands out."""
    used = set(_shapes(spec).values())
    icon = spec.style.default.icon
    if not spec.style.categories and icon in ICON_SHAPES:
        return ICON_SHAPES[str(icon)]
    return next((s for s in SHAPES if s not in used), "o")


def category_label(spec: LayerSpec, code: str, lang: str | None = None) -> str:
    """Label of a styled category: the field value's, else the symbol's, else the code."""
    symbol = spec.style.categories.get(code)
    if spec.style.by and spec.has_field(spec.style.by):
        value = spec.field(spec.style.by).value(code)
        if value is not None:
            return value.label(lang)
    if symbol is not None and symbol.label:
        return pick_label(symbol.label, lang)
    return code


def _is_missing(value: object) -> bool:
    return value is None or str(value) in ("nan", "<NA>", "None", "NaT", "")


def style_codes(spec: LayerSpec, frame: pd.DataFrame) -> pd.Series | None:
    """The code each feature is drawn with (None for a layer drawn with one symbol).

    Its category, or for a shaded category (see ``StyleSpec.shade_by``) the category and
    the shade value: the 2010 mangrove extent is ``extent|2010``. Every drawing and
    legend reads these codes, so a feature is drawn with the line that names it.
    """
    by = spec.style.by
    if by is None or by not in frame.columns:
        return None
    codes = frame[by].astype("object")
    shade = spec.style.shade_by
    if not shade or shade not in frame.columns:
        return codes
    values = frame[shade].map(_shade_text)
    mask = codes.isin(spec.style.shaded) & values.notna()
    return codes.where(~mask, codes.astype(str) + SHADE_SEP + values.astype(str))


def _shade_text(value: object) -> str | None:
    """A shade value as a legend writes it: a year read as 2010.0 is "2010"."""
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lighter(color: str | None, share: float) -> str | None:
    if not color:
        return color
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in rgb)


def _shades(spec: LayerSpec, code: str, seen: set[str], lang: str | None,
            shape: str) -> list[LegendEntry]:
    """One line per shade value of a shaded category, oldest (lightest) first."""
    prefix = code + SHADE_SEP
    keys = sorted((k for k in seen if k.startswith(prefix)),
                  key=lambda k: (pd.to_numeric(k[len(prefix):], errors="coerce"), k))
    base = spec.style.categories[code]
    name = category_label(spec, code, lang)
    out = []
    for index, key in enumerate(keys):
        share = LIGHTEST * (len(keys) - 1 - index) / max(len(keys) - 1, 1)
        symbol = replace(base, color=_lighter(base.color, share) or base.color,
                         fill=_lighter(base.fill, share))
        out.append(LegendEntry(key, f"{name} {key[len(prefix):]}", symbol, shape))
    return out


def legend_entries(spec: LayerSpec, lang: str | None = None,
                   present: Iterable[object] | None = None) -> list[LegendEntry]:
    """Legend lines of a layer, in spec order.

    ``present`` (the style codes found in the data, see :func:`style_codes`) keeps only
    categories that appear, gives each shade of a shaded category its line (mangrove
    extent 2010, 2020), and adds the default symbol's line, with its count, for the
    features it draws: values without a symbol of their own ("Autres valeurs") and
    features whose value is not recorded ("Non renseigné"), so a village list without
    ``kind`` is drawn and explained. Without ``present`` every styled category is listed.
    """
    style = spec.style
    if style.by is None:
        return [LegendEntry(None, spec.title(lang), style.default, default_shape(spec))]
    shapes = _shapes(spec)
    values = None if present is None else [str(v) for v in present]
    seen = None if values is None else {v for v in values if not _is_missing(v)}
    entries: list[LegendEntry] = []
    for code, symbol in style.categories.items():
        if seen is not None and code in style.shaded:
            entries += _shades(spec, code, seen, lang, shapes[code])
        if seen is None or code in seen:
            entries.append(LegendEntry(code, category_label(spec, code, lang), symbol,
                                       shapes[code]))
    if values is None:
        other = pick_label(style.default.label, lang) or t("render.other_values", lang)
        entries.append(LegendEntry(None, other, style.default, default_shape(spec)))
        return entries
    keys = {e.key for e in entries}
    missing = sum(1 for v in values if _is_missing(v))
    others = sum(1 for v in values if not _is_missing(v) and v not in keys
                 and v not in style.categories)
    if missing or others:
        key = "other_or_missing" if missing and others else \
            "not_recorded" if missing else "other_values"
        label = pick_label(style.default.label, lang) if others and not missing else None
        text = label or t(f"render.{key}", lang)
        entries.append(LegendEntry(None, f"{text} ({missing + others})", style.default,
                                   default_shape(spec)))
    return entries


def styled_keys(entries: Iterable[LegendEntry]) -> list[str]:
    """The codes drawn with a symbol of their own (the rest take the default line)."""
    return [e.key for e in entries if e.key is not None]


def leaflet_options(spec: LayerSpec, symbol: Symbol) -> dict[str, Any]:
    """Leaflet path options (CircleMarker, Polyline or Polygon) of a symbol."""
    kind = geometry_kind(spec)
    if kind == "point":
        fill, outline = (symbol.fill, symbol.color) if symbol.fill \
            else (symbol.color, MARKER_HALO)
        return {"radius": float(symbol.radius or DEFAULT_RADIUS), "color": outline,
                "weight": 1, "opacity": 1, "fillColor": fill,
                "fillOpacity": 0.9 if symbol.opacity is None else float(symbol.opacity)}
    if kind == "line":
        return {"color": symbol.color, "weight": 2,
                "opacity": 0.9 if symbol.opacity is None else float(symbol.opacity)}
    return {"color": symbol.color, "weight": 1, "opacity": 1,
            "fillColor": symbol.fill or symbol.color,
            "fillOpacity": DEFAULT_POLYGON_OPACITY if symbol.opacity is None
            else float(symbol.opacity)}


def matplotlib_options(spec: LayerSpec, symbol: Symbol, shape: str = "o",
                       scale: float = 1.0) -> dict[str, Any]:
    """Keyword arguments for ``GeoSeries.plot`` drawing a symbol on a static map."""
    from matplotlib.colors import to_rgba

    kind = geometry_kind(spec)
    if kind == "point":
        fill, outline = (symbol.fill, symbol.color) if symbol.fill \
            else (symbol.color, MARKER_HALO)
        diameter = 2 * float(symbol.radius or DEFAULT_RADIUS) * 0.75 * scale
        return {"marker": shape, "markersize": diameter ** 2, "color": fill,
                "edgecolor": outline, "linewidth": 0.4,
                "alpha": 1.0 if symbol.opacity is None else float(symbol.opacity)}
    if kind == "line":
        return {"color": symbol.color, "linewidth": 1.2}
    opacity = DEFAULT_POLYGON_OPACITY if symbol.opacity is None else float(symbol.opacity)
    return {"facecolor": to_rgba(symbol.fill or symbol.color, opacity),
            "edgecolor": symbol.color, "linewidth": 0.5}
