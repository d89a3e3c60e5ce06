"""Validation and repair: every class of problem, with its severity, row and field."""

from __future__ import annotations

import pytest
import shapely
from fixtures_ingest_files import (
    DAKAR,
    DAKAR_REGION,
    KAOLACK,
    PARIS,
    SAINT_LOUIS,
    THIES,
    THIES_DEPARTEMENT,
    THIES_REGION,
    cells,
    feature,
    issues_of,
    points,
    write_csv,
    write_geojson,
    write_gis,
)

from atlas.errors import IngestError
from atlas.ingest import import_file

WP_HEADER = ["code", "nom", "type", "etat", "lat", "lon"]


def wp_csv(tmp_path, rows, name="pe.csv", header=WP_HEADER):
    return write_csv(tmp_path / name, header, rows)


def test_category_values_ignore_case_and_accents(sn_atlas, tmp_path):
    rows = [[f"P{i}", "x", value, "Fonctionnel", THIES[1], THIES[0]]
            for i, value in enumerate(["Forage", "borehole", "Borehole", "FORÂGE", " forage "])]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    assert plan.ok, plan.summary()
    assert set(plan.frame["source_type"]) == {"borehole"}


def test_unknown_category_in_a_required_field_is_an_error(sn_atlas, tmp_path):
    rows = [["P1", "x", "Citerne volante", "ok", THIES[1], THIES[0]],
            ["P2", "x", "forage", "ok", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    assert not plan.ok
    [issue] = plan.report.errors
    assert (issue.code, issue.row, issue.field, issue.value) == \
        ("unknown_category", 1, "source_type", "Citerne volante")
    assert issue.message("fr") == "Valeur inconnue pour « Type de source » : « Citerne volante »."
    assert issue.message("en") == "Unknown value for 'Source type': 'Citerne volante'."
    assert "borehole" in issue.hint("fr") and "synonyme" in issue.hint("fr")
    assert plan.rejected_rows == [1]


def test_bad_values_in_optional_fields_warn_and_are_left_empty(sn_atlas, tmp_path):
    header = ["code", "nom", "type", "etat", "annee_realisation", "payant", "eau_disponible",
              "lat", "lon"]
    rows = [["P1", "x1", "forage", "ok", "vers 1990", "peut-être", "Oui", THIES[1], THIES[0]],
            ["P2", "x2", "forage", "ok", "1850", "Non", "x", THIES[1], THIES[0]],
            ["P3", "x3", "forage", "ok", "2010,5", "1", "faux", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "pe.csv", header, rows), "water_points")
    assert plan.ok, plan.summary()
    found = {(i.row, i.field, i.code) for i in plan.report.warnings}
    assert found == {(1, "install_year", "bad_integer"), (1, "pay", "bad_boolean"),
                     (2, "install_year", "below_min"), (3, "install_year", "not_whole")}
    assert cells(plan.frame["install_year"]) == [None, None, None]
    assert cells(plan.frame["pay"]) == [None, False, True]
    assert cells(plan.frame["water_available"]) == [True, True, False]
    below = issues_of(plan, "below_min")[0]
    assert below.message("fr") == ("1850 est inférieur au minimum (1900) pour « Année de "
                                   "réalisation ». Valeur laissée vide.")
    assert below.message("en").endswith("Value left empty.")


@pytest.mark.parametrize(("word", "expected"), [
    ("Oui", True), ("yes", True), ("1", True), ("true", True), ("vrai", True), ("x", True),
    ("Non", False), ("no", False), ("0", False), ("false", False), ("faux", False),
])
def test_boolean_words(sn_atlas, tmp_path, word, expected):
    header = ["code_ecole", "nom", "cloture", "lat", "lon"]
    path = write_csv(tmp_path / "e.csv", header, [["E1", "École", word, THIES[1], THIES[0]]])
    plan = import_file(sn_atlas, path, "schools")
    assert plan.frame["fenced"].tolist() == [expected]


def test_wrong_type_in_a_required_field_blocks(sn_atlas, tmp_path):
    header = ["id_zone", "nature", "annee", "wkt"]
    square = shapely.box(-16.40, 14.30, -16.39, 14.31).wkt
    rows = [["Z1", "étendue", "deux mille", square], ["Z2", "extent", "2100,0", square],
            ["Z3", "extent", "2150", square]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "m.csv", header, rows), "mangroves",
                       crs="EPSG:4326")
    errors = {(i.row, i.code) for i in plan.report.errors}
    assert errors == {(1, "bad_integer"), (3, "above_max")}
    assert plan.frame.loc[2, "year"] == 2100
    assert not plan.ok
    above = issues_of(plan, "above_max")[0]
    assert above.message("en") == "2150 is above the maximum (2100) for 'Year (of the extent " \
        "or of planting)'."
    assert "2100" in above.hint("fr")


def test_missing_required_column_and_missing_values(sn_atlas, tmp_path):
    header = ["code", "nom", "lat", "lon"]
    plan = import_file(sn_atlas, write_csv(tmp_path / "pe.csv", header,
                                           [["P1", "x", THIES[1], THIES[0]]]), "water_points")
    codes = sorted((i.code, i.field, i.row) for i in plan.report.errors)
    assert codes == [("missing_column", "source_type", None), ("missing_column", "status", None)]
    missing = issues_of(plan, "missing_column")[0]
    assert "--map source_type=<colonne>" in missing.hint("fr")
    assert "nom" not in missing.hint("fr").split(":")[-1]  # name is used, not suggested
    rows = [["P1", "x", "", "ok", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    [issue] = plan.report.errors
    assert (issue.code, issue.row, issue.field) == ("required_missing", 1, "source_type")
    assert issue.message("fr") == "Le champ obligatoire « Type de source » est vide."
    assert issue.message("en") == "Required field 'Source type' is empty."


def test_duplicate_ids_are_errors_on_every_row(sn_atlas, tmp_path):
    rows = [["P1", "a", "forage", "ok", THIES[1], THIES[0]],
            ["P2", "b", "forage", "ok", THIES[1], THIES[0]],
            ["P1", "c", "forage", "ok", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    dupes = issues_of(plan, "duplicate_id")
    assert [(i.row, i.params["rows"]) for i in dupes] == [(1, "3"), (3, "1")]
    assert dupes[0].message("fr") == "L'identifiant « P1 » est aussi utilisé ligne(s) 3."
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points", skip_invalid=True)
    assert plan.ok and plan.rejected_rows == [1, 3]
    assert plan.commit().rows_written == 1


def test_append_refuses_existing_ids_and_upsert_updates_them(sn_atlas, tmp_path):
    rows = [["P1", "a", "forage", "ok", THIES[1], THIES[0]]]
    import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points").commit()
    rows = [["P1", "a bis", "forage", "en panne", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    [issue] = plan.report.errors
    assert issue.code == "existing_id" and "--mode upsert" in issue.hint("fr")
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points", mode="upsert")
    assert plan.ok
    plan.commit()
    assert sn_atlas.read("water_points")["status"].tolist() == ["non_functional"]


def test_missing_ids_are_generated_from_uuid_or_row(sn_atlas, tmp_path):
    header = ["nom", "type", "etat", "lat", "lon"]
    rows = [["a", "forage", "ok", THIES[1], THIES[0]], ["b", "forage", "ok", DAKAR[1], DAKAR[0]]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "Forages 2024.csv", header, rows),
                       "water_points")
    assert plan.ok
    assert plan.frame["wp_id"].tolist() == ["water_points-forages_2024-1",
                                            "water_points-forages_2024-2"]
    [issue] = plan.report.warnings
    assert issue.code == "ids_generated" and issue.params["count"] == 2
    header = ["code", "_uuid", "nom", "type", "etat", "lat", "lon"]
    rows = [["P1", "u-1", "a", "forage", "ok", THIES[1], THIES[0]],
            ["", "u-2", "b", "forage", "ok", THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "k.csv", header, rows), "water_points")
    assert plan.frame["wp_id"].tolist() == ["P1", "u-2"]
    assert [(i.code, i.row, i.value) for i in plan.report.warnings] == \
        [("id_generated", 2, "u-2")]


def test_swapped_coordinates(sn_atlas, tmp_path):
    rows = [["P1", "ok", "forage", "ok", THIES[1], THIES[0]],
            ["P2", "inversé", "forage", "ok", THIES[0], THIES[1]],
            ["P3", "hors bornes", "forage", "ok", KAOLACK[0], 95.0]]
    header = ["code", "nom", "type", "etat", "longitude", "latitude"]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows, header=header), "water_points")
    found = [(i.row, i.code) for i in plan.report.errors]
    assert found == [(1, "coords_swapped"), (3, "coords_out_of_range")]
    swapped = plan.report.errors[0]
    assert "permutées" in swapped.message("fr") and "swapped" in swapped.message("en")
    assert "--map lat=<colonne> --map lon=<colonne>" in swapped.hint("fr")
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows, header=header), "water_points",
                       mapping={"lat": "longitude", "lon": "latitude"})
    assert [(i.row, i.code) for i in plan.report.errors] == [(2, "coords_swapped"),
                                                              (3, "outside_territory")]


def test_out_of_range_coordinates(sn_atlas, tmp_path):
    rows = [["P1", "x", "forage", "ok", SAINT_LOUIS[0] - 100, SAINT_LOUIS[1]],
            ["P2", "x", "forage", "ok", 100.0, -16.5]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    assert [(i.row, i.code) for i in plan.report.errors] == [(1, "coords_out_of_range"),
                                                              (2, "coords_out_of_range")]
    issue = plan.report.errors[0]
    assert issue.value == f"lat {SAINT_LOUIS[0] - 100:.5f}, lon {SAINT_LOUIS[1]:.5f}"
    assert "entre -90 et 90" in issue.message("fr") and "--crs" in issue.hint("en")


def test_points_outside_the_atlas_and_near_its_boundary(sn_atlas, tmp_path):
    rows = [["P1", "Paris", "forage", "ok", PARIS[1], PARIS[0]],
            ["P2", "en mer, près de Dakar", "forage", "ok", 14.70, -17.55],
            ["P3", "Dakar", "forage", "ok", DAKAR[1], DAKAR[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    assert [(i.row, i.code, i.severity) for i in plan.report.issues] == [
        (1, "outside_territory", "error"), (2, "in_no_territory", "warning")]
    outside = plan.report.errors[0]
    assert outside.value == f"lat {PARIS[1]:.5f}, lon {PARIS[0]:.5f}"
    assert "hors du territoire de l'atlas" in outside.message("fr")
    assert cells(plan.frame["territory_code"]) == [None, None, DAKAR_REGION]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points", tolerance_m=50)
    assert [i.code for i in plan.report.errors] == ["outside_territory", "outside_territory"]


def test_invalid_polygon_is_repaired_and_warned(sn_atlas, tmp_path):
    bow_tie = shapely.Polygon([(-16.40, 14.30), (-16.38, 14.32), (-16.38, 14.30),
                               (-16.40, 14.32), (-16.40, 14.30)])
    assert not bow_tie.is_valid
    path = write_geojson(tmp_path / "zones.geojson", [
        feature({"id_zone": "Z1", "nature": "reboisement", "annee": 2022}, bow_tie),
        feature({"id_zone": "Z2", "nature": "reboisement", "annee": 2022},
                shapely.box(-16.40, 14.30, -16.39, 14.31)),
    ])
    plan = import_file(sn_atlas, path, "mangroves")
    assert plan.ok, plan.summary()
    [issue] = plan.report.warnings
    assert (issue.code, issue.row, issue.field) == ("geometry_repaired", 1, "geometry")
    assert "Self-intersection" in issue.message("fr")
    repaired = plan.frame.geometry.iloc[0]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(bow_tie.buffer(0).area + 0.0002, rel=0.6)
    revision = plan.commit()
    assert any("geometry" in w and "1" in w for w in revision.warnings)
    stored = sn_atlas.history("mangroves")[-1]
    assert stored.warnings == revision.warnings and stored.source == "zones.geojson"


def test_empty_geometry_and_wrong_geometry_kind(sn_atlas, tmp_path):
    path = write_geojson(tmp_path / "z.geojson", [
        feature({"id_zone": "Z1", "nature": "extent", "annee": 2020}, None),
        feature({"id_zone": "Z2", "nature": "extent", "annee": 2020}, shapely.Point(THIES)),
    ])
    plan = import_file(sn_atlas, path, "mangroves")
    assert [(i.row, i.code) for i in plan.report.errors] == [(1, "geometry_missing"),
                                                              (2, "geometry_type")]
    assert plan.report.errors[1].message("en") == \
        "Point geometry but the layer expects MultiPolygon."


def test_blank_coordinates_and_bad_numbers(sn_atlas, tmp_path):
    rows = [["P1", "x", "forage", "ok", "", ""], ["P2", "x", "forage", "ok", "14°47'N", THIES[0]]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows), "water_points")
    found = [(i.row, i.code, i.field, i.value) for i in plan.report.errors]
    assert found == [(1, "geometry_missing", "geometry", None),
                     (2, "bad_coordinate", "geometry", "14°47'N")]
    assert "degrés décimaux" in plan.report.errors[1].hint("fr")


def test_file_without_coordinates_for_a_point_layer(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "sans.csv", ["code", "nom", "type", "etat"],
                     [["P1", "x", "forage", "ok"]])
    plan = import_file(sn_atlas, path, "water_points")
    [issue] = plan.report.errors
    assert issue.code == "no_geometry" and issue.row is None
    assert "--map lat=<colonne> --map lon=<colonne>" in issue.hint("fr")


def test_activities_without_geometry_keep_a_known_territory_code(sn_atlas, tmp_path):
    header = ["code", "programme", "type", "date", "code_territoire", "femmes", "hommes"]
    rows = [["A1", "WASH écoles", "Sensibilisation", "12/03/2024", THIES_DEPARTEMENT, "25", "10"],
            ["A2", "biogaz", "formation", "2024-04-02", "SN9999", "3", "4"],
            ["A3", "mangrove", "suivi", "2024-05", "", "1", "1"]]
    path = write_csv(tmp_path / "activites.csv", header, rows)
    plan = import_file(sn_atlas, path, "activities")
    found = sorted((i.row, i.code, i.severity) for i in plan.report.issues)
    assert found == [(2, "unknown_territory", "error"), (3, "date_partial", "warning"),
                     (3, "required_missing", "error")]
    assert plan.frame.loc[1, "territory_code"] == THIES_DEPARTEMENT
    assert plan.frame.loc[1, "date"] == "2024-03-12"
    assert plan.frame["programme"].tolist() == ["wash_schools", "biodigesters", "mangroves"]
    unknown = issues_of(plan, "unknown_territory")[0]
    assert unknown.message("fr") == "Le code de territoire « SN9999 » n'existe pas dans l'atlas."


def test_point_code_in_the_file_is_checked_against_the_location(sn_atlas, tmp_path):
    header = WP_HEADER + ["code_commune"]
    rows = [["P1", "x1", "forage", "ok", THIES[1], THIES[0], THIES_REGION],
            ["P2", "x2", "forage", "ok", THIES[1], THIES[0], DAKAR_REGION]]
    plan = import_file(sn_atlas, wp_csv(tmp_path, rows, header=header), "water_points")
    assert [(i.row, i.code) for i in plan.report.issues] == [(2, "territory_mismatch")]
    assert plan.frame["territory_code"].tolist() == [THIES_DEPARTEMENT, THIES_DEPARTEMENT]


def test_polygon_into_a_point_layer_becomes_a_point(sn_atlas, tmp_path):
    square = shapely.box(-16.93, 14.78, -16.92, 14.80)
    frame = points([{"id_site": "S1", "type": "centre de tri"}], [(0, 0)])
    frame = frame.set_geometry([square])
    plan = import_file(sn_atlas, write_gis(tmp_path / "s.gpkg", frame), "waste_sites")
    assert plan.ok
    assert [i.code for i in plan.report.warnings] == ["geometry_converted"]
    assert plan.frame.geometry.iloc[0].within(square)
    assert plan.frame["territory_code"].iloc[0] == THIES_DEPARTEMENT


def test_mapping_overrides(sn_atlas, tmp_path):
    header = ["ref", "libellé", "catégorie", "situation", "Y", "X"]
    rows = [["R1", "Forage", "forage", "ok", THIES[1], THIES[0]]]
    path = write_csv(tmp_path / "m.csv", header, rows)
    plan = import_file(sn_atlas, path, "water_points",
                       mapping=["wp_id=ref", "source_type=CATEGORIE", "status=situation",
                                "lat=Y", "lon=X", "name="])
    assert plan.ok, plan.summary()
    assert plan.mapping["source_type"] == "catégorie"
    assert "name" not in plan.mapping
    assert cells(plan.frame["name"]) == [None]
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, path, "water_points", mapping=["wp_id=absente"])
    assert "ref" in caught.value.message("fr") and caught.value.key == \
        "ingest.map_unknown_column"
    with pytest.raises(IngestError) as caught:
        import_file(sn_atlas, path, "water_points", mapping=["inconnu=ref"])
    assert caught.value.key == "ingest.map_unknown_field"
    with pytest.raises(IngestError):
        import_file(sn_atlas, path, "water_points", mapping=["wp_id"])


def test_column_titles_with_little_words_still_match(sn_atlas, tmp_path):
    header = ["Code école", "Nom de l'école", "Source d'eau", "Effectif des filles",
              "Latitude", "Longitude"]
    path = write_csv(tmp_path / "recensement.csv", header,
                     [["E1", "EE Thiès 1", "Forage", "120", THIES[1], THIES[0]]])
    plan = import_file(sn_atlas, path, "schools")
    assert plan.ok, plan.summary()
    assert plan.mapping == {"school_id": "Code école", "name": "Nom de l'école",
                            "water_source": "Source d'eau",
                            "pupils_girls": "Effectif des filles"}
