"""QML / SLD / layer_styles generation from layer specs (atlas.store.styles)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from atlas.catalog import LayerSpec, load_spec, parse_spec
from atlas.store.styles import (
    LAYER_STYLES_COLUMNS,
    LAYER_STYLES_POSTGRES_COLUMNS,
    layer_styles_row,
    qgis_color,
    qml_for,
    sld_for,
    style_geometry_type,
)

ROOT = Path(__file__).resolve().parents[2]
NS = {"sld": "http://www.opengis.net/sld", "se": "http://www.opengis.net/se",
      "ogc": "http://www.opengis.net/ogc"}

HOSTILE = """<script>alert("x")</script> & 'quoted' ]]> <!-- -->"""


def toml_str(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def polygon_spec(kind_label: str = "Zone humide", title: str = "Type",
                 by: bool = True) -> LayerSpec:
    style = """
[style]
default = { color = "#252525", fill = "#cccccc", opacity = 0.5 }
"""
    if by:
        style += """by = "kind"
[style.categories]
wetland = { color = "#08519c", fill = "#6baed6", opacity = 0.5 }
forest = { color = "#006d2c", fill = "#74c476" }
"""
    text = f"""
name = "zones"
title = {{ fr = "Zones naturelles", en = "Natural areas" }}
geometry = "MultiPolygon"
id_field = "zone_id"

[metadata]
source = "test"
licence = "CC0"
{style}
[[fields]]
name = "zone_id"
type = "string"
title = {{ fr = "Identifiant", en = "Identifier" }}

[[fields]]
name = "kind"
type = "category"
title = {{ fr = {toml_str(title)}, en = "Kind" }}
values = [
  {{ code = "wetland", fr = {toml_str(kind_label)}, en = "Wetland" }},
  {{ code = "forest", fr = "Forêt", en = "Forest" }},
  {{ code = "savanna", fr = "Savane", en = "Savanna" }},
]
"""
    return parse_spec(text, source="zones.toml")


@pytest.fixture(scope="module")
def water() -> LayerSpec:
    return load_spec(ROOT / "atlas" / "layers" / "water_points.toml")


def parse_qml(text: str) -> ET.Element:
    assert text.startswith("<!DOCTYPE qgis ")
    return ET.fromstring(text)


def option(layer: ET.Element, name: str) -> str:
    """A symbol-layer property, checking <Option> and legacy <prop> agree."""
    value = layer.find(f"./Option[@type='Map']/Option[@name='{name}']").get("value")
    assert layer.find(f"./prop[@k='{name}']").get("v") == value
    return value


def categories(root: ET.Element) -> list[tuple[str, str, ET.Element]]:
    """(value, label, symbol layer element) of each category of a QML document."""
    renderer = root.find("renderer-v2")
    result = []
    for category in renderer.findall("./categories/category"):
        symbol = renderer.find(f"./symbols/symbol[@name='{category.get('symbol')}']")
        result.append((category.get("value"), category.get("label"), symbol.find("layer")))
    return result


def value_map(root: ET.Element, field: str) -> list[tuple[str, str]]:
    """(label, code) pairs of a field's ValueMap widget."""
    widget = root.find(f"./fieldConfiguration/field[@name='{field}']/editWidget")
    assert widget.get("type") == "ValueMap"
    entries = widget.findall("./config/Option/Option[@name='map']/Option/Option")
    return [(entry.get("name"), entry.get("value")) for entry in entries]


def aliases(root: ET.Element) -> dict[str, str]:
    return {alias.get("field"): alias.get("name") for alias in root.findall("./aliases/alias")}


# ------------------------------------------------------------------------------ QML


def test_qml_root_and_categorized_renderer(water: LayerSpec) -> None:
    root = parse_qml(qml_for(water))
    assert root.tag == "qgis"
    assert root.get("version") == "3.28.0"
    assert root.get("styleCategories") == "AllStyleCategories"
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "status"
    assert root.findtext("layerGeometryType") == "0"


def test_qml_categories_labels_and_colours(water: LayerSpec) -> None:
    found = [(value, label, option(layer, "color"))
             for value, label, layer in categories(parse_qml(qml_for(water)))]
    assert found == [
        ("functional", "Fonctionnel", "26,152,80,255"),
        ("partly_functional", "Partiellement fonctionnel", "253,174,97,255"),
        ("non_functional", "En panne", "215,48,39,255"),
        ("abandoned", "Abandonné", "77,77,77,255"),
        ("unknown", "État inconnu", "189,189,189,255"),
        ("", "Autres valeurs", "99,99,99,255"),  # fallback: default symbol
    ]
    english = [(value, label) for value, label, _ in categories(parse_qml(qml_for(water, "en")))]
    assert english[0] == ("functional", "Functional")
    assert english[-1] == ("", "Other values")


def test_qml_marker_symbol(water: LayerSpec) -> None:
    root = parse_qml(qml_for(water))
    for _, _, layer in categories(root):
        assert layer.get("class") == "SimpleMarker"
        assert option(layer, "name") == "circle"
        assert option(layer, "outline_color") == "255,255,255,255"
        assert (option(layer, "size"), option(layer, "size_unit")) == ("2.6", "MM")
        assert float(option(layer, "outline_width")) <= 0.3
    assert {s.get("type") for s in root.iter("symbol")} == {"marker"}
    source = root.find("./renderer-v2/source-symbol/layer")
    assert option(source, "color") == "99,99,99,255"


def test_qml_aliases_in_both_languages(water: LayerSpec) -> None:
    french = aliases(parse_qml(qml_for(water, "fr")))
    english = aliases(parse_qml(qml_for(water, "en")))
    assert list(french) == list(water.field_names)
    assert french["status"] == "État" and english["status"] == "Status"
    assert french["wp_id"] == "Identifiant" and english["wp_id"] == "Identifier"
    indexes = [a.get("index") for a in parse_qml(qml_for(water)).findall("./aliases/alias")]
    assert indexes == [str(i) for i in range(len(water.fields))]


def test_qml_value_maps_for_category_fields(water: LayerSpec) -> None:
    root = parse_qml(qml_for(water))
    configured = {f.get("name") for f in root.findall("./fieldConfiguration/field")}
    assert configured == {f.name for f in water.fields if f.type == "category"}
    assert value_map(root, "status") == [
        ("Fonctionnel", "functional"),
        ("Partiellement fonctionnel", "partly_functional"),
        ("En panne", "non_functional"),
        ("Abandonné", "abandoned"),
        ("État inconnu", "unknown"),
    ]
    english = value_map(parse_qml(qml_for(water, "en")), "status")
    assert english[2] == ("Non-functional", "non_functional")


def test_qml_polygon_fill_outline_and_opacity() -> None:
    spec = polygon_spec()
    root = parse_qml(qml_for(spec))
    assert root.findtext("layerGeometryType") == "2"
    found = {value: (label, layer.get("class"), option(layer, "color"),
                     option(layer, "outline_color"))
             for value, label, layer in categories(root)}
    assert found == {
        "wetland": ("Zone humide", "SimpleFill", "107,174,214,128", "8,81,156,255"),
        "forest": ("Forêt", "SimpleFill", "116,196,118,255", "0,109,44,255"),
        "": ("Autres valeurs", "SimpleFill", "204,204,204,128", "37,37,37,255"),
    }
    assert {s.get("type") for s in root.iter("symbol")} == {"fill"}


def test_qml_single_symbol_without_style_by() -> None:
    root = parse_qml(qml_for(polygon_spec(by=False)))
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "singleSymbol"
    assert renderer.get("attr") is None
    assert renderer.find("categories") is None
    layer = renderer.find("./symbols/symbol[@name='0']/layer")
    assert option(layer, "color") == "204,204,204,128"
    assert option(layer, "outline_color") == "37,37,37,255"


def test_marker_radius_and_explicit_fill() -> None:
    text = """
name = "sites"
title = "Sites"
geometry = "Point"
id_field = "site_id"
[metadata]
source = "test"
licence = "CC0"
[style]
default = { color = "#737373", fill = "#ffffff", radius = 4, opacity = 0.8 }
[[fields]]
name = "site_id"
type = "string"
"""
    spec = parse_spec(text)
    layer = parse_qml(qml_for(spec)).find("./renderer-v2/symbols/symbol/layer")
    assert (option(layer, "size"), option(layer, "size_unit")) == ("8", "Pixel")
    assert option(layer, "color") == "255,255,255,204"  # fill, with opacity
    assert option(layer, "outline_color") == "115,115,115,255"  # color = outline
    graphic = ET.fromstring(sld_for(spec)).find(".//se:PointSymbolizer/se:Graphic", NS)
    assert graphic.findtext("se:Size", namespaces=NS) == "8"
    params = {p.get("name"): p.text for p in graphic.iter(f"{{{NS['se']}}}SvgParameter")}
    assert params["fill"] == "#ffffff" and params["stroke"] == "#737373"
    assert float(params["fill-opacity"]) == pytest.approx(0.8, abs=0.01)


def test_line_layers_get_line_symbols() -> None:
    text = """
name = "roads"
title = "Routes"
geometry = "MultiLineString"
id_field = "road_id"
[metadata]
source = "test"
licence = "CC0"
[style]
default = { color = "#ff0000" }
[[fields]]
name = "road_id"
type = "string"
"""
    spec = parse_spec(text)
    root = parse_qml(qml_for(spec))
    assert root.find(".//symbol/layer").get("class") == "SimpleLine"
    assert root.findtext("layerGeometryType") == "1"
    assert ET.fromstring(sld_for(spec)).find(".//se:LineSymbolizer", NS) is not None
    assert style_geometry_type(spec) == "Line"


def test_qgis_color() -> None:
    assert qgis_color("#1A9850") == "26,152,80,255"
    assert qgis_color("#000000", 0) == "0,0,0,0"
    assert qgis_color("#ffffff", 2) == "255,255,255,255"  # clamped
    with pytest.raises(ValueError):
        qgis_color("red")


# ------------------------------------------------------------------------------ SLD


def test_sld_rules_filters_and_else(water: LayerSpec) -> None:
    root = ET.fromstring(sld_for(water))
    assert root.tag == f"{{{NS['sld']}}}StyledLayerDescriptor"
    assert root.get("version") == "1.1.0"
    assert root.findtext("./sld:NamedLayer/se:Name", namespaces=NS) == "water_points"
    rules = root.findall(".//se:FeatureTypeStyle/se:Rule", NS)
    assert len(rules) == 6
    literals = [r.findtext("./ogc:Filter/ogc:PropertyIsEqualTo/ogc:Literal", namespaces=NS)
                for r in rules[:-1]]
    assert literals == ["functional", "partly_functional", "non_functional", "abandoned",
                        "unknown"]
    properties = {r.findtext(".//ogc:PropertyName", namespaces=NS) for r in rules[:-1]}
    assert properties == {"status"}
    titles = [r.findtext("./se:Description/se:Title", namespaces=NS) for r in rules]
    assert titles == ["Fonctionnel", "Partiellement fonctionnel", "En panne", "Abandonné",
                      "État inconnu", "Autres valeurs"]
    else_rule = rules[-1]
    assert else_rule.find("se:ElseFilter", NS) is not None
    assert else_rule.find("ogc:Filter", NS) is None
    fills = [r.findtext(".//se:Mark/se:Fill/se:SvgParameter[@name='fill']", namespaces=NS)
             for r in rules]
    assert fills == ["#1a9850", "#fdae61", "#d73027", "#4d4d4d", "#bdbdbd", "#636363"]
    assert all(r.find("se:PointSymbolizer", NS) is not None for r in rules)
    assert all(r.findtext(".//se:WellKnownName", namespaces=NS) == "circle" for r in rules)


def test_sld_polygon_symbolizers() -> None:
    root = ET.fromstring(sld_for(polygon_spec(), "en"))
    rules = root.findall(".//se:Rule", NS)
    assert len(rules) == 3
    assert [r.findtext("./se:Description/se:Title", namespaces=NS) for r in rules] == [
        "Wetland", "Forest", "Other values"]
    wetland = rules[0].find("se:PolygonSymbolizer", NS)
    params = {p.get("name"): p.text for p in wetland.iter(f"{{{NS['se']}}}SvgParameter")}
    assert params["fill"] == "#6baed6" and params["stroke"] == "#08519c"
    assert float(params["fill-opacity"]) == pytest.approx(0.5, abs=0.01)
    forest = rules[1].find("se:PolygonSymbolizer", NS)
    assert forest.find(".//se:SvgParameter[@name='fill-opacity']", NS) is None  # opaque
    assert rules[2].find("se:ElseFilter", NS) is not None

    single = ET.fromstring(sld_for(polygon_spec(by=False))).findall(".//se:Rule", NS)
    assert len(single) == 1
    assert single[0].find("ogc:Filter", NS) is None
    assert single[0].find("se:ElseFilter", NS) is None


# ---------------------------------------------------------------------- hostile text


def test_hostile_labels_are_escaped_and_round_trip() -> None:
    spec = polygon_spec(kind_label=HOSTILE, title=HOSTILE)
    qml, sld = qml_for(spec), sld_for(spec)
    for document in (qml, sld):
        assert "<script>" not in document
        assert "&lt;script&gt;" in document
    root = parse_qml(qml)
    assert categories(root)[0][1] == HOSTILE
    assert value_map(root, "kind")[0] == (HOSTILE, "wetland")
    assert aliases(root)["kind"] == HOSTILE
    assert root.find("script") is None and not list(root.iter("script"))
    titles = [t.text for t in ET.fromstring(sld).iter(f"{{{NS['se']}}}Title")]
    assert HOSTILE in titles


def test_characters_forbidden_in_xml_are_dropped() -> None:
    spec = polygon_spec(kind_label="Zone\x0bhumide\x00")
    root = parse_qml(qml_for(spec))
    assert categories(root)[0][1] == "Zonehumide"
    titles = [t.text for t in ET.fromstring(sld_for(spec)).iter(f"{{{NS['se']}}}Title")]
    assert "Zonehumide" in titles


# ---------------------------------------------------------------------- layer_styles


def test_layer_styles_row(water: LayerSpec) -> None:
    row = layer_styles_row(water)
    generated = {"id", "update_time"}
    assert list(row) == [c for c in LAYER_STYLES_COLUMNS if c not in generated]
    assert row["f_table_catalog"] == "" and row["f_table_schema"] == ""
    assert row["f_table_name"] == "water_points" and row["styleName"] == "water_points"
    assert row["f_geometry_column"] == "geom"
    assert row["useAsDefault"] is True
    assert row["description"] == "Points d'eau"
    assert row["owner"] == "atlas-territorial"
    assert row["ui"] is None
    assert row["styleQML"] == qml_for(water)
    assert row["styleSLD"] == sld_for(water)

    english = layer_styles_row(water, geometry_column="geometry", lang="en")
    assert english["f_geometry_column"] == "geometry"
    assert english["description"] == "Water points"
    assert aliases(parse_qml(english["styleQML"]))["status"] == "Status"


def test_layer_styles_columns() -> None:
    assert LAYER_STYLES_COLUMNS[0] == "id" and LAYER_STYLES_COLUMNS[-1] == "update_time"
    assert len(set(LAYER_STYLES_COLUMNS)) == len(LAYER_STYLES_COLUMNS) == 13
    assert LAYER_STYLES_POSTGRES_COLUMNS == (*LAYER_STYLES_COLUMNS, "type")
    assert style_geometry_type(polygon_spec()) == "Polygon"
