"""QGIS (QML) and OGC (SLD) styles generated from the layer catalogue.

The style of a layer is declared once in its spec (``[style]`` in ``atlas/layers/*.toml``);
this module turns that declaration into the two documents desktop GIS users expect
next to the data: a QGIS QML style and an OGC SLD 1.1 style. Stores write them into
QGIS's own ``layer_styles`` table, so a GeoPackage or PostGIS layer opened in QGIS is
drawn exactly like the atlas map, with French (or English) legend entries, field
aliases and drop-down lists of labels instead of raw codes.

Documents are built with :mod:`xml.etree.ElementTree` rather than string formatting:
labels and titles are written by people (and imported from third-party files), so
they must never be able to break or inject markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

from ..catalog import FieldSpec, LayerSpec, Symbol
from ..i18n import label as pick_label

#: Version written on the QML root; QGIS 3.x reads styles written by any 3.x release.
QGIS_STYLE_VERSION = "3.28.0"

#: The DOCTYPE QGIS puts on its own QML files; ElementTree cannot emit one, and it
#: is a constant, so prepending it cannot inject anything.
QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"

#: Columns of QGIS's ``layer_styles`` table in the order QGIS creates it in a
#: GeoPackage. ``id`` and ``update_time`` are filled by the database, which is why
#: :func:`layer_styles_row` does not return them.
LAYER_STYLES_COLUMNS: tuple[str, ...] = (
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)

#: The PostgreSQL flavour of the table has one more, nullable column, ``type``
#: (``Point``/``Line``/``Polygon``, see :func:`style_geometry_type`). QGIS's query
#: for styles names it, so a PostGIS table created without it cannot be read by QGIS.
LAYER_STYLES_POSTGRES_COLUMNS: tuple[str, ...] = (*LAYER_STYLES_COLUMNS, "type")

#: Owner written in ``layer_styles`` so styles generated here are told apart from
#: styles a person saved from QGIS.
STYLE_OWNER = "atlas-territorial"

#: Marker diameter when the spec gives no radius: QGIS's own default marker size.
DEFAULT_MARKER_SIZE_MM = 2.6
#: Outline of markers: thin, so small circles keep their colour readable.
MARKER_OUTLINE_MM = 0.2
#: Outline of polygons and width of lines (QGIS defaults).
POLYGON_OUTLINE_MM = 0.26
LINE_WIDTH_MM = 0.5
#: Size of the SLD "standardized rendering pixel" (SE 1.1 §10.1), to turn mm into pixels.
SLD_PIXEL_MM = 0.28
#: Outline of markers drawn without an explicit ``fill``: white halo on any background.
MARKER_HALO = "#ffffff"

#: Legend label of the fallback category (values without a symbol of their own).
OTHER_VALUES: dict[str, str] = {"fr": "Autres valeurs", "en": "Other values"}

SLD_NS = "http://www.opengis.net/sld"
SE_NS = "http://www.opengis.net/se"
OGC_NS = "http://www.opengis.net/ogc"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SLD_SCHEMA = "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"

# Registered so the SLD uses the conventional prefixes (se:, ogc:) that people and
# other tools expect, rather than ElementTree's ns0:, ns1:.
# The SLD elements get an explicit ``sld:`` prefix: ElementTree's default-namespace
# mode refuses the unqualified attributes (``version``, ``name``) that SLD requires.
for _prefix, _uri in (("sld", SLD_NS), ("se", SE_NS), ("ogc", OGC_NS), ("xlink", XLINK_NS),
                      ("xsi", XSI_NS)):
    ET.register_namespace(_prefix, _uri)

SymbolKind = Literal["marker", "line", "fill"]

# Characters XML 1.0 forbids even when escaped: a label carrying one would make the
# whole document unreadable, so they are dropped.
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HEX_COLOR = re.compile(r"^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$")


# --------------------------------------------------------------------------- helpers


def _clean(text: object) -> str:
    """Text safe to put in an XML document (escaping is ElementTree's job)."""
    return _XML_INVALID.sub("", str(text))


def _number(value: float) -> str:
    """Compact decimal for XML (``2.6`` not ``2.6000000000000001``, ``6`` not ``6.0``)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _alpha(opacity: float | None) -> int:
    """Alpha channel 0-255 from a spec opacity (absent means opaque)."""
    if opacity is None:
        return 255
    return round(min(max(float(opacity), 0.0), 1.0) * 255)


def qgis_color(hex_color: str, opacity: float | None = None) -> str:
    """A ``#rrggbb`` spec colour in QGIS's ``r,g,b,a`` notation."""
    match = _HEX_COLOR.match(hex_color)
    if match is None:
        raise ValueError(f"not a #rrggbb colour: {hex_color!r}")
    red, green, blue = (int(part, 16) for part in match.groups())
    return f"{red},{green},{blue},{_alpha(opacity)}"


def symbol_kind(spec: LayerSpec) -> SymbolKind:
    """QGIS symbol type for the layer geometry (marker, line or fill)."""
    if spec.is_polygon:
        return "fill"
    if spec.geometry.endswith("LineString"):
        return "line"
    return "marker"


def style_geometry_type(spec: LayerSpec) -> str:
    """Value of the PostgreSQL ``layer_styles.type`` column for this layer."""
    return {"marker": "Point", "line": "Line", "fill": "Polygon"}[symbol_kind(spec)]


def _layer_geometry_code(spec: LayerSpec) -> str:
    """QML ``layerGeometryType``: QGIS refuses symbology made for another geometry."""
    return {"marker": "0", "line": "1", "fill": "2"}[symbol_kind(spec)]


def _marker_colors(symbol: Symbol) -> tuple[str, str]:
    """Fill and outline colours of a marker.

    A spec that gives ``fill`` uses ``color`` as the outline (as for polygons);
    otherwise the marker is filled with ``color`` and ringed in white.
    """
    if symbol.fill:
        return symbol.fill, symbol.color
    return symbol.color, MARKER_HALO


def _marker_size(symbol: Symbol) -> tuple[float, str]:
    """Marker diameter and its QGIS unit: radius in screen pixels, else 2.6 mm."""
    if symbol.radius is not None:
        return 2 * float(symbol.radius), "Pixel"
    return DEFAULT_MARKER_SIZE_MM, "MM"


def _category_field(spec: LayerSpec) -> FieldSpec | None:
    """Field the style is categorized on, if any."""
    if spec.style.by is None or not spec.has_field(spec.style.by):
        return None
    return spec.field(spec.style.by)


def _category_label(spec: LayerSpec, code: str, symbol: Symbol, lang: str) -> str:
    """Legend label of a category: the value's label, else the symbol's, else the code."""
    by = _category_field(spec)
    value = by.value(code) if by is not None else None
    if value is not None:
        return value.label(lang)
    return pick_label(symbol.label, lang) or code


def _fallback_label(symbol: Symbol, lang: str) -> str:
    """Legend label of the default symbol when it stands for all other values."""
    return pick_label(symbol.label, lang) or pick_label(OTHER_VALUES, lang)


def _categories(spec: LayerSpec, lang: str) -> list[tuple[str, str, Symbol]]:
    """(code, label, symbol) of each styled category, in spec order."""
    return [(code, _category_label(spec, code, symbol, lang), symbol)
            for code, symbol in spec.style.categories.items()]


# ------------------------------------------------------------------------------ QML


def _symbol_layer_props(spec: LayerSpec, symbol: Symbol) -> tuple[str, dict[str, str]]:
    """QGIS symbol-layer class and properties drawing one spec symbol."""
    kind = symbol_kind(spec)
    if kind == "marker":
        fill, outline = _marker_colors(symbol)
        size, unit = _marker_size(symbol)
        return "SimpleMarker", {
            "angle": "0",
            "color": qgis_color(fill, symbol.opacity),
            "joinstyle": "bevel",
            "name": "circle",
            "offset": "0,0",
            "offset_unit": "MM",
            "outline_color": qgis_color(outline),
            "outline_style": "solid",
            "outline_width": _number(MARKER_OUTLINE_MM),
            "outline_width_unit": "MM",
            "scale_method": "diameter",
            "size": _number(size),
            "size_unit": unit,
        }
    if kind == "line":
        return "SimpleLine", {
            "capstyle": "round",
            "joinstyle": "round",
            "line_color": qgis_color(symbol.color, symbol.opacity),
            "line_style": "solid",
            "line_width": _number(LINE_WIDTH_MM),
            "line_width_unit": "MM",
            "offset": "0",
            "offset_unit": "MM",
        }
    return "SimpleFill", {
        "color": qgis_color(symbol.fill or symbol.color, symbol.opacity),
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_unit": "MM",
        "outline_color": qgis_color(symbol.color),
        "outline_style": "solid",
        "outline_width": _number(POLYGON_OUTLINE_MM),
        "outline_width_unit": "MM",
        "style": "solid",
    }


def _qml_symbol(spec: LayerSpec, symbol: Symbol, name: str,
                tag: str = "symbol") -> ET.Element:
    """A QML ``<symbol>`` with one simple symbol layer.

    Properties are written twice, as ``<Option>`` (read by QGIS >= 3.26) and as
    legacy ``<prop>`` (read by older 3.x releases), as QGIS 3.22 itself does.
    """
    cls, props = _symbol_layer_props(spec, symbol)
    element = ET.Element(tag, {"name": name, "type": symbol_kind(spec), "alpha": "1",
                               "clip_to_extent": "1", "force_rhr": "0"})
    layer = ET.SubElement(element, "layer",
                          {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"name": key, "type": "QString", "value": value})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return element


def _qml_renderer(spec: LayerSpec, lang: str) -> ET.Element:
    """``renderer-v2``: categorized on ``style.by`` when set, single symbol otherwise."""
    common = {"symbollevels": "0", "forceraster": "0", "enableorderby": "0",
              "referencescale": "-1"}
    style = spec.style
    if style.by is None:
        renderer = ET.Element("renderer-v2", {"type": "singleSymbol", **common})
        symbols = ET.SubElement(renderer, "symbols")
        symbols.append(_qml_symbol(spec, style.default, "0"))
        return renderer
    renderer = ET.Element("renderer-v2",
                          {"type": "categorizedSymbol", "attr": style.by, **common})
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    entries = _categories(spec, lang)
    # QGIS's "all other values" category is the one whose value is empty.
    entries.append(("", _fallback_label(style.default, lang), style.default))
    for index, (code, text, symbol) in enumerate(entries):
        ET.SubElement(categories, "category", {
            "value": _clean(code), "label": _clean(text), "symbol": str(index),
            "render": "true"})
        symbols.append(_qml_symbol(spec, symbol, str(index)))
    # Base symbol QGIS's dialog starts from when a person reclassifies the layer.
    renderer.append(_qml_symbol(spec, style.default, "0", tag="source-symbol"))
    return renderer


def _qml_value_map(field_spec: FieldSpec, lang: str) -> ET.Element:
    """``ValueMap`` editor widget: forms show labels in ``lang``, store the codes."""
    element = ET.Element("field", {"name": field_spec.name, "configurationFlags": "None"})
    widget = ET.SubElement(element, "editWidget", {"type": "ValueMap"})
    config = ET.SubElement(ET.SubElement(widget, "config"), "Option", {"type": "Map"})
    entries = ET.SubElement(config, "Option", {"name": "map", "type": "List"})
    for value in field_spec.values:
        entry = ET.SubElement(entries, "Option", {"type": "Map"})
        ET.SubElement(entry, "Option", {"name": _clean(value.label(lang)), "type": "QString",
                                        "value": _clean(value.code)})
    return element


def qml_for(spec: LayerSpec, lang: str = "fr") -> str:
    """QGIS 3.x QML style of a layer: symbology, field aliases and value lists.

    The document is complete enough to be loaded on its own (``loadNamedStyle``)
    or stored in ``layer_styles`` so QGIS applies it when the layer is opened.
    """
    root = ET.Element("qgis", {"version": QGIS_STYLE_VERSION,
                               "styleCategories": "AllStyleCategories"})
    root.append(_qml_renderer(spec, lang))
    configuration = ET.SubElement(root, "fieldConfiguration")
    for field_spec in spec.fields:
        if field_spec.type == "category" and field_spec.values:
            configuration.append(_qml_value_map(field_spec, lang))
    aliases = ET.SubElement(root, "aliases")
    # QGIS keys aliases by field name; ``index`` (spec order) is informative only.
    for index, field_spec in enumerate(spec.fields):
        ET.SubElement(aliases, "alias", {"field": field_spec.name, "index": str(index),
                                         "name": _clean(field_spec.title(lang))})
    ET.SubElement(root, "layerGeometryType").text = _layer_geometry_code(spec)
    ET.indent(root, space=" ")
    return f"{QML_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


# ------------------------------------------------------------------------------ SLD


def _se(tag: str) -> str:
    """Qualified name in the Symbology Encoding namespace."""
    return f"{{{SE_NS}}}{tag}"


def _ogc(tag: str) -> str:
    """Qualified name in the OGC Filter namespace."""
    return f"{{{OGC_NS}}}{tag}"


def _svg_parameter(parent: ET.Element, name: str, value: str) -> None:
    """``<se:SvgParameter name=...>value</se:SvgParameter>``."""
    ET.SubElement(parent, _se("SvgParameter"), {"name": name}).text = value


def _pixels(millimetres: float) -> str:
    """Length in SLD pixels (SLD's default unit) from millimetres."""
    return _number(millimetres / SLD_PIXEL_MM)


def _sld_fill(parent: ET.Element, color: str, opacity: float | None) -> None:
    """``<se:Fill>`` with colour and, unless opaque, its opacity."""
    fill = ET.SubElement(parent, _se("Fill"))
    _svg_parameter(fill, "fill", color.lower())
    if _alpha(opacity) != 255:
        _svg_parameter(fill, "fill-opacity", _number(_alpha(opacity) / 255))


def _sld_stroke(parent: ET.Element, color: str, width_mm: float,
                opacity: float | None = None) -> None:
    """``<se:Stroke>`` with colour, width and, unless opaque, opacity."""
    stroke = ET.SubElement(parent, _se("Stroke"))
    _svg_parameter(stroke, "stroke", color.lower())
    if _alpha(opacity) != 255:
        _svg_parameter(stroke, "stroke-opacity", _number(_alpha(opacity) / 255))
    _svg_parameter(stroke, "stroke-width", _pixels(width_mm))


def _sld_symbolizer(spec: LayerSpec, symbol: Symbol) -> ET.Element:
    """Point, line or polygon symbolizer drawing one spec symbol."""
    kind = symbol_kind(spec)
    if kind == "marker":
        fill, outline = _marker_colors(symbol)
        size, unit = _marker_size(symbol)
        symbolizer = ET.Element(_se("PointSymbolizer"))
        graphic = ET.SubElement(symbolizer, _se("Graphic"))
        mark = ET.SubElement(graphic, _se("Mark"))
        ET.SubElement(mark, _se("WellKnownName")).text = "circle"
        _sld_fill(mark, fill, symbol.opacity)
        _sld_stroke(mark, outline, MARKER_OUTLINE_MM)
        pixels = _number(size) if unit == "Pixel" else _pixels(size)
        ET.SubElement(graphic, _se("Size")).text = pixels
        return symbolizer
    if kind == "line":
        symbolizer = ET.Element(_se("LineSymbolizer"))
        _sld_stroke(symbolizer, symbol.color, LINE_WIDTH_MM, symbol.opacity)
        return symbolizer
    symbolizer = ET.Element(_se("PolygonSymbolizer"))
    _sld_fill(symbolizer, symbol.fill or symbol.color, symbol.opacity)
    _sld_stroke(symbolizer, symbol.color, POLYGON_OUTLINE_MM)
    return symbolizer


def _sld_rule(parent: ET.Element, name: str, title: str) -> ET.Element:
    """A ``<se:Rule>`` with its name and legend title."""
    rule = ET.SubElement(parent, _se("Rule"))
    ET.SubElement(rule, _se("Name")).text = _clean(name)
    description = ET.SubElement(rule, _se("Description"))
    ET.SubElement(description, _se("Title")).text = _clean(title)
    return rule


def sld_for(spec: LayerSpec, lang: str = "fr") -> str:
    """OGC SLD 1.1 (Symbology Encoding) style of a layer.

    For servers and tools that do not read QML (GeoServer, MapServer, QGIS's own
    SLD import): one rule per styled category plus an ``ElseFilter`` rule that
    draws every other value with the default symbol. ``ElseFilter`` is standard SE
    and honoured by map servers, but QGIS (3.22 at least) ignores it on SLD import and
    draws that rule under every feature; QGIS users get the QML, which has no such gap.
    """
    root = ET.Element(f"{{{SLD_NS}}}StyledLayerDescriptor", {
        "version": "1.1.0", f"{{{XSI_NS}}}schemaLocation": f"{SLD_NS} {SLD_SCHEMA}"})
    named = ET.SubElement(root, f"{{{SLD_NS}}}NamedLayer")
    ET.SubElement(named, _se("Name")).text = spec.name
    user_style = ET.SubElement(named, f"{{{SLD_NS}}}UserStyle")
    ET.SubElement(user_style, _se("Name")).text = spec.name
    description = ET.SubElement(user_style, _se("Description"))
    ET.SubElement(description, _se("Title")).text = _clean(spec.title(lang))
    feature_style = ET.SubElement(user_style, _se("FeatureTypeStyle"))
    style = spec.style
    if style.by is None:
        rule = _sld_rule(feature_style, spec.name, spec.title(lang))
        rule.append(_sld_symbolizer(spec, style.default))
    else:
        for code, text, symbol in _categories(spec, lang):
            rule = _sld_rule(feature_style, code, text)
            condition = ET.SubElement(ET.SubElement(rule, _ogc("Filter")),
                                      _ogc("PropertyIsEqualTo"))
            ET.SubElement(condition, _ogc("PropertyName")).text = style.by
            ET.SubElement(condition, _ogc("Literal")).text = _clean(code)
            rule.append(_sld_symbolizer(spec, symbol))
        rule = _sld_rule(feature_style, "default", _fallback_label(style.default, lang))
        ET.SubElement(rule, _se("ElseFilter"))
        rule.append(_sld_symbolizer(spec, style.default))
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# --------------------------------------------------------------------- layer_styles


def layer_styles_row(spec: LayerSpec, geometry_column: str = "geom",
                     lang: str = "fr") -> dict[str, Any]:
    """One row of QGIS's ``layer_styles`` table making the style the layer's default.

    QGIS looks the row up by table and geometry column when the layer is opened,
    so ``f_table_name`` and ``f_geometry_column`` must match the stored layer.
    ``id`` and ``update_time`` are left to the database.
    """
    return {
        "f_table_catalog": "",
        "f_table_schema": "",
        "f_table_name": spec.name,
        "f_geometry_column": geometry_column,
        "styleName": spec.name,
        "styleQML": qml_for(spec, lang),
        "styleSLD": sld_for(spec, lang),
        "useAsDefault": True,
        "description": spec.title(lang),
        "owner": STYLE_OWNER,
        "ui": None,
    }
