"""Constants every part of the test suite shares: settings of a test atlas, a small
catalogue of our own, the folder of real files.

They live here rather than in ``conftest.py`` because each folder of ``tests/`` has a
``conftest.py`` of its own, so ``from conftest import …`` would depend on which one was
loaded last.
"""

from __future__ import annotations

from pathlib import Path

#: Small real public files the tests read (provenance and licence: tests/data/README.md).
REAL_DATA = Path(__file__).resolve().parent / "data" / "real"
TEST_SETTINGS = {
    "title": {"fr": "Atlas d'essai", "en": "Test atlas"},
    "metric_crs": "EPSG:32628",
    "countries": ["SN"],
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"},
                    "2": {"fr": "département", "en": "department"},
                    "3": {"fr": "commune", "en": "municipality"}},
}

# -- a small catalogue of our own for the store tests --------------------------------------
# Independent of layers/*.toml (which evolve with the product): every field type,
# a string-id point layer and an integer-id polygon layer.

WELLS_SPEC = """
name = "wells"
title = { fr = "Puits", en = "Wells" }
geometry = "Point"
id_field = "well_id"
[metadata]
source = "tests"
licence = "CC0"
[style]
by = "kind"
default = { color = "#636363" }
[style.categories]
borehole = { color = "#1a9850" }
[[fields]]
name = "well_id"
type = "string"
required = true
[[fields]]
name = "name"
type = "string"
[[fields]]
name = "kind"
type = "category"
values = [{ code = "borehole", fr = "Forage" }, { code = "dug", fr = "Puits creusé" }]
[[fields]]
name = "depth"
type = "float"
[[fields]]
name = "built"
type = "integer"
[[fields]]
name = "working"
type = "boolean"
[[fields]]
name = "visited"
type = "date"
"""

ZONES_SPEC = """
name = "zones"
title = { fr = "Zones", en = "Zones" }
geometry = "MultiPolygon"
id_field = "zone_id"
[metadata]
source = "tests"
licence = "CC0"
[style]
default = { color = "#252525", fill = "#cccccc" }
[[fields]]
name = "zone_id"
type = "integer"
required = true
[[fields]]
name = "name"
type = "string"
[[fields]]
name = "area"
type = "float"
"""
