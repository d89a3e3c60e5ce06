"""Real public files (Who's On First, Senegal, Guinea, Morocco) imported into fresh atlases:
the territory tree is built and known places fall in their territories.
"""

from __future__ import annotations

import pyogrio
import pytest
from fixtures_ingest_files import (
    GN_LABE_LOCALITIES,
    GN_PREFECTURES,
    GN_SETTINGS,
    MA_PROVINCES,
    MA_REGIONS,
    MA_SAFI_LOCALITIES,
    MA_SETTINGS,
    SETTINGS,
    SN_DEPARTEMENTS,
    SN_LOCALITIES,
    SN_REGIONS,
    THIES_DEPARTEMENT,
    THIES_REGION,
    issues_of,
)

import atlas
from atlas.ingest import import_file, import_territories

LABE_PREFECTURE = "421184941"
SAFI_PROVINCE, MARRAKECH_SAFI = "890445397", "1796661373"
FES_MEKNES, OLD_FES_REGION = "1796661365", "85673887"


@pytest.mark.slow
def test_senegal_tree_and_localities(tmp_path):
    with atlas.create(tmp_path / "senegal.gpkg", SETTINGS) as opened:
        plan = import_territories(opened, {1: SN_REGIONS, 2: SN_DEPARTEMENTS})
        assert plan.ok, plan.summary()
        assert {i.code for i in plan.report.issues} <= {"geometry_repaired"}
        revision = plan.commit(user="ard")
        assert revision.source == "wof_sn_regions.gpkg, wof_sn_departements.gpkg"
        assert revision.rows_written == 14 + 44
        tree = opened.territories
        assert tree.levels == [1, 2]
        assert len(tree.at_level(1)) == 14 and len(tree.at_level(2)) == 44
        thies = tree.get(THIES_REGION)
        assert (thies.name, thies.country, thies.level_name) == ("Thiès", "SN", "région")
        assert tree.parent(THIES_DEPARTEMENT) == THIES_REGION
        assert all(tree.parent(code) is not None for code in tree.at_level(2).index)
        assert tree.frame["boundary_version"].str.startswith("Who's On First 20").all()

        plan = import_file(opened, SN_LOCALITIES, "localities", skip_invalid=True)
        # two GeoNames points lie north of the river, in Mauritania
        assert {i.code for i in plan.report.errors} == {"outside_territory"}
        assert len(plan.rejected_rows) == 2
        assert [i.code for i in issues_of(plan, "geometry_converted")] == ["geometry_converted"]
        revision = plan.commit()
        assert revision.rows_written == 9504 - 2
        assert any("[ligne rejetée]" in line for line in revision.warnings)
        localities = opened.read("localities")
        [thies_town] = localities[localities["name"] == "Thiès"].itertuples()
        assert thies_town.territory_code == THIES_DEPARTEMENT
        assert tree.ancestor_at(thies_town.territory_code, 1) == THIES_REGION
        in_thies = opened.read("localities", territory=THIES_REGION)
        assert "Thiès" in set(in_thies["name"])


def test_departements_get_their_region_by_location(tmp_path):
    with atlas.create(tmp_path / "sn.gpkg", SETTINGS) as opened:
        import_file(opened, SN_REGIONS, "territories", mode="replace", level=1).commit()
        plan = import_file(opened, SN_DEPARTEMENTS, "territories", mode="append", level=2,
                           mapping={"parent_code": None})
        assert plan.ok, plan.summary()
        assert any(r["field"] == "parent_code" for r in plan.mapping_table())
        plan.commit()
        tree = opened.territories
        wof = pyogrio.read_dataframe(SN_DEPARTEMENTS, read_geometry=False)
        expected = dict(zip(wof["wof_id"].astype(str), wof["region_id"].astype(str),
                            strict=True))
        found = {code: tree.parent(code) for code in tree.at_level(2).index}
        assert found == expected


def test_guinea_labe(tmp_path):
    with atlas.create(tmp_path / "guinee.gpkg", GN_SETTINGS) as opened:
        plan = import_file(opened, GN_PREFECTURES, "territories", mode="replace", level=2)
        assert plan.ok, plan.summary()
        [dropped] = issues_of(plan, "parents_dropped")
        assert dropped.row is None and "niveau 2" in dropped.message("fr")
        plan.commit()
        tree = opened.territories
        assert len(tree.at_level(2)) == 34
        assert tree.get(LABE_PREFECTURE).name == "Préfecture de Labé"
        assert tree.get(LABE_PREFECTURE).level_name == "préfecture"

        plan = import_file(opened, GN_LABE_LOCALITIES, "localities", skip_invalid=True)
        assert plan.ok
        plan.commit()
        localities = opened.read("localities")
        [labe] = localities[localities["locality_id"] == "421203621"].itertuples()
        assert (labe.name, labe.territory_code) == ("Labé", LABE_PREFECTURE)
        source = pyogrio.read_dataframe(GN_LABE_LOCALITIES, read_geometry=False)
        labe_ids = set(source.loc[source["prefecture"] == "Labe", "wof_id"].astype(str))
        placed = localities[localities["locality_id"].isin(labe_ids)]
        share = (placed["territory_code"] == LABE_PREFECTURE).mean()
        assert share > 0.95


def test_morocco_safi(tmp_path):
    with atlas.create(tmp_path / "maroc.gpkg", MA_SETTINGS) as opened:
        plan = import_territories(opened, {1: MA_REGIONS, 2: MA_PROVINCES})
        assert plan.ok, plan.summary()
        # four provinces still point to the pre-2015 Fès-Boulemane region
        relocated = issues_of(plan, "parent_by_location")
        assert {i.value for i in relocated} == {OLD_FES_REGION}
        assert {i.params["found"] for i in relocated} == {FES_MEKNES}
        assert relocated[0].message("en").startswith(f"Parent territory '{OLD_FES_REGION}'")
        plan.commit()
        tree = opened.territories
        assert tree.parent(SAFI_PROVINCE) == MARRAKECH_SAFI
        assert tree.get(MARRAKECH_SAFI).name == "Marrakech-Safi"

        plan = import_file(opened, MA_SAFI_LOCALITIES, "localities", skip_invalid=True)
        assert plan.ok
        plan.commit()
        localities = opened.read("localities")
        [safi] = localities[localities["locality_id"] == "890444505"].itertuples()
        assert (safi.name, safi.territory_code) == ("Safi", SAFI_PROVINCE)
        assert tree.ancestor_at(safi.territory_code, 1) == MARRAKECH_SAFI
