"""Données page (AppTest): each point layer offers its survey form for download."""

from __future__ import annotations

from app_support import assert_ok, new_app

PAGE = "app_pages/donnees.py"
POINT_LAYERS = {"localities", "water_points", "schools", "nubian_vaults", "biodigesters",
                "waste_sites", "activities"}


def test_every_point_layer_and_only_those_offer_a_survey_form(app_env, monkeypatch,
                                                                demo_atlas_path):
    monkeypatch.setenv("ATLAS_URL", str(demo_atlas_path))
    at = new_app()
    at.switch_page(PAGE).run()
    assert_ok(at)
    keys = {element.key for element in at.get("download_button")}
    offered = {key.removeprefix("form_") for key in keys if key and key.startswith("form_")}
    assert offered == POINT_LAYERS


def test_the_survey_form_button_is_labelled_in_the_page_language(app_env, monkeypatch,
                                                                   demo_atlas_path):
    monkeypatch.setenv("ATLAS_URL", str(demo_atlas_path))
    at = new_app()
    at.switch_page(PAGE).run()
    labels = {element.proto.label for element in at.get("download_button")
              if element.key and element.key.startswith("form_")}
    assert labels == {"Formulaire d'enquête (XLSForm)"}
