"""Runtime configuration: one frozen reading of the ``ATLAS_*`` environment."""

from __future__ import annotations

from pathlib import Path

from atlas import config
from atlas.ingest import limits


def test_unset_environment_gives_the_documented_defaults():
    read = config.load({})
    assert (read.atlas_url, read.lang, read.import_max_mb, read.import_max_columns) == (
        "data/demo.gpkg", "fr", 200.0, 2000)
    assert read.layers_dir is None and read.editors_file == Path("data/editors.toml")


def test_values_are_parsed_to_their_types():
    read = config.load({"ATLAS_IMPORT_MAX_CELLS": "1000", "ATLAS_IMPORT_MAX_KML_MB": "2.5",
                        "ATLAS_LAYERS_DIR": "/srv/layers", "ATLAS_LANG": "EN_gb"})
    assert (read.import_max_cells, read.import_max_kml_mb, read.layers_dir, read.lang) == (
        1000, 2.5, Path("/srv/layers"), "en")


def test_a_value_that_is_not_a_number_falls_back_to_its_default_and_is_recorded():
    read = config.load({"ATLAS_IMPORT_MAX_MB": "big"})
    assert read.import_max_mb == 200.0
    assert read.ignored == (("ATLAS_IMPORT_MAX_MB", "big"),)


def test_an_unknown_language_falls_back_to_french():
    assert config.load({"ATLAS_LANG": "de"}).lang == "fr"


def test_the_configuration_is_frozen():
    read = config.load({})
    try:
        read.lang = "en"  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Config accepted an assignment")


def test_current_follows_a_variable_set_after_a_first_read(monkeypatch):
    monkeypatch.delenv("ATLAS_IMPORT_MAX_COLUMNS", raising=False)
    assert limits.max_columns() == 2000
    monkeypatch.setenv("ATLAS_IMPORT_MAX_COLUMNS", "7")
    assert limits.max_columns() == 7


def test_current_is_read_once_while_the_environment_stays_the_same():
    assert config.current() is config.current()
