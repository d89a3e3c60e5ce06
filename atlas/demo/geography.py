"""The land drawn first: country outline, river, delta and communes.

Everything else (localities, schools, water points...) is placed on this geography,
so it is drawn before any layer and handed to them as plain, frozen values. Shapes are
built in metres; communes are kept in longitude/latitude, the CRS points are assigned in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .draws import wave
from .frame import MetricFrame, multi
from .model import BBOX, COUNTRY_CODE

#: Number of départements, and the region each one belongs to (west to east).
DEPARTMENTS = 5
DEPT_REGION = (0, 0, 1, 1, 1)


@dataclass(frozen=True)
class Outline:
    """Country, river and delta channels, in metres."""

    country: BaseGeometry
    river: BaseGeometry
    mouth: Point
    channels: BaseGeometry


@dataclass(frozen=True)
class Communes:
    """Communes (Voronoi cells, in lon/lat) with their codes and départements."""

    seed_x: np.ndarray
    seed_y: np.ndarray
    dept: np.ndarray
    dept_region: np.ndarray
    dept_codes: list[str]
    region_codes: list[str]
    codes: list[str]
    geoms: list[MultiPolygon]
    tree: shapely.STRtree
    waste_dept: int

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index of the commune strictly containing each point (-1 when none)."""
        points = shapely.points(lon, lat)
        found = np.full(len(points), -1, dtype=int)
        hits = self.tree.query(points, predicate="within")
        found[hits[0]] = hits[1]
        return found

    def code_of(self, index: np.ndarray) -> list[str]:
        """Commune codes of commune indices."""
        return [self.codes[i] for i in np.asarray(index, int)]


def draw_outline(rng: np.random.Generator, frame: MetricFrame) -> Outline:
    """Country outline, river and delta branches (drawn in lon/lat, kept in metres)."""
    t = np.linspace(0.0, 1.0, 64)
    west, east = -16.30, -13.66
    north = np.column_stack([west + (east - west) * t,
                             16.70 - 0.06 * t + wave(rng, t, 0.15, (0.6, 1.7, 3.9, 8.3))])
    side = np.column_stack([east + 0.04 * np.sin(math.pi * t)
                            + wave(rng, t, 0.09, (0.9, 2.3)),
                            16.64 - (16.64 - 15.74) * t])
    south = np.column_stack([east - (east + 16.38) * t,
                             15.74 - 0.14 * t ** 1.5
                             + wave(rng, t, 0.13, (0.7, 1.8, 4.1, 8.9))])
    lat = 15.60 + (16.70 - 15.60) * t
    coast = np.column_stack([-16.42 + 0.09 * (lat - 15.60) + wave(rng, t, 0.01, (2.3, 5.2)),
                             lat])
    ring = np.vstack([north, side, south, coast])
    window = shapely.box(*BBOX).buffer(-0.02, join_style="mitre")
    country = shapely.intersection(shapely.make_valid(Polygon(ring)), window)
    country = max(shapely.get_parts(country), key=lambda g: g.area)
    # Round the corners: borders follow rivers and ridges, not a ruler.
    country_m = frame.metric_geom(country).buffer(-12_000, quad_segs=6).buffer(
        12_000, quad_segs=6)
    return _draw_river(rng, frame, country_m)


def _draw_river(rng: np.random.Generator, frame: MetricFrame,
                country_m: BaseGeometry) -> Outline:
    """The river across the country, and the distributaries of its delta."""
    t = np.linspace(0.0, 1.0, 320)
    river_lon = -13.40 - 3.20 * t
    river_lat = (16.36 - 0.28 * t + wave(rng, t, 0.05, (0.8, 1.9))
                 + wave(rng, t, 0.012, (7.0, 13.0)))
    river = frame.metric_geom(LineString(np.column_stack([river_lon, river_lat])))
    river_m = shapely.intersection(river, country_m)
    coords = shapely.get_coordinates(river_m)
    mouth = Point(coords[np.argmin(coords[:, 0])])
    # Delta: distributaries fanning out from the river to the coast.
    start = int(np.argmin(np.abs(river_lon + 16.08)))
    branches = []
    for offset in (0.13, 0.06, -0.07, -0.12):
        s = np.linspace(0.0, 1.0, 50)
        spread = offset * rng.uniform(0.7, 1.2)
        lon = river_lon[start] + (-16.56 - river_lon[start]) * s
        lat = (river_lat[start] + spread * np.sin(s * math.pi / 2)
               + wave(rng, s, 0.008, (1.5, 3.5)) * s)
        branch = frame.metric_geom(LineString(np.column_stack([lon, lat])))
        branches.append(shapely.intersection(branch, country_m))
    return Outline(country=country_m, river=river_m, mouth=mouth,
                   channels=shapely.union_all([river_m, *branches]))


def draw_communes(rng: np.random.Generator, frame: MetricFrame, outline: Outline) -> Communes:
    """Communes as Voronoi cells of jittered seeds; départements as bands of cells."""
    country = outline.country
    px, py, column = _commune_seeds(rng, country)
    dept = _departments(rng, column, len(px))
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(np.column_stack([px, py])),
        extend_to=country.buffer(50_000).envelope, ordered=True))
    geoms_ll = []
    for cell in cells:
        clipped = shapely.intersection(cell, country)
        geoms_ll.append(multi(frame.lonlat_geom(clipped)))

    # Codes: ZZ + region + département + commune, numbered west to east.
    dept_region = np.array(DEPT_REGION)
    dept_codes = [f"{COUNTRY_CODE}{r + 1:02d}{d + 1 - (0 if r == 0 else 2):02d}"
                  for d, r in enumerate(dept_region)]
    codes = []
    for i in range(len(px)):
        rank = int((dept[:i] == dept[i]).sum()) + 1
        codes.append(f"{dept_codes[dept[i]]}{rank:02d}")
    counts_by_dept = np.bincount(dept, minlength=DEPARTMENTS)
    return Communes(
        seed_x=px, seed_y=py, dept=dept, dept_region=dept_region, dept_codes=dept_codes,
        region_codes=[f"{COUNTRY_CODE}{r + 1:02d}" for r in range(2)], codes=codes,
        geoms=geoms_ll, tree=shapely.STRtree(geoms_ll),
        waste_dept=int(np.argmax(counts_by_dept)))


def _commune_seeds(rng: np.random.Generator, country: BaseGeometry,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jittered grid points inside the country (40 to 60), west to east, north to south.

    Also returns each point's grid column, from which départements are cut.
    """
    minx, miny, maxx, maxy = country.bounds
    target = int(rng.integers(44, 57))
    spacing = math.sqrt(country.area / target)
    for _ in range(40):
        xs = np.arange(minx + spacing / 2, maxx, spacing)
        ys = np.arange(miny + spacing / 2, maxy, spacing)
        gx, gy = np.meshgrid(xs, ys)
        column = np.broadcast_to(np.arange(len(xs)), gx.shape)
        px = gx + rng.uniform(-0.3, 0.3, gx.shape) * spacing
        py = gy + rng.uniform(-0.3, 0.3, gy.shape) * spacing
        inside = shapely.contains_xy(country, px, py)
        count = int(inside.sum())
        if 40 <= count <= 60:
            break
        spacing *= math.sqrt(count / target)
    else:  # pragma: no cover - the loop converges in a few steps
        raise RuntimeError("could not place the communes")
    px, py, column = px[inside], py[inside], column[inside]
    order = np.lexsort((-py, column))
    return px[order], py[order], column[order]


def _departments(rng: np.random.Generator, column: np.ndarray, communes: int) -> np.ndarray:
    """Département of each commune: contiguous runs of grid columns with random sizes."""
    columns = np.unique(column)
    counts = np.array([(column == c).sum() for c in columns])
    cumulative = np.cumsum(counts)
    targets = np.cumsum(rng.dirichlet(np.full(DEPARTMENTS, 6.0)))[:-1] * communes
    cuts, previous = [], 0
    for j, goal in enumerate(targets):
        before = cumulative[previous - 1] if previous else 0
        choices = [c for c in range(previous + 1, len(columns) - (3 - j))
                   if cumulative[c - 1] - before >= 4
                   and communes - cumulative[c - 1] >= 4 * (4 - j - 1) + 4
                   ] or list(range(previous + 1, len(columns) - (3 - j)))
        cut = min(choices, key=lambda c: abs(cumulative[c - 1] - goal))
        cuts.append(cut)
        previous = cut
    dept_of_column = np.searchsorted(np.array(cuts), np.arange(len(columns)), side="right")
    return dept_of_column[np.searchsorted(columns, column)]
