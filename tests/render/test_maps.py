"""Interactive maps (atlas.render.map): formatting, classification, legends, offline
export, size budget, and one headless-Chromium check with the network cut off."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd
import pytest
import shapely
from browser import offline_page
from click.testing import CliRunner
from markupsafe import escape as escape_html

from atlas.cli import main as cli
from atlas.demo import sized
from atlas.diagnostics import diagnose
from atlas.render import RenderError, export_html, territory_map, to_html
from atlas.render.formatting import format_number, format_value
from atlas.render.map.choropleth import classify, palette_colors
from atlas.render.map.features import popup_rows
from atlas.render.map.geometry import for_display
from atlas.render.map.leaflet import AtlasLayer, Legend, js_literal
from atlas.render.map.legends import choropleth_section, legend_html
from atlas.render.map.offline import external_resources, load_assets
from atlas.render.map.symbols import legend_entries, style_codes
from atlas.render.map.values import IndicatorValues, indicator_values
from atlas.render.vendor import build_vendor, node_modules_dir

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def small_atlas(tmp_path_factory):
    """One region, two départements, six communes; hostile names on the first rows."""
    path = tmp_path_factory.mktemp("maps") / "small.gpkg"
    shape = sized.Shape(regions=1, departements=2, communes=6, scale=0.05)
    with sized.build_sized_atlas(path, seed=3, shape=shape, hostile=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def region(small_atlas):
    return small_atlas.territories.at_level(1).index[0]


@pytest.fixture(scope="module")
def commune_values(small_atlas):
    codes = list(small_atlas.territories.at_level(3).index)
    values = pd.Series(np.arange(len(codes), dtype=float) * 12.5, index=codes)
    values.iloc[-1] = np.nan
    return values


def layers_of(fmap: folium.Map) -> dict[str, AtlasLayer]:
    return {c.layer_key: c for c in fmap._children.values() if isinstance(c, AtlasLayer)}


def payload(layer: AtlasLayer) -> tuple[dict, dict]:
    def decode(text: str) -> dict:
        return json.loads(text.replace("\\u003c", "<").replace("\\u003e", ">")
                          .replace("\\u0026", "&"))
    return decode(layer.spec_js), decode(layer.data_js)


# ------------------------------------------------------------------------ formatting


def test_numbers_follow_the_language():
    assert format_number(1234567.891, "fr") == f"1{NBSP}234{NBSP}567,89"
    assert format_number(1234567.891, "en") == "1,234,567.89"
    assert format_number(12.0, "fr") == "12"
    assert format_number(0.5, "fr", decimals=2) == "0,50"
    assert format_number(-0.0001, "fr", decimals=1) == "0,0"


def test_values_are_labels_not_codes(catalog):
    spec = catalog["water_points"]
    assert format_value("non_functional", spec.field("status"), "fr") == "En panne"
    assert format_value("non_functional", spec.field("status"), "en") == "Non-functional"
    assert format_value(True, spec.field("pay"), "fr") == "Oui"
    assert format_value(False, spec.field("pay"), "en") == "No"
    assert format_value(2015, spec.field("install_year"), "fr") == "2015"
    assert format_value("2024-03-05", spec.field("report_date"), "fr") == "05/03/2024"
    assert format_value(None, spec.field("name"), "fr") is None
    vaults = catalog["nubian_vaults"]
    assert format_value(1250.5, vaults.field("floor_area_m2"), "fr") == \
        f"1{NBSP}250,5{NBSP}m²"


def test_popup_rows_use_field_titles(catalog):
    spec = catalog["water_points"]
    row = {"wp_id": "WP-1", "name": "Forage de Ndiaye", "status": "functional",
           "water_available": True, "pay": pd.NA, "source_type": "borehole",
           "territory_code": "SN0101"}
    rows = dict(popup_rows(spec, row, "fr", {"SN0101": "Commune A"}))
    assert rows["État"] == "Fonctionnel"
    assert rows["Eau disponible lors de la visite"] == "Oui"
    assert rows["Type de source"] == "Forage"
    assert rows["Code du territoire"] == "Commune A (SN0101)"
    assert "Eau payante" not in rows  # missing values are left out
    english = dict(popup_rows(spec, row, "en"))
    assert english["Status"] == "Functional"


# ------------------------------------------------------------------- classification


def test_classification_schemes():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, np.nan],
                       index=[f"C{i}" for i in range(11)], dtype=float)
    quantiles = classify(values, "quantiles", k=4)
    assert quantiles.k == 4 and quantiles.classes["C10"] == -1
    assert quantiles.counts() == [3, 2, 2, 3, 1]
    jenks = classify(values, "natural_breaks", k=2)
    assert jenks.bins[-1] == 100 and jenks.classes["C9"] == 1 and jenks.classes["C8"] == 0
    equal = classify(values, "equal_interval", k=4)
    assert len({round(b - a, 6) for a, b in zip((equal.lower, *equal.bins), equal.bins,
                                                 strict=False)}) == 1
    user = classify(values, breaks=[5, 50])
    assert user.bins == (5.0, 50.0, 100.0) and user.classes["C0"] == 0
    assert user.classes["C5"] == 1 and user.classes["C9"] == 2
    assert quantiles.labels("fr", 1)[0] == "1,0 – 3,2"
    empty = classify(pd.Series([np.nan], index=["X"]))
    assert empty.k == 0 and empty.color_of("X") == empty.no_data_color


def test_classification_errors_are_sentences():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    with pytest.raises(RenderError, match="Méthode de classification inconnue"):
        classify(values, "kmeans")
    with pytest.raises(RenderError, match="croissants"):
        classify(values, breaks=[5, 2])
    with pytest.raises(RenderError, match="Palette inconnue"):
        palette_colors("rainbow", 3)


def test_palette_reversed_when_lower_is_better():
    light_to_dark = palette_colors("Blues", 4)
    assert palette_colors("Blues", 4, reverse=True) == light_to_dark[::-1]
    assert palette_colors("Blues_r", 4) == light_to_dark[::-1]
    assert len(set(light_to_dark)) == 4


def test_indicator_values_from_tables(small_atlas, commune_values):
    series = indicator_values(small_atlas, commune_values.rename("Accès"), unit="%")
    assert series.label == "Accès" and series.unit == "%"
    frame = pd.DataFrame({"code": commune_values.index, "value": commune_values.values,
                          "indicator": "x", "label": "Taux", "unit": "%", "source": "JMP",
                          "direction": "lower"})
    table = indicator_values(small_atlas, frame)
    assert (table.label, table.unit, table.source, table.higher_is_better) == \
        ("Taux", "%", "JMP", False)
    with pytest.raises(RenderError):
        indicator_values(small_atlas, pd.DataFrame({"x": [1]}))


def test_an_indicator_code_maps_the_values_diagnose_computes(small_atlas, region):
    table = diagnose(small_atlas, 3, indicators=["sch_water_ladder"], lang="en")
    rows = table[table["breakdown"] == "no_service"].set_index("territory_code")
    values = indicator_values(small_atlas, "sch_water_ladder:no_service", 3, "en")
    assert values.values.to_dict() == pytest.approx(rows["value"].to_dict(), nan_ok=True)
    assert values.label == rows["label"].iloc[0] and values.unit == rows["unit"].iloc[0]
    assert values.higher_is_better is False  # the registry: fewer schools without water
    assert indicator_values(small_atlas, "sch_water_ladder:basic", 3).higher_is_better
    fmap = territory_map(small_atlas, region, layers=[], lang="en",
                         indicator="sch_water_ladder:no_service", level=3)
    legend = next(c for c in fmap._children.values() if isinstance(c, Legend)).html
    # a count is written without a unit: "… — no service", never "(nb)"
    assert values.unit == "nb"
    assert f"{escape_html(values.label)}</div>" in legend and "(nb)" not in legend


def test_an_indicator_without_values_is_a_sentence(small_atlas):
    with pytest.raises(RenderError, match="sans valeur"):
        indicator_values(small_atlas, "sch_water_ladder:nope", 3)


# --------------------------------------------------------------------------- legends


def test_legend_entries_follow_the_data(catalog):
    spec = catalog["water_points"]
    every = [e.label for e in legend_entries(spec, "fr")]
    assert every[:4] == ["Fonctionnel", "Partiellement fonctionnel", "En panne", "Abandonné"]
    assert every[-1] == "Autres valeurs"
    present = legend_entries(spec, "en", ["functional", "functional"])
    assert [e.label for e in present] == ["Functional"]


def test_features_without_a_category_have_the_default_line_with_their_count(catalog):
    spec = catalog["water_points"]
    missing = legend_entries(spec, "en", ["functional", None, float("nan")])
    assert [e.label for e in missing] == ["Functional", "Not recorded (2)"]
    assert missing[-1].key is None and missing[-1].symbol == spec.style.default
    others = legend_entries(spec, "fr", ["functional", "citerne"])
    assert [e.label for e in others] == ["Fonctionnel", "Autres valeurs (1)"]
    both = legend_entries(spec, "fr", [None, "citerne", "citerne"])
    assert [e.label for e in both] == ["Autres valeurs ou non renseigné (3)"]


def test_every_styled_category_has_its_own_shape(catalog):
    spec = catalog["water_points"]
    every = [e.label for e in legend_entries(spec, "fr")]
    shapes = {e.shape for e in legend_entries(spec, "fr")}
    assert len(shapes) == len(every)  # black-and-white readable: one shape per class


def test_legend_html_escapes_everything():
    hostile = IndicatorValues(pd.Series([1.0, 2.0, np.nan], index=["a", "b", "c"]),
                              label="<b>Accès</b>", unit="%",
                              source='<img src=x onerror="alert(1)">')
    html = legend_html([choropleth_section(hostile, classify(hostile.values, k=2))], "fr")
    assert "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;Accès&lt;/b&gt; (%)" in html and "Pas de données (1)" in html


def test_js_literal_cannot_close_a_script():
    text = js_literal({"name": "</script><script>alert(1)</script>", "line": "\u2028"})
    assert "</script" not in text and "<" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "line": "\u2028"}


# ------------------------------------------------------------------------------ maps


def test_territory_map_layers_and_controls(small_atlas, region):
    fmap = territory_map(small_atlas, region)
    assert isinstance(fmap, folium.Map)
    found = layers_of(fmap)
    expected = {n for n in small_atlas.catalog if n != "territories"
                and len(small_atlas.read(n, territory=region).dropna(subset=["geometry"]))}
    assert expected <= set(found) and "atlas_outline" in found
    assert any(isinstance(c, folium.LayerControl) for c in fmap._children.values())
    assert not any(isinstance(c, folium.TileLayer) for c in fmap._children.values())
    spec, data = payload(found["water_points"])
    assert "État" in spec["fields"] and spec["popup"] is True
    statuses = {f["properties"]["p"][spec["fields"].index("État")] for f in data["features"]}
    assert statuses <= {"Fonctionnel", "Partiellement fonctionnel", "En panne", "Abandonné",
                        "État inconnu"}
    assert len(data["features"]) == found["water_points"].feature_count
    assert not found["water_points"].default_js  # few points: no clustering
    legend = next(c for c in fmap._children.values() if isinstance(c, Legend)).html
    assert "Points d&#39;eau" in legend and "Fonctionnel" in legend


def test_english_map(small_atlas, region):
    fmap = territory_map(small_atlas, region, layers=["water_points"], lang="en",
                         cluster=True, basemap="osm")
    spec, data = payload(layers_of(fmap)["water_points"])
    assert spec["title"] == "Water points" and "Status" in spec["fields"]
    assert layers_of(fmap)["water_points"].default_js  # clustering asked for
    assert any(isinstance(c, folium.TileLayer) for c in fmap._children.values())


def test_many_points_are_clustered(small_atlas, region, monkeypatch):
    monkeypatch.setattr("atlas.render.map.interactive.CLUSTER_THRESHOLD", 5)
    found = layers_of(territory_map(small_atlas, region, layers=["water_points", "mangroves"]))
    assert found["water_points"].feature_count > 5 and found["water_points"].default_js
    assert not found["mangroves"].default_js  # polygons are never clustered
    unclustered = layers_of(territory_map(small_atlas, region, layers=["water_points"],
                                          cluster=False))
    assert not unclustered["water_points"].default_js


def test_commune_map_greys_neighbours(small_atlas):
    commune = small_atlas.territories.at_level(3).index[0]
    found = layers_of(territory_map(small_atlas, commune, layers=["localities"]))
    spec, data = payload(found["atlas_neighbours"])
    assert len(data["features"]) >= 1
    _, outline = payload(found["atlas_outline"])
    assert [f["properties"]["k"] for f in outline["features"]] == [0]


def test_geometries_simplified_and_rounded(small_atlas):
    territories = small_atlas.read("territories")
    before = int(shapely.get_num_coordinates(territories.geometry.values).sum())
    shown = for_display(territories, small_atlas.metric_crs, tolerance_m=200,
                        coverage_by="level")
    after = int(shapely.get_num_coordinates(shown.geometry.values).sum())
    assert after < before / 2
    coords = shapely.get_coordinates(shown.geometry.values)
    assert np.allclose(coords, np.round(coords, 5))
    assert shown.geometry.is_valid.mean() > 0.9 and len(shown) == len(territories)


def test_choropleth_layer_and_legend(small_atlas, region, commune_values):
    fmap = territory_map(small_atlas, region, layers=["water_points"],
                         indicator=commune_values, label="Accès", unit="%",
                         source="Enquête 2024", scheme="equal_interval", classes=3)
    spec, data = payload(layers_of(fmap)["choropleth"])
    classes = [f["properties"]["k"] for f in data["features"]]
    assert len(classes) == len(commune_values) and 0 in classes  # 0: the no-data style
    assert spec["styles"][0]["fillColor"] == "#d4d4d4"
    names = [f["properties"]["p"][1] for f in data["features"]]
    assert f"12,5{NBSP}%" in names and "Pas de données" in names
    legend = next(c for c in fmap._children.values() if isinstance(c, Legend)).html
    assert "Accès (%)" in legend and "Source : Enquête 2024" in legend
    assert legend.index("Accès (%)") < legend.index("Points d&#39;eau")


# --------------------------------------------------------------------------- offline


def test_exported_html_is_self_contained_and_escaped(small_atlas, tmp_path):
    commune = next(c for c in small_atlas.territories.at_level(3).index
                   if "<script>" in small_atlas.territories.name(c))
    fmap = territory_map(small_atlas, commune)
    path = export_html(fmap, tmp_path / "commune.html")
    html = path.read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert html.count("<script") == html.count("</script>")
    assert 't.version="1.9.4"' in html  # Leaflet from node_modules, inline
    for banned in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrap", "sourceMappingURL"):
        assert banned not in html
    # The hostile name appears only escaped: as HTML entities or JSON \u003c escapes.
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned" in html  # in <title>
    assert '\\u003cscript\\u003ewindow.__pwned' in html  # in the data
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"fr\">")


def test_offline_variant_for_notebooks(small_atlas, region):
    fmap = territory_map(small_atlas, region, layers=["localities"], offline=True)
    html = fmap._repr_html_()
    assert not re.search(r"&lt;(script|link)[^&]*(src|href)=&quot;https?:", html)
    assert not re.search(r"<(script|link)[^>]*(src|href)=", html)
    assert "leaflet-pane" in html  # Leaflet's CSS is inline in the iframe's srcdoc
    again = to_html(fmap)  # rendering twice keeps it offline
    assert external_resources(again) == []


def test_missing_assets_say_how_to_install(small_atlas, region, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_VENDOR_DIR", str(tmp_path / "vendor"))
    monkeypatch.setenv("ATLAS_NODE_MODULES", str(tmp_path / "node_modules"))
    fmap = territory_map(small_atlas, region, layers=["localities"])
    with pytest.raises(RenderError, match="make install"):
        export_html(fmap, tmp_path / "map.html")


def test_vendor_build_from_node_modules(tmp_path):
    modules = node_modules_dir()
    assert (modules / "leaflet").is_dir(), "run `npm ci` (make install) first"
    target = build_vendor(modules, tmp_path / "vendor")
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["packages"] == {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3"}
    css = (target / "leaflet.css").read_text()
    assert "url(images/" not in css and "data:image/png;base64," in css
    assert "sourceMappingURL" not in (target / "leaflet.js").read_text()
    assert set(load_assets()) == {"leaflet.js", "leaflet.css", "leaflet.markercluster.js",
                                  "MarkerCluster.css", "MarkerCluster.Default.css"}


def test_cli_map_writes_offline_html(small_atlas, region, tmp_path):
    out = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["map", "--atlas", small_atlas.url, "--territory", region,
                                      "--layers", "water_points,schools", "--lang", "en",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Map written" in result.output
    html = out.read_text(encoding="utf-8")
    assert external_resources(html) == [] and "Water points" in html
    bad = CliRunner().invoke(cli, ["map", "--atlas", small_atlas.url, "--layers", "nope",
                                   "-o", str(tmp_path / "x.html")])
    assert bad.exit_code == 2 and "Couche inconnue" in bad.output


@pytest.mark.slow
def test_size_budget_on_a_demo_sized_atlas(tmp_path):
    with sized.demo_atlas(tmp_path / "demo.gpkg") as opened:
        results = sized.measure(opened, tmp_path)
    figures = {r["map"]: r for r in results}
    print("map sizes:", {k: f"{v['bytes'] / 1e6:.2f} MB ({v['features']} features)"
                         for k, v in figures.items()})
    assert figures["commune"]["bytes"] <= sized.COMMUNE_BUDGET
    assert figures["region"]["bytes"] <= sized.REGION_BUDGET
    assert figures["region"]["features"] > 500


# --------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_exported_map_draws_offline_in_chromium(small_atlas, region, commune_values,
                                                tmp_path):
    fmap = territory_map(small_atlas, region, indicator=commune_values,
                         label="<b>Accès</b>", unit="%", cluster=["water_points"])
    expected = {name: layer.feature_count for name, layer in layers_of(fmap).items()}
    path = export_html(fmap, tmp_path / "region.html")
    with offline_page() as (page, requests):
        page.goto(path.as_uri())
        page.wait_for_function("window.AtlasMap && AtlasMap.maps.length === 1 &&"
                               " AtlasMap.maps[0]._loaded")
        page.wait_for_timeout(300)
        drawn = page.evaluate("""() => {
            const map = AtlasMap.maps[0];
            const counts = {};
            for (const [name, layer] of Object.entries(map._atlas.layers)) {
                counts[name] = map.hasLayer(layer) ? layer.getLayers().length : -1;
            }
            const canvas = document.querySelector('.leaflet-overlay-pane canvas');
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return {counts, painted, size: canvas.width * canvas.height,
                    clusters: document.querySelectorAll('.marker-cluster').length,
                    legend: document.querySelector('.atlas-legend').innerText,
                    legendBold: document.querySelectorAll('.atlas-legend b').length,
                    overlays: document.querySelectorAll(
                        '.leaflet-control-layers-overlays label').length,
                    scale: document.querySelector('.leaflet-control-scale-line').innerText,
                    fullscreen: document.querySelectorAll('.atlas-fullscreen-button').length,
                    pwned: window.__pwned || 0};
        }""")
        # A popup shows a hostile name as text.
        popup = page.evaluate("""() => {
            const map = AtlasMap.maps[0];
            const layer = map._atlas.layers.localities.getLayers()[0];
            layer.openPopup();
            const box = document.querySelector('.leaflet-popup-content');
            return {text: box.innerText, images: box.querySelectorAll('img').length};
        }""")
        page.wait_for_timeout(200)
        pwned = page.evaluate("window.__pwned || 0")
    assert drawn["counts"] == expected
    assert drawn["painted"] > 0.05 * drawn["size"]
    assert drawn["clusters"] > 0
    assert "<b>Accès</b> (%)" in drawn["legend"] and drawn["legendBold"] == 0
    assert "Points d'eau" in drawn["legend"] and "Pas de données" in drawn["legend"]
    assert drawn["overlays"] == len(expected) and drawn["fullscreen"] == 1
    assert drawn["scale"].endswith("km")
    assert "<script>window.__pwned=1</script>" in popup["text"] and popup["images"] == 0
    assert drawn["pwned"] == 0 and pwned == 0
    assert requests.external == [], requests.external
    assert requests.page_errors == [] and requests.console_errors == []


def test_mangrove_extents_of_each_year_have_their_own_shade_and_line(catalog):
    spec = catalog["mangroves"]
    base = spec.style.categories["extent"]
    frame = pd.DataFrame({"kind": ["extent", "extent", "reforested", "extent"],
                          "year": [2020, 2010, 2021, None]})
    codes = style_codes(spec, frame)
    assert codes.tolist() == ["extent|2020", "extent|2010", "reforested", "extent"]
    entries = legend_entries(spec, "fr", codes)
    extent = spec.field("kind").value("extent").label("fr")
    assert [e.label for e in entries][:3] == [f"{extent} 2010", f"{extent} 2020", extent]
    older, newer = entries[0].symbol, entries[1].symbol
    assert newer.fill == base.fill and newer.color == base.color  # the latest: as styled
    assert older.fill != base.fill  # the older: lighter, so an overlap reads as two years
    assert int(older.fill[1:3], 16) > int(base.fill[1:3], 16)
    assert "Autres valeurs" not in " ".join(e.label for e in entries)
