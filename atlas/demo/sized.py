"""Atlases of a chosen size for benchmarks and tests, and the map-size budgets.

The offline HTML maps must stay small (issue 6): a commune map with all layers within
1 MB, a region map within 5 MB. :func:`build_sized_atlas` makes an atlas with the
counts of the demo description (2 regions, 5 départements, ~50 communes with detailed
boundaries, ~800 localities, ~400 schools, ~1,200 water points, mangroves, vaults,
biodigesters, activities, waste sites), or any other :class:`Shape`, and can put
hostile text in names to test escaping; :func:`demo_atlas` writes the real demo data;
:func:`measure` exports the worst-case maps and reports their sizes.
``bench/bench_map_size.py`` and the map tests use them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..atlas import Atlas, create
from ..catalog import LayerSpec
from ..crs import metric_crs_for, storage_crs
from ..names import (
    ACTIVITIES,
    BIODIGESTERS,
    LOCALITIES,
    MANGROVES,
    NUBIAN_VAULTS,
    SCHOOLS,
    TERRITORIES,
    TERRITORY_FIELD,
    WASTE_SITES,
    WATER_POINTS,
)
from .generate import generate_demo

COMMUNE_BUDGET = 1_000_000
REGION_BUDGET = 5_000_000
#: The sized atlas lies in Senegal's metric CRS (UTM 28N), around the Senegal river.
COUNTRY = "SN"
METRIC = metric_crs_for(COUNTRY, -15.8, 16.1)
SETTINGS = {
    "title": {"fr": "Atlas de taille démo (fictif)", "en": "Demo-sized atlas (fictional)"},
    "metric_crs": METRIC.to_string(),
    "countries": [COUNTRY],
    "fictional": True,
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"},
                    "2": {"fr": "département", "en": "department"},
                    "3": {"fr": "commune", "en": "municipality"}},
}
#: Layer sizes of the demo atlas (DESIGN.md).
COUNTS = {LOCALITIES: 800, SCHOOLS: 400, WATER_POINTS: 1200, NUBIAN_VAULTS: 150,
          BIODIGESTERS: 200, ACTIVITIES: 300, WASTE_SITES: 120}
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


@dataclass(frozen=True)
class Shape:
    """How big the generated atlas is."""

    regions: int = 2
    departements: int = 5
    communes: int = 50
    scale: float = 1.0  # multiplies point counts
    vertex_spacing: float = 150.0  # metres between boundary vertices


def _wiggle(coords: np.ndarray) -> np.ndarray:
    """Smooth, position-only displacement: shared edges move together and stay shared."""
    x, y = coords[:, 0], coords[:, 1]
    dx = 350 * np.sin(y / 1900.0) + 180 * np.sin((x + y) / 700.0)
    dy = 350 * np.sin(x / 2300.0) + 180 * np.cos((x - y) / 800.0)
    return np.round(np.column_stack([x + dx, y + dy]), 2)


def _territories(rng: np.random.Generator, shape: Shape, hostile: bool) -> gpd.GeoDataFrame:
    """Voronoi communes with wiggled, densified edges, grouped into départements, regions."""
    box = shapely.box(300_000, 1_720_000, 500_000, 1_840_000)
    seeds = shapely.points(rng.uniform([300_000, 1_720_000], [500_000, 1_840_000],
                                       size=(shape.communes, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=box))
    cells = [shapely.intersection(c, box) for c in cells]
    centres = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    order = np.lexsort((centres[:, 1], centres[:, 0]))
    cells = [cells[i] for i in order]
    dept_of = np.minimum((np.arange(len(cells)) * shape.departements) // len(cells),
                         shape.departements - 1)
    region_of_dept = np.minimum((np.arange(shape.departements) * shape.regions)
                                // shape.departements, shape.regions - 1)
    communes = [shapely.transform(shapely.segmentize(c, shape.vertex_spacing), _wiggle)
                for c in cells]
    rows = []
    for r in range(shape.regions):
        depts = [d for d in range(shape.departements) if region_of_dept[d] == r]
        rcode = f"{COUNTRY}{r + 1:02d}"
        members = [communes[i] for i in range(len(cells)) if dept_of[i] in depts]
        rows.append((rcode, f"Région {r + 1}", 1, COUNTRY, shapely.union_all(members)))
        for d in depts:
            dcode = f"{rcode}{d + 1:02d}"
            idx = [i for i in range(len(cells)) if dept_of[i] == d]
            rows.append((dcode, f"Département {d + 1}", 2, rcode,
                         shapely.union_all([communes[i] for i in idx])))
            for j, i in enumerate(idx):
                name = f"Commune {i + 1}"
                if hostile and i == 0:
                    name = f"Commune {HOSTILE}"
                rows.append((f"{dcode}{j + 1:02d}", name, 3, dcode, communes[i]))
    rows.insert(0, (COUNTRY, "Pays fictif", 0, None, shapely.union_all(communes)))
    frame = pd.DataFrame(rows, columns=["code", "name", "level", "parent_code", "geometry"])
    frame["level_name"] = frame["level"].map({0: "pays", 1: "région", 2: "département",
                                              3: "commune"})
    frame["country"] = COUNTRY
    frame["population"] = rng.integers(5_000, 60_000, len(frame))
    frame["population_year"] = 2023
    frame["geometry"] = [shapely.multipolygons(shapely.get_parts(g)) if g.geom_type ==
                         "Polygon" else g for g in frame["geometry"]]
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=METRIC)
    return out.to_crs(storage_crs())


def _fill(spec: LayerSpec, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """Plausible values for every field of a spec, driven by the spec itself."""
    data: dict[str, object] = {}
    for field in spec.fields:
        if field.name == spec.id_field:
            data[field.name] = [f"{spec.name[:3].upper()}-{i:05d}" for i in range(count)]
        elif field.type == "category":
            codes = list(field.codes())
            weights = np.linspace(2.0, 1.0, len(codes))
            data[field.name] = rng.choice(codes, count, p=weights / weights.sum())
        elif field.type == "integer":
            low = int(field.minimum if field.minimum is not None else 0)
            high = int(field.maximum if field.maximum is not None else low + 5000)
            if "year" in field.name:
                low, high = max(low, 1990), min(high, 2024)
            data[field.name] = rng.integers(low, min(high, low + 5000) + 1, count)
        elif field.type == "float":
            low = float(field.minimum or 0)
            high = float(field.maximum if field.maximum is not None else 1000)
            data[field.name] = np.round(rng.uniform(low, high, count), 1)
        elif field.type == "boolean":
            data[field.name] = rng.random(count) < 0.6
        elif field.type == "date":
            days = rng.integers(0, 1500, count)
            data[field.name] = [str(np.datetime64("2021-01-01") + int(d)) for d in days]
        else:
            data[field.name] = [f"{field.title('fr')} {i}" for i in range(count)]
    return pd.DataFrame(data)


def _points(territories: gpd.GeoDataFrame, count: int,
            rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Uniform points over the communes' bounds, with the code of the commune they fall in."""
    communes = territories[territories["level"] == 3].to_crs(METRIC)
    minx, miny, maxx, maxy = communes.total_bounds
    xy = rng.uniform([minx, miny], [maxx, maxy], size=(count, 2))
    points = gpd.GeoSeries(shapely.points(xy), crs=METRIC)
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points), communes[["code", "geometry"]],
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return gpd.GeoDataFrame({TERRITORY_FIELD: joined["code"].to_numpy()},
                            geometry=points.to_crs(storage_crs()).to_numpy(),
                            crs=storage_crs())


def _mangroves(rng: np.random.Generator, count: int) -> gpd.GeoSeries:
    """Ragged coastal blobs (many vertices, like digitised extents)."""
    shapes = []
    for _ in range(count):
        cx, cy = rng.uniform([302_000, 1_725_000], [330_000, 1_835_000])
        angles = np.linspace(0, 2 * np.pi, 240, endpoint=False)
        radius = rng.uniform(300, 1500) * (1 + 0.25 * np.sin(angles * rng.integers(3, 9))
                                           + 0.08 * rng.standard_normal(240))
        ring = np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])
        blob = shapely.Polygon(ring).buffer(0)
        shapes.append(blob if blob.geom_type == "MultiPolygon" else shapely.MultiPolygon([blob]))
    return gpd.GeoSeries(shapes, crs=METRIC).to_crs(storage_crs())


def build_sized_atlas(path: str | Path, seed: int = 7, shape: Shape | None = None,
                      hostile: bool = False) -> Atlas:
    """Create an atlas at ``path`` filled with demo-sized fictional data."""
    shape = shape or Shape()
    rng = np.random.default_rng(seed)
    opened = create(path, SETTINGS)
    territories = _territories(rng, shape, hostile)
    opened.write(TERRITORIES, territories, source="bench")
    for name, base in COUNTS.items():
        if name not in opened.catalog:
            continue
        spec = opened.spec(name)
        count = max(3, int(base * shape.scale))
        points = _points(territories, count, rng)
        values = _fill(spec, count, rng)
        if TERRITORY_FIELD in values.columns:
            values[TERRITORY_FIELD] = points[TERRITORY_FIELD].to_numpy()
        if hostile and "name" in values.columns:
            values.loc[0, "name"] = HOSTILE
        geometry = points.geometry.to_numpy()
        if not spec.geometry_required:
            geometry = np.where(rng.random(count) < 0.1, None, geometry)
        frame = gpd.GeoDataFrame(values, geometry=list(geometry), crs=storage_crs())
        frame = frame[frame[TERRITORY_FIELD].notna()] if TERRITORY_FIELD in frame else frame
        opened.write(name, frame.reset_index(drop=True), source="bench")
    if MANGROVES in opened.catalog:
        spec = opened.spec(MANGROVES)
        count = max(4, int(60 * shape.scale))
        values = _fill(spec, count, rng)
        values[TERRITORY_FIELD] = None
        frame = gpd.GeoDataFrame(values, geometry=list(_mangroves(rng, count)),
                                 crs=storage_crs())
        opened.write(MANGROVES, frame, source="bench")
    return opened


def demo_atlas(path: str | Path, seed: int = 7) -> Atlas:
    """The generated demo atlas written at ``path`` (territories first), without its raster."""
    demo = generate_demo(seed)
    opened = create(path, demo.settings)
    for name in [TERRITORIES, *[n for n in demo.layers if n != TERRITORIES]]:
        if name in demo.layers and name in opened.catalog:
            opened.write(name, demo.layers[name], source="bench")
    return opened


def pick_territories(opened: Atlas) -> dict[str, str]:
    """The commune and the region with the most features (the worst cases)."""
    tree = opened.territories
    finest = tree.finest_level
    counts: dict[str, int] = {}
    for name in opened.catalog:
        if name == TERRITORIES or not opened.spec(name).has_field(TERRITORY_FIELD):
            continue
        codes = opened.read(name, columns=[TERRITORY_FIELD])[TERRITORY_FIELD].dropna()
        for code, n in codes.value_counts().items():
            counts[str(code)] = counts.get(str(code), 0) + int(n)
    communes = list(tree.at_level(finest).index)
    commune = max(communes, key=lambda c: (counts.get(c, 0), c))
    regions = list(tree.at_level(min(lv for lv in tree.levels if lv > 0)).index)
    region = max(regions, key=lambda r: sum(counts.get(c, 0) for c in tree.descendants(r)))
    return {"commune": commune, "region": region}


def measure(opened: Atlas, out: Path, lang: str = "fr") -> list[dict[str, object]]:
    """Export the commune and region maps with all layers; sizes and timings."""
    # Imported here: building a sized atlas must not load the map renderer.
    from ..render import export_html, territory_map

    results = []
    for kind, code in pick_territories(opened).items():
        started = time.perf_counter()
        fmap = territory_map(opened, code, lang=lang)
        path = export_html(fmap, out / f"map_{kind}_{code}.html")
        elapsed = time.perf_counter() - started
        features = sum(getattr(c, "feature_count", 0) for c in fmap._children.values())
        budget = COMMUNE_BUDGET if kind == "commune" else REGION_BUDGET
        results.append({"map": kind, "territory": code, "bytes": path.stat().st_size,
                        "budget": budget, "features": features,
                        "seconds": round(elapsed, 2)})
    return results
