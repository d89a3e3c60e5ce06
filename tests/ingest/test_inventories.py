"""Real inventories as they come (issue #16), on both stores.

GADM ships Senegal's communes at its level 4, under arrondissements (``GID_3``) that a
4-level atlas (pays, région, département, commune) does not have; a borehole list
exported in UTM metres as GeoJSON has no ``crs`` member; the national borehole list has
no id, no state, rows entered twice, and a ``type`` column holding the map symbol class
``4`` on every row; the locality list has neither population nor ids.
"""

from __future__ import annotations

import json

import pandas as pd
import shapely
from fixtures_ingest_files import (
    SETTINGS,
    THIES,
    feature,
    issues_of,
    write_csv,
    write_geojson,
)
from pyproj import Transformer

import atlas
from atlas.diagnostics import diagnose
from atlas.ingest import import_file

NORTH = shapely.box(-17.0, 15.0, -15.0, 16.0)
SOUTH = shapely.box(-17.0, 14.0, -15.0, 15.0)
NORTH_WEST = shapely.box(-17.0, 15.0, -16.0, 16.0)
NORTH_EAST = shapely.box(-16.0, 15.0, -15.0, 16.0)


def _gadm(level: int, code: str, name: str, shape: shapely.Geometry) -> dict:
    """One GADM 4.1 feature: GID_0 … GID_level of its ancestors, NAME_/TYPE_ of its own."""
    parts = code.split(".")
    gids = {"GID_0": "SEN"}
    for n in range(1, level + 1):
        gids[f"GID_{n}"] = "SEN." + ".".join(parts[1:n + 1]) + "_1"
    types = {1: "Région", 2: "Département", 3: "Arrondissement", 4: "Commune"}
    return feature({**gids, "COUNTRY": "Senegal", f"NAME_{level}": name,
                    f"TYPE_{level}": types[level]}, shape)


def _boundaries(tmp_path):
    regions = write_geojson(tmp_path / "gadm41_SEN_1.json", [
        _gadm(1, "SEN.1", "Nord", NORTH), _gadm(1, "SEN.2", "Sud", SOUTH)])
    departements = write_geojson(tmp_path / "gadm41_SEN_2.json", [
        _gadm(2, "SEN.1.1", "Nord-Ouest", NORTH_WEST),
        _gadm(2, "SEN.1.2", "Nord-Est", NORTH_EAST)])
    # four communes, two per arrondissement: GID_3 repeats, GID_4 does not
    communes = write_geojson(tmp_path / "gadm41_SEN_4.json", [
        _gadm(4, "SEN.1.1.1.1", "Ouest-Nord", shapely.box(-17.0, 15.5, -16.5, 16.0)),
        _gadm(4, "SEN.1.1.1.2", "Ouest-Sud", shapely.box(-17.0, 15.0, -16.5, 15.5)),
        _gadm(4, "SEN.1.1.2.1", "Centre", shapely.box(-16.5, 15.0, -16.0, 16.0)),
        _gadm(4, "SEN.1.2.1.1", "Est", NORTH_EAST)])
    return regions, departements, communes


def test_gadm_level_4_communes_hang_from_their_departement(target_url, tmp_path):
    regions, departements, communes = _boundaries(tmp_path)
    with atlas.create(target_url, SETTINGS) as opened:
        import_file(opened, regions, "territories", mode="replace", level=1).commit()
        import_file(opened, departements, "territories", mode="append", level=2).commit()
        plan = import_file(opened, communes, "territories", mode="append", level=3)
        assert plan.ok, plan.summary()
        assert plan.frame["code"].tolist() == ["SEN.1.1.1.1_1", "SEN.1.1.1.2_1",
                                               "SEN.1.1.2.1_1", "SEN.1.2.1.1_1"]
        [skipped] = issues_of(plan, "level_skipped")
        # a GADM level-4 file types its own level only (TYPE_4): GID_3 is named by its column
        assert skipped.message("fr") == ("Les unités du niveau 3 du fichier (GID_3) ne sont "
                                         "pas dans cet atlas : les communes sont "
                                         "rattaché(e)s à leur département.")
        plan.commit()
        tree = opened.territories
        assert tree.children("SEN.1.1_1") == ["SEN.1.1.1.1_1", "SEN.1.1.1.2_1",
                                              "SEN.1.1.2.1_1"]
        assert tree.parent("SEN.1.2.1.1_1") == "SEN.1.2_1"
        assert len(tree.frame) == 8


def test_replacing_one_level_keeps_the_others(target_url, tmp_path):
    regions, departements, _ = _boundaries(tmp_path)
    with atlas.create(target_url, SETTINGS) as opened:
        import_file(opened, regions, "territories", mode="replace", level=1).commit()
        import_file(opened, departements, "territories", mode="append", level=2).commit()
        # the régions alone, without --level: refused, saying what would be lost
        plan = import_file(opened, regions, "territories", mode="replace")
        [refused] = issues_of(plan, "replace_loses_levels")
        assert refused.severity == "error" and refused.params["count"] == 2
        assert "--level 1" in refused.hint("fr")
        # with --level 1: the régions are replaced, the départements stay
        import_file(opened, regions, "territories", mode="replace", level=1).commit()
        assert len(opened.territories.frame) == 4
        assert opened.territories.parent("SEN.1.2_1") == "SEN.1_1"


def test_a_utm_geojson_without_crs_is_one_message_with_the_crs_to_give(target_url, tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32628", always_xy=True)
    points = []
    for i in range(240):
        x, y = to_utm.transform(THIES[0], THIES[1] + i * 1e-4)
        points.append({"type": "Feature", "properties": {"nom": f"Forage {i}"},
                       "geometry": {"type": "Point", "coordinates": [x, y]}})
    path = tmp_path / "forages_utm.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": points}))
    with atlas.create(target_url, SETTINGS) as opened:
        sn = write_geojson(tmp_path / "sn.json", [feature(
            {"GID_0": "SEN", "NAME_0": "Sénégal"}, shapely.box(-17.6, 12.3, -11.3, 16.7))])
        import_file(opened, sn, "territories", mode="replace", level=0).commit()
        plan = import_file(opened, path, "water_points", constants=[
            "status=functional", "source_type=borehole"])
        [hint] = [i for i in plan.report.issues if i.field == "geometry"]
        assert hint.code == "coords_projected" and hint.params["count"] == 240
        assert hint.hint("en") == "Import with --crs EPSG:32628."
        plan = import_file(opened, path, "water_points", crs="EPSG:32628", constants=[
            "status=functional", "source_type=borehole"])
        assert plan.ok, plan.summary()
        assert not issues_of(plan, "crs_override")
        assert "EPSG:4326" not in plan.summary()


BOREHOLE_HEADER = ["NOM", "type", "LATITUDE", "LONGITUDE"]


def _borehole_list(tmp_path):
    """24 boreholes 110 m apart, then rows 25-27 copying boreholes 1-3 exactly, then rows
    28-29 entering boreholes 5 and 6 again 0.3 m away (same name): 29 rows."""
    rows = [[f"Forage {i}", 4, round(THIES[1] + i * 1e-3, 6), THIES[0]] for i in range(1, 25)]
    rows += rows[:3]
    rows += [[f"Forage {i}", 4, round(THIES[1] + i * 1e-3 + 3e-6, 6), THIES[0]] for i in (5, 6)]
    return write_csv(tmp_path / "forages.csv", BOREHOLE_HEADER, rows)


def test_a_map_class_column_is_one_message_not_one_per_row(regions_atlas, tmp_path):
    plan = import_file(regions_atlas, _borehole_list(tmp_path), "water_points")
    assert not issues_of(plan, "unknown_category")
    [wrong] = issues_of(plan, "column_not_field")
    assert (wrong.severity, wrong.field, wrong.row) == ("error", "source_type", None)
    assert wrong.message("fr") == ("La colonne « type » contient 1 valeur(s) distincte(s) (4) "
                                   "dont aucune n'est une valeur de « Type de source » "
                                   "(29 ligne(s) sur 29).")
    assert "--set source_type=borehole" in wrong.hint("fr")


def test_a_missing_state_column_suggests_set_with_the_allowed_values(regions_atlas, tmp_path):
    plan = import_file(regions_atlas, _borehole_list(tmp_path), "water_points")
    [missing] = [i for i in issues_of(plan, "missing_column") if i.field == "status"]
    assert missing.hint("en").endswith(
        "--set status=VALUE; allowed values: functional, partly_functional, "
        "non_functional, abandoned, unknown.")


def test_the_borehole_list_imports_with_set_and_drop_duplicates(regions_atlas, tmp_path):
    plan = import_file(regions_atlas, _borehole_list(tmp_path), "water_points",
                       constants=["status=unknown", "source_type=borehole"],
                       drop_duplicates=True)
    assert plan.ok, plan.summary()
    assert plan.dropped_rows == [25, 26, 27]
    # the same-place rows are a warning naming them; they are not dropped
    [place] = issues_of(plan, "same_place_same_name")
    assert place.severity == "warning" and plan.duplicates.same_place == [[4, 27], [5, 28]]
    plan.commit(user="tests")
    stored = regions_atlas.read("water_points")
    assert len(stored) == 26
    assert set(stored["status"]) == {"unknown"} and set(stored["source_type"]) == {"borehole"}


def test_boreholes_of_unknown_state_give_no_rate_but_their_count(regions_atlas, tmp_path):
    import_file(regions_atlas, _borehole_list(tmp_path), "water_points",
                constants=["status=unknown", "source_type=borehole"],
                drop_duplicates=True).commit(user="tests")
    table = diagnose(regions_atlas, level=1, indicators=["wp_count", "wp_functional"])
    region = regions_atlas.territories.locate([shapely.Point(THIES)]).iloc[0]
    mine = table[table["territory_code"] == region].set_index(["indicator", "breakdown"])
    assert mine.loc[("wp_count", ""), "value"] == 26
    assert pd.isna(mine.loc[("wp_functional", ""), "value"])
    assert mine.loc[("wp_functional", ""), "reason"] == "état inconnu pour tous (voir leur nombre)"
    assert mine.loc[("wp_functional", "unknown"), "value"] == 26


def test_a_locality_list_without_population_or_ids_imports(regions_atlas, tmp_path):
    rows = [["Keur Ndiaye", THIES[1], THIES[0]], ["Ndiaye Peul", THIES[1] + 0.01, THIES[0]]]
    path = write_csv(tmp_path / "localites.csv", ["NOM", "LATITUDE", "LONGITUDE"], rows)
    plan = import_file(regions_atlas, path, "localities")
    assert plan.ok, plan.summary()
    plan.commit(user="tests")
    stored = regions_atlas.read("localities")
    assert stored["name"].tolist() == ["Keur Ndiaye", "Ndiaye Peul"]
    assert stored["population"].isna().all()


def test_a_specific_column_wins_over_a_generic_one(regions_atlas, tmp_path):
    rows = [[f"Forage {i}", 4, "Forage", "fonctionnel", THIES[1] + i * 1e-3, THIES[0]]
            for i in range(3)]
    path = write_csv(tmp_path / "pe.csv", ["nom", "type", "type_point_eau", "etat", "lat",
                                           "lon"], rows)
    plan = import_file(regions_atlas, path, "water_points")
    assert plan.files[0].mapping.fields["source_type"] == ["type_point_eau"]
    assert plan.ok, plan.summary()


def test_census_columns_feed_the_population_and_its_year(target_url, tmp_path):
    def regions(name, column, north, south):
        return write_geojson(tmp_path / name, [
            feature({"GID_0": "SEN", "GID_1": "SEN.1_1", "NAME_1": "Nord", column: north},
                    NORTH),
            feature({"GID_0": "SEN", "GID_1": "SEN.2_1", "NAME_1": "Sud", column: south},
                    SOUTH)])

    with atlas.create(target_url, SETTINGS) as opened:
        # POP_RGPH5 is recognised; it carries no year, so the analyst gives it
        plan = import_file(opened, regions("rgph5.json", "POP_RGPH5", 1250, 830),
                           "territories", mode="replace", level=1,
                           constants=["population_year=2023"])
        assert plan.ok, plan.summary()
        plan.commit(user="tests")
        stored = opened.read("territories").set_index("code")
        assert stored.loc[["SEN.1_1", "SEN.2_1"], "population"].tolist() == [1250, 830]
        assert stored.loc[["SEN.1_1", "SEN.2_1"], "population_year"].tolist() == [2023, 2023]
        # a POP_<year> column brings its year
        plan = import_file(opened, regions("rgph3.json", "POP_2013", 1000, 700),
                           "territories", mode="replace", level=1)
        assert plan.frame["population"].tolist() == [1000, 700]
        assert plan.frame["population_year"].tolist() == [2013, 2013]


def test_a_census_table_updates_the_population_of_stored_territories(target_url, tmp_path):
    regions, departements, _ = _boundaries(tmp_path)
    census = write_csv(tmp_path / "rgph5.csv", ["CODE", "POP_2023"], [
        ["SEN.1.1_1", 12500], ["SEN.1.2_1", 8300], ["SEN.9.9_1", 100]])
    with atlas.create(target_url, SETTINGS) as opened:
        import_file(opened, regions, "territories", mode="replace", level=1).commit()
        import_file(opened, departements, "territories", mode="append", level=2).commit()
        plan = import_file(opened, census, "territories", mode="update",
                           mapping=["code=CODE"])
        assert plan.ok, plan.summary()
        # one message for the unknown code; nothing about parents or places
        assert [i.code for i in plan.report.issues] == ["update_unknown"]
        assert plan.report.issues[0].params["codes"] == "SEN.9.9_1"
        plan.commit(user="tests")
        stored = opened.read("territories").set_index("code")
    assert stored.loc[["SEN.1.1_1", "SEN.1.2_1"], "population"].tolist() == [12500, 8300]
    assert stored.loc[["SEN.1.1_1", "SEN.1.2_1"], "population_year"].tolist() == [2023, 2023]
    assert stored.loc[["SEN.1.1_1", "SEN.1.2_1"], "parent_code"].tolist() == ["SEN.1_1"] * 2
    assert stored.loc[["SEN.1.1_1"], "name"].tolist() == ["Nord-Ouest"]
    assert not stored.loc[["SEN.1.1_1"]].geometry.is_empty.any()
