"""Priority lists and what-if coverage on the tiny atlas, checked by hand."""

from __future__ import annotations

from math import hypot

import geopandas as gpd
import pytest
import shapely
from tiny_atlas import X0, Y0, build_tiny_atlas, lonlat

from atlas.diagnostics import distance_to_water, priority_localities, priority_schools, what_if
from atlas.errors import DiagnosticError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    with build_tiny_atlas(folder / "tiny.gpkg", folder) as opened:
        yield opened


def test_localities_without_water_by_population(tiny):
    table = priority_localities(tiny)
    # L5 (800), L2 (500), L6 (400), then L8 whose population is unknown
    assert table["locality_id"].tolist() == ["L5", "L2", "L6", "L8"]
    first = table.iloc[0]
    assert first["distance_m"] == pytest.approx(hypot(15000 - 10000, 5300 - 10000))
    assert first["nearest_wp_id"] == "W4"
    assert (first["territory_code"], first["level_0_code"], first["level_1_code"],
            first["level_2_code"]) == ("SN0102", "SN", "SN01", "SN0102")
    assert table.iloc[1]["nearest_wp_id"] == "W2"  # W3 is nearer but broken
    assert table.iloc[1]["distance_m"] == pytest.approx(hypot(5000 - 2300, 5200 - 2000))


def test_priority_localities_of_a_territory_and_distance(tiny):
    assert priority_localities(tiny, territory="SN01")["locality_id"].tolist() == ["L5", "L2"]
    # at 300 m, L1 (412 m) and L4 (361 m) are added; L3 (224 m) and L7 (200 m) are not
    assert priority_localities(tiny, distance=300)["locality_id"].tolist() \
        == ["L1", "L5", "L4", "L2", "L6", "L8"]


def test_schools_without_basic_water_by_pupils(tiny):
    table = priority_schools(tiny)
    assert table["school_id"].tolist() == ["S3", "S2"]
    assert table["pupils"].tolist() == [220, 70]
    assert table["water_service"].tolist() == ["no_service", "limited"]
    assert table["nearest_wp_id"].tolist() == ["W4", "W2"]
    assert table["distance_m"].tolist() == pytest.approx([hypot(2000, 8000), 6000 - 2300])
    with_unknown = priority_schools(tiny, include_unknown=True)
    assert with_unknown["school_id"].tolist() == ["S3", "S2", "S4"]
    assert priority_schools(tiny, territory="SN0101")["school_id"].tolist() == ["S2"]
    assert priority_schools(tiny, territory="SN02").empty


def test_what_if_counts_only_people_not_yet_covered(tiny):
    revision = tiny.revision
    proposals = [(*lonlat(5000, 5300), "hand_pump"),   # 100 m from L2 (500 people)
                 (*lonlat(5000, 14800), "tap"),        # 200 m from L6 (400)
                 lonlat(2200, 2300)]                   # next to L1, already covered
    table = what_if(tiny, proposals, level="commune", population="localities")
    assert tiny.revision == revision  # nothing written
    rows = table.set_index("territory_code")
    assert rows["covered_before"].tolist() == [1300, 0, 0, 1300]
    assert rows["covered_after"].tolist() == [1300 + 500, 0, 400, 1300]
    assert rows["gain"].tolist() == [500, 0, 400, 0]
    assert rows.loc["SN0101", "share_after"] == pytest.approx(1800 / 1800 * 100)
    assert rows["proposals"].tolist() == [2, 0, 1, 0]
    assert rows.loc["SN0101", "capacity"] == 500  # the untyped proposal adds no capacity
    assert rows.loc["SN0201", "capacity"] == 250
    regions = what_if(tiny, proposals, level=1, population="localities")
    assert regions["gain"].tolist() == [500, 400]


def test_what_if_on_the_raster_with_a_geodataframe_in_metres(tiny):
    proposals = gpd.GeoDataFrame({"type": ["hand_pump"]},
                                 geometry=[shapely.Point(X0 + 5000, Y0 + 5000)],
                                 crs="EPSG:32628")
    table = what_if(tiny, proposals, level=2, distance=1000, territories=["SN01"])
    # a cell corner: the 4 cells around it (707 m), 10 people each, none covered before
    assert table["territory_code"].tolist() == ["SN0101", "SN0102"]
    assert table["gain"].tolist() == [40, 0]


def test_what_if_refuses_unknown_types(tiny):
    with pytest.raises(DiagnosticError, match="pompe"):
        what_if(tiny, [(*lonlat(1, 1), "pompe")], level=2)


def test_distance_of_every_school_and_locality(tiny):
    schools = distance_to_water(tiny).set_index("school_id")
    assert schools["distance_m"].tolist() == pytest.approx([
        hypot(3000 - 2300, 3000 - 2000), 6000 - 2300, hypot(2000, 8000),
        hypot(18000 - 15000, 8000 - 15000), 100])
    assert schools["nearest_wp_id"].tolist() == ["W2", "W2", "W4", "W6", "W6"]
    assert schools["within"].tolist() == [False, False, False, False, True]
    localities = distance_to_water(tiny, "localities", territory="SN02", distance=400)
    assert localities["locality_id"].tolist() == ["L4", "L6", "L7", "L8"]
    # L4 is 361 m from W4, a point of the neighbouring region
    assert localities["within"].tolist() == [True, False, True, False]
    assert localities["nearest_wp_id"].tolist()[0] == "W4"
    with pytest.raises(DiagnosticError):
        distance_to_water(tiny, "water_points")
