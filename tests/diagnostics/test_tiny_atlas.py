"""The tiny hand-built atlas (tests/tiny_atlas.py) is as its drawing says."""

from __future__ import annotations

from tiny_atlas import COMMUNES, UTM, build_tiny_atlas


def test_tiny_atlas_is_as_drawn(tmp_path):
    """The geometry the hand computations rely on survives the trip through the store."""
    with build_tiny_atlas(tmp_path / "tiny.gpkg", tmp_path) as tiny:
        communes = tiny.territories.at_level(2).to_crs(UTM)
        assert communes.area.round(3).tolist() == [1e8] * 4
        w4 = tiny.read("water_points").set_index("wp_id").geometry["W4"]
        corner = [tiny.territories.geometry(c) for c in COMMUNES]
        assert all(shape.intersects(w4) for shape in corner)
        assert tiny.territories.locate([w4]).tolist() == ["SN0101"]
