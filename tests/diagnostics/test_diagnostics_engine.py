"""The diagnose table: shape, parents, sibling ranks, standards, filters, languages,
missing data, and an indicator declared by a user the way built-in ones are."""

from __future__ import annotations

from math import isnan

import numpy as np
import pandas as pd
import pytest
from tiny_atlas import CENSUS, REFERENCE_YEAR, build_tiny_atlas

from atlas.catalog import Catalog, load_catalog
from atlas.diagnostics import COLUMNS, REGISTRY, Registry, diagnose, indicator
from atlas.errors import DiagnosticError, NotFoundError


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with build_tiny_atlas(tmp_path_factory.mktemp("engine") / "tiny.gpkg") as opened:
        yield opened


@pytest.fixture(scope="module")
def table(tiny):
    return diagnose(tiny, level=["commune", "région", "pays"], reference_year=REFERENCE_YEAR)


def row(table, code, indicator, breakdown=""):
    rows = table[(table["territory_code"] == code) & (table["indicator"] == indicator)
                 & (table["breakdown"] == breakdown)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.slow
def test_tidy_shape(table):
    assert tuple(table.columns) == COLUMNS
    assert table["level"].unique().tolist() == [2, 1, 0]  # in the order asked
    assert table.loc[table["level"] == 2, "level_name"].unique().tolist() == ["commune"]
    assert not table.duplicated(["territory_code", "indicator", "breakdown"]).any()
    first = table[table["territory_code"] == "SN0101"]["indicator"].drop_duplicates()
    assert first.tolist()[:5] == ["pop_total", "pop_density", "loc_count", "loc_population",
                                 "sch_count"]


def test_parent_value_is_the_parent_computed_the_same_way(table):
    commune = row(table, "SN0101", "pop_within_500m")
    region = row(table, "SN01", "pop_within_500m")
    assert commune["parent_code"] == "SN01"
    assert commune["parent_value"] == pytest.approx(region["value"])
    # the region's share is recomputed from people, not averaged from its communes
    assert region["value"] == pytest.approx(1300 / 2600 * 100)
    assert region["parent_value"] == pytest.approx(2600 / 4300 * 100)
    country = row(table, "SN", "pop_within_500m")
    assert country["parent_code"] is None or pd.isna(country["parent_code"])
    assert isnan(country["parent_value"])


def test_ranks_among_siblings_follow_the_direction(table):
    ranks = {code: (row(table, code, "pop_within_500m")["rank"],
                    row(table, code, "pop_within_500m")["rank_of"])
             for code in ("SN0101", "SN0102", "SN0201", "SN0202")}
    # higher is better: SN0101 (72 %) beats SN0102 (0 %); SN0202 (100 %) beats SN0201
    assert ranks == {"SN0101": (1, 2), "SN0102": (2, 2), "SN0201": (2, 2), "SN0202": (1, 2)}
    # lower is better for ages: SN0102 (10 years) before SN0101 (25); SN0201 has none
    assert row(table, "SN0102", "wp_age")["rank"] == 1
    assert row(table, "SN0101", "wp_age")["rank"] == 2
    assert pd.isna(row(table, "SN0201", "wp_age")["rank"])
    # SN0202 is the only commune of SN02 with an age: nothing to rank it against
    assert pd.isna(row(table, "SN0202", "wp_age")["rank"])
    assert pd.isna(row(table, "SN0202", "wp_age")["rank_of"])
    # no direction, no rank
    assert pd.isna(row(table, "SN0101", "pop_total")["rank"])


def test_status_against_the_threshold(table):
    assert row(table, "SN0202", "sch_pupils_per_latrine_boys")["status"] == "ok"
    assert row(table, "SN0101", "sch_pupils_per_latrine_boys")["status"] == "above"
    assert row(table, "SN0101", "pop_total")["status"] == "n.a."
    assert set(table["status"]) <= {"ok", "below", "above", "n.a."}


def test_dates_of_the_data(tiny, table):
    assert row(table, "SN0101", "sch_count")["data_date"] == "2024-03-01"
    assert row(table, "SN0202", "sch_count")["data_date"] == "2023-11-20"
    assert row(table, "SN01", "sch_count")["data_date"] == "2024-03-01"
    assert row(table, "SN02", "sch_count")["data_date"] == "2023-11-20"  # SN0201 has none
    # a layer without date field nor --as-of: the day it was written, never the
    # catalogue's description of the layer
    written = tiny.history("waste_sites")[-1].created_at.date().isoformat()
    assert row(table, "SN0101", "waste_dumps")["data_date"] == written


def test_filters_keep_ranks_and_accept_codes_of_any_level(tiny, table):
    region = diagnose(tiny, level=2, territories=["SN01"], indicators=["pop_within_500m"],
                      reference_year=REFERENCE_YEAR)
    region = region[region["breakdown"] == ""]
    assert region["territory_code"].tolist() == ["SN0101", "SN0102"]
    one = diagnose(tiny, level="commune", territories="SN0202",
                   indicators="wp_age,pop_within_500m")
    one = one[one["breakdown"] == ""]
    assert one["territory_code"].unique().tolist() == ["SN0202"]
    assert one["indicator"].tolist() == ["wp_age", "pop_within_500m"]
    assert one.set_index("indicator").loc["pop_within_500m", "rank"] == 1
    up = diagnose(tiny, level=1, territories=["SN0201"], indicators=["wp_count"])
    assert up["territory_code"].tolist() == ["SN02"]
    with pytest.raises(NotFoundError):
        diagnose(tiny, level=2, territories=["XX99"])
    with pytest.raises(NotFoundError):
        diagnose(tiny, level="canton")


def test_unknown_indicator_names_the_choices(tiny):
    with pytest.raises(DiagnosticError, match="wp_count"):
        diagnose(tiny, level=2, indicators=["wp_nope"])


def test_english_labels_and_reasons(tiny):
    table = diagnose(tiny, level=2, indicators=["sch_water_basic", "pop_within_500m"],
                     lang="en")
    assert row(table, "SN0201", "sch_water_basic")["reason"] == "no school"
    assert row(table, "SN0101", "pop_within_500m")["label"] \
        == "Population within 500 m of a functional improved water point"
    assert table["level_name"].iloc[0] == "municipality"


def test_standards_are_overridden_per_call_and_per_atlas(tiny, tmp_path):
    call = diagnose(tiny, level=2, indicators=["sch_pupils_per_latrine_girls"],
                    standards={"pupils_per_latrine.girls": {"value": 60, "source": "Projet X"}})
    girls = row(call, "SN0101", "sch_pupils_per_latrine_girls")
    assert (girls["threshold"], girls["threshold_source"], girls["status"]) \
        == (60, "Projet X", "ok")  # 100 girls / 2 latrines = 50 <= 60
    with build_tiny_atlas(tmp_path / "own.gpkg", skip=("schools", "localities"),
                          standards={"wp_users_max.tap": 600}) as own:
        tap = row(diagnose(own, level=2, indicators=["wp_load"], population="territories"),
                  "SN0101", "wp_load", "tap")
        assert tap["threshold"] == 600 and tap["threshold_source"] == "Sphere"
    with pytest.raises(DiagnosticError):
        diagnose(tiny, level=2, indicators=["wp_load"], standards={"wp_users_max.tap": "x"})


def test_missing_data_is_never_a_zero(tmp_path):
    without_schools = Catalog([s for s in load_catalog().values() if s.name != "schools"])
    with build_tiny_atlas(tmp_path / "empty.gpkg", skip=("water_points",),
                          catalog=without_schools) as bare:
        table = diagnose(bare, level=2, indicators=["sch_count", "wp_count", "pop_within_500m"],
                         population="localities")
    assert row(table, "SN0101", "sch_count")["reason"] == "couche « schools » absente de l'atlas"
    assert isnan(row(table, "SN0201", "wp_count")["value"])
    assert row(table, "SN0201", "wp_count")["reason"] \
        == "aucune donnée dans la couche « Points d'eau »"
    assert row(table, "SN0101", "pop_within_500m")["reason"] \
        == "aucune donnée dans la couche « Points d'eau »"


def test_census_counts_cannot_give_coverage(tiny):
    table = diagnose(tiny, level=2, indicators=["pop_total", "pop_within_500m", "wp_load"],
                     population="territories")
    totals = table[table["indicator"] == "pop_total"].set_index("territory_code")["value"]
    assert totals.to_dict() == {c: CENSUS[c] for c in ("SN0101", "SN0102", "SN0201", "SN0202")}
    assert row(table, "SN0101", "pop_total")["data_date"] == "2013"
    assert row(table, "SN0101", "pop_within_500m")["reason"].startswith(
        "population non localisée")
    assert row(table, "SN0101", "wp_load", "tap")["reason"].startswith(
        "population non localisée")


@pytest.mark.slow
def test_a_user_indicator_registers_like_the_built_in_ones(tiny):
    @indicator("wp_boreholes", labels={"fr": "Forages fonctionnels", "en": "Working boreholes"},
               theme="water", unit="nb", layers=("water_points",), direction="higher")
    def wp_boreholes(ctx, level):
        frame = ctx.frame("water_points")
        mine = (frame["source_type"] == "borehole") & (frame["status"] == "functional")
        return ctx.groups("water_points", level).count(mine.to_numpy())

    try:
        assert REGISTRY["wp_boreholes"].compute is wp_boreholes
        table = diagnose(tiny, level=2, indicators=["wp_boreholes", "wp_count"])
        # W1 in SN0101 and W4 on the corner (counted in SN0101)
        mine = table[table["indicator"] == "wp_boreholes"]
        assert mine["value"].tolist() == [2, 0, 0, 0]
        assert mine["label"].iloc[0] == "Forages fonctionnels"
        assert mine["rank"].tolist()[:2] == [1, 2]
        assert mine["rank"].iloc[2:].isna().all()  # SN0201 and SN0202: both 0, no order
        with pytest.raises(DiagnosticError):
            indicator("wp_boreholes", labels={"fr": "x"}, theme="water", unit="nb",
                      layers=("water_points",))(wp_boreholes)
    finally:
        REGISTRY.unregister("wp_boreholes")
    assert "wp_boreholes" not in REGISTRY


def test_a_private_registry_and_a_series_with_reasons(tiny):
    own = Registry()

    @indicator("vaults_per_school", labels={"fr": "Voûtes par école"}, theme="housing",
               unit="ratio", layers=("nubian_vaults", "schools"), registry=own)
    def vaults_per_school(ctx, level):
        from atlas.diagnostics import Values, divide

        vaults = ctx.groups("nubian_vaults", level).count()
        schools = ctx.groups("schools", level).count()
        return Values.of({"": divide(vaults, schools, why=[(schools == 0, "pas d'école")])})

    table = diagnose(tiny, level=2, registry=own)
    assert table["indicator"].unique().tolist() == ["vaults_per_school"]
    assert table["value"].tolist()[:2] == [3 / 2, 1 / 2]
    assert table["reason"].tolist()[2] == "pas d'école"
    assert "vaults_per_school" not in REGISTRY


def test_timings_are_reported(table):
    timings = table.attrs["timings"]
    assert {"pop_within_500m", "step:read water_points"} <= set(timings)
    assert all(np.isfinite(v) and v >= 0 for v in timings.values())


@pytest.mark.slow
def test_the_demo_atlas_at_every_level(demo_atlas):
    levels = demo_atlas.territories.levels
    table = diagnose(demo_atlas, level=levels)
    assert set(table["level"]) == set(levels)
    assert set(table["indicator"]) == set(REGISTRY)
    missing = table["value"].isna()
    assert table.loc[missing, "reason"].notna().all()
    assert np.isfinite(table.loc[~missing, "value"]).all()
    ranked = table["rank"].notna()
    assert (table.loc[ranked, "rank"] <= table.loc[ranked, "rank_of"]).all()
    shares = table[(table["unit"] == "%") & ~missing & (table["indicator"] != "mangrove_change")]
    assert shares["value"].between(0, 100).all()
