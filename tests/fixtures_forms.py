"""Fixtures for the survey-form tests: fresh atlases with the small tree of ``forms_support``.

Imported by ``tests/forms/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import common
import pytest
from forms_support import write_tree

import atlas


# -- fixtures ---------------------------
@pytest.fixture
def zz_gpkg(tmp_path: Path):
    """A GeoPackage atlas with the small tree (for tests about the form itself)."""
    with atlas.create(tmp_path / "zz.gpkg", common.TEST_SETTINGS) as opened:
        write_tree(opened)
        yield opened


@pytest.fixture
def zz_atlas(store_url: str):
    """An atlas with the small tree, on every store backend in turn."""
    with atlas.create(store_url, common.TEST_SETTINGS) as opened:
        write_tree(opened)
        yield opened
