"""ODK Validate (JavaRosa, the engine of ODK Collect, bundled with pyxform) accepts the forms."""

from __future__ import annotations

import pytest
from pyxform.xls2xform import convert

import atlas
from atlas.catalog import load_catalog

SURVEYED = [name for name in load_catalog() if name != "territories"]


@pytest.mark.slow
@pytest.mark.parametrize("layer", SURVEYED)
def test_odk_validate_accepts_the_form_of_every_layer(zz_gpkg, tmp_path, layer):
    path = atlas.form(zz_gpkg, layer, path=tmp_path / f"{layer}.xlsx").save(
        tmp_path / f"{layer}.xlsx")
    warnings: list[str] = []
    convert(xlsform=str(path), validate=True, warnings=warnings)  # raises when refused
    assert warnings == []


def test_odk_validate_accepts_a_form_limited_to_one_commune(zz_gpkg, tmp_path):
    path = atlas.form(zz_gpkg, "schools", territory="ZZ2A1").save(tmp_path / "saly.xlsx")
    convert(xlsform=str(path), validate=True)
