"""Atelier page (AppTest): presentation in large type, and the what-if mode's live gain."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from app_support import assert_ok, click_map, download_bytes, map_args, pick

from atlas.diagnostics import priority_localities
from atlas.render.map.offline import external_resources


@pytest.mark.slow
def test_presentation_walks_through_the_communes_of_a_departement(read_only_app):
    at = pick(read_only_app, "ZZ01", "ZZ0101")
    at.switch_page("app_pages/atelier.py").run()
    assert_ok(at)
    chosen = at.multiselect(key="atelier_set@fr").value
    assert chosen and all(code.startswith("ZZ0101") and len(code) == 8 for code in chosen)
    first = at.title[-1].value
    assert at.markdown[0].value.startswith(f"Territoire 1 sur {len(chosen)}")
    assert "Population" in [m.label for m in at.metric]
    at.button(key="slide_next").click().run()
    assert_ok(at)
    assert at.title[-1].value != first
    at.button(key="slide_previous").click().run()
    assert at.title[-1].value == first
    at.button(key="present_toggle").click().run()
    assert_ok(at)
    assert at.session_state["presenting"] is True
    assert any("stSidebar" in h.proto.body for h in at.get("html"))
    assert at.get("download_button") == []  # no clutter on the projected screen
    at.button(key="present_toggle").click().run()
    assert at.session_state["presenting"] is False
    assert [b.proto.label for b in at.get("download_button")] == [
        "Présentation HTML (hors ligne)"]
    book = download_bytes(at, "Présentation HTML (hors ligne)").decode("utf-8")
    assert "Ndou" in book and external_resources(book) == []


@pytest.mark.slow
def test_what_if_counts_the_people_a_proposed_water_point_serves(read_only_app, demo_atlas):
    at = pick(read_only_app, "ZZ01", "ZZ0101")
    at.switch_page("app_pages/atelier.py").run()
    at.get("button_group")[0].set_value("whatif").run()
    assert_ok(at)
    assert map_args(at)["returned_objects"] == ["last_clicked", "last_object_clicked"]
    gain = next(m for m in at.metric if m.label == "Personnes nouvellement desservies")
    assert gain.value == "0"
    # The facilitator clicks on the locality farthest from any water point.
    unserved = priority_localities(demo_atlas, "ZZ0101").sort_values("distance_m")
    localities = demo_atlas.read("localities", territory="ZZ0101").set_index("locality_id")
    target = localities.geometry[unserved.iloc[-1]["locality_id"]]
    click_map(at, {"last_clicked": {"lat": target.y, "lng": target.x}})
    assert len(at.session_state["proposals"]) == 1
    assert at.session_state["proposals"][0]["type"] == "tap"
    gain = next(m for m in at.metric if m.label == "Personnes nouvellement desservies")
    assert gain.value != "0"
    # The proposal is drawn on the map without reloading it (a feature group).
    assert "circle_marker" in map_args(at)["feature_group"]
    geojson = json.loads(download_bytes(at, "Propositions GeoJSON"))
    assert geojson["features"][0]["geometry"]["coordinates"] == [
        round(target.x, 6), round(target.y, 6)]
    csv = pd.read_csv(io.BytesIO(download_bytes(at, "Propositions CSV")), sep=";",
                      decimal=",", encoding="utf-8-sig")
    assert list(csv.columns) == ["Numéro", "Type", "Longitude", "Latitude", "Code type"]
    assert csv["Type"].tolist() == ["Robinet"] and csv["Code type"].tolist() == ["tap"]
    assert csv["Longitude"].tolist() == [round(target.x, 6)]
    at.button(key="whatif_undo").click().run()
    assert at.session_state["proposals"] == []
