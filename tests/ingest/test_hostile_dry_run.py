"""The dry run finds what the commit would refuse.

A territory polygon with a vertex at 1e308 used to plan as "ready, 0 errors", then the
commit failed in the store ("geometry missing"). Each case below is planned on both
stores: either the plan says what is wrong (and cannot be committed), or it commits.
"""

from __future__ import annotations

import json

import badinput
import pytest
from click.testing import CliRunner
from common import TEST_SETTINGS
from fixtures_ingest_files import state

import atlas
from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import import_file

SQUARE = [[-17.0, 13.0], [-16.0, 13.0], [-16.0, 14.0], [-17.0, 14.0], [-17.0, 13.0]]


def _regions(path, vertex: list[float], crs: str | None = None):
    """Two régions; the first has one vertex replaced by ``vertex``."""
    hostile_ring = [SQUARE[0], SQUARE[1], vertex, SQUARE[3], SQUARE[0]]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "R1", "nom": "Ouest"},
         "geometry": {"type": "Polygon", "coordinates": [hostile_ring]}},
        {"type": "Feature", "properties": {"code": "R2", "nom": "Est"},
         "geometry": {"type": "Polygon", "coordinates": [[[x + 1, y] for x, y in SQUARE]]}}]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def empty(store_url):
    with atlas.create(store_url, TEST_SETTINGS) as opened:
        yield opened


def test_a_territory_vertex_at_1e308_is_refused_by_the_dry_run(empty, tmp_path):
    path = _regions(tmp_path / "regions.geojson", [1e308, 14.0])
    plan = import_file(empty, path, "territories", mode="replace", level=1)
    assert not plan.ok
    [error] = plan.report.errors
    assert (error.code, error.row) == ("coords_out_of_range", 1)
    assert "la latitude doit être entre -90 et 90" in error.message("fr")
    before = state(empty)
    with pytest.raises(IngestError) as caught:
        plan.commit(user="tests")
    assert caught.value.key == "ingest.blocked"
    assert state(empty) == before


@pytest.mark.parametrize(("vertex", "crs"), [([1e308, 14.0], None),
                                             ([-16.0, -1e308], None),
                                             ([1e308, 1_600_000.0], "EPSG:32628"),
                                             ([float("inf"), 14.0], None)])
def test_a_plan_that_says_ready_commits(empty, tmp_path, vertex, crs):
    """Whatever the vertex, skipping the refused rows leaves a plan the store accepts."""
    path = _regions(tmp_path / "regions.geojson", vertex, crs)
    plan = import_file(empty, path, "territories", mode="replace", level=1,
                       skip_invalid=True)
    assert plan.rejected_rows == [1]
    assert plan.ok
    revision = plan.commit(user="tests")
    assert revision.rows_written == 1
    assert empty.read("territories")["code"].tolist() == ["R2"]


def test_points_at_1e308_are_refused_by_the_dry_run_too(empty, tmp_path):
    empty.write("territories", badinput.territory_frame(), user="tests")
    path = tmp_path / "points.csv"
    rows = badinput.good_rows(2)
    rows[1][5] = "1e308"  # longitude
    path.write_text(badinput.csv_text(badinput.WP_HEADER, rows), encoding="utf-8")
    plan = import_file(empty, path, "water_points", mode="replace")
    assert [(i.code, i.row) for i in plan.report.errors] == [("coords_out_of_range", 2)]


def test_the_cli_dry_run_says_so_and_exits_with_1(tmp_path):
    atlas_path = tmp_path / "atlas.gpkg"
    atlas.create(atlas_path, TEST_SETTINGS).close()
    path = _regions(tmp_path / "regions.geojson", [1e308, 14.0])
    result = CliRunner().invoke(main, ["--lang", "en", "import", str(path), "--atlas",
                                       str(atlas_path), "--layer", "territories", "--level",
                                       "1", "--mode", "replace", "--dry-run"])
    assert result.exit_code == 1, result.output
    assert "Impossible coordinates" in result.output and "Nothing was written." in result.output
