"""A Shapefile whose parts disagree on the number of records is refused, naming the counts.

GDAL pairs geometry n with attribute record n and says nothing when the counts differ:
a ``.shp`` of 10 records with a ``.dbf`` of 3 used to import 3 rows "ready, no blocking
error", 7 geometries silently dropped (and the other way round, 7 attribute records).
"""

from __future__ import annotations

import shutil
import zipfile

import badinput
import pytest
import shapely
from click.testing import CliRunner
from common import TEST_SETTINGS
from fixtures_ingest_files import state, write_shapefile
from hostile import corpus_atlas

import atlas
from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import import_file
from atlas.ingest.shapefile import count_records


def _points(folder, n: int):
    """A Shapefile of ``n`` water points in the corpus atlas."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = badinput._frame([{"code": f"S{i}", "nom": f"Site {i}", "type": "forage",
                              "etat": "ok"} for i in range(n)],
                            [shapely.Point(badinput.WEST[0], badinput.WEST[1] + i / 100)
                             for i in range(n)])
    return write_shapefile(folder / "points.shp", frame)


def _mixed(tmp_path, geometries: int, records: int):
    """The .shp and .shx of one export with the .dbf of another."""
    shapes = _points(tmp_path / "shapes", geometries)
    table = _points(tmp_path / "table", records)
    shutil.copyfile(table.with_suffix(".dbf"), shapes.with_suffix(".dbf"))
    return shapes


@pytest.fixture
def corpus(store_url):
    with atlas.create(store_url, TEST_SETTINGS) as opened:
        opened.write("territories", badinput.territory_frame(), user="tests")
        yield opened


def test_the_counts_of_a_consistent_shapefile_agree(tmp_path):
    counts = count_records(_points(tmp_path, 10))
    assert (counts.shp, counts.shx, counts.dbf) == (10, 10, 10) and counts.consistent


@pytest.mark.parametrize(("geometries", "records"), [(10, 3), (3, 10)])
def test_a_dbf_from_another_export_is_refused_naming_both_counts(corpus, tmp_path,
                                                                 geometries, records):
    path = _mixed(tmp_path, geometries, records)
    before = state(corpus)
    with pytest.raises(IngestError) as caught:
        import_file(corpus, path, "water_points")
    error = caught.value
    assert error.key == "ingest.shapefile_counts"
    assert error.params == {"file": "points.shp", "shp": geometries, "shx": geometries,
                            "dbf": records}
    assert f"{geometries} géométrie(s) dans le .shp" in error.message("fr")
    assert f"{records} ligne(s) d'attributs dans le .dbf" in error.message("fr")
    assert f"{records} attribute row(s) in the .dbf" in error.message("en")
    assert state(corpus) == before


def test_a_shp_cut_short_is_refused_too(corpus, tmp_path):
    path = _points(tmp_path, 10)
    data = path.read_bytes()
    record = (len(data) - 100) // 10  # every point record has the same size
    path.write_bytes(data[:100 + 4 * record + record // 2])  # 4 whole records and a half
    with pytest.raises(IngestError) as caught:
        import_file(corpus, path, "water_points")
    assert caught.value.params["shp"] == 4 and caught.value.params["dbf"] == 10


def test_the_cli_refuses_a_zipped_mismatch_with_exit_code_2(tmp_path):
    atlas_path = corpus_atlas(tmp_path / "atlas.gpkg")
    path = _mixed(tmp_path, 10, 3)
    archive = tmp_path / "envoi.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in path.parent.iterdir():
            out.write(part, part.name)
    result = CliRunner().invoke(main, ["--lang", "en", "import", str(archive), "--atlas",
                                       str(atlas_path), "--layer", "water_points",
                                       "--dry-run"])
    assert result.exit_code == 2, result.output
    assert "10 geometr(y/ies) in the .shp, 10 in the .shx index and 3 attribute row(s)" \
        in result.output
