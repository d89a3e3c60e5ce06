"""Boundary files from HDX (COD-AB), GADM and geoBoundaries build the territory tree."""

from __future__ import annotations

import shapely
from fixtures_ingest_files import SETTINGS, cells, feature, issues_of, write_geojson

import atlas
from atlas.ingest import import_file, import_territories

NORTH = shapely.box(-17.0, 15.0, -15.0, 16.0)
SOUTH = shapely.box(-17.0, 14.0, -15.0, 15.0)
NORTH_WEST = shapely.box(-17.0, 15.0, -16.0, 16.0)
NORTH_EAST = shapely.box(-16.0, 15.0, -15.0, 16.0)
SOUTH_ALL = shapely.box(-16.9, 14.1, -15.1, 14.9)


def _cod_ab(tmp_path):
    regions = write_geojson(tmp_path / "sen_admbnda_adm1.geojson", [
        feature({"ADM1_FR": "Nord", "ADM1_PCODE": "SN01", "ADM0_FR": "Sénégal",
                 "ADM0_PCODE": "SN", "validOn": "2021-06-01"}, NORTH),
        feature({"ADM1_FR": "Sud", "ADM1_PCODE": "SN02", "ADM0_FR": "Sénégal",
                 "ADM0_PCODE": "SN", "validOn": "2021-06-01"}, SOUTH),
    ])
    departements = write_geojson(tmp_path / "sen_admbnda_adm2.geojson", [
        feature({"ADM2_FR": "Nord-Ouest", "ADM2_PCODE": "SN0101", "ADM1_FR": "Nord",
                 "ADM1_PCODE": "SN01", "ADM0_PCODE": "SN"}, NORTH_WEST),
        feature({"ADM2_FR": "Nord-Est", "ADM2_PCODE": "SN0102", "ADM1_FR": "Nord",
                 "ADM1_PCODE": "SN01", "ADM0_PCODE": "SN"}, NORTH_EAST),
        feature({"ADM2_FR": "Sud", "ADM2_PCODE": "SN0201", "ADM1_FR": "Sud",
                 "ADM1_PCODE": "SN0X", "ADM0_PCODE": "SN"}, SOUTH_ALL),
    ])
    return regions, departements


def test_hdx_cod_ab_one_file_per_level(gpkg_url, tmp_path):
    regions, departements = _cod_ab(tmp_path)
    with atlas.create(gpkg_url, SETTINGS) as opened:
        plan = import_territories(opened, {1: regions, 2: departements})
        assert plan.ok, plan.summary()
        mapping = {r["field"].split(": ")[-1]: r["columns"] for r in plan.mapping_table()}
        assert mapping["code"] == "ADM2_PCODE" and mapping["parent_code"] == "ADM1_PCODE"
        # SN0X is not a region: the parent is found by location, and said so
        [relocated] = issues_of(plan, "parent_by_location")
        assert (relocated.row, relocated.value, relocated.params["found"]) == (3, "SN0X", "SN02")
        assert relocated.message("fr") == ("Territoire parent « SN0X » introuvable ; le parent "
                                           "retenu est « SN02 », qui contient l'unité.")
        plan.commit()
        tree = opened.territories
        assert tree.children("SN01") == ["SN0101", "SN0102"]
        assert tree.parent("SN0201") == "SN02"
        assert tree.get("SN01").country == "SN" and tree.get("SN0101").name == "Nord-Ouest"
        assert tree.frame.loc["SN01", "boundary_version"] == "2021-06-01"
        assert tree.get("SN01").parent_code is None  # no level 0 in this atlas


def test_the_finest_unique_code_column_is_the_unit_whatever_the_level(gpkg_url, tmp_path):
    _, departements = _cod_ab(tmp_path)
    with atlas.create(gpkg_url, SETTINGS) as opened:
        plan = import_file(opened, departements, "territories", mode="replace")
        assert plan.frame["code"].tolist() == ["SN0101", "SN0102", "SN0201"]
        assert plan.frame["level"].tolist() == [2, 2, 2]
        assert [i.code for i in plan.report.issues] == ["parents_dropped"]
        # --level says where the units go, not which code column they are: the unit's
        # code stays the finest column unique per row (ADM1_PCODE is shared by two rows)
        plan = import_file(opened, departements, "territories", mode="replace", level=1)
        assert plan.frame["code"].tolist() == ["SN0101", "SN0102", "SN0201"]
        assert plan.frame["level"].tolist() == [1, 1, 1]
        assert not [i.code for i in plan.report.errors if i.code == "duplicate_id"]


def test_gadm_and_geoboundaries(gpkg_url, tmp_path):
    gadm = write_geojson(tmp_path / "gadm41_SEN_1.json", [
        feature({"GID_0": "SEN", "COUNTRY": "Senegal", "GID_1": "SEN.1_1", "NAME_1": "Nord",
                 "TYPE_1": "Région", "ENGTYPE_1": "Region"}, NORTH),
        feature({"GID_0": "SEN", "COUNTRY": "Senegal", "GID_1": "SEN.2_1", "NAME_1": "Sud",
                 "TYPE_1": "Région", "ENGTYPE_1": "Region"}, SOUTH),
    ])
    geoboundaries = write_geojson(tmp_path / "geoBoundaries-SEN-ADM2.geojson", [
        feature({"shapeName": "Nord-Ouest", "shapeISO": "", "shapeID": "SEN-ADM2-1",
                 "shapeGroup": "SEN", "shapeType": "ADM2"}, NORTH_WEST),
        feature({"shapeName": "Sud", "shapeISO": "", "shapeID": "SEN-ADM2-2",
                 "shapeGroup": "SEN", "shapeType": "ADM2"}, SOUTH_ALL),
    ])
    with atlas.create(gpkg_url, SETTINGS) as opened:
        plan = import_file(opened, gadm, "territories", mode="replace")
        assert plan.ok, plan.summary()
        assert plan.frame["code"].tolist() == ["SEN.1_1", "SEN.2_1"]
        assert plan.frame["level_name"].tolist() == ["Région", "Région"]
        plan.commit()
        plan = import_file(opened, geoboundaries, "territories")
        assert plan.ok, plan.summary()
        assert plan.frame["level"].tolist() == [2, 2]
        assert plan.frame["parent_code"].tolist() == ["SEN.1_1", "SEN.2_1"]
        plan.commit()
        assert opened.territories.levels == [1, 2]


def test_a_plain_file_needs_a_level(gpkg_url, tmp_path):
    path = write_geojson(tmp_path / "communes.geojson", [
        feature({"code_commune": "C1", "nom_commune": "Ndiaye"}, NORTH)])
    with atlas.create(gpkg_url, SETTINGS) as opened:
        plan = import_file(opened, path, "territories")
        [issue] = plan.report.errors
        assert issue.code == "missing_level" and "--level" in issue.hint("en")
        plan = import_file(opened, path, "territories", level=3)
        assert plan.ok
        assert (plan.frame["code"].iloc[0], plan.frame["name"].iloc[0]) == ("C1", "Ndiaye")
        assert cells(plan.frame["level_name"]) == ["commune"]  # from the atlas settings
