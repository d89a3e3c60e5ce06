"""Every built-in indicator on the tiny atlas, against values computed by hand.

The layout and the features are in ``tiny_atlas.py``; each expected
value below is written as the arithmetic on those numbers (distances in metres from
the communes' origin), never by calling the code under test.
"""

from __future__ import annotations

from math import hypot, isnan

import pandas as pd
import pytest
from tiny_atlas import REFERENCE_YEAR, build_tiny_atlas

from atlas.diagnostics import diagnose

COMMUNES = ["SN0101", "SN0102", "SN0201", "SN0202"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    with build_tiny_atlas(folder / "tiny.gpkg", folder) as opened:
        yield opened


@pytest.fixture(scope="module")
def table(tiny):
    """Localities as the population source (the raster has its own tests)."""
    return diagnose(tiny, level=[2, 1, 0], population="localities",
                    reference_year=REFERENCE_YEAR)


def values(table, indicator, breakdown="", codes=COMMUNES):
    rows = table[(table["indicator"] == indicator) & (table["breakdown"] == breakdown)]
    return rows.set_index("territory_code")["value"].reindex(codes).tolist()


def reason(table, code, indicator, breakdown=""):
    rows = table[(table["territory_code"] == code) & (table["indicator"] == indicator)
                 & (table["breakdown"] == breakdown)]
    assert len(rows) == 1
    assert isnan(rows["value"].iloc[0])
    return rows["reason"].iloc[0]


def close(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert isnan(a)
        else:
            assert a == pytest.approx(e, rel=1e-9, abs=1e-6)


# -- demography ------------------------------------------------------------------------
@pytest.mark.slow
def test_population_from_localities(table):
    # SN0101: L1 + L2 + L3; SN0102: L5; SN0201: L6; SN0202: L4 + L7 (L8 unknown, left out)
    close(values(table, "pop_total"), [1000 + 500 + 300, 800, 400, 700 + 600])
    close(values(table, "pop_total", codes=["SN01", "SN02", "SN"]),
          [1800 + 800, 400 + 1300, 4300])


def test_density_uses_areas_in_the_metric_crs(table):
    close(values(table, "pop_density"), [1800 / 100, 800 / 100, 400 / 100, 1300 / 100])
    close(values(table, "pop_density", codes=["SN"]), [4300 / 400])


def test_localities_are_counted_with_or_without_population(table):
    # SN0101: L1, L2, L3; SN0102: L5; SN0201: L6; SN0202: L4, L7, L8
    close(values(table, "loc_count"), [3, 1, 1, 3])
    close(values(table, "loc_count", codes=["SN"]), [8])


def test_the_localities_own_population_leaves_unknown_ones_out(table):
    # L8 (SN0202) has no population: it adds nothing
    close(values(table, "loc_population"), [1000 + 500 + 300, 800, 400, 700 + 600])


def test_localities_without_any_population_are_not_zero_people(tmp_path):
    from tiny_atlas import layers

    with build_tiny_atlas(tmp_path / "tiny.gpkg") as opened:
        villages = layers()["localities"]
        villages["population"] = None
        opened.write("localities", villages)
        table = diagnose(opened, level=2, indicators=["loc_count", "loc_population"])
    close(values(table, "loc_population"), [None, None, None, None])
    assert reason(table, "SN0101", "loc_population") == \
        "population des localités non renseignée"
    close(values(table, "loc_count"), [3, 1, 1, 3])


def test_population_from_the_raster(tiny):
    raster = diagnose(tiny, level=2, indicators=["pop_total"])
    # 100 cells of 10 people per commune; the nodata cell is in SN0201
    close(values(raster, "pop_total"), [1000, 1000, 990, 1000])
    assert raster["data_date"].unique().tolist() == ["2020"]


# -- schools ---------------------------------------------------------------------------
def test_school_counts_are_real_zeros(table):
    close(values(table, "sch_count"), [2, 2, 0, 1])


def test_pupils_by_sex(table):
    close(values(table, "sch_pupils", "total"), [60 + 50 + 40 + 30, 100 + 120 + 20, 0, 80])
    close(values(table, "sch_pupils", "girls"), [60 + 40, 100 + 20, 0, 0])
    close(values(table, "sch_pupils", "boys"), [50 + 30, 120, 0, 80])  # S4's boys unknown


def test_water_service_ladder_and_share(table):
    # S1 basic, S2 limited (no water that day), S3 no service (unimproved),
    # S4 unknown (no source recorded), S5 basic
    close(values(table, "sch_water_ladder", "basic"), [1, 0, 0, 1])
    close(values(table, "sch_water_ladder", "limited"), [1, 0, 0, 0])
    close(values(table, "sch_water_ladder", "no_service"), [0, 1, 0, 0])
    close(values(table, "sch_water_ladder", "unknown"), [0, 1, 0, 0])
    close(values(table, "sch_water_basic"), [1 / 2 * 100, 0 / 1 * 100, None, 100])
    assert reason(table, "SN0201", "sch_water_basic") == "aucune école"
    close(values(table, "sch_water_basic", codes=["SN01", "SN02"]), [1 / 3 * 100, 100])


def test_sanitation_ladder_with_unusable_latrines(table):
    # S1 basic; S2 has latrines but none usable: limited; S3 none: no service;
    # S4 mixed latrines only: limited; S5 boys-only school with boys' latrines: basic
    close(values(table, "sch_sanitation_ladder", "basic"), [1, 0, 0, 1])
    close(values(table, "sch_sanitation_ladder", "limited"), [1, 1, 0, 0])
    close(values(table, "sch_sanitation_ladder", "no_service"), [0, 1, 0, 0])
    close(values(table, "sch_sanitation_basic"), [50, 0, None, 100])


def test_hygiene_ladder(table):
    # S1 basic, S2 limited (no soap), S3 no facility, S4 facility without water data
    close(values(table, "sch_hygiene_ladder", "basic"), [1, 0, 0, 1])
    close(values(table, "sch_hygiene_ladder", "limited"), [1, 0, 0, 0])
    close(values(table, "sch_hygiene_ladder", "no_service"), [0, 1, 0, 0])
    close(values(table, "sch_hygiene_ladder", "unknown"), [0, 1, 0, 0])
    close(values(table, "sch_hygiene_basic"), [50, 0, None, 100])


def test_pupils_per_usable_latrine(table):
    # SN0101: girls 60 + 40 for 2 + 0 usable girls' latrines; boys 50 + 30 for 1 + 0
    close(values(table, "sch_pupils_per_latrine_girls"), [100 / 2, None, None, None])
    close(values(table, "sch_pupils_per_latrine_boys"), [80 / 1, None, None, 80 / 2])
    assert reason(table, "SN0102", "sch_pupils_per_latrine_girls") \
        == "aucune latrine utilisable pour les filles"
    assert reason(table, "SN0102", "sch_pupils_per_latrine_boys") \
        == "aucune latrine utilisable pour les garçons"
    assert reason(table, "SN0201", "sch_pupils_per_latrine_girls") == "aucune école"
    girls = table[(table["indicator"] == "sch_pupils_per_latrine_girls")
                  & (table["territory_code"] == "SN0101")].iloc[0]
    assert (girls["threshold"], girls["status"]) == (30, "above")


def test_fenced_share_ignores_unknown(table):
    close(values(table, "sch_fenced"), [1 / 2 * 100, 1 / 1 * 100, None, 100])


def test_school_distance_to_water(table):
    # nearest functional improved points: S1 → W2, S2 → W2, S3 → W4, S4 → W6, S5 → W6
    s1, s2 = hypot(3000 - 2300, 3000 - 2000), 6000 - 2300
    s3, s4 = hypot(12000 - 10000, 2000 - 10000), hypot(18000 - 15000, 8000 - 15000)
    close(values(table, "sch_dist_water"), [(s1 + s2) / 2, (s3 + s4) / 2, None, 100])
    rows = table[(table["indicator"] == "sch_dist_water") & (table["level"] == 2)]
    assert rows["status"].tolist() == ["above", "above", "n.a.", "ok"]
    assert rows["threshold_source"].iloc[0] == "Sphere"


def test_priority_schools_count(table):
    # SN0101: S2 (limited, 70 pupils); SN0102: S3 (no service, 220); S4 unknown is not listed
    close(values(table, "priority_schools", "schools"), [1, 1, 0, 0])
    close(values(table, "priority_schools", "pupils"), [70, 220, 0, 0])


# -- water points ------------------------------------------------------------------------
def test_water_point_on_a_boundary_is_counted_once(table):
    # W4 (no territory code, on the corner of the four communes) goes to SN0101 only
    close(values(table, "wp_count"), [4, 1, 0, 1])
    close(values(table, "wp_count", codes=["SN01", "SN02", "SN"]), [5, 1, 6])


def test_functionality_rate(table):
    # SN0101: W1, W2, W4 work, W3 does not; W6 is partly functional (counts as working)
    close(values(table, "wp_functional"), [3 / 4 * 100, 100, None, 100])
    assert reason(table, "SN0201", "wp_functional") == "aucun point d'eau"


def test_points_per_1000_people_exclude_broken_and_unimproved(table):
    # W3 is broken, W5 unimproved
    close(values(table, "wp_per_1000"), [3 / 1800 * 1000, 0, 0, 1 / 1300 * 1000])


def test_coverage_counts_each_locality_once(table):
    # within 500 m of W1/W2/W4/W6: L1 (412 m from W1 and 447 m from W2: overlapping
    # buffers), L3 (224 m from W4), L4 (361 m from W4, across the corner), L7 (200 m)
    assert hypot(100, 400) < 500 and hypot(200, 400) < 500
    close(values(table, "pop_within_500m"),
          [(1000 + 300) / 1800 * 100, 0, 0, (700 + 600) / 1300 * 100])
    close(values(table, "pop_within_500m", codes=["SN01", "SN02", "SN"]),
          [1300 / 2600 * 100, 1300 / 1700 * 100, 2600 / 4300 * 100])


def test_coverage_excludes_broken_and_unimproved_points(tiny):
    # L2 is 200 m from W3 (broken) and L5 300 m from W5 (unprotected well): not covered
    table = diagnose(tiny, level=2, indicators=["pop_within_500m"], population="localities",
                     distance=350)
    # at 350 m only L3 (224 m) and L7 (200 m) remain
    close(values(table, "pop_within_500m"), [300 / 1800 * 100, 0, 0, 600 / 1300 * 100])
    assert table["label"].iloc[0].startswith("Population à ≤ 350 m")


def test_coverage_from_the_raster_with_overlapping_buffers(tiny):
    table = diagnose(tiny, level=2, indicators=["pop_within_500m"], distance=1000)
    # 1 km cells centred on 500 m offsets. W1 (a cell corner) reaches the 4 cells around
    # it at 707 m; W2, 300 m east, reaches the same 4 cells (538 and 943 m): counted once.
    # W4 reaches one cell in each commune, W6 the 4 cells around it in SN0202.
    assert hypot(500, 500) < 1000 and hypot(800, 500) < 1000 < hypot(1200, 500)
    close(values(table, "pop_within_500m"),
          [5 * 10 / 1000 * 100, 1 * 10 / 1000 * 100, 1 * 10 / 990 * 100,
           5 * 10 / 1000 * 100])


def test_load_per_water_point_by_type(table):
    # each locality uses its nearest functional improved point:
    # W1 (hand pump) ← L1 1000; W2 (tap) ← L2 500; W4 (hand pump) ← L3, L4, L5, L6;
    # W6 (open well) ← L7 600
    assert hypot(5000 - 2300, 5200 - 2000) < hypot(5000 - 2000, 5200 - 2000)
    w4 = 300 + 700 + 800 + 400
    close(values(table, "wp_load", "hand_pump"), [(1000 + w4) / 2, None, None, None])
    close(values(table, "wp_load", "tap"), [500, None, None, None])
    close(values(table, "wp_load", "open_well"), [None, None, None, 600])
    assert reason(table, "SN0102", "wp_load", "tap") \
        == "aucun point d'eau fonctionnel amélioré de ce type"
    rows = table[(table["indicator"] == "wp_load") & (table["territory_code"] == "SN0101")]
    assert rows.set_index("breakdown")["threshold"].to_dict() == {
        "tap": 250, "hand_pump": 500, "open_well": 400}
    assert rows.set_index("breakdown")["status"].to_dict() == {
        "tap": "above", "hand_pump": "above", "open_well": "n.a."}


def test_age_of_water_points(table):
    # reference 2025; W4's year is unknown and left out
    close(values(table, "wp_age"), [((2025 - 2000) + (2025 - 2010) + (2025 - 1990)) / 3,
                                     2025 - 2015, None, 2025 - 2020])


def test_priority_localities_count(table):
    # beyond 500 m: L2 (500), L5 (800), L6 (400); L8 has no population
    close(values(table, "priority_localities", "localities"), [1, 1, 1, 1])
    close(values(table, "priority_localities", "population"), [500, 800, 400, None])
    # SN0202's one far locality (L8) has no population: not 0 people, not known
    assert reason(table, "SN0202", "priority_localities", "population") == \
        "population des localités non renseignée"


# -- environment -------------------------------------------------------------------------
def test_mangrove_area_per_year_cut_by_territory(table):
    # 2015: M15a (2 km x 1 km) ∪ M15c (which lies inside M15a: counted once) in SN0101,
    # plus M15b split by the x = 10 km boundary: 1 km x 1 km on each side
    close(values(table, "mangrove_area", "2015"), [200 + 100, 100, 0, 0])
    close(values(table, "mangrove_area", "2020"), [150 + 100, 100, 0, 0])


def test_mangrove_change(table):
    close(values(table, "mangrove_change", "ha"), [250 - 300, 0, 0, 0])
    close(values(table, "mangrove_change", "pct"), [(250 - 300) / 300 * 100, 0, None, None])
    assert reason(table, "SN0201", "mangrove_change", "pct") == "pas de mangrove en 2015"
    label = table.loc[table["indicator"] == "mangrove_change", "label"].iloc[0]
    assert "2015–2020" in label


def test_reforested_area(table):
    close(values(table, "mangrove_reforested"), [500 * 1000 / 1e4, 0, 0, 1000 * 500 / 1e4])


def test_waste(table):
    close(values(table, "waste_dumps"), [1, 0, 0, 0])  # D2 was cleaned up
    # D3 active, D4 with unknown status counts, D5 closed does not
    close(values(table, "waste_collection_per_1000"), [0, 1 / 800 * 1000, 0, 1 / 1300 * 1000])


# -- energy, housing, programmes ----------------------------------------------------------
def test_biodigesters(table):
    close(values(table, "bio_count"), [2, 1, 0, 1])
    close(values(table, "bio_functional"), [50, None, None, 100])
    close(values(table, "bio_functional", "unknown"), [0, 1, 0, 0])
    assert reason(table, "SN0102", "bio_functional") == "état inconnu pour tous (voir leur nombre)"
    assert reason(table, "SN0201", "bio_functional") == "aucun biodigesteur"


def test_nubian_vaults(table):
    close(values(table, "nv_buildings"), [3, 1, 0, 1])
    close(values(table, "nv_area", "total"), [50 + 120, None, 0, 80])
    close(values(table, "nv_area", "house"), [50, 0, 0, 0])
    close(values(table, "nv_area", "school"), [120, 0, 0, 0])
    close(values(table, "nv_area", "mosque"), [0, 0, 0, 80])
    assert reason(table, "SN0102", "nv_area", "total") == "données non renseignées"


def test_people_reached_by_sex(table):
    close(values(table, "act_beneficiaries", "total"), [10 + 5 + 3, 0, 0, None])
    close(values(table, "act_beneficiaries", "women"), [10 + 3, 0, 0, None])
    close(values(table, "act_beneficiaries", "men"), [5, 0, 0, None])
    # A4 (SN0202) is a WASH activity whose people were not counted: unknown, not zero
    close(values(table, "act_beneficiaries", "wash_schools"), [15, 0, 0, None])
    # A3 is attached to the whole SN02 region: counted there, in none of its communes
    close(values(table, "act_beneficiaries", "total", codes=["SN01", "SN02"]), [18, 40])
    close(values(table, "act_beneficiaries", "waste", codes=["SN01", "SN02"]), [0, 40])


# -- nothing silently missing ---------------------------------------------------------------
def test_every_nan_has_a_reason_and_every_value_none(table):
    missing = table["value"].isna()
    assert table.loc[missing, "reason"].notna().all()
    assert table.loc[~missing, "reason"].isna().all()
    assert set(table["indicator"]) >= {
        "pop_total", "pop_density", "sch_count", "sch_pupils", "sch_water_basic",
        "sch_water_ladder", "sch_sanitation_basic", "sch_hygiene_basic",
        "sch_pupils_per_latrine_girls", "sch_pupils_per_latrine_boys", "sch_fenced",
        "sch_dist_water", "wp_count", "wp_functional", "wp_per_1000", "wp_load",
        "pop_within_500m", "wp_age", "mangrove_area", "mangrove_change",
        "mangrove_reforested", "nv_buildings", "nv_area", "bio_count", "bio_functional",
        "waste_dumps", "waste_collection_per_1000", "act_beneficiaries",
        "priority_localities", "priority_schools", "loc_count", "loc_population"}
    assert isinstance(table, pd.DataFrame)
