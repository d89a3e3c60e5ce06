"""Large files are read as streams, with the same result as a whole-file parse, and say
how far they are.

GeoJSON is decoded feature by feature from a refilled buffer: values cut by a chunk
boundary, a single feature larger than a chunk and a ``crs`` member after the features
must come out as ``json.loads`` would give them. Workbooks are streamed row by row and
never padded to the dimension a sheet declares. The optional progress callback (for
the app's progress bar) receives fractions that only grow and end at 1.
"""

from __future__ import annotations

import json
import math
import re
import zipfile

import badinput
import numpy as np
import pandas as pd
import pytest
from hostile import corpus_atlas

from atlas.ingest import geojson, import_file
from atlas.ingest.readers import read_source


def _features(n: int, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append({"type": "Feature", "id": i, "properties": {
            "code": f"C{i}", "nom": "é" * int(rng.integers(0, 40)) + f" {i}",
            "profondeur": float(rng.uniform(-1e6, 1e6)), "entier": int(rng.integers(-1e15, 1e15)),
            "groupe": {"sous": {"valeur": i % 7}}, "liste": [i, "x"], "vide": None},
            "geometry": {"type": "Point", "coordinates": [float(rng.uniform(-17, -15)),
                                                          float(rng.uniform(13, 15))]}})
    return out


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 4 KiB: every boundary case occurs many times in a small file."""
    monkeypatch.setattr(geojson, "CHUNK", 4096)


@pytest.mark.slow
def test_streamed_geojson_equals_a_whole_file_parse(small_chunks, tmp_path):
    features = _features(3000)
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    source = read_source(path)
    frame = source.frame
    assert len(frame) == 3000
    assert frame["code"].tolist() == [f["properties"]["code"] for f in features]
    assert frame["nom"].tolist() == [f["properties"]["nom"] for f in features]
    assert frame["profondeur"].tolist() == [f["properties"]["profondeur"] for f in features]
    assert frame["entier"].tolist() == [f["properties"]["entier"] for f in features]
    assert frame["groupe/sous/valeur"].tolist() == [i % 7 for i in range(3000)]
    assert frame["liste"].iloc[5] == '[5, "x"]'
    assert frame["id"].tolist() == list(range(3000))
    xy = [f["geometry"]["coordinates"] for f in features]
    assert [[g.x, g.y] for g in source.geometry] == xy


def test_a_feature_larger_than_the_buffer_and_a_crs_after_the_features(small_chunks,
                                                                       tmp_path):
    ring = [[500000.0 + 100 * math.cos(a / 100), 1600000.0 + 100 * math.sin(a / 100)]
            for a in range(2000)]
    ring.append(ring[0])
    text = json.dumps({"features": [{"type": "Feature", "properties": {"nom": "grand"},
                                     "geometry": {"type": "Polygon", "coordinates": [ring]}}],
                       "type": "FeatureCollection",
                       "crs": {"type": "name", "properties": {"name": "EPSG:32628"}}})
    assert len(text) > 10 * 4096
    path = tmp_path / "grand.geojson"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    assert source.crs.to_epsg() == 32628
    assert len(source.geometry.iloc[0].exterior.coords) == 2001


def test_nan_big_integers_and_bare_geometries_read_as_json_reads_them(tmp_path):
    path = tmp_path / "speciaux.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"n": NaN, "big": 99999999999999999999, "inf": Infinity},'
                    ' "geometry": null}]}', encoding="utf-8")
    row = read_source(path).frame.iloc[0]
    assert math.isnan(row["n"]) and row["big"] == 99999999999999999999
    assert row["inf"] == math.inf
    bare = tmp_path / "point.geojson"
    bare.write_text('{"type": "Point", "coordinates": [-16.5, 14.0]}', encoding="utf-8")
    assert read_source(bare).geometry.iloc[0].wkt == "POINT (-16.5 14)"


def test_geojson_progress_grows_to_one(small_chunks, tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": _features(500)}),
                    encoding="utf-8")
    seen: list[float] = []
    read_source(path, progress=seen.append)
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_import_file_reports_progress_for_tables_and_workbooks(tmp_path):
    atlas_path = corpus_atlas(tmp_path / "atlas.gpkg")
    rows = badinput.good_rows(1) * 200
    csv = tmp_path / "points.csv"
    csv.write_text(badinput.csv_text(badinput.WP_HEADER, rows), encoding="utf-8")
    xlsx = tmp_path / "points.xlsx"
    pd.DataFrame(rows, columns=badinput.WP_HEADER).to_excel(xlsx, index=False)
    for path in (csv, xlsx):
        seen: list[float] = []
        import_file(str(atlas_path), path, "water_points", progress=seen.append)
        assert seen and seen == sorted(seen) and seen[-1] == 1.0, (path, seen)


def test_a_sheet_declaring_a_huge_dimension_is_read_at_its_real_size(tmp_path):
    path = tmp_path / "dimension.xlsx"
    pd.DataFrame(badinput.good_rows(3), columns=badinput.WP_HEADER).to_excel(path,
                                                                             index=False)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>',
                           sheet)
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    frame = read_source(path).frame
    assert frame.shape == (3, 6) and list(frame.columns) == badinput.WP_HEADER
    assert frame["nom"].tolist() == ["Point 0", "Point 1", "Point 2"]
