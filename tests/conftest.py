"""Shared fixtures: fresh atlases on every store backend, the built demo atlas."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import atlas
from atlas.catalog import load_catalog

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
TEST_SETTINGS = {
    "title": {"fr": "Atlas d'essai", "en": "Test atlas"},
    "metric_crs": "EPSG:32628",
    "countries": ["SN"],
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"},
                    "2": {"fr": "département", "en": "department"},
                    "3": {"fr": "commune", "en": "municipality"}},
}

os.environ.setdefault("ATLAS_LANG", "fr")


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        raise RuntimeError(f"the shared real data is missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def gpkg_url(tmp_path) -> str:
    """Path of a GeoPackage atlas that does not exist yet."""
    return str(tmp_path / "atlas.gpkg")


@pytest.fixture
def empty_gpkg_atlas(gpkg_url):
    with atlas.create(gpkg_url, TEST_SETTINGS) as opened:
        yield opened
