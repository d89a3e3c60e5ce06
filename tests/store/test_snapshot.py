"""Atlas.snapshot(): one revision read once, on both stores.

The tiny atlas of ``tiny_atlas`` has four 10-km communes; its water
points W1-W3 lie in SN0101 (and say so in ``territory_code``), W4 sits on the corner
the four communes share, W5 is in SN0102, W6 in SN0202.
"""

from __future__ import annotations

import pandas as pd
import pytest
from tiny_atlas import build_tiny_atlas, lonlat

from atlas.errors import NotFoundError
from atlas.snapshot import AtlasSnapshot, snapshot_of

LAYERS = ("territories", "water_points", "localities", "schools", "mangroves", "activities")


@pytest.fixture
def tiny(store_url, tmp_path):
    with build_tiny_atlas(store_url, tmp_path) as opened:
        yield opened


def ids(frame: pd.DataFrame, column: str = "wp_id") -> list[str]:
    return list(frame[column])


@pytest.mark.slow
def test_a_territory_reads_what_atlas_read_reads(tiny):
    view = tiny.snapshot(preload=LAYERS)
    for layer in LAYERS:
        for code in ("SN0101", "SN02"):
            pd.testing.assert_frame_equal(view.read(layer, territory=code),
                                          tiny.read(layer, territory=code), obj=layer)
    assert ids(view.read("water_points", territory="SN0101")) == ["W1", "W2", "W3", "W4"]
    assert ids(view.read("water_points", territory="SN0102")) == ["W4", "W5"]


def test_reads_before_and_after_loading_a_layer_agree(tiny):
    view = tiny.snapshot()
    targeted = view.read("water_points", territory="SN0202", columns=["wp_id", "status"])
    view.preload(["water_points"])
    assert list(targeted.columns) == ["wp_id", "status", "geometry"]
    pd.testing.assert_frame_equal(
        view.read("water_points", territory="SN0202", columns=["wp_id", "status"]), targeted)
    assert ids(targeted) == ["W4", "W6"]


def test_a_box_keeps_what_meets_it(tiny):
    (west, south), (east, north) = lonlat(1000, 1000), lonlat(4000, 4000)
    box = (west, south, east, north)
    view = tiny.snapshot()
    assert ids(view.read("water_points", bbox=box)) == ["W1", "W2"]
    view.preload(["water_points"])
    pd.testing.assert_frame_equal(view.read("water_points", bbox=box),
                                  tiny.read("water_points", bbox=box))


def test_a_write_after_the_snapshot_is_not_seen(tiny):
    view = tiny.snapshot()
    revision = view.revision
    points = tiny.read("water_points")
    tiny.write("water_points", points[points["wp_id"] != "W1"], user="awa")
    renamed = tiny.read("territories")
    renamed.loc[renamed["code"] == "SN0101", "name"] = "Nouveau nom"
    tiny.write("territories", renamed, user="awa")
    # Read for the first time after the writes: still the snapshot's revision.
    assert ids(view.read("water_points", territory="SN0101")) == ["W1", "W2", "W3", "W4"]
    assert len(view.read("water_points")) == 6
    assert view.territories.name("SN0101") == "Commune SN0101"
    assert view.revision == revision < tiny.revision
    fresh = tiny.snapshot()
    assert ids(fresh.read("water_points", territory="SN0101")) == ["W2", "W3", "W4"]
    assert fresh.territories.name("SN0101") == "Nouveau nom"


@pytest.mark.slow
def test_an_earlier_revision_can_be_taken(tiny):
    before = tiny.revision
    points = tiny.read("water_points")
    tiny.write("water_points", points[points["wp_id"].isin(["W5", "W6"])], user="awa")
    assert ids(tiny.snapshot().read("water_points")) == ["W5", "W6"]
    assert ids(tiny.snapshot(before).read("water_points")) == ["W1", "W2", "W3", "W4", "W5",
                                                               "W6"]


def test_what_it_returns_is_a_copy(tiny):
    view = tiny.snapshot(preload=["water_points"])
    first = view.read("water_points")
    first.loc[:, "status"] = "abandoned"
    first["extra"] = 1
    again = view.read("water_points")
    assert "abandoned" not in set(again["status"]) and "extra" not in again.columns


def test_it_is_read_only(tiny):
    view = tiny.snapshot()
    with pytest.raises(AttributeError):
        view.revision = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        view.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(view, "write") and not hasattr(view, "restore")


@pytest.mark.slow
def test_unknown_layers_and_territories_are_sentences(tiny):
    view = tiny.snapshot()
    with pytest.raises(NotFoundError) as layer:
        view.read("wells")
    assert "wells" in layer.value.message("fr")
    with pytest.raises(NotFoundError) as territory:
        view.read("water_points", territory="SN9999")
    assert "SN9999" in territory.value.message("fr")


def test_renderers_take_an_atlas_or_a_snapshot(tiny):
    view = tiny.snapshot()
    assert snapshot_of(view) is view
    made = snapshot_of(tiny)
    assert isinstance(made, AtlasSnapshot) and made.revision == tiny.revision
    assert made.settings.title_in("en") == "Tiny test atlas"
    assert made.metric_crs.to_epsg() == tiny.metric_crs.to_epsg()
