"""The demo atlas as built by `atlas demo`: counts, determinism, validity, revisions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import rasterio
from geopandas.testing import assert_geodataframe_equal

import atlas
from atlas.errors import StoreError

VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
ATLAS_CLI = [sys.executable, "-m", "atlas.cli"]

RANGES = {
    "localities": (600, 1000),
    "schools": (300, 500),
    "water_points": (800, 1500),
    "nubian_vaults": (30, 60),
    "biodigesters": (40, 80),
    "waste_sites": (30, 80),
}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ATLAS_CLI, *args], capture_output=True, text=True, check=False,
                          env={"ATLAS_LANG": "fr", "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "a.gpkg"
    result = run_cli("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.mark.slow
def test_atlas_layers_lists_the_nine_layers_with_counts_in_range(cli_demo):
    out, _ = cli_demo
    result = run_cli("layers", "--atlas", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    counts = {}
    for line in lines[3:]:
        parts = line.split()
        counts[parts[0]] = int(parts[-2])
    assert len(counts) == 9
    for layer, (low, high) in RANGES.items():
        assert low <= counts[layer] <= high, layer
    assert "Données fictives" in result.stdout


def test_territory_tree_has_the_expected_shape(demo_atlas):
    tree = demo_atlas.territories
    levels = [len(tree.at_level(level)) for level in tree.levels]
    assert levels[:3] == [1, 2, 5]
    assert 40 <= levels[3] <= 60
    assert all(tree.parent(code) is not None for code in tree.at_level(3).index)


@pytest.mark.slow
def test_same_seed_gives_the_same_checksum_twice(cli_demo, tmp_path):
    out, stdout = cli_demo
    again = tmp_path / "b.gpkg"
    assert run_cli("demo", "--out", str(again)).returncode == 0
    with atlas.open(out) as first, atlas.open(again) as second:
        assert first.checksum() == second.checksum()


@pytest.mark.slow
def test_another_seed_gives_other_data(cli_demo, tmp_path):
    out, _ = cli_demo
    other = tmp_path / "c.gpkg"
    assert run_cli("demo", "--out", str(other), "--seed", "7").returncode == 0
    with atlas.open(out) as first, atlas.open(other) as second:
        assert first.checksum() != second.checksum()


def test_demo_says_it_is_fictional(demo_atlas):
    assert demo_atlas.settings.fictional is True
    assert "fictif" in demo_atlas.settings.title_in("fr")


def test_population_raster_sits_next_to_the_atlas(demo_atlas):
    path = demo_atlas.population_raster_path()
    with rasterio.open(path) as raster:
        total = raster.read(1).sum()
        assert raster.crs.to_epsg() == 4326
    localities = demo_atlas.read("localities")
    assert total == pytest.approx(localities["population"].sum(), rel=1e-3)


def test_demo_passes_gdal_geopackage_validation(demo_atlas_path):
    result = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(demo_atlas_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_point_is_in_its_commune(demo_atlas):
    tree = demo_atlas.territories
    schools = demo_atlas.read("schools")
    located = tree.locate(schools.geometry)
    assert (located.to_numpy() == schools["territory_code"].to_numpy()).all()


def test_a_replace_that_fails_half_way_leaves_the_previous_revision(demo_copy, monkeypatch):
    before = demo_copy.read("water_points")
    revision = demo_copy.revision
    store = demo_copy.store
    original = type(store)._insert_frame

    def half_then_fail(self, conn, table, frame, spec, rev, fids=None):
        original(self, conn, table, frame.iloc[: len(frame) // 2], spec, rev, fids)
        raise StoreError("store.write_failed", layer=spec.name, detail="disk unplugged")

    monkeypatch.setattr(type(store), "_insert_frame", half_then_fail)
    changed = before.copy()
    changed["status"] = "abandoned"
    with pytest.raises(StoreError, match="disk unplugged"):
        demo_copy.write("water_points", changed)
    monkeypatch.undo()
    after = demo_copy.read("water_points")
    assert demo_copy.revision == revision
    assert len(after) == len(before)
    assert_geodataframe_equal(after, before)


@pytest.mark.slow
def test_cli_restore_brings_back_an_earlier_revision_exactly(demo_copy):
    original = demo_copy.read("schools")
    first = demo_copy.history("schools")[-1]
    demo_copy.write("schools", original.iloc[:10], user="test")
    assert demo_copy.count("schools") == 10
    url = demo_copy.url
    demo_copy.close()
    result = run_cli("restore", "schools", "--revision", str(first.revision), "--atlas", url)
    assert result.returncode == 0, result.stderr
    assert f"restaurée à la révision {first.revision}" in result.stdout
    with atlas.open(url) as reopened:
        restored = reopened.read("schools")
        history = reopened.history("schools")
    assert_geodataframe_equal(restored, original)
    assert history[-1].restored_from == first.revision
    assert history[-1].checksum == first.checksum


@pytest.mark.slow
def test_cli_history_shows_each_revision(demo_atlas_path):
    result = run_cli("history", "water_points", "--atlas", str(demo_atlas_path))
    assert result.returncode == 0
    assert "replace" in result.stdout and "atlas demo" in result.stdout


@pytest.mark.slow
def test_cli_reports_an_unknown_layer_in_french_with_exit_code_2(demo_atlas_path):
    result = run_cli("history", "puits", "--atlas", str(demo_atlas_path))
    assert result.returncode == 2
    assert "Couche inconnue : « puits »" in result.stderr
    assert "Traceback" not in result.stderr
