"""Reading every supported format into a layer (files written by the tests)."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
import shapely
from fixtures_ingest_files import (
    DAKAR,
    DAKAR_REGION,
    KAOLACK,
    SAINT_LOUIS,
    THIES,
    THIES_DEPARTEMENT,
    cells,
    feature,
    issues_of,
    points,
    shapefile_parts,
    state,
    write_csv,
    write_geojson,
    write_gis,
    write_shapefile,
    write_xlsx,
    write_zip,
)

from atlas.errors import IngestError
from atlas.ingest import import_file


def test_csv_with_french_headers_semicolons_and_decimal_commas(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages.csv",
                     ["Code PE", "Nom", "Type de source", "État", "Latitude", "Longitude",
                      "Année de réalisation"],
                     [["PE-1", "Forage de Thiès", "Forage", "fonctionnel",
                       str(THIES[1]).replace(".", ","), str(THIES[0]).replace(".", ","), "2012"],
                      ["PE-2", "Borne Kaolack", "borne-fontaine", "En panne",
                       KAOLACK[1], KAOLACK[0], ""]],
                     sep=";", encoding="cp1252")
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.ok, plan.summary()
    assert plan.mapping["wp_id"] == "Code PE"
    assert plan.mapping["source_type"] == "Type de source"
    assert plan.mapping["install_year"] == "Année de réalisation"
    frame = plan.frame
    assert frame.index.tolist() == [1, 2]
    assert frame["source_type"].tolist() == ["borehole", "piped"]
    assert frame["status"].tolist() == ["functional", "non_functional"]
    assert frame.loc[1, "territory_code"] == THIES_DEPARTEMENT
    assert frame.loc[1, "install_year"] == 2012
    assert plan.files[0].source.encoding == "CP1252"
    revision = plan.commit(user="awa")
    assert revision.source == "forages.csv" and revision.rows_written == 2
    assert sn_atlas.count("water_points") == 2


def test_kobo_csv_with_split_geopoint_group_paths_and_uuid(sn_atlas, tmp_path):
    header = ["start", "ecole/nom", "ecole/niveau", "eau/source", "eau/disponible",
              "hygiene/savon", "_gps_latitude", "_gps_longitude", "_gps_altitude",
              "_gps_precision", "_uuid", "_submission_time"]
    rows = [["2024-03-05T09:12:00.000+00:00", "École Thiès Nord", "Élémentaire", "Forage",
             "Oui", "non", THIES[1], THIES[0], "12", "5", "uuid-aaa",
             "2024-03-05T10:00:00"],
            ["2024-03-06T09:12:00.000+00:00", "École de Dakar", "CEM", "robinet", "yes", "1",
             DAKAR[1], DAKAR[0], "8", "4", "uuid-bbb", "2024-03-06T10:00:00"]]
    path = write_csv(tmp_path / "kobo_ecoles.csv", header, rows)
    plan = import_file(sn_atlas, path, "schools")
    assert plan.ok, plan.summary()
    frame = plan.frame
    assert plan.mapping["name"] == "ecole/nom"  # matched on the last path segment
    assert frame["school_id"].tolist() == ["uuid-aaa", "uuid-bbb"]
    assert frame["level"].tolist() == ["primary", "middle"]
    assert frame["water_source"].tolist() == ["borehole", "piped"]
    assert frame["water_available"].tolist() == [True, True]
    assert frame["handwashing_soap"].tolist() == [False, True]
    assert frame["survey_date"].tolist() == ["2024-03-05", "2024-03-06"]
    assert frame.loc[1, "territory_code"] == THIES_DEPARTEMENT
    assert frame.loc[2, "territory_code"] == DAKAR_REGION
    origin = plan.files[0].geometry_origin
    assert origin == {"lat": "_gps_latitude", "lon": "_gps_longitude"}


def test_kobo_xlsx_with_single_geopoint_string(sn_atlas, tmp_path):
    frame = pd.DataFrame({
        "nom_ecole": ["École A", "École B"],
        "position_ecole": [f"{THIES[1]} {THIES[0]} 15.0 4.9", f"{KAOLACK[1]} {KAOLACK[0]} 9 5"],
        "effectif_filles": [120, 95.0],
        "_uuid": ["u-1", "u-2"],
    })
    path = write_xlsx(tmp_path / "kobo.xlsx", frame,
                      extra_sheets={"repeat_latrines": pd.DataFrame({"x": [1]})})
    plan = import_file(sn_atlas, path, "schools")
    assert plan.ok, plan.summary()
    assert plan.files[0].geometry_origin == {"geopoint": "position_ecole"}
    geoms = plan.frame.geometry
    assert geoms.iloc[0].equals_exact(shapely.Point(THIES), 1e-9)
    assert plan.frame["pupils_girls"].tolist() == [120, 95]
    assert [i.code for i in plan.report.issues] == ["several_sheets"]


def test_xlsx_dates_numbers_and_sheet_choice(sn_atlas, tmp_path):
    frame = pd.DataFrame({
        "code_biodigesteur": ["BD-1", "BD-2"],
        "volume": [6.0, 10],
        "date_installation": [pd.Timestamp("2021-05-04"), "12/11/2022"],
        "etat": ["En fonctionnement", "en panne"],
        "lat": [SAINT_LOUIS[1], THIES[1]], "lon": [SAINT_LOUIS[0], THIES[0]],
    })
    path = write_xlsx(tmp_path / "biogaz.xlsx", pd.DataFrame({"a": [1]}), sheet="notes",
                      extra_sheets={"installations": frame})
    plan = import_file(sn_atlas, path, "biodigesters", sheet="installations")
    assert plan.ok, plan.summary()
    assert plan.frame["install_date"].tolist() == ["2021-05-04", "2022-11-12"]
    assert plan.frame["status"].tolist() == ["working", "not_working"]
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, path, "biodigesters", sheet="absente")
    assert "installations" in caught.value.message("fr")


def test_geojson_in_utm_28n_is_reprojected(sn_atlas, tmp_path):
    utm = points([{"id_site": "S1", "type": "Dépôt sauvage"}], [THIES], crs=4326) \
        .to_crs("EPSG:32628")
    x, y = utm.geometry.iloc[0].x, utm.geometry.iloc[0].y
    path = write_geojson(tmp_path / "decharges.geojson",
                         [feature({"id_site": "S1", "type": "Dépôt sauvage"},
                                  shapely.Point(x, y))], crs="urn:ogc:def:crs:EPSG::32628")
    plan = import_file(sn_atlas, path, "waste_sites")
    assert plan.ok, plan.summary()
    point = plan.frame.geometry.iloc[0]
    assert point.x == pytest.approx(THIES[0], abs=1e-7)
    assert point.y == pytest.approx(THIES[1], abs=1e-7)
    assert plan.frame["site_type"].iloc[0] == "illegal_dump"
    assert plan.frame["territory_code"].iloc[0] == THIES_DEPARTEMENT
    assert plan.files[0].crs.to_epsg() == 32628


def test_latin1_shapefile_without_cpg_gives_thies(sn_atlas, tmp_path):
    frame = points([{"NOM": "Thiès", "TYPE": "Forage", "ETAT": "Fonctionnel", "CODE": "F1"},
                    {"NOM": "Kédougou", "TYPE": "Puits busé", "ETAT": "Abandonné",
                     "CODE": "F2"}], [THIES, KAOLACK])
    path = write_shapefile(tmp_path / "forages.shp", frame, encoding="cp1252", cpg=False)
    assert not path.with_suffix(".cpg").exists()
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.ok, plan.summary()
    assert plan.frame["name"].tolist() == ["Thiès", "Kédougou"]
    assert plan.frame["source_type"].tolist() == ["borehole", "protected_well"]
    assert plan.frame["status"].tolist() == ["functional", "abandoned"]
    assert plan.files[0].source.encoding == "CP1252"


def test_utf8_shapefile_without_cpg_is_not_mojibake(sn_atlas, tmp_path):
    frame = points([{"nom": "Thiès", "type": "forage", "etat": "ok", "code": "F1"}], [THIES])
    path = write_shapefile(tmp_path / "utf8.shp", frame, encoding="UTF-8", cpg=False)
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.frame["name"].tolist() == ["Thiès"]


def test_shapefile_without_prj_is_refused_unless_crs_given(sn_atlas, tmp_path):
    frame = points([{"code": "F1", "type": "forage", "etat": "ok"}], [THIES])
    path = write_shapefile(tmp_path / "sans_prj.shp", frame, prj=False)
    before = state(sn_atlas)
    plan = import_file(sn_atlas, path, "water_points")
    assert not plan.ok
    [issue] = issues_of(plan, "no_crs")
    assert issue.row is None and issue.severity == "error"
    assert "--crs" in issue.hint("fr") and ".prj" in issue.hint("en")
    with pytest.raises(IngestError):
        plan.commit()
    assert state(sn_atlas) == before
    plan = import_file(sn_atlas, path, "water_points", crs="EPSG:4326")
    assert plan.ok, plan.summary()
    assert plan.frame["territory_code"].iloc[0] == THIES_DEPARTEMENT


def test_zipped_shapefile_in_a_folder(sn_atlas, tmp_path):
    frame = points([{"code": "F1", "type": "forage", "etat": "ok"}], [THIES])
    folder = tmp_path / "shp"
    folder.mkdir()
    shp = write_shapefile(folder / "pe.shp", frame)
    archive = write_zip(tmp_path / "points_eau.zip", shapefile_parts(shp), folder="export")
    plan = import_file(sn_atlas, archive, "water_points")
    assert plan.ok, plan.summary()
    assert plan.files[0].source.format == "Shapefile (zip)"
    assert plan.commit().source == "points_eau.zip"


def test_zip_bomb_is_refused_before_extraction(sn_atlas, tmp_path):
    archive = tmp_path / "bombe.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("gros.csv", "0" * (3 * 1024 * 1024))
    assert archive.stat().st_size < 100_000
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, archive, "water_points", max_size_mb=1)
    assert caught.value.key == "ingest.archive_too_big"
    assert "archive" in caught.value.message("en").lower()
    assert not list(tmp_path.glob("**/gros.csv"))


def test_oversized_file_is_refused(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "gros.csv", ["a"], [["x" * 1000]] * 1200)
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, path, "water_points", max_size_mb=1)
    assert caught.value.key == "ingest.too_big"


@pytest.mark.parametrize(("suffix", "driver"), [(".kml", "KML"), (".kmz", "LIBKML"),
                                                 (".fgb", "FlatGeobuf"), (".gpkg", "GPKG")])
def test_gis_formats(sn_atlas, tmp_path, suffix, driver):
    frame = points([{"Name": "Dépôt du marché", "type_site": "dépotoir", "statut": "actif",
                     "id_site": "D1"},
                    {"Name": "Point de collecte", "type_site": "bac à ordures",
                     "statut": "fermé", "id_site": "D2"}], [THIES, SAINT_LOUIS])
    path = write_gis(tmp_path / f"sites{suffix}", frame, driver=driver)
    plan = import_file(sn_atlas, path, "waste_sites")
    assert plan.ok, plan.summary()
    out = plan.frame.sort_values("site_id")
    assert out["name"].tolist() == ["Dépôt du marché", "Point de collecte"]
    assert out["site_type"].tolist() == ["illegal_dump", "collection_point"]
    assert out["status"].tolist() == ["active", "closed"]
    assert out.geometry.iloc[0].has_z is False


def test_geopackage_with_several_layers(sn_atlas, tmp_path):
    path = tmp_path / "inventaire.gpkg"
    write_gis(path, points([{"code": "F1", "type": "forage", "etat": "ok"}], [THIES]),
              layer="forages")
    write_gis(path, points([{"code": "X", "type": "puits moderne", "etat": "ok"}], [THIES]),
              layer="autres", append=False)
    plan = import_file(sn_atlas, path, "water_points")
    assert [i.code for i in plan.report.issues] == ["several_layers"]
    plan = import_file(sn_atlas, path, "water_points", source_layer="autres")
    assert plan.report.issues == [] and plan.frame["wp_id"].tolist() == ["X"]


def test_wpdx_csv(sn_atlas, tmp_path):
    header = ["#wpdx_id", "#lat_deg", "#lon_deg", "#water_source_clean", "#water_tech_clean",
              "#status_id", "#status_clean", "#install_year", "#management", "#report_date",
              "#source"]
    rows = [["wpdx-1", THIES[1], THIES[0], "Borehole", "Hand Pump - India Mark", "Yes",
             "Functional", "2009", "Community Management", "05/15/2019 12:00:00 AM", "MHA"],
            ["wpdx-2", SAINT_LOUIS[1], SAINT_LOUIS[0], "Protected Well", "Rope and Bucket",
             "No", "Non-Functional, dry", "", "Other", "06/02/2019 12:00:00 AM", "MHA"],
            ["wpdx-3", KAOLACK[1], KAOLACK[0], "Piped Water", "Tapstand", "Unknown",
             "Functional", "2015", "Private Operator/Delegated Management",
             "06/30/2019 12:00:00 AM", "MHA"]]
    path = write_csv(tmp_path / "wpdx_senegal.csv", header, rows)
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.ok, plan.summary()
    frame = plan.frame
    assert frame["wp_id"].tolist() == ["wpdx-1", "wpdx-2", "wpdx-3"]
    assert frame["source_type"].tolist() == ["borehole", "protected_well", "piped"]
    assert frame["technology"].tolist() == ["hand_pump", "bucket", "tap"]
    assert cells(frame["water_available"]) == [True, False, None]
    assert frame["status"].tolist() == ["functional", "non_functional", "functional"]
    assert frame["management"].tolist() == ["community", "unknown", "private"]
    assert frame["report_date"].tolist() == ["2019-05-15", "2019-06-02", "2019-06-30"]
    assert plan.mapping["source_type"] == "#water_source_clean"
    assert "#source" in plan.files[0].mapping.unused


def test_overpass_turbo_geojson(sn_atlas, tmp_path):
    features = [
        feature({"@id": "node/101", "amenity": "drinking_water", "name": "Borne du marché",
                 "drinking_water": "yes"}, shapely.Point(THIES), fid="node/101"),
        feature({"@id": "node/102", "man_made": "water_well", "pump": "manual",
                 "name:fr": "Puits-forage"}, shapely.Point(SAINT_LOUIS), fid="node/102"),
    ]
    path = write_geojson(tmp_path / "export.geojson", features)
    plan = import_file(sn_atlas, path, "water_points")
    frame = plan.frame
    assert frame["wp_id"].tolist() == ["node/101", "node/102"]
    assert frame["source_type"].tolist() == ["piped", "borehole"]
    assert cells(frame["technology"]) == [None, "hand_pump"]
    assert cells(frame["water_available"]) == [True, None]
    assert frame["name"].tolist() == ["Borne du marché", "Puits-forage"]
    # OSM has no functionality tag: the required status must be mapped or added
    assert {i.code for i in plan.report.errors} == {"missing_column"}


def test_osmtogeojson_nested_tags(sn_atlas, tmp_path):
    features = [
        feature({"type": "node", "id": 7, "tags": {"amenity": "school", "name": "École Thiès",
                                                   "isced:level": "1"}, "meta": {}},
                shapely.Point(THIES)),
        feature({"type": "way", "id": 7, "tags": {"amenity": "kindergarten",
                                                  "name": "Case des tout-petits"}},
                shapely.Polygon([(-16.93, 14.79), (-16.92, 14.79), (-16.92, 14.80)])),
    ]
    path = write_geojson(tmp_path / "osm.geojson", features)
    plan = import_file(sn_atlas, path, "schools")
    assert plan.ok, plan.summary()
    frame = plan.frame
    assert frame["school_id"].tolist() == ["node/7", "way/7"]
    assert frame["name"].tolist() == ["École Thiès", "Case des tout-petits"]
    assert cells(frame["level"]) == ["primary", None]
    assert frame.geometry.geom_type.tolist() == ["Point", "Point"]
    assert [i.code for i in plan.report.warnings] == ["geometry_converted"]


def test_gdal_osm_other_tags(sn_atlas, tmp_path):
    frame = points([{"osm_id": "55", "name": "Forage", "man_made": "water_well",
                     "other_tags": '"pump"=>"powered","drinking_water"=>"no"'}], [THIES])
    path = write_gis(tmp_path / "quickosm.gpkg", frame)
    plan = import_file(sn_atlas, path, "water_points", mapping=["status="])
    out = plan.frame
    assert out["wp_id"].tolist() == ["node/55"]
    assert out["technology"].tolist() == ["motorised_pump"]
    assert out["water_available"].tolist() == [False]


def test_csv_with_wkt_polygons_needs_a_crs(sn_atlas, tmp_path):
    square = shapely.box(-16.40, 14.30, -16.39, 14.31)
    path = write_csv(tmp_path / "mangroves.csv", ["id_parcelle", "nature", "annee", "wkt"],
                     [["P1", "reboisement", "2021", square.wkt]])
    plan = import_file(sn_atlas, path, "mangroves")
    assert [i.code for i in plan.report.errors] == ["no_crs"]
    plan = import_file(sn_atlas, path, "mangroves", crs="EPSG:4326")
    assert plan.ok, plan.summary()
    assert plan.frame.geometry.iloc[0].geom_type == "MultiPolygon" or \
        plan.frame.geometry.iloc[0].geom_type == "Polygon"


def test_unsupported_and_missing_files(sn_atlas, tmp_path):
    odd = tmp_path / "carte.pdf"
    odd.write_bytes(b"%PDF-1.4")
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, odd, "water_points")
    assert caught.value.key == "ingest.unsupported_format"
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, tmp_path / "absent.csv", "water_points")
    assert caught.value.key == "ingest.file_not_found"


def test_hxl_hashtag_row_under_human_headers(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "hdx_wpdx.csv",
                     ["Identifiant", "Latitude", "Longitude", "Source", "Statut"],
                     [["#wpdx_id", "#lat_deg", "#lon_deg", "#water_source_clean",
                       "#status_clean"],
                      ["w1", THIES[1], THIES[0], "Borehole", "Functional"],
                      ["w2", THIES[1], THIES[0], "Tubewell/Borehole", "Dry"]])
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.mapping["wp_id"] == "#wpdx_id"
    assert plan.frame.index.tolist() == [2, 3]  # spreadsheet rows 3 and 4
    [issue] = plan.report.errors
    assert (issue.row, issue.field, issue.value) == (3, "status", "Dry")


def test_osm_xml_through_gdal(sn_atlas, tmp_path):
    path = tmp_path / "josm.osm"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="JOSM">
  <node id="-1" lat="{THIES[1]}" lon="{THIES[0]}" version="1">
    <tag k="man_made" v="water_well"/><tag k="pump" v="manual"/>
    <tag k="name" v="Puits de Thiès"/>
  </node>
  <node id="12" lat="{DAKAR[1]}" lon="{DAKAR[0]}" version="1">
    <tag k="amenity" v="drinking_water"/>
  </node>
</osm>
""", encoding="utf-8")
    plan = import_file(sn_atlas, path, "water_points")
    assert plan.frame["wp_id"].tolist() == ["node/-1", "node/12"]
    assert plan.frame["source_type"].tolist() == ["borehole", "piped"]
    assert cells(plan.frame["technology"]) == ["hand_pump", None]
    assert plan.frame["territory_code"].tolist() == [THIES_DEPARTEMENT, DAKAR_REGION]


def _lie_about_sizes(archive, declared):
    """Rewrite the uncompressed sizes a zip declares (local and central headers)."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        data[start + offset:start + offset + 4] = declared.to_bytes(4, "little")
    archive.write_bytes(bytes(data))


def test_zip_that_lies_about_its_size_is_refused(sn_atlas, tmp_path):
    archive = tmp_path / "menteur.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("points.csv", "code,lat,lon\n" + "0" * (3 * 1024 * 1024))
    _lie_about_sizes(archive, 1000)
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, archive, "water_points", max_size_mb=1)
    assert caught.value.key in ("ingest.unreadable", "ingest.archive_too_big")


def test_zip_member_paths_cannot_escape(sn_atlas, tmp_path):
    archive = tmp_path / "evasion.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("../../evil.csv", "code,nom,type,etat,lat,lon\n"
                     f"P1,x,forage,ok,{THIES[1]},{THIES[0]}\n")
    plan = import_file(sn_atlas, archive, "water_points")
    assert plan.ok and plan.frame["wp_id"].tolist() == ["P1"]
    assert not (tmp_path.parent / "evil.csv").exists()
    assert not (tmp_path.parent.parent / "evil.csv").exists()


def test_an_exact_synonym_wins_over_another_fields_path_segment(tmp_path):
    from atlas.catalog import load_catalog
    from atlas.ingest.mapping import map_columns

    spec = load_catalog()["schools"]
    mapping = map_columns(spec, ["ecole/effectif_filles", "latrines/filles"], {})
    assert mapping.fields.get("latrines_girls") == ["latrines/filles"]
    assert "latrines/filles" not in mapping.fields.get("pupils_girls", [])
