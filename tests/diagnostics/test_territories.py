"""The territory tree: navigation, levels, search and point location."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from atlas.errors import NotFoundError
from atlas.territories import TerritoryTree


def _tree() -> TerritoryTree:
    # Country ZZ = [0,4]x[0,2]; regions ZZ01 (x<2) and ZZ02 (x>2);
    # communes: ZZ0101 [0,1], ZZ0102 [1,2], ZZ0201 [2,4].
    rows = [
        ("ZZ", "Zedland", 0, "pays", None, box(0, 0, 4, 2)),
        ("ZZ01", "Nord", 1, "région", "ZZ", box(0, 0, 2, 2)),
        ("ZZ02", "Sud", 1, "région", "ZZ", box(2, 0, 4, 2)),
        ("ZZ0101", "Thiès", 2, "commune", "ZZ01", box(0, 0, 1, 2)),
        ("ZZ0102", "Ndiaye", 2, "commune", "ZZ01", box(1, 0, 2, 2)),
        ("ZZ0201", "Podor", 2, "commune", "ZZ02", box(2, 0, 4, 2)),
    ]
    frame = gpd.GeoDataFrame(
        [{"code": c, "name": n, "level": lv, "level_name": ln, "parent_code": p,
          "country": "ZZ", "population": 100, "population_year": 2023} for c, n, lv, ln, p, _
         in rows],
        geometry=[g for *_, g in rows], crs=4326)
    return TerritoryTree(frame)


def test_children_are_the_direct_subunits_in_code_order():
    assert _tree().children("ZZ01") == ["ZZ0101", "ZZ0102"]


def test_ancestors_go_from_parent_to_root():
    assert _tree().ancestors("ZZ0102") == ["ZZ01", "ZZ"]


def test_siblings_share_parent_and_level():
    tree = _tree()
    assert tree.siblings("ZZ0101") == ["ZZ0102"]
    assert tree.siblings("ZZ0201") == []
    assert tree.siblings("ZZ01") == ["ZZ02"]


def test_descendants_can_be_limited_to_one_level():
    tree = _tree()
    assert tree.descendants("ZZ") == ["ZZ01", "ZZ0101", "ZZ0102", "ZZ02", "ZZ0201"]
    assert tree.descendants("ZZ", level="commune") == ["ZZ0101", "ZZ0102", "ZZ0201"]


def test_levels_resolve_from_numbers_and_names():
    tree = _tree()
    assert tree.levels == [0, 1, 2]
    assert tree.resolve_level("région") == 1
    assert tree.resolve_level("Region") == 1  # accent and case folded
    assert tree.resolve_level(2) == 2
    with pytest.raises(NotFoundError, match="Niveaux de l'atlas"):
        tree.resolve_level("arrondissement")


def test_ancestor_map_sends_every_code_to_its_ancestor_at_a_level():
    mapping = _tree().ancestor_map(1)
    assert mapping == {"ZZ01": "ZZ01", "ZZ0101": "ZZ01", "ZZ0102": "ZZ01",
                       "ZZ02": "ZZ02", "ZZ0201": "ZZ02"}
    mapped = _tree().map_to_level(["ZZ0102", "ZZ0201", "XX99", None], 1)
    assert mapped.tolist()[:2] == ["ZZ01", "ZZ02"]
    assert mapped.isna().tolist()[2:] == [True, True]


def test_locate_finds_the_finest_territory_of_each_point():
    codes = _tree().locate([Point(0.5, 1), Point(3, 1), Point(9, 9)])
    assert codes.iloc[0] == "ZZ0101"
    assert codes.iloc[1] == "ZZ0201"
    assert codes.isna().iloc[2]


def test_a_point_on_a_shared_boundary_goes_to_one_territory_only():
    codes = _tree().locate([Point(1, 1)])
    assert codes.tolist() == ["ZZ0101"]


def test_locate_at_a_coarser_level():
    assert _tree().locate([Point(1.5, 0.5)], level=1).tolist() == ["ZZ01"]


def test_search_ignores_accents_and_case():
    tree = _tree()
    assert tree.search("thies") == ["ZZ0101"]
    assert tree.search("ZZ02") == ["ZZ02", "ZZ0201"]


def test_unknown_code_is_a_clear_error():
    with pytest.raises(NotFoundError, match="Territoire inconnu : « XX »"):
        _tree().get("XX")


def test_locate_keeps_the_callers_index():
    points = gpd.GeoSeries([Point(0.5, 1), Point(3, 1)], index=[10, 20], crs=4326)
    assert _tree().locate(points).to_dict() == {10: "ZZ0101", 20: "ZZ0201"}
