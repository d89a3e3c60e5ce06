"""The embedded store is a standard GeoPackage that GDAL and QGIS read as they are."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box

VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


@pytest.fixture
def filled(empty_gpkg_atlas):
    points = gpd.GeoDataFrame(
        {"wp_id": ["p1", "p2", "p3"], "source_type": ["borehole", "piped", "surface_water"],
         "status": ["functional", "non_functional", "functional"],
         "install_year": [1998, 2015, None], "report_date": ["2024-03-01", None, "2023-12-31"],
         "water_available": [True, False, None]},
        geometry=[Point(-16.1, 15.9), Point(-15.2, 16.2), Point(-14.4, 15.6)], crs=4326)
    empty_gpkg_atlas.write("water_points", points, source="test.csv")
    zones = gpd.GeoDataFrame(
        {"code": ["ZZ", "ZZ01"], "name": ["Zedland", "Nord"], "level": [0, 1],
         "parent_code": [None, "ZZ"]},
        geometry=[MultiPolygon([box(-17, 15, -13, 17)]), box(-17, 15, -15, 17)], crs=4326)
    empty_gpkg_atlas.write("territories", zones)
    return empty_gpkg_atlas


def test_gdal_validator_accepts_the_file(filled):
    python = "/usr/bin/python3"  # Debian's python3-gdal
    result = subprocess.run([python, str(VALIDATOR), filled.url], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_gdal_reads_the_same_features_and_values(filled):
    frame = pyogrio.read_dataframe(filled.url, layer="water_points")
    assert frame["wp_id"].tolist() == ["p1", "p2", "p3"]
    assert frame["install_year"].tolist()[:2] == [1998, 2015]
    assert [round(g.x, 6) for g in frame.geometry] == [-16.1, -15.2, -14.4]
    assert frame.crs.to_epsg() == 4326


def test_gdal_lists_every_layer_with_its_geometry_type(filled):
    layers = dict(pyogrio.list_layers(filled.url))
    assert layers["water_points"] == "Point"
    assert layers["territories"] == "MultiPolygon"
    assert layers["layer_styles"] is None


def test_polygons_are_stored_as_multipolygons(filled):
    frame = pyogrio.read_dataframe(filled.url, layer="territories")
    assert set(frame.geom_type) == {"MultiPolygon"}


def test_spatial_index_answers_bbox_queries_through_gdal(filled):
    frame = pyogrio.read_dataframe(filled.url, layer="water_points",
                                   bbox=(-15.5, 16.0, -15.0, 16.5))
    assert frame["wp_id"].tolist() == ["p2"]


def test_layer_styles_follow_qgis_conventions(filled):
    with sqlite3.connect(filled.url) as conn:
        rows = conn.execute(
            "SELECT f_table_name, f_geometry_column, styleName, useAsDefault, styleQML "
            "FROM layer_styles WHERE f_table_name = 'water_points'").fetchall()
        registered = conn.execute("SELECT data_type FROM gpkg_contents "
                                  "WHERE table_name = 'layer_styles'").fetchone()
    assert len(rows) == 1
    table, column, name, default, qml = rows[0]
    assert (table, column, name, default) == ("water_points", "geom", "water_points", 1)
    assert 'attr="status"' in qml and "Fonctionnel" in qml
    assert registered == ("attributes",)


def test_layer_metadata_is_in_gpkg_metadata(filled):
    with sqlite3.connect(filled.url) as conn:
        text = conn.execute(
            "SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r "
            "ON r.md_file_id = m.id WHERE r.table_name = 'water_points'").fetchone()[0]
    assert "WPDx" in text


def test_the_file_stays_a_single_file_without_write_ahead_log(filled):
    with sqlite3.connect(filled.url) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert not Path(filled.url + "-wal").exists()


@pytest.mark.slow
def test_extent_in_gpkg_contents_follows_the_data(filled):
    with sqlite3.connect(filled.url) as conn:
        extent = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                              "WHERE table_name = 'water_points'").fetchone()
    assert extent == pytest.approx((-16.1, 15.6, -14.4, 16.2))


def test_opening_a_file_that_is_not_an_atlas_is_a_clear_error(tmp_path):
    import atlas
    from atlas.errors import StoreError

    other = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(other)
    with pytest.raises(StoreError, match="n'est pas un atlas"):
        atlas.open(other)

