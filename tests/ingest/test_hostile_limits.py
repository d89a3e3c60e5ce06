"""A file may bring a bounded number of columns and cells, whatever its size on disk.

1.5 MB of GeoJSON whose 2,000 features each carry 40 property names of their own is an
80,000-column table: 9 GB of memory once made dense. Each reader now counts columns
and cells while it reads and stops with a sentence past the limits (2,000 columns and
25 million cells by default; ``ATLAS_IMPORT_MAX_COLUMNS`` / ``ATLAS_IMPORT_MAX_CELLS``).
The memory test measures the peak resident memory of a real ``atlas import`` process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import badinput
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from hostile import corpus_atlas

from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import import_file

#: Peak memory allowed to an ``atlas import`` refusing the wide file (the command loads
#: about 250 MB of libraries; the dense table alone would have been 9 GB).
WIDE_FILE_BUDGET_MB = 600


def wide_geojson(path, features: int = 2000, own_names: int = 40):
    """Features whose every property name is their own: features × names columns."""
    items = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": list(badinput.WEST)},
              "properties": {f"f{i}_p{j}": j for j in range(own_names)}}
             for i in range(features)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": items}),
                    encoding="utf-8")
    return path


#: Runs the CLI and, at exit, writes the process's own peak resident set (VmHWM) to the
#: file named by its first argument. The child's rusage would not do: at exec Linux keeps
#: the high-water mark of the image it replaces, i.e. of the pytest process that forked it.
PEAK_REPORTING_CLI = """
import atexit, runpy, sys
peak_file = sys.argv[1]
def report():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")))
atexit.register(report)
sys.argv = ["atlas", *sys.argv[2:]]
runpy.run_module("atlas.cli", run_name="__main__")
"""


@pytest.fixture(scope="module")
def atlas_path(tmp_path_factory):
    return corpus_atlas(tmp_path_factory.mktemp("limits") / "atlas.gpkg")


@pytest.mark.slow
@pytest.mark.parametrize(("features", "own_names"), [(2000, 40), (5000, 40)])
def test_a_wide_geojson_is_refused_within_bounded_memory(atlas_path, tmp_path, features,
                                                         own_names):
    path = wide_geojson(tmp_path / "large.geojson", features, own_names)
    peak_file = tmp_path / "peak.txt"
    child = subprocess.run(
        [sys.executable, "-c", PEAK_REPORTING_CLI, str(peak_file), "--lang", "en", "import",
         str(path), "--atlas", str(atlas_path), "--layer", "water_points", "--dry-run"],
        capture_output=True, text=True, check=False)
    output = child.stdout + child.stderr
    assert child.returncode == 2, output
    assert "large.geojson brings 2001 distinct columns, above the limit of 2000" in output
    peak_mb = int(peak_file.read_text().split()[1]) / 1024  # VmHWM is in kB
    assert peak_mb < WIDE_FILE_BUDGET_MB, f"peak {peak_mb:.0f} MB"


def test_a_table_too_wide_is_refused_in_every_reader(atlas_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_IMPORT_MAX_COLUMNS", "10")
    header = [f"c{i}" for i in range(12)]
    csv = tmp_path / "large.csv"
    csv.write_text(",".join(header) + "\n" + ",".join("1" * 12) + "\n", encoding="utf-8")
    xlsx = tmp_path / "large.xlsx"
    pd.DataFrame([[1] * 12], columns=header).to_excel(xlsx, index=False)
    gpkg = tmp_path / "large.gpkg"
    badinput._frame([dict.fromkeys(header, 1)], [shapely.Point(*badinput.WEST)]) \
        .to_file(gpkg, engine="pyogrio")
    for path in (csv, xlsx, gpkg):
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        assert caught.value.key == "ingest.too_many_columns", path
        assert caught.value.params["limit"] == 10


def test_a_cell_far_to_the_right_does_not_make_16384_columns(atlas_path, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "nom"])
    sheet["XFD2"] = "perdu"
    path = tmp_path / "loin.xlsx"
    book.save(path)
    with pytest.raises(IngestError) as caught:
        import_file(str(atlas_path), path, "water_points")
    assert caught.value.key == "ingest.too_many_columns"
    assert caught.value.params["count"] == 16384


def test_too_many_cells_are_refused_while_reading(atlas_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_IMPORT_MAX_CELLS", "5000")
    rows = badinput.good_rows(1) * 1000  # 1,000 rows × 6 columns
    csv = tmp_path / "long.csv"
    csv.write_text(badinput.csv_text(badinput.WP_HEADER, rows), encoding="utf-8")
    geojson = tmp_path / "long.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": dict(zip(badinput.WP_HEADER, row, strict=True)),
         "geometry": {"type": "Point", "coordinates": [row[5], row[4]]}} for row in rows]}),
        encoding="utf-8")
    for path in (csv, geojson):
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        assert caught.value.key == "ingest.too_many_cells", path
        assert "5000" in caught.value.message("en")


def test_the_cli_says_why_with_exit_code_2(atlas_path, tmp_path):
    path = wide_geojson(tmp_path / "large.geojson", 100, 30)
    result = CliRunner().invoke(main, ["import", str(path), "--atlas", str(atlas_path),
                                       "--layer", "water_points"])
    assert result.exit_code == 2
    assert "large.geojson apporte 2001 colonnes distinctes, au-delà de la limite de 2000" \
        in result.output


def test_kml_above_its_own_limit_is_refused_before_it_is_parsed(atlas_path, tmp_path,
                                                                monkeypatch):
    import zipfile

    monkeypatch.setenv("ATLAS_IMPORT_MAX_KML_MB", "0.01")  # 10 KiB
    placemarks = "".join(f"<Placemark><name>P{i}</name><Point><coordinates>-16.5,14.0"
                         "</coordinates></Point></Placemark>" for i in range(200))
    text = ('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"{placemarks}</Document></kml>")
    kml = tmp_path / "villages.kml"
    kml.write_text(text, encoding="utf-8")
    kmz = tmp_path / "villages.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", text)
    assert kmz.stat().st_size < 10 * 1024 < len(text)  # the KMZ is small, its KML is not
    for path in (kml, kmz):
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        assert caught.value.key == "ingest.kml_too_big"
        assert "GeoPackage" in caught.value.message("fr")
    monkeypatch.delenv("ATLAS_IMPORT_MAX_KML_MB")
    assert len(import_file(str(atlas_path), kml, "water_points").frame) == 200
