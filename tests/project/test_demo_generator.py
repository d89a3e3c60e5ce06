"""The fictional demo atlas: plausible, internally consistent, typed like the catalogue, and
reproducible from its seed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from atlas.catalog import load_catalog
from atlas.demo import (
    LAYER_NAMES,
    DemoData,
    demo_checksum,
    generate_demo,
    write_population_raster,
)

ROOT = Path(__file__).resolve().parents[2]
POINT_LAYERS = ("localities", "water_points", "schools", "nubian_vaults", "biodigesters",
                "waste_sites", "activities")
COUNTS = {"localities": (600, 1000), "schools": (300, 500), "water_points": (800, 1500),
          "nubian_vaults": (30, 60), "biodigesters": (40, 80), "waste_sites": (30, 80),
          "activities": (100, 300)}
DTYPES = {"integer": "Int64", "float": "float64", "boolean": "boolean", "string": "object",
          "date": "object", "category": "object"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module", params=[2026, 7, 90210])
def demo(request) -> DemoData:
    return generate_demo(request.param)


@pytest.fixture(scope="module")
def default_demo() -> DemoData:
    return generate_demo()


def communes_of(demo: DemoData):
    territories = demo.layers["territories"]
    return territories[territories["level"] == 3].set_index("code")


# ------------------------------------------------------------------ shape and types

def test_layers_match_the_catalogue(demo, catalog):
    assert tuple(demo.layers) == LAYER_NAMES
    for name, frame in demo.layers.items():
        spec = catalog[name]
        assert list(frame.columns) == [*spec.field_names, "geometry"], name
        assert frame.crs.to_epsg() == 4326, name
        for field in spec.fields:
            assert str(frame[field.name].dtype) == DTYPES[field.type], f"{name}.{field.name}"
            values = frame[field.name].dropna()
            if field.type in ("string", "date", "category"):
                assert all(isinstance(v, str) for v in values), f"{name}.{field.name}"
            if field.type == "date":
                assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values)
            if field.type == "category":
                assert set(values) <= set(field.codes()), f"{name}.{field.name}"
            if field.minimum is not None and len(values):
                assert values.min() >= field.minimum, f"{name}.{field.name}"
            if field.maximum is not None and len(values):
                assert values.max() <= field.maximum, f"{name}.{field.name}"
            if field.required:
                assert frame[field.name].notna().all(), f"{name}.{field.name}"
        assert frame[spec.id_field].is_unique, name
        geoms = frame.geometry.dropna()
        assert (geoms.geom_type == spec.geometry).all(), name
        assert geoms.is_valid.all() and not geoms.is_empty.any(), name
        if spec.geometry_required:
            assert frame.geometry.notna().all(), name


def test_counts_are_in_range(demo):
    for name, (low, high) in COUNTS.items():
        assert low <= len(demo.layers[name]) <= high, name
    levels = demo.layers["territories"]["level"].value_counts().to_dict()
    assert levels[0] == 1 and levels[1] == 2 and levels[2] == 5
    assert 40 <= levels[3] <= 60


def test_generation_is_fast():
    start = time.perf_counter()
    generate_demo(3)
    assert time.perf_counter() - start < 10


# ------------------------------------------------------------------ territories

def test_codes_form_a_tree(demo):
    territories = demo.layers["territories"]
    assert territories["code"].is_unique
    by_code = territories.set_index("code")
    for row in territories.itertuples():
        assert re.fullmatch(rf"ZZ(\d{{2}}){{{row.level}}}", row.code), row.code
        assert row.country == "ZZ"
        assert row.level_name == {0: "pays", 1: "région", 2: "département", 3: "commune"}[
            row.level]
        if row.level == 0:
            assert row.parent_code is None
            continue
        parent = by_code.loc[row.parent_code]
        assert parent["level"] == row.level - 1
        assert row.code.startswith(row.parent_code)
    assert territories.groupby("level")["name"].apply(lambda s: s.notna().all()).all()


def test_populations_add_up(demo):
    territories = demo.layers["territories"]
    localities = demo.layers["localities"]
    assert (territories["population_year"] == 2023).all()
    assert (localities["population_year"] == 2023).all()
    by_commune = localities.groupby("territory_code")["population"].sum()
    communes = communes_of(demo)
    assert by_commune.reindex(communes.index, fill_value=0).tolist() == \
        communes["population"].tolist()
    for parent in territories[territories["level"] < 3].itertuples():
        children = territories[territories["parent_code"] == parent.code]
        assert children["population"].sum() == parent.population, parent.code
    assert territories.loc[territories["level"] == 0, "population"].item() == \
        localities["population"].sum()


def test_boundaries_nest_and_partition(demo):
    territories = demo.layers["territories"].to_crs(demo.settings["metric_crs"])
    country = territories[territories["level"] == 0].geometry.item()
    communes = territories[territories["level"] == 3]
    assert communes.area.sum() == pytest.approx(country.area, rel=1e-6)
    assert shapely.union_all(communes.geometry.values).symmetric_difference(country).area < \
        1e-6 * country.area
    for parent in territories[territories["level"] < 3].itertuples():
        children = territories[territories["parent_code"] == parent.code]
        union = shapely.union_all(children.geometry.values)
        assert union.symmetric_difference(parent.geometry).area < 1e-6 * parent.geometry.area
    west, south, east, north = demo.layers["territories"].total_bounds
    assert -16.5 <= west and east <= -13.5 and 15.5 <= south and north <= 16.8


# ------------------------------------------------------------------ points

@pytest.mark.parametrize("name", POINT_LAYERS)
def test_points_lie_in_their_commune(demo, name):
    frame = demo.layers[name]
    communes = communes_of(demo)
    placed = frame[frame.geometry.notna()]
    polygons = communes.geometry.reindex(placed["territory_code"]).values
    assert not pd.isna(polygons).any(), "a point names an unknown commune"
    assert shapely.within(placed.geometry.values, polygons).all()


def test_unplaced_activities_still_have_a_territory(demo):
    activities = demo.layers["activities"]
    codes = set(demo.layers["territories"]["code"])
    assert set(activities["territory_code"]) <= codes
    share = activities.geometry.isna().mean()
    assert 0.1 < share < 0.3


def test_localities(demo):
    localities = demo.layers["localities"]
    kinds = localities["kind"].value_counts()
    assert kinds["chef_lieu"] == len(communes_of(demo))
    assert localities.groupby("territory_code")["kind"].apply(
        lambda k: (k == "chef_lieu").sum()).eq(1).all(), "one seat per commune"
    assert 1 <= kinds.get("town", 0) <= 40
    assert kinds["village"] > kinds.get("hamlet", 0) > 0
    assert localities["name"].is_unique
    assert localities["population"].max() > 20_000
    forbidden = {"dakar", "thies", "saint-louis", "podor", "matam", "kaolack", "touba", "labe"}
    assert not {n.lower() for n in localities["name"]} & forbidden


# ------------------------------------------------------------------ WASH in schools

def ladders(demo: DemoData, catalog) -> dict[str, pd.Series]:
    schools = demo.layers["schools"]
    spec = catalog["schools"]
    improved_water = schools["water_source"].isin(spec.field("water_source").codes_where(
        "improved"))
    available = schools["water_available"].fillna(False).astype(bool)
    water = np.select([improved_water & available, improved_water], ["basic", "limited"],
                      "no_service")
    improved_san = schools["sanitation_type"].isin(spec.field("sanitation_type").codes_where(
        "improved"))
    single_sex_usable = ((schools["latrines_girls_usable"] > 0)
                         & (schools["latrines_boys_usable"] > 0)).astype(bool)
    sanitation = np.select([improved_san & single_sex_usable, improved_san],
                           ["basic", "limited"], "no_service")
    with_water = (schools["handwashing_facility"] & schools["handwashing_water"]).astype(bool)
    hygiene = np.select([with_water & schools["handwashing_soap"].astype(bool), with_water],
                        ["basic", "limited"], "no_service")
    return {"water": pd.Series(water), "sanitation": pd.Series(sanitation),
            "hygiene": pd.Series(hygiene)}


def test_school_ladders_are_varied(demo, catalog):
    for service, ladder in ladders(demo, catalog).items():
        shares = ladder.value_counts(normalize=True)
        for level in ("basic", "limited", "no_service"):
            assert 0 < shares.get(level, 0) < 1, (service, level)
    water_basic = (ladders(demo, catalog)["water"] == "basic").mean()
    assert 0.3 < water_basic < 0.6


def test_school_attributes_are_realistic(demo):
    schools = demo.layers["schools"]
    pupils = schools["pupils_girls"] + schools["pupils_boys"]
    assert pupils.between(40, 900).all()
    assert 0.4 < schools["pupils_girls"].sum() / pupils.sum() < 0.6
    for sex in ("girls", "boys", "mixed"):
        assert (schools[f"latrines_{sex}_usable"] <= schools[f"latrines_{sex}"]).all()
    built = schools[[f"latrines_{s}" for s in ("girls", "boys", "mixed")]].sum(axis=1)
    usable = schools[[f"latrines_{s}_usable" for s in ("girls", "boys", "mixed")]].sum(axis=1)
    assert ((built > 0) & (usable == 0)).any(), "some schools have latrines but none usable"
    none = schools["sanitation_type"] == "none"
    assert (built[none] == 0).all()
    no_facility = ~schools["handwashing_facility"].astype(bool)
    assert not schools.loc[no_facility, "handwashing_water"].any()
    assert not (schools["handwashing_soap"] & ~schools["handwashing_water"]).any()
    assert schools["handwashing_soap"].mean() < 0.5, "soap is often missing"
    equipped = schools["wash_programme"].notna()
    assert 0 < equipped.mean() < 0.5
    assert schools.loc[equipped, "equipped_year"].notna().all()
    assert schools.loc[~equipped, "equipped_year"].isna().all()
    assert schools["level"].nunique() == 4 and schools["sector"].nunique() == 4


# ------------------------------------------------------------------ water points

def test_water_points_are_realistic(demo, catalog):
    points = demo.layers["water_points"]
    spec = catalog["water_points"]
    functional = points["status"].isin(spec.field("status").codes_where("functional"))
    assert 0.65 < functional.mean() < 0.85
    assert points["source_type"].nunique() >= 5
    assert points["status"].nunique() == 4
    boreholes = points[points["source_type"] == "borehole"]
    assert (boreholes["technology"] == "hand_pump").any()
    assert set(points.loc[points["source_type"] == "piped", "technology"]) == {"tap"}
    wells = points[points["source_type"] == "unprotected_well"]
    assert (wells["technology"] == "bucket").all()
    years = points["install_year"].dropna()
    assert years.min() >= 1980 and years.max() <= 2024 and years.nunique() > 20
    rehab = points.dropna(subset=["rehab_year"])
    assert (rehab["rehab_year"] > rehab["install_year"]).all()
    assert not points.loc[points["status"].isin(["non_functional", "abandoned"]),
                          "water_available"].fillna(False).any()


def test_taps_are_in_towns(demo):
    points = demo.layers["water_points"].to_crs(demo.settings["metric_crs"])
    localities = demo.layers["localities"].to_crs(demo.settings["metric_crs"])
    towns = localities[localities["population"] >= 2_500]
    taps = points[points["technology"] == "tap"]
    wells = points[points["source_type"] == "unprotected_well"]

    def near_town(frame):
        return frame.sjoin_nearest(towns, distance_col="d")["d"].median()

    assert near_town(taps) < near_town(wells)


# ------------------------------------------------------------------ environment, programmes

def test_mangroves_show_loss_and_gain(demo):
    mangroves = demo.layers["mangroves"].to_crs(demo.settings["metric_crs"])
    extents = mangroves[mangroves["kind"] == "extent"]
    assert set(extents["year"]) == {2010, 2020}
    before = shapely.union_all(extents[extents["year"] == 2010].geometry.values)
    after = shapely.union_all(extents[extents["year"] == 2020].geometry.values)
    assert before.difference(after).area > 1e6, "some mangrove was lost"
    assert after.difference(before).area > 1e6, "some mangrove was gained"
    assert mangroves["area_ha"].to_numpy() == pytest.approx(mangroves.area.to_numpy() / 1e4,
                                                            abs=0.006)
    plots = mangroves[mangroves["kind"] == "reforested"]
    assert len(plots) >= 5
    assert plots[["species", "survival_rate", "programme"]].notna().all().all()
    # The delta is on the coast, in the west.
    assert demo.layers["mangroves"].total_bounds[2] < -15.5


def test_waste_sites_are_concentrated_in_one_departement(demo):
    sites = demo.layers["waste_sites"]
    departement = sites["territory_code"].str[:6]
    top = departement.value_counts(normalize=True)
    assert top.iloc[0] >= 0.7
    assert top.index[0] == demo.settings["waste_programme_territory"]
    assert sites["site_type"].nunique() >= 4


def test_programme_layers(demo):
    vaults = demo.layers["nubian_vaults"]
    assert vaults["use"].nunique() >= 4 and vaults["stage"].isin(
        ["planned", "under_construction", "completed"]).all()
    assert (vaults["floor_area_m2"] > 0).all() and (vaults["vaults"] >= 1).all()
    bio = demo.layers["biodigesters"]
    assert 0.4 < (bio["status"] == "working").mean() < 0.95
    assert bio["install_date"].between("2010-01-01", "2025-12-31").all()
    activities = demo.layers["activities"]
    assert activities["programme"].nunique() == 6
    assert activities["date"].between("2019-01-01", "2025-12-31").all()
    assert (activities["women"] >= 0).all() and (activities["men"] >= 0).all()
    assert activities["women"].sum() > 0 and activities["men"].sum() > 0


# ------------------------------------------------------------------ population grid

def test_population_grid_matches_the_localities(demo):
    grid = demo.population
    assert grid.dtype == np.float32 and grid.ndim == 2
    assert grid.size <= 1_100_000
    assert (grid >= 0).all()
    total = demo.layers["localities"]["population"].sum()
    assert float(grid.sum(dtype=np.float64)) == pytest.approx(total, rel=1e-4)
    assert demo.crs.to_epsg() == 4326
    cell = demo.transform.a
    assert demo.transform.e == -cell and 0.0005 < cell < 0.005
    # People are concentrated where they live: denser in towns than in villages and hamlets.
    localities = demo.layers["localities"]
    cols, rows = ~demo.transform @ (localities.geometry.x.to_numpy(),
                                    localities.geometry.y.to_numpy())
    density = pd.Series(grid[rows.astype(int), cols.astype(int)], index=localities.index)
    by_size = density.groupby(pd.cut(localities["population"], [0, 150, 1_000, 5_000, 1e7]),
                              observed=True).median()
    assert by_size.is_monotonic_increasing and by_size.iloc[0] > 0
    assert (grid > 0).mean() < 0.5


def test_population_raster_file_is_reproducible(default_demo, tmp_path):
    first = write_population_raster(default_demo, tmp_path / "a" / "population.tif")
    second = write_population_raster(default_demo, tmp_path / "b" / "population.tif")
    assert first.read_bytes() == second.read_bytes()
    with rasterio.open(first) as src:
        assert src.crs.to_epsg() == 4326
        assert src.compression.name.lower() == "deflate"
        assert src.transform == default_demo.transform
        assert src.tags()["FICTIONAL"] == "yes"
        np.testing.assert_array_equal(src.read(1), default_demo.population)


# ------------------------------------------------------------------ settings, determinism

def test_settings(default_demo):
    settings = default_demo.settings
    assert settings["fictional"] is True
    assert settings["country"] == "ZZ"
    assert settings["metric_crs"] == "EPSG:32628"
    assert {k: v["fr"] for k, v in settings["level_names"].items()} == {
        0: "pays", 1: "région", 2: "département", 3: "commune"}
    assert settings["level_names"][2]["en"] == "department"
    assert settings["countries"] == ["ZZ"]
    assert settings["population_year"] == 2023
    for key in ("title", "description", "country_name"):
        assert {"fr", "en"} <= set(settings[key])
    assert "fictif" in settings["title"]["fr"]


def test_settings_load_as_atlas_settings(default_demo):
    from atlas.settings import AtlasSettings

    settings = AtlasSettings.from_dict(default_demo.settings)
    assert settings.fictional and settings.countries == ("ZZ",)
    assert settings.level_name(3, "fr") == "commune"
    assert settings.level_name(1, "en") == "region"
    assert settings.crs.to_epsg() == 32628
    assert AtlasSettings.from_dict(settings.to_dict()) == settings


def test_same_seed_same_atlas(default_demo):
    again = generate_demo(2026)
    assert demo_checksum(again) == demo_checksum(default_demo)
    for name in LAYER_NAMES:
        pd.testing.assert_frame_equal(again.layers[name].drop(columns="geometry"),
                                      default_demo.layers[name].drop(columns="geometry"))


@pytest.mark.slow
def test_same_seed_same_atlas_in_another_process(default_demo):
    """String hashing differs between processes; the atlas must not depend on it."""
    code = "from atlas.demo import demo_checksum, generate_demo; " \
           "print(demo_checksum(generate_demo(2026)))"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    assert result.stdout.strip() == demo_checksum(default_demo)


def test_different_seed_different_atlas(default_demo):
    other = generate_demo(2027)
    assert demo_checksum(other) != demo_checksum(default_demo)
    assert not other.layers["localities"]["name"].equals(
        default_demo.layers["localities"]["name"])
    assert not np.array_equal(other.population, default_demo.population) or \
        other.population.shape != default_demo.population.shape
