"""Hostile strings that came in through an import show as text in fact sheets and maps.

The atlas is filled through ``import_file`` (the path real data takes) with names
that are SQL, HTML/JS, Jinja syntax, terminal escapes and bidi overrides: a
territory, water points and localities. The rendered fact sheet and the exported
offline map must carry them escaped, never as markup or template code, and one
headless Chromium session checks that neither page runs them.
"""

from __future__ import annotations

import json
import re

import pytest
import shapely
from badinput import (
    ATTRIBUTE_BREAKOUT,
    HOSTILE_NAMES,
    HTML_INJECTION,
    SQL_INJECTION,
    TEMPLATE_INJECTION,
    TERRITORY_BOXES,
    WEST,
    csv_text,
)
from browser import offline_page
from common import TEST_SETTINGS

import atlas
from atlas.ingest import import_file
from atlas.render import export_html, territory_map

HOSTILE_REGION = "ZZ01"
#: What an injection would look like if it had become markup.
RAW_MARKUP = ("<script>window.__pwned", "<img src=x", "<svg onload")


@pytest.fixture(scope="module")
def hostile_atlas(tmp_path_factory):
    """Territories, water points and localities whose names are hostile, all imported."""
    folder = tmp_path_factory.mktemp("hostile")
    features = []
    for code, name, level, parent, box in TERRITORY_BOXES:
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(
            shapely.box(*box)), "properties": {
                "code": code, "niveau": level, "parent": parent, "population": 25000,
                "nom": HTML_INJECTION + " " + TEMPLATE_INJECTION if code == HOSTILE_REGION
                else name}})
    boundaries = folder / "limites.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                          encoding="utf-8")
    water = folder / "points_eau.csv"
    water.write_text(csv_text(["code", "nom", "type", "etat", "lat", "lon"], [
        [f"{SQL_INJECTION}{i}" if i == 0 else f"PE{i}", name, "forage", "fonctionnel",
         WEST[1] + 0.01 * i, WEST[0]] for i, name in enumerate(HOSTILE_NAMES)]),
        encoding="utf-8")
    villages = folder / "localites.csv"
    villages.write_text(csv_text(["code", "nom", "population", "lat", "lon"], [
        [f"L{i}", name, 1000 + i, 13.1 + 0.01 * i, -16.9] for i, name in
        enumerate(HOSTILE_NAMES)]), encoding="utf-8")
    with atlas.create(folder / "hostile.gpkg", TEST_SETTINGS) as opened:
        for path, layer in ((boundaries, "territories"), (water, "water_points"),
                            (villages, "localities")):
            plan = import_file(opened, path, layer, mode="replace")
            assert plan.ok, plan.summary("en")
            plan.commit(user=HTML_INJECTION)
        yield opened


@pytest.fixture(scope="module")
def map_page(hostile_atlas, tmp_path_factory):
    """The region's exported offline map, as a file."""
    fmap = territory_map(hostile_atlas, HOSTILE_REGION, layers=["water_points", "localities"])
    return export_html(fmap, tmp_path_factory.mktemp("map") / "carte.html")


@pytest.fixture(scope="module")
def sheet_page(hostile_atlas, tmp_path_factory):
    """The region's fact sheet, as a file."""
    from atlas.render import territory_sheet  # imported here: landing separately

    path = tmp_path_factory.mktemp("sheet") / "fiche.html"
    path.write_text(territory_sheet(hostile_atlas, HOSTILE_REGION, lang="fr").html,
                    encoding="utf-8")
    return path


def test_imported_hostile_names_are_stored_verbatim(hostile_atlas):
    assert hostile_atlas.territories.name(HOSTILE_REGION) == \
        HTML_INJECTION + " " + TEMPLATE_INJECTION
    names = sorted(hostile_atlas.read("water_points")["name"])
    assert names == sorted(HOSTILE_NAMES)
    assert f"{SQL_INJECTION}0" in hostile_atlas.read("water_points")["wp_id"].tolist()
    assert hostile_atlas.history()[-1].user == HTML_INJECTION


def test_the_fact_sheet_shows_hostile_names_escaped(sheet_page):
    html = sheet_page.read_text(encoding="utf-8")
    for raw in RAW_MARKUP:
        assert raw not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # the region's name
    assert TEMPLATE_INJECTION in html  # shown literally: data is never a template
    assert "&lt;svg onload" in html or "&#34;&gt;&lt;svg onload" in html  # a locality
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert not any("__pwned" in body for body in scripts)


def test_the_exported_map_shows_hostile_names_escaped(map_page):
    html = map_page.read_text(encoding="utf-8")
    for raw in RAW_MARKUP:
        assert raw not in html
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in html  # in the data
    assert "&lt;script&gt;window.__pwned" in html  # in the page title
    # branca compiles script output as a Jinja template: the data's "{{" is broken so
    # that it stays text (a territory name must never be evaluated as "49").
    assert "\\u007b{ 7*7 }} \\u007b% raw %}" in html
    assert html.count("<script") == html.count("</script>")


@pytest.mark.browser
def test_hostile_names_do_not_run_in_chromium(map_page, sheet_page):
    with offline_page() as (page, requests):
        page.goto(map_page.as_uri())
        page.wait_for_function("window.AtlasMap && AtlasMap.maps.length === 1 &&"
                               " AtlasMap.maps[0]._loaded")
        shown = page.evaluate("""() => {
            const map = AtlasMap.maps[0];
            const texts = [];
            for (const layer of map._atlas.layers.water_points.getLayers()) {
                layer.openPopup();
                const box = layer.getPopup().getElement()
                    .querySelector('.leaflet-popup-content');
                texts.push(box.innerText);
                layer.closePopup();
            }
            return {texts, title: document.title,
                    images: document.querySelectorAll('img[src="x"]').length,
                    svgs: document.querySelectorAll('svg[onload]').length};
        }""")
        page.wait_for_timeout(200)
        map_pwned = page.evaluate("window.__pwned || 0")
        page.goto(sheet_page.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        sheet = page.evaluate("""() => ({text: document.body.innerText,
            pwned: window.__pwned || 0,
            images: document.querySelectorAll('img[src="x"]').length,
            svgs: document.querySelectorAll('svg[onload]').length})""")
    assert map_pwned == 0 and sheet["pwned"] == 0
    assert shown["images"] == shown["svgs"] == sheet["images"] == sheet["svgs"] == 0
    popups = "\n".join(shown["texts"])
    assert HTML_INJECTION in popups and ATTRIBUTE_BREAKOUT in popups
    assert TEMPLATE_INJECTION in popups  # literally, not evaluated
    assert HTML_INJECTION in shown["title"]
    assert HTML_INJECTION in sheet["text"]
    assert requests.external == [], requests.external
    assert requests.page_errors == []
