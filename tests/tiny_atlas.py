"""The tiny hand-built atlas the diagnostics tests compute by hand.

One country, two regions, four 10 km square communes laid out in UTM 28N metres from
an origin, then converted to EPSG:4326 like any stored data::

      y (km)
      20 +-----------+-----------+
         |  SN0201   |  SN0202   |   region SN02
      10 +-----------+-----------+
         |  SN0101   |  SN0102   |   region SN01
       0 +-----------+-----------+
         0          10          20  x (km)

Every feature is placed by its offset in metres from the origin (see the tables
below), so each test can write its expected values as arithmetic on these numbers.
The water point W4 sits exactly on the corner shared by the four communes and has no
territory code: it must be counted once, in SN0101 (ties go to the smallest code).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

import atlas

X0, Y0 = 300_000.0, 1_600_000.0
UTM = "EPSG:32628"
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
REFERENCE_YEAR = 2025
SETTINGS = {
    "title": {"fr": "Petit atlas d'essai", "en": "Tiny test atlas"},
    "metric_crs": UTM,
    "countries": ["SN"],
    "population_raster": "population.tif",
    "population_year": 2020,
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"},
                    "2": {"fr": "commune", "en": "municipality"}},
}
COMMUNES = {"SN0101": (0, 0, "SN01"), "SN0102": (10_000, 0, "SN01"),
            "SN0201": (0, 10_000, "SN02"), "SN0202": (10_000, 10_000, "SN02")}
#: Census counts of the territories (2013), used when population="territories".
CENSUS = {"SN": 4500, "SN01": 2700, "SN02": 1800, "SN0101": 1900, "SN0102": 800,
          "SN0201": 450, "SN0202": 1350}

# id: (x, y, source_type, technology, status, install_year, territory_code)
WATER_POINTS = {
    "W1": (2000, 2000, "borehole", "hand_pump", "functional", 2000, "SN0101"),
    "W2": (2300, 2000, "piped", "tap", "functional", 2010, "SN0101"),
    "W3": (5000, 5000, "protected_well", "bucket", "non_functional", 1990, "SN0101"),
    "W4": (10000, 10000, "borehole", "hand_pump", "functional", None, None),
    "W5": (15000, 5000, "unprotected_well", "bucket", "functional", 2015, "SN0102"),
    "W6": (15000, 15000, "protected_well", "bucket", "partly_functional", 2020, "SN0202"),
}
# id: (x, y, population) — no territory code: located by geometry
LOCALITIES = {
    "L1": (2100, 2400, 1000), "L2": (5000, 5200, 500), "L3": (9800, 9900, 300),
    "L4": (10300, 10200, 700), "L5": (15000, 5300, 800), "L6": (5000, 15000, 400),
    "L7": (15200, 15000, 600), "L8": (14000, 14000, None),
}
# id: x, y, territory, water_source, water_available, sanitation_type,
#     latrines (girls, boys, mixed), usable (girls, boys, mixed),
#     handwashing (facility, water, soap), pupils (girls, boys), fenced
SCHOOLS = {
    "S1": (3000, 3000, "SN0101", "piped", True, "pit_slab", (2, 2, 0), (2, 1, 0),
           (True, True, True), (60, 50), True),
    "S2": (6000, 2000, "SN0101", "borehole", False, "vip", (2, 2, 0), (0, 0, 0),
           (True, True, False), (40, 30), False),
    "S3": (12000, 2000, "SN0102", "unprotected_well", True, "none", (0, 0, 0), (0, 0, 0),
           (False, None, None), (100, 120), None),
    "S4": (18000, 8000, "SN0102", None, None, "pit_slab", (0, 0, 3), (None, None, 3),
           (True, None, None), (20, None), True),
    "S5": (15100, 15000, "SN0202", "rainwater", True, "flush", (0, 2, 0), (0, 2, 0),
           (True, True, True), (0, 80), True),
}
# id: (kind, year, (xmin, ymin, xmax, ymax))
MANGROVES = {
    "M15a": ("extent", 2015, (1000, 8000, 3000, 9000)),
    "M15b": ("extent", 2015, (9000, 1000, 11000, 2000)),
    "M15c": ("extent", 2015, (2000, 8000, 3000, 9000)),  # overlaps M15a
    "M20a": ("extent", 2020, (1000, 8000, 2500, 9000)),
    "M20b": ("extent", 2020, (9000, 1000, 11000, 2000)),
    "R21": ("reforested", 2021, (4000, 4000, 4500, 5000)),
    "R22": ("reforested", 2022, (12000, 12000, 13000, 12500)),
}
# id: (x, y, territory, use, floor_area_m2)
VAULTS = {"V1": (1000, 1000, "SN0101", "house", 50.0),
          "V2": (1500, 1000, "SN0101", "school", 120.0),
          "V3": (2500, 1000, "SN0101", "house", None),
          "V4": (12000, 12000, "SN0202", "mosque", 80.0),
          "V5": (12000, 3000, "SN0102", "other", None)}
# id: (x, y, territory, status)
BIODIGESTERS = {"B1": (1000, 6000, "SN0101", "working"),
                "B2": (1200, 6000, "SN0101", "not_working"),
                "B3": (16000, 3000, "SN0102", None),
                "B4": (16000, 16000, "SN0202", "working")}
# id: (x, y, territory, site_type, status)
WASTE = {"D1": (7000, 7000, "SN0101", "illegal_dump", "active"),
         "D2": (7200, 7000, "SN0101", "illegal_dump", "cleaned"),
         "D3": (17000, 2000, "SN0102", "collection_point", "active"),
         "D4": (17000, 17000, "SN0202", "transfer_point", None),
         "D5": (17500, 17000, "SN0202", "collection_point", "closed")}
# id: (x, y or None, territory, programme, women, men) — A3 belongs to a whole region
ACTIVITIES = {"A1": (3000, 3500, "SN0101", "wash_schools", 10, 5),
              "A2": (3000, 3600, "SN0101", "biodigesters", 3, None),
              "A3": (None, None, "SN02", "waste", 20, 20),
              "A4": (13000, 13000, "SN0202", "wash_schools", None, None)}
#: Raster: 1 km cells over the 20 x 20 km country, 10 people each, one nodata cell
#: (the top-left one, in SN0201).
CELL, CELL_PEOPLE, NODATA = 1000.0, 10.0, -1.0


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Lon/lat of a point given in metres from the origin."""
    return TO_LONLAT.transform(X0 + x, Y0 + y)


def point(x: float | None, y: float | None) -> shapely.Point | None:
    return None if x is None else shapely.Point(lonlat(x, y))


def box(xmin: float, ymin: float, xmax: float, ymax: float) -> shapely.MultiPolygon:
    corners = [(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)]
    return shapely.MultiPolygon([shapely.Polygon([lonlat(x, y) for x, y in corners])])


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def territories() -> gpd.GeoDataFrame:
    rows = [{"code": "SN", "name": "Pays", "level": 0, "parent_code": None,
             "geometry": box(0, 0, 20_000, 20_000)},
            {"code": "SN01", "name": "Région Sud", "level": 1, "parent_code": "SN",
             "geometry": box(0, 0, 20_000, 10_000)},
            {"code": "SN02", "name": "Région Nord", "level": 1, "parent_code": "SN",
             "geometry": box(0, 10_000, 20_000, 20_000)}]
    for code, (x, y, parent) in COMMUNES.items():
        rows.append({"code": code, "name": f"Commune {code}", "level": 2,
                     "parent_code": parent, "geometry": box(x, y, x + 10_000, y + 10_000)})
    out = frame(rows)
    out["country"] = "SN"
    out["population"] = out["code"].map(CENSUS)
    out["population_year"] = 2013
    return out


SEXES = ("girls", "boys", "mixed")


def layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the tiny atlas, from the tables above."""
    schools = []
    for sid, (x, y, code, source, available, sanitation, latrines, usable, hands, pupils,
              fenced) in SCHOOLS.items():
        schools.append({
            "school_id": sid, "name": f"École {sid}", "territory_code": code,
            "water_source": source, "water_available": available,
            "sanitation_type": sanitation,
            **{f"latrines_{s}": n for s, n in zip(SEXES, latrines, strict=True)},
            **{f"latrines_{s}_usable": n for s, n in zip(SEXES, usable, strict=True)},
            "handwashing_facility": hands[0], "handwashing_water": hands[1],
            "handwashing_soap": hands[2], "pupils_girls": pupils[0], "pupils_boys": pupils[1],
            "fenced": fenced, "survey_date": "2024-03-01" if code != "SN0202" else "2023-11-20",
            "geometry": point(x, y)})
    return {
        "territories": territories(),
        "water_points": frame([
            {"wp_id": wid, "source_type": s, "technology": tech, "status": st,
             "install_year": year, "territory_code": code, "report_date": "2024-06-30",
             "geometry": point(x, y)}
            for wid, (x, y, s, tech, st, year, code) in WATER_POINTS.items()]),
        "localities": frame([
            {"locality_id": lid, "name": f"Village {lid}", "kind": "village",
             "population": pop, "population_year": 2023, "geometry": point(x, y)}
            for lid, (x, y, pop) in LOCALITIES.items()]),
        "schools": frame(schools),
        "mangroves": frame([
            {"zone_id": zid, "kind": kind, "year": year, "geometry": box(*bounds)}
            for zid, (kind, year, bounds) in MANGROVES.items()]),
        "nubian_vaults": frame([
            {"building_id": bid, "use": use, "floor_area_m2": area, "territory_code": code,
             "year": 2024, "geometry": point(x, y)}
            for bid, (x, y, code, use, area) in VAULTS.items()]),
        "biodigesters": frame([
            {"biodigester_id": bid, "status": status, "territory_code": code,
             "geometry": point(x, y)}
            for bid, (x, y, code, status) in BIODIGESTERS.items()]),
        "waste_sites": frame([
            {"site_id": sid, "site_type": kind, "status": status, "territory_code": code,
             "geometry": point(x, y)}
            for sid, (x, y, code, kind, status) in WASTE.items()]),
        "activities": frame([
            {"activity_id": aid, "programme": prog, "date": "2024-05-01", "women": women,
             "men": men, "territory_code": code, "geometry": point(x, y)}
            for aid, (x, y, code, prog, women, men) in ACTIVITIES.items()]),
    }


def write_raster(path: Path) -> None:
    """The population raster, in the metric CRS so that cell centres are round metres."""
    grid = np.full((20, 20), CELL_PEOPLE, dtype="float32")
    grid[0, 0] = NODATA
    profile = {"driver": "GTiff", "width": 20, "height": 20, "count": 1, "dtype": "float32",
               "crs": UTM, "nodata": NODATA,
               "transform": from_origin(X0, Y0 + 20_000, CELL, CELL)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)


def build_tiny_atlas(url: str | Path, raster_folder: Path | None = None,
                     skip: tuple[str, ...] = (), catalog: atlas.Catalog | None = None,
                     **settings_extra: object) -> atlas.Atlas:
    """Create the tiny atlas at ``url`` (a .gpkg path or a PostGIS URL).

    Without ``raster_folder`` it has no population raster; ``skip`` leaves layers empty.
    """
    settings = {**SETTINGS, **settings_extra}
    settings.pop("population_raster")
    if raster_folder is not None:
        write_raster(raster_folder / "population.tif")
        settings["population_raster"] = str(raster_folder / "population.tif")
    opened = atlas.create(url, settings, catalog)
    for name, data in layers().items():
        if name not in skip and name in opened.catalog:
            opened.write(name, data)
    return opened
