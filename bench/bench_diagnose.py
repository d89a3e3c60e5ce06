"""Benchmark: every indicator for every commune, département and région of a national atlas.

The atlas is generated here (seeded, so every run measures the same data) at the scale
of Senegal: about 550 communes in 46 départements and 14 régions, 10,000 schools,
100,000 water points and a 3-million-cell population raster, written to a temporary
GeoPackage through ``atlas.create`` and ``Atlas.write`` like any real atlas. Then it
times one :func:`atlas.diagnostics.diagnose` call over the three levels, reading
included, and prints the total and the slowest indicators.

Run: ``.venv/bin/python bench/bench_diagnose.py [--seed N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin
from scipy.spatial import cKDTree

import atlas
from atlas.crs import storage_crs
from atlas.diagnostics import diagnose

#: Extent of the generated country (lon/lat), roughly Senegal's.
WEST, SOUTH, EAST, NORTH = -17.4, 12.4, -11.4, 16.6
SETTINGS = {
    "title": {"fr": "Atlas national de banc d'essai (fictif)", "en": "National benchmark atlas"},
    "metric_crs": "EPSG:32628",
    "countries": ["SN"],
    "fictional": True,
    "population_raster": "population.tif",
    "population_year": 2023,
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"},
                    "2": {"fr": "département", "en": "department"},
                    "3": {"fr": "commune", "en": "municipality"}},
}


def _nearest_group(points: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    return cKDTree(seeds).query(points)[1]


def territories(rng: np.random.Generator, communes: int = 550, departments: int = 46,
                regions: int = 14) -> gpd.GeoDataFrame:
    """Voronoi communes nested in départements and régions (unions, so they nest exactly)."""
    frame = shapely.box(WEST, SOUTH, EAST, NORTH)
    seeds = np.column_stack([rng.uniform(WEST, EAST, communes),
                             rng.uniform(SOUTH, NORTH, communes)])
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    polys = shapely.intersection(np.asarray(shapely.get_parts(cells)), frame)
    dept_of = _nearest_group(seeds, seeds[rng.choice(communes, departments, replace=False)])
    dept_centres = np.array([seeds[dept_of == d].mean(axis=0) for d in range(departments)])
    region_of_dept = _nearest_group(dept_centres,
                                    dept_centres[rng.choice(departments, regions, replace=False)])
    rows = [{"code": "SN", "name": "Pays d'essai", "level": 0, "parent_code": None,
             "geometry": frame}]
    for r in range(regions):
        rcode = f"SN{r + 1:02d}"
        depts = np.flatnonzero(region_of_dept == r)
        rows.append({"code": rcode, "name": f"Région {r + 1}", "level": 1, "parent_code": "SN",
                     "geometry": shapely.union_all(polys[np.isin(dept_of, depts)])})
        for d_rank, d in enumerate(depts, start=1):
            dcode = f"{rcode}{d_rank:02d}"
            members = np.flatnonzero(dept_of == d)
            rows.append({"code": dcode, "name": f"Département {dcode}", "level": 2,
                         "parent_code": rcode, "geometry": shapely.union_all(polys[members])})
            for c_rank, c in enumerate(members, start=1):
                rows.append({"code": f"{dcode}{c_rank:02d}", "name": f"Commune {c}",
                             "level": 3, "parent_code": dcode, "geometry": polys[c]})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=storage_crs())
    out["country"] = "SN"
    return out


def population_raster(rng: np.random.Generator, path: Path, cells: int = 3_000_000) -> None:
    """A WorldPop-like grid in EPSG:4326: a rural background plus towns."""
    ratio = (EAST - WEST) / (NORTH - SOUTH)
    rows = int(round((cells / ratio) ** 0.5))
    cols = int(round(cells / rows))
    size = (EAST - WEST) / cols
    grid = rng.lognormal(1.0, 1.0, size=(rows, cols)).astype("float32")
    grid[rng.random((rows, cols)) < 0.35] = 0.0
    towns = rng.integers(0, [rows, cols], size=(300, 2))
    for r, c in towns:
        r0, r1, c0, c1 = max(r - 6, 0), min(r + 7, rows), max(c - 6, 0), min(c + 7, cols)
        grid[r0:r1, c0:c1] += rng.uniform(20, 200)
    profile = {"driver": "GTiff", "width": cols, "height": rows, "count": 1,
               "dtype": "float32", "crs": storage_crs(), "nodata": -99999.0,
               "transform": from_origin(WEST, NORTH, size, size), "compress": "deflate"}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)


def _points(rng: np.random.Generator, n: int, anchors: np.ndarray | None = None,
            spread: float = 0.01, share_near: float = 0.7) -> np.ndarray:
    xy = np.column_stack([rng.uniform(WEST, EAST, n), rng.uniform(SOUTH, NORTH, n)])
    if anchors is not None:
        near = rng.random(n) < share_near
        picks = anchors[rng.integers(0, len(anchors), near.sum())]
        xy[near] = picks + rng.normal(0, spread, (near.sum(), 2))
    xy[:, 0] = xy[:, 0].clip(WEST + 1e-6, EAST - 1e-6)
    xy[:, 1] = xy[:, 1].clip(SOUTH + 1e-6, NORTH - 1e-6)
    return xy


def _frame(xy: np.ndarray, communes: gpd.GeoDataFrame, **columns: object) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(columns, geometry=shapely.points(xy), crs=storage_crs())
    joined = gpd.sjoin(frame, communes[["code", "geometry"]], how="left", predicate="within")
    frame["territory_code"] = joined[~joined.index.duplicated()]["code"].to_numpy()
    return frame


def layers(rng: np.random.Generator, terr: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Every point and polygon layer, attached to communes by ``territory_code``."""
    communes = terr[terr["level"] == 3]
    pick = rng.choice
    n_loc = 14_000
    loc_xy = _points(rng, n_loc, share_near=0.0)
    out = {"localities": _frame(
        loc_xy, communes, locality_id=[f"L{i:06d}" for i in range(n_loc)],
        name=[f"Localité {i}" for i in range(n_loc)],
        kind=pick(["village", "hamlet", "town", "chef_lieu"], n_loc, p=[.7, .2, .07, .03]),
        population=rng.lognormal(6.3, 1.0, n_loc).astype(int), population_year=2023)}
    n = 10_000
    girls, boys = rng.integers(20, 400, n), rng.integers(20, 400, n)
    latrines = rng.integers(0, 6, (n, 3))
    out["schools"] = _frame(
        _points(rng, n, loc_xy, 0.005), communes,
        school_id=[f"E{i:06d}" for i in range(n)], name=[f"École {i}" for i in range(n)],
        level=pick(["primary", "middle", "preschool"], n, p=[.8, .15, .05]),
        pupils_girls=girls, pupils_boys=boys,
        water_source=pick(["piped", "borehole", "protected_well", "unprotected_well", "none",
                           None], n),
        water_available=pick([True, False, None], n, p=[.6, .3, .1]),
        sanitation_type=pick(["pit_slab", "vip", "pit_no_slab", "none", "flush"], n),
        latrines_girls=latrines[:, 0], latrines_boys=latrines[:, 1],
        latrines_mixed=latrines[:, 2],
        latrines_girls_usable=np.minimum(latrines[:, 0], rng.integers(0, 5, n)),
        latrines_boys_usable=np.minimum(latrines[:, 1], rng.integers(0, 5, n)),
        latrines_mixed_usable=np.minimum(latrines[:, 2], rng.integers(0, 5, n)),
        handwashing_facility=pick([True, False], n), handwashing_water=pick([True, False], n),
        handwashing_soap=pick([True, False], n), fenced=pick([True, False, None], n),
        survey_date=pick(["2023-03-01", "2024-05-12"], n))
    n = 100_000
    out["water_points"] = _frame(
        _points(rng, n, loc_xy, 0.01), communes, wp_id=[f"W{i:06d}" for i in range(n)],
        source_type=pick(["borehole", "piped", "protected_well", "unprotected_well",
                          "surface_water"], n, p=[.35, .25, .2, .15, .05]),
        technology=pick(["tap", "hand_pump", "bucket", "solar_pump", None], n),
        status=pick(["functional", "partly_functional", "non_functional", "abandoned"], n,
                    p=[.65, .1, .2, .05]),
        install_year=rng.integers(1975, 2024, n), report_date="2024-06-30")
    coast = np.column_stack([rng.uniform(WEST + 0.05, WEST + 1.0, 200),
                             rng.uniform(SOUTH + 0.1, NORTH - 0.1, 200)])
    blobs = shapely.buffer(shapely.points(coast), rng.uniform(0.005, 0.03, 200))
    rows = []
    for year, shrink in ((2015, 1.0), (2020, 0.9)):
        for i, blob in enumerate(blobs):
            rows.append({"zone_id": f"M{year}-{i}", "kind": "extent", "year": year,
                         "geometry": shapely.buffer(blob, -0.002 * (1 - shrink) * 10)})
    for i, blob in enumerate(blobs[:80]):
        rows.append({"zone_id": f"R{i}", "kind": "reforested", "year": 2021,
                     "geometry": shapely.buffer(shapely.centroid(blob), 0.003)})
    mangroves = gpd.GeoDataFrame(rows, geometry="geometry", crs=storage_crs())
    mangroves["geometry"] = mangroves.geometry.apply(
        lambda g: g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]))
    out["mangroves"] = mangroves
    n = 3000
    out["nubian_vaults"] = _frame(
        _points(rng, n, loc_xy), communes, building_id=[f"V{i}" for i in range(n)],
        use=pick(["house", "school", "mosque", "health_post"], n),
        floor_area_m2=rng.uniform(20, 200, n).round(1), year=rng.integers(2010, 2025, n))
    out["biodigesters"] = _frame(
        _points(rng, n, loc_xy), communes, biodigester_id=[f"B{i}" for i in range(n)],
        volume_m3=pick([4.0, 6.0, 10.0], n), status=pick(["working", "not_working"], n))
    out["waste_sites"] = _frame(
        _points(rng, n, loc_xy), communes, site_id=[f"D{i}" for i in range(n)],
        site_type=pick(["illegal_dump", "collection_point", "sorting_centre"], n),
        status=pick(["active", "closed", "cleaned"], n))
    n = 5000
    out["activities"] = _frame(
        _points(rng, n, loc_xy), communes, activity_id=[f"A{i}" for i in range(n)],
        programme=pick(["wash_schools", "biodigesters", "waste"], n),
        date="2024-01-15", women=rng.integers(0, 50, n), men=rng.integers(0, 50, n))
    return out


def build(folder: Path, seed: int = 2026) -> Path:
    """Write the national benchmark atlas (GeoPackage + population GeoTIFF) in ``folder``."""
    rng = np.random.default_rng(seed)
    path = folder / "national.gpkg"
    terr = territories(rng)
    population_raster(rng, folder / "population.tif")
    with atlas.create(path, SETTINGS) as built:
        built.write("territories", terr)
        for name, frame in layers(rng, terr).items():
            built.write(name, frame)
    return path


def main() -> None:
    """Build the atlas, then time one diagnose call over régions, départements, communes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder in which to keep (and reuse) the generated atlas")
    parser.add_argument("--repeat", type=int, default=3,
                        help="diagnose calls, each on a freshly opened atlas (best is kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "national.gpkg"
        started = time.perf_counter()
        if not path.exists():
            path = build(folder, args.seed)
        print(f"atlas ready in {time.perf_counter() - started:.1f} s: {path}")
        runs = []
        for _ in range(max(args.repeat, 1)):
            with atlas.open(path) as opened:
                started = time.perf_counter()
                table = diagnose(opened, level=[1, 2, 3])
                runs.append((time.perf_counter() - started, table))
                counts = {name: opened.count(name) for name in
                          ("territories", "schools", "water_points", "localities")}
        total, table = min(runs, key=lambda run: run[0])
        print("features:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print("runs:", ", ".join(f"{t:.2f} s" for t, _ in runs))
        timings = pd.Series(table.attrs["timings"], dtype="float64")
        steps = timings[timings.index.str.startswith("step:")].sort_values(ascending=False)
        indicators = timings.drop(steps.index).sort_values(ascending=False)
        print(f"rows: {len(table):,} ({table['indicator'].nunique()} indicators, "
              f"{table['territory_code'].nunique()} territories)")
        print(f"TOTAL diagnose (3 levels, reading included, best run): {total:.2f} s")
        print(f"slowest indicator: {indicators.index[0]} {indicators.iloc[0]:.2f} s "
              "(includes waiting for the shared steps it is first to need)")
        print(f"slowest shared step: {steps.index[0][5:]} {steps.iloc[0]:.2f} s")
        print("indicators:", ", ".join(f"{k} {v:.2f}" for k, v in indicators.head(6).items()))
        print("steps:", ", ".join(f"{k[5:]} {v:.2f}" for k, v in steps.head(6).items()))


if __name__ == "__main__":
    main()
