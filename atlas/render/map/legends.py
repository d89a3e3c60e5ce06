"""Legends of the interactive maps: categorical layers and choropleths, as HTML.

folium has colour-bar legends for continuous scales only, so the legend is built
here as HTML and shown by a small Leaflet control (:class:`.leaflet.Legend`). Every
label passes through :func:`markupsafe.escape` (layer titles and category labels
come from catalogues people edit; indicator labels and sources from callers), and
colours are checked to be ``#rrggbb`` before they reach a ``style`` attribute.

Each layer gets its own section tagged with the layer's name, so the runtime can
hide the section when the layer is switched off in the layer control.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ...catalog import LayerSpec
from ...i18n import t
from .choropleth import Classification, decimals_for, legend_title
from .symbols import LegendEntry, geometry_kind, leaflet_options
from .values import IndicatorValues

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class LegendSection:
    """One block of a legend: a heading and rows of (swatch HTML, label)."""

    key: str
    title: str
    rows: tuple[tuple[Markup, str], ...]
    note: str | None = None


def _color(value: str | None, fallback: str = "#999999") -> str:
    return value if value and _COLOR.match(value) else fallback


def swatch(kind: str, fill: str | None, outline: str | None = None,
           no_data: bool = False) -> Markup:
    """A small square, dot or line in the legend."""
    classes = f"atlas-swatch atlas-{kind}" + (" atlas-no-data" if no_data else "")
    style = "" if no_data else f"background:{_color(fill)};"
    if outline and not no_data:
        style += f"border-color:{_color(outline)};"
    return Markup('<span class="{}" style="{}"></span>').format(classes, style)


def layer_section(spec: LayerSpec, entries: Sequence[LegendEntry], lang: str | None = None,
                  note: str | None = None) -> LegendSection:
    """Legend block of a catalogue layer."""
    kind = geometry_kind(spec)
    rows = []
    for entry in entries:
        options = leaflet_options(spec, entry.symbol)
        fill = options.get("fillColor", options["color"])
        outline = options["color"] if kind != "line" else None
        rows.append((swatch(kind, fill, outline), entry.label))
    return LegendSection(spec.name, spec.title(lang), tuple(rows), note)


def choropleth_section(values: IndicatorValues, classification: Classification,
                       lang: str | None = None, key: str = "choropleth") -> LegendSection:
    """Legend block of a choropleth: classes, the no-data class, unit and source."""
    decimals = decimals_for(values, classification)
    labels = classification.labels(lang, decimals)
    counts = classification.counts()
    rows = [(swatch("polygon", color, "#555555"), f"{text} ({count})")
            for color, text, count in zip(classification.colors, labels, counts, strict=False)]
    if counts[-1]:
        rows.append((swatch("polygon", None, no_data=True),
                     f"{t('render.no_data', lang)} ({counts[-1]})"))
    note = t("render.source", lang, source=values.source) if values.source else None
    return LegendSection(key, legend_title(values, lang), tuple(rows), note)


def legend_html(sections: Sequence[LegendSection], lang: str | None = None) -> str:
    """The legend control's inner HTML."""
    parts = [Markup("<h4>{}</h4>").format(t("render.legend", lang))]
    for section in sections:
        rows = Markup("").join(
            Markup('<div class="atlas-legend-row">{}<span>{}</span></div>').format(sw, text)
            for sw, text in section.rows)
        note = Markup('<div class="atlas-legend-note">{}</div>').format(section.note) \
            if section.note else Markup("")
        parts.append(Markup(
            '<div class="atlas-legend-section" data-layer="{}">'
            '<div class="atlas-legend-layer">{}</div>{}{}</div>').format(
                section.key, section.title, rows, note))
    return str(Markup("").join(parts))


__all__ = ["LegendSection", "choropleth_section", "escape", "layer_section", "legend_html",
           "swatch"]
