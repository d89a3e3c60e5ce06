"""Fixtures for the ingest tests: fresh atlases with real Who's On First boundaries.

Imported by the ``conftest.py`` of the folders that use them; constants and file writers live
in ``fixtures_ingest_files``. Boundaries are read from the shared data folder, never
copied into the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures_ingest_files import SETTINGS, SN_DEPARTEMENTS, SN_REGIONS

import atlas
from atlas.ingest import import_file, import_territories


# -- atlases --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sn_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GeoPackage atlas with the Senegal regions and départements, built once."""
    path = tmp_path_factory.mktemp("ingest-template") / "senegal.gpkg"
    with atlas.create(path, SETTINGS) as opened:
        import_territories(opened, {1: SN_REGIONS, 2: SN_DEPARTEMENTS}).commit(user="tests")
    return path


@pytest.fixture
def sn_atlas(sn_template: Path, tmp_path: Path):
    """A fresh copy of the Senegal atlas for one test."""
    path = tmp_path / "atlas.gpkg"
    shutil.copyfile(sn_template, path)
    with atlas.open(path) as opened:
        yield opened


@pytest.fixture
def target_url(store_url: str) -> str:
    """Where a fresh atlas goes: every store backend (GeoPackage, PostGIS)."""
    return store_url


@pytest.fixture
def regions_atlas(target_url: str):
    """A fresh atlas on the store under test, with the Senegal regions only."""
    with atlas.create(target_url, SETTINGS) as opened:
        import_file(opened, SN_REGIONS, "territories", mode="replace", level=1) \
            .commit(user="tests")
        yield opened
