"""Carte page (AppTest): choose a territory, draw it with local assets, click to select."""

from __future__ import annotations

import pytest
from app_support import assert_ok, click_map, map_args, new_app, pick

from app_pages import maps
from atlas.render.map.offline import external_resources

COMMUNE = "ZZ010102"  # Ndou, in the département Oudjo (ZZ0101) of the région Korel (ZZ01)



@pytest.mark.slow
def test_hierarchy_selects_a_commune_and_the_map_follows(read_only_app):
    at = read_only_app
    assert [s.label for s in at.sidebar.selectbox] == ["Région"]
    pick(at, "ZZ01", "ZZ0101", COMMUNE)
    assert at.session_state["territory"] == COMMUNE
    assert [s.label for s in at.sidebar.selectbox] == ["Région", "Département", "Commune"]
    assert at.caption[0].value == "Ndou, Oudjo, Korel, Sorane"
    args = map_args(at)
    assert '"Ndou"' in args["script"]
    assert args["returned_objects"] == ["last_object_clicked"]
    # Every script and stylesheet comes from the app itself (no CDN).
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith("../../app/static/atlas/") for link in links)
    assert external_resources(args["header"] + args["html"]) == []
    # "All" at the département level goes back to the région.
    at.sidebar.selectbox(key="pick_2").set_value("").run()
    assert at.session_state["territory"] == "ZZ01"


def test_search_finds_a_commune_by_name_without_accents(read_only_app):
    at = read_only_app
    at.sidebar.text_input(key="territory_search").set_value("ndou").run()
    result = next(b for b in at.sidebar.button if b.label.startswith("Ndou · commune"))
    result.click().run()
    assert_ok(at)
    assert at.session_state["territory"] == COMMUNE
    assert at.sidebar.selectbox(key="pick_3").value == COMMUNE
    assert at.sidebar.text_input(key="territory_search").value == ""


@pytest.mark.slow
def test_indicator_and_classification_make_a_choropleth(read_only_app):
    at = pick(read_only_app, "ZZ01", "ZZ0101")
    assert at.selectbox(key="carte_level").value == 3  # the communes of the département
    indicator = at.selectbox(key="carte_indicator")
    assert indicator.value == ""
    indicator.set_value("pop_within_500m").run()
    assert_ok(at)
    script = map_args(at)["script"]
    assert '"name":"choropleth"' in script
    at.selectbox(key="carte_scheme").set_value("equal_interval").run()
    at.number_input(key="carte_classes").set_value(3).run()
    assert_ok(at)
    assert map_args(at)["script"] != script
    at.multiselect(key="carte_layers").set_value(["schools"]).run()
    assert_ok(at)
    assert '"name":"water_points"' not in map_args(at)["script"]


@pytest.mark.slow
def test_clicking_the_map_selects_the_territory_under_the_click(read_only_app, demo_atlas):
    at = pick(read_only_app, "ZZ01", "ZZ0101")
    inside = demo_atlas.territories.geometry(COMMUNE).representative_point()
    click_map(at, {"last_object_clicked": {"lat": inside.y, "lng": inside.x}})
    assert at.session_state["territory"] == COMMUNE
    assert at.sidebar.selectbox(key="pick_3").value == COMMUNE
    # The same click reported again (st_folium repeats its last value) changes nothing.
    at.sidebar.selectbox(key="pick_2").set_value("ZZ0101").run()
    assert at.session_state["territory"] == COMMUNE


def test_territory_at_locates_clicks_and_ignores_the_sea(demo_atlas):
    inside = demo_atlas.territories.geometry(COMMUNE).representative_point()
    assert maps.territory_at(demo_atlas, inside.y, inside.x, 3) == COMMUNE
    assert maps.territory_at(demo_atlas, inside.y, inside.x, 2) == "ZZ0101"
    assert maps.territory_at(demo_atlas, 0.0, 0.0, 3) is None


@pytest.mark.slow
def test_english_labels_and_level_names(read_only_app):
    at = read_only_app
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert_ok(at)
    assert at.title[0].value == "Map"
    assert [s.label for s in at.sidebar.selectbox] == ["Region"]
    assert at.selectbox(key="carte_indicator").options[0] == "— None —"


def test_an_unreachable_atlas_is_reported_without_its_password(app_env, monkeypatch):
    monkeypatch.setenv("ATLAS_URL", "postgresql://planner:secret@127.0.0.1:1/atlas")
    at = new_app()
    # As a person reads it: the page escapes Markdown, and joins "://" invisibly.
    shown = at.error[0].value.replace("\\", "").replace("\u2060", "")
    assert "planner:***@127.0.0.1" in shown
    assert "secret" not in at.error[0].value


@pytest.mark.postgis
def test_the_same_app_serves_a_postgis_atlas(app_env, monkeypatch, demo_atlas_path, postgis_url):
    from atlas.store.copy import copy_atlas

    copy_atlas(demo_atlas_path, postgis_url)
    monkeypatch.setenv("ATLAS_URL", postgis_url)
    at = pick(new_app(), "ZZ01", "ZZ0101", COMMUNE)
    assert at.caption[0].value == "Ndou, Oudjo, Korel, Sorane"
    assert '"Ndou"' in map_args(at)["script"]
    at.switch_page("app_pages/donnees.py").run()
    assert_ok(at)
    assert "water_points" in set(at.dataframe[0].value["Couche"])
