"""The same diagnostic on the GeoPackage and the PostGIS store gives the same table."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny_atlas import REFERENCE_YEAR, build_tiny_atlas, lonlat

from atlas.diagnostics import diagnose, priority_localities, priority_schools, what_if


def everything(opened) -> dict[str, pd.DataFrame]:
    return {
        "raster": diagnose(opened, level=[2, 1], reference_year=REFERENCE_YEAR),
        "localities": diagnose(opened, level=[2, 1, 0], population="localities",
                               reference_year=REFERENCE_YEAR, lang="en"),
        "priority_localities": priority_localities(opened),
        "priority_schools": priority_schools(opened, include_unknown=True),
        "what_if": what_if(opened, [(*lonlat(5000, 5300), "tap")], level=2),
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    with build_tiny_atlas(folder / "reference.gpkg", folder) as opened:
        return everything(opened)


@pytest.mark.slow
def test_identical_tables_on_every_store(store_url, tmp_path, reference):
    with build_tiny_atlas(store_url, tmp_path) as opened:
        results = everything(opened)
    for name, expected in reference.items():
        pd.testing.assert_frame_equal(results[name], expected, check_exact=True, obj=name)
