"""Fictional demo atlas: a Sahelian river valley with a coastal delta, built from a seed.

The demo lets people try every part of the platform (maps, fact sheets, indicators,
imports) without real data, and gives the tests a realistic, reproducible atlas. It is
pure data: the store decides how to write it. Everything is drawn from one
``numpy.random.default_rng(seed)`` and no set is ever iterated, so the same seed gives
identical layers, grid and settings on every machine and in every process.

Geometry is built in the atlas's metric CRS (UTM 28N) so that distances and buffers are
in metres, then converted once to EPSG:4326; the commune of every point is found in
EPSG:4326, the CRS the data is stored and checked in.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.features import geometry_mask
from rasterio.transform import Affine
from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from .catalog import LayerSpec, load_catalog
from .crs import storage_crs, utm_for

DEFAULT_SEED = 2026
COUNTRY_CODE = "ZZ"
POPULATION_YEAR = 2023
#: Grid step of the population raster in degrees (about 215 m): close to WorldPop's
#: 100 m while keeping the whole country near one million cells.
RASTER_RESOLUTION = 0.002
#: Longitude/latitude window of the fictional country.
BBOX = (-16.5, 15.5, -13.5, 16.8)
LAYER_NAMES = ("territories", "localities", "water_points", "schools", "mangroves",
               "nubian_vaults", "biodigesters", "waste_sites", "activities")
LEVEL_NAMES = {0: "pays", 1: "région", 2: "département", 3: "commune"}
LEVEL_NAMES_EN = {0: "country", 1: "region", 2: "department", 3: "municipality"}
#: Grid (degrees) that polygon vertices are snapped to, so shared edges stay shared.
_GRID = 1e-7
_TAU = 2.0 * math.pi


@dataclass(frozen=True)
class DemoData:
    """The demo atlas as plain data: vector layers, a population grid and settings."""

    layers: dict[str, gpd.GeoDataFrame]
    population: np.ndarray
    transform: Affine
    crs: CRS
    settings: dict[str, Any]


def generate_demo(seed: int = DEFAULT_SEED) -> DemoData:
    """Build the fictional atlas; the same seed always gives the same data."""
    return _Builder(int(seed)).build()


def write_population_raster(data: DemoData, path: str | os.PathLike[str]) -> Path:
    """Write the population grid as a deflate-compressed GeoTIFF with fixed tags.

    Tags carry no timestamp, so the same seed writes the same file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    height, width = data.population.shape
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1,
        "dtype": "float32", "crs": rasterio.crs.CRS.from_user_input(data.crs.to_wkt()),
        "transform": data.transform, "compress": "deflate", "predictor": 3,
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.open(target, "w", **profile) as dst:
        dst.write(data.population.astype("float32"), 1)
        dst.update_tags(
            TITLE="Population (fictional demo atlas)",
            SOURCE="atlas-territorial demo generator",
            FICTIONAL="yes",
            SEED=str(data.settings.get("seed", "")),
            POPULATION_YEAR=str(data.settings.get("population_year", "")),
        )
        dst.update_tags(1, UNITS="people per cell")
        dst.set_band_description(1, "population")
    return target


def demo_checksum(data: DemoData) -> str:
    """Content fingerprint (values, geometries as WKB, grid, settings) to compare builds."""
    digest = hashlib.sha256()
    for name in sorted(data.layers):
        frame = data.layers[name]
        digest.update(f"[{name}]{','.join(map(str, frame.columns))}".encode())
        for column in frame.columns:
            if column == frame.geometry.name:
                for wkb in shapely.to_wkb(np.asarray(frame.geometry.values)):
                    digest.update(b"\x00" if wkb is None else wkb)
                continue
            digest.update(str(frame[column].dtype).encode())
            digest.update("\x1f".join(_text(v) for v in frame[column]).encode())
    digest.update(np.ascontiguousarray(data.population, dtype="<f4").tobytes())
    digest.update(repr(tuple(data.transform)).encode())
    digest.update(json.dumps(data.settings, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _text(value: Any) -> str:
    return "\x00" if value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value)) else repr(value)


# --------------------------------------------------------------------------- names

#: Real towns of the region and beyond that a generated name must not copy.
_FORBIDDEN_NAMES = {
    "dakar", "thies", "kaolack", "ziguinchor", "saint-louis", "touba", "mbour", "rufisque",
    "podor", "dagana", "matam", "bakel", "louga", "kolda", "tambacounda", "diourbel",
    "fatick", "kaffrine", "kedougou", "sedhiou", "linguere", "richard-toll", "rosso",
    "kaedi", "bogue", "nouakchott", "bamako", "kayes", "conakry", "labe", "mamou", "kindia",
    "boke", "banjul", "bissau", "segou", "mopti", "gao", "niamey", "kiffa", "atar", "safi",
    "tivaouane", "mbacke", "guediawaye", "pikine", "ndioum", "ourossogui", "kanel",
}
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "s", "t", "w", "y", "r", "mb", "nd",
           "ng", "nj", "th", "kh", "dj", "s", "k", "d", "")
_VOWELS = ("a", "a", "a", "e", "é", "i", "i", "o", "ou", "ou")
_CODAS = ("", "", "", "", "", "l", "m", "n", "r", "k", "ng", "t")
_ENDINGS = ("ène", "aye", "ane", "é", "ou", "ar", "ol", "em", "ick", "ack", "ir", "ène",
            "ane", "el", "oum", "adji", "ba")
_SUFFIXES = (" Walo", " Diéri", " Peulh", " Escale", " Nord", " Sud")


class _NameMaker:
    """Unique, pronounceable West-African-sounding place names from syllables."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self) -> str:
        rng = self.rng
        parts = []
        syllables = int(rng.choice([1, 2, 2, 2, 3]))
        for i in range(syllables):
            onset = _ONSETS[rng.integers(len(_ONSETS))]
            vowel = _VOWELS[rng.integers(len(_VOWELS))]
            if onset == "g" and vowel in ("e", "é", "i"):
                onset = "gu"
            parts.append(onset + vowel)
            if i < syllables - 1 and rng.random() < 0.2:
                parts.append(_CODAS[rng.integers(len(_CODAS))])
        word = "".join(parts)
        if rng.random() < 0.45:
            ending = _ENDINGS[rng.integers(len(_ENDINGS))]
            if ending[0] in "aeiouéè":
                word = word.rstrip("aeiouéè") or word
            word += ending
        else:
            word += _CODAS[rng.integers(len(_CODAS))]
        return word[:1].upper() + word[1:]

    def make(self, decorate: bool = True) -> str:
        """A name never returned before and not the name of a real big town."""
        while True:
            name = self.word()
            draw = self.rng.random()
            if decorate and draw < 0.07:
                name = "Keur " + self.word()
            elif decorate and draw < 0.15:
                name += _SUFFIXES[self.rng.integers(len(_SUFFIXES))]
            plain = _ascii(name)
            bare = re.sub(r"[^a-z]", "", plain)
            if (not 4 <= len(bare) <= 12 or re.search(r"[aeiou]{3}|([aeio])\1", _ascii(name))
                    or re.search(r"[^aeiou\W]{4}", bare)):
                continue
            if plain in _FORBIDDEN_NAMES or plain in self.used:
                continue
            self.used.add(plain)
            return name


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower().replace(" ", "-")


# --------------------------------------------------------------------------- tables

#: Rural water points: (source_type, technology, probability, name prefix).
_RURAL_WATER = (
    ("borehole", "hand_pump", 0.30, "Forage"),
    ("borehole", "solar_pump", 0.06, "Forage solaire"),
    ("borehole", "motorised_pump", 0.04, "Forage motorisé"),
    ("piped", "tap", 0.07, "Borne-fontaine"),
    ("protected_well", "bucket", 0.14, "Puits moderne"),
    ("protected_well", "hand_pump", 0.05, "Puits équipé"),
    ("unprotected_well", "bucket", 0.25, "Puits traditionnel"),
    ("rainwater", "none", 0.02, "Impluvium"),
    ("surface_water", "none", 0.07, "Prise d'eau au fleuve"),
)
_TECH_RELIABILITY = {"tap": 0.76, "hand_pump": 0.6, "motorised_pump": 0.68,
                     "solar_pump": 0.78, "bucket": 0.76, "none": 0.8}
_WASH_PROGRAMMES = ("Programme WASH Écoles", "Projet Écoles saines")
_MANGROVE_SPECIES = ("Rhizophora racemosa", "Avicennia germinans", "Rhizophora mangle",
                     "Rhizophora racemosa ; Avicennia germinans")
_PROGRAMME_WEIGHTS = {"wash_schools": 0.25, "biodigesters": 0.12, "mangroves": 0.15,
                      "nubian_vaults": 0.13, "waste": 0.20, "youth_training": 0.15}
_PROGRAMME_START = {"wash_schools": 2019, "biodigesters": 2019, "mangroves": 2019,
                    "nubian_vaults": 2020, "waste": 2021, "youth_training": 2019}
#: Share of women and girls among the people an activity reaches, by programme.
_WOMEN_SHARE = {"wash_schools": 0.58, "biodigesters": 0.42, "mangroves": 0.66,
                "nubian_vaults": 0.15, "waste": 0.56, "youth_training": 0.46}
_ACTIVITY_TYPES = {
    "wash_schools": {"awareness": 0.35, "training": 0.2, "works": 0.2,
                     "distribution": 0.15, "monitoring": 0.1},
    "biodigesters": {"training": 0.3, "works": 0.35, "awareness": 0.15, "monitoring": 0.2},
    "mangroves": {"works": 0.4, "awareness": 0.25, "training": 0.15, "monitoring": 0.2},
    "nubian_vaults": {"training": 0.4, "works": 0.35, "awareness": 0.15, "meeting": 0.1},
    "waste": {"awareness": 0.3, "works": 0.2, "distribution": 0.2, "meeting": 0.2,
              "training": 0.1},
    "youth_training": {"training": 0.7, "meeting": 0.15, "monitoring": 0.15},
}
_ACTIVITY_TITLES = {
    ("wash_schools", "awareness"): "Sensibilisation au lavage des mains",
    ("wash_schools", "training"): "Formation du comité de gestion de l'école",
    ("wash_schools", "works"): "Construction de blocs de latrines séparés",
    ("wash_schools", "distribution"): "Remise de kits de lavage des mains",
    ("wash_schools", "monitoring"): "Suivi des équipements WASH",
    ("biodigesters", "training"): "Formation des maçons biogaz",
    ("biodigesters", "works"): "Construction de biodigesteurs",
    ("biodigesters", "awareness"): "Démonstration du biogaz et du compost",
    ("biodigesters", "monitoring"): "Visite de suivi des biodigesteurs",
    ("mangroves", "works"): "Reboisement de palétuviers",
    ("mangroves", "awareness"): "Sensibilisation à la protection de la mangrove",
    ("mangroves", "training"): "Formation des groupements de femmes à la pépinière",
    ("mangroves", "monitoring"): "Comptage de survie des plants",
    ("nubian_vaults", "training"): "Formation de maçons et d'apprentis",
    ("nubian_vaults", "works"): "Chantier voûte nubienne",
    ("nubian_vaults", "awareness"): "Présentation de la technique voûte nubienne",
    ("nubian_vaults", "meeting"): "Réunion avec les clients et la commune",
    ("waste", "awareness"): "Campagne de propreté",
    ("waste", "works"): "Résorption d'un dépôt sauvage",
    ("waste", "distribution"): "Distribution de bacs et de charrettes",
    ("waste", "meeting"): "Concertation communale sur la gestion des déchets",
    ("waste", "training"): "Formation des agents de collecte",
    ("youth_training", "training"): "Formation professionnelle des jeunes",
    ("youth_training", "meeting"): "Forum de l'emploi des jeunes",
    ("youth_training", "monitoring"): "Suivi de l'insertion des jeunes formés",
}
#: People reached by an activity type: (low, high) of a log-uniform draw.
_REACH = {"training": (8, 45), "awareness": (40, 650), "works": (4, 40),
          "distribution": (20, 300), "meeting": (10, 70), "monitoring": (2, 20)}


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _day(rng: np.random.Generator, first: date, last: date) -> str:
    return (first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))).isoformat()


def _multi(geometry: BaseGeometry | None) -> MultiPolygon:
    """Valid MultiPolygon made of the polygonal parts of a geometry."""
    if geometry is None or geometry.is_empty:
        return MultiPolygon()
    geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon) and not p.is_empty]
    nested = [q for p in shapely.get_parts(geometry) if isinstance(p, MultiPolygon)
              for q in p.geoms]
    return MultiPolygon(parts + nested)


def _wave(rng: np.random.Generator, t: np.ndarray, amplitude: float,
          frequencies: Sequence[float]) -> np.ndarray:
    """Smooth random curve: sines with random phases, weaker as they get faster."""
    total = np.zeros_like(t)
    for frequency in frequencies:
        weight = (frequencies[0] / frequency) ** 0.9
        total += amplitude * weight * rng.uniform(0.4, 1.0) * np.sin(
            _TAU * frequency * t + rng.uniform(0, _TAU))
    return total


# --------------------------------------------------------------------------- builder

class _Builder:
    """Draws the whole atlas in a fixed order from one random generator."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        lon0, lat0 = (BBOX[0] + BBOX[2]) / 2, (BBOX[1] + BBOX[3]) / 2
        self.metric = utm_for(lon0, lat0)
        self.to_metric = Transformer.from_crs(storage_crs(), self.metric, always_xy=True)
        self.to_lonlat = Transformer.from_crs(self.metric, storage_crs(), always_xy=True)
        self.names = _NameMaker(self.rng)
        self.catalog = load_catalog()

    # ---- helpers
    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self.to_lonlat.transform(np.asarray(x, float), np.asarray(y, float))
        return np.round(lon, 7), np.round(lat, 7)

    def metric_geom(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self.to_metric.transform, interleaved=False)

    def lonlat_geom(self, geometry: BaseGeometry) -> BaseGeometry:
        moved = shapely.transform(geometry, self.to_lonlat.transform, interleaved=False)
        return shapely.set_precision(moved, _GRID)

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Index of the commune strictly containing each point (-1 when none)."""
        points = shapely.points(lon, lat)
        found = np.full(len(points), -1, dtype=int)
        hits = self.commune_tree.query(points, predicate="within")
        found[hits[0]] = hits[1]
        return found

    def place(self, ax: np.ndarray, ay: np.ndarray, distance: np.ndarray,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scatter points around anchors (metres), keeping every point in a commune.

        A point that lands outside the country is redrawn closer to its anchor, and
        finally put on the anchor itself, which is known to be inside.
        """
        ax, ay = np.asarray(ax, float), np.asarray(ay, float)
        dist = np.broadcast_to(np.asarray(distance, float), ax.shape).copy()
        lon = np.zeros(len(ax))
        lat = np.zeros(len(ax))
        commune = np.full(len(ax), -1, dtype=int)
        todo = np.arange(len(ax))
        for _ in range(6):
            if not len(todo):
                break
            angle = self.rng.uniform(0, _TAU, len(todo))
            x = ax[todo] + dist[todo] * np.cos(angle)
            y = ay[todo] + dist[todo] * np.sin(angle)
            lon[todo], lat[todo] = self.lonlat(x, y)
            commune[todo] = self.assign(lon[todo], lat[todo])
            todo = todo[commune[todo] < 0]
            dist[todo] /= 2
        if len(todo):
            lon[todo], lat[todo] = self.lonlat(ax[todo], ay[todo])
            commune[todo] = self.assign(lon[todo], lat[todo])
        return lon, lat, commune

    def commune_code(self, index: np.ndarray) -> list[str]:
        return [self.codes[i] for i in np.asarray(index, int)]

    # ---- build
    def build(self) -> DemoData:
        self.outline()
        self.communes()
        self.localities()
        layers = {
            "localities": self.locality_layer(),
            "schools": self.schools(),
            "water_points": self.water_points(),
            "mangroves": self.mangroves(),
            "nubian_vaults": self.nubian_vaults(),
            "biodigesters": self.biodigesters(),
            "waste_sites": self.waste_sites(),
        }
        layers["activities"] = self.activities(layers)
        layers["territories"] = self.territories()
        population, transform = self.population_grid()
        frames = {name: self.conform(self.catalog[name], layers[name]) for name in LAYER_NAMES}
        return DemoData(layers=frames, population=population, transform=transform,
                        crs=storage_crs(), settings=self.settings())

    def outline(self) -> None:
        """Country outline, river and delta branches (drawn in lon/lat, kept in metres)."""
        rng = self.rng
        t = np.linspace(0.0, 1.0, 64)
        west, east = -16.30, -13.66
        north = np.column_stack([west + (east - west) * t,
                                 16.70 - 0.06 * t + _wave(rng, t, 0.15, (0.6, 1.7, 3.9, 8.3))])
        side = np.column_stack([east + 0.04 * np.sin(math.pi * t)
                                + _wave(rng, t, 0.09, (0.9, 2.3)),
                                16.64 - (16.64 - 15.74) * t])
        south = np.column_stack([east - (east + 16.38) * t,
                                 15.74 - 0.14 * t ** 1.5
                                 + _wave(rng, t, 0.13, (0.7, 1.8, 4.1, 8.9))])
        lat = 15.60 + (16.70 - 15.60) * t
        coast = np.column_stack([-16.42 + 0.09 * (lat - 15.60) + _wave(rng, t, 0.01, (2.3, 5.2)),
                                 lat])
        ring = np.vstack([north, side, south, coast])
        window = shapely.box(*BBOX).buffer(-0.02, join_style="mitre")
        country = shapely.intersection(shapely.make_valid(Polygon(ring)), window)
        country = max(shapely.get_parts(country), key=lambda g: g.area)
        # Round the corners: borders follow rivers and ridges, not a ruler.
        self.country_m = self.metric_geom(country).buffer(-12_000, quad_segs=6).buffer(
            12_000, quad_segs=6)

        t = np.linspace(0.0, 1.0, 320)
        river_lon = -13.40 - 3.20 * t
        river_lat = (16.36 - 0.28 * t + _wave(rng, t, 0.05, (0.8, 1.9))
                     + _wave(rng, t, 0.012, (7.0, 13.0)))
        river = self.metric_geom(LineString(np.column_stack([river_lon, river_lat])))
        self.river_m = shapely.intersection(river, self.country_m)
        coords = shapely.get_coordinates(self.river_m)
        self.mouth = Point(coords[np.argmin(coords[:, 0])])
        # Delta: distributaries fanning out from the river to the coast.
        start = int(np.argmin(np.abs(river_lon + 16.08)))
        branches = []
        for offset in (0.13, 0.06, -0.07, -0.12):
            s = np.linspace(0.0, 1.0, 50)
            spread = offset * rng.uniform(0.7, 1.2)
            lon = river_lon[start] + (-16.56 - river_lon[start]) * s
            lat = (river_lat[start] + spread * np.sin(s * math.pi / 2)
                   + _wave(rng, s, 0.008, (1.5, 3.5)) * s)
            branch = self.metric_geom(LineString(np.column_stack([lon, lat])))
            branches.append(shapely.intersection(branch, self.country_m))
        self.channels = shapely.union_all([self.river_m, *branches])

    def communes(self) -> None:
        """Communes as Voronoi cells of jittered seeds; départements as bands of cells."""
        rng = self.rng
        minx, miny, maxx, maxy = self.country_m.bounds
        target = int(rng.integers(44, 57))
        spacing = math.sqrt(self.country_m.area / target)
        for _ in range(40):
            xs = np.arange(minx + spacing / 2, maxx, spacing)
            ys = np.arange(miny + spacing / 2, maxy, spacing)
            gx, gy = np.meshgrid(xs, ys)
            column = np.broadcast_to(np.arange(len(xs)), gx.shape)
            px = gx + rng.uniform(-0.3, 0.3, gx.shape) * spacing
            py = gy + rng.uniform(-0.3, 0.3, gy.shape) * spacing
            inside = shapely.contains_xy(self.country_m, px, py)
            count = int(inside.sum())
            if 40 <= count <= 60:
                break
            spacing *= math.sqrt(count / target)
        else:  # pragma: no cover - the loop converges in a few steps
            raise RuntimeError("could not place the communes")
        px, py, column = px[inside], py[inside], column[inside]
        order = np.lexsort((-py, column))
        px, py, column = px[order], py[order], column[order]

        # Départements: contiguous runs of grid columns with random sizes.
        columns = np.unique(column)
        counts = np.array([(column == c).sum() for c in columns])
        cumulative = np.cumsum(counts)
        targets = np.cumsum(rng.dirichlet(np.full(5, 6.0)))[:-1] * len(px)
        cuts, previous = [], 0
        for j, goal in enumerate(targets):
            before = cumulative[previous - 1] if previous else 0
            choices = [c for c in range(previous + 1, len(columns) - (3 - j))
                       if cumulative[c - 1] - before >= 4
                       and len(px) - cumulative[c - 1] >= 4 * (4 - j - 1) + 4
                       ] or list(range(previous + 1, len(columns) - (3 - j)))
            cut = min(choices, key=lambda c: abs(cumulative[c - 1] - goal))
            cuts.append(cut)
            previous = cut
        dept_of_column = np.searchsorted(np.array(cuts), np.arange(len(columns)), side="right")
        dept = dept_of_column[np.searchsorted(columns, column)]

        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(np.column_stack([px, py])),
            extend_to=self.country_m.buffer(50_000).envelope, ordered=True))
        geoms_ll = []
        for cell in cells:
            clipped = shapely.intersection(cell, self.country_m)
            geoms_ll.append(_multi(self.lonlat_geom(clipped)))

        # Codes: ZZ + region + département + commune, numbered west to east.
        self.seed_x, self.seed_y = px, py
        self.commune_dept = dept
        self.dept_region = np.array([0, 0, 1, 1, 1])
        self.dept_codes = [f"{COUNTRY_CODE}{r + 1:02d}{d + 1 - (0 if r == 0 else 2):02d}"
                           for d, r in enumerate(self.dept_region)]
        self.region_codes = [f"{COUNTRY_CODE}{r + 1:02d}" for r in range(2)]
        self.codes = []
        for i in range(len(px)):
            rank = int((dept[:i] == dept[i]).sum()) + 1
            self.codes.append(f"{self.dept_codes[dept[i]]}{rank:02d}")
        self.commune_geoms = geoms_ll
        self.commune_tree = shapely.STRtree(geoms_ll)
        counts_by_dept = np.bincount(dept, minlength=5)
        self.waste_dept = int(np.argmax(counts_by_dept))

    def localities(self) -> None:
        """Commune seats on the seeds, then villages denser near the river."""
        rng = self.rng
        n_communes = len(self.seed_x)
        total = int(rng.integers(700, 921))
        xs = np.zeros(total)
        ys = np.zeros(total)
        xs[:n_communes], ys[:n_communes] = self.seed_x, self.seed_y
        count = n_communes
        minx, miny, maxx, maxy = self.country_m.bounds
        for _ in range(60):
            if count >= total:
                break
            cx = rng.uniform(minx, maxx, 3000)
            cy = rng.uniform(miny, maxy, 3000)
            distance = shapely.distance(shapely.points(cx, cy), self.river_m)
            weight = 0.1 + 0.9 * np.exp(-distance / 10_000)
            keep = (shapely.contains_xy(self.country_m, cx, cy) & (distance > 300)
                    & (rng.random(3000) < weight))
            for x, y in zip(cx[keep], cy[keep], strict=True):
                near = np.hypot(xs[:count] - x, ys[:count] - y).min()
                if near >= 1400:
                    xs[count], ys[count] = x, y
                    count += 1
                    if count >= total:
                        break
        xs, ys = xs[:count], ys[:count]
        lon, lat = self.lonlat(xs, ys)
        commune = self.assign(lon, lat)
        if (commune[:n_communes] != np.arange(n_communes)).any():
            raise RuntimeError("a commune seat fell outside its commune")
        keep = commune >= 0
        xs, ys, lon, lat, commune = xs[keep], ys[keep], lon[keep], lat[keep], commune[keep]
        chef = np.arange(len(xs)) < n_communes
        river = shapely.distance(shapely.points(xs, ys), self.river_m)

        population = np.exp(rng.normal(math.log(420), 0.95, len(xs)))
        population *= 1 + 0.8 * np.exp(-river / 8_000)
        population = np.clip(population, 25, 15_000)
        population[chef] = np.clip(np.exp(rng.normal(math.log(3_500), 0.5, n_communes)),
                                   900, 20_000)
        # Département capitals are river towns; the largest of each region is its capital.
        capitals = []
        for d in range(5):
            members = np.flatnonzero(self.commune_dept == d)
            capital = int(members[np.argmin(river[members])])
            population[capital] = np.exp(rng.normal(math.log(28_000), 0.35))
            capitals.append(capital)
        for r in range(2):
            in_region = [c for d, c in enumerate(capitals) if self.dept_region[d] == r]
            population[max(in_region, key=lambda c: population[c])] *= 1.8
        population = np.round(population).astype(int)

        kind = np.where(population >= 5_000, "town",
                        np.where(population < 150, "hamlet", "village")).astype(object)
        kind[chef] = "chef_lieu"
        names = [self.names.make(decorate=False) if i < n_communes else self.names.make()
                 for i in range(len(xs))]

        codes = np.array(self.commune_code(commune), dtype=object)
        order = sorted(range(len(xs)), key=lambda i: (codes[i], not chef[i], -population[i], i))
        order = np.array(order)
        ids, rank = [], {}
        for i in order:
            rank[codes[i]] = rank.get(codes[i], 0) + 1
            ids.append(f"{codes[i]}{rank[codes[i]]:03d}")
        self.loc = {
            "x": xs[order], "y": ys[order], "lon": lon[order], "lat": lat[order],
            "commune": commune[order], "population": population[order],
            "kind": kind[order], "name": [names[i] for i in order], "id": ids,
            "river": river[order], "chef": chef[order],
        }
        self.commune_names = [""] * n_communes
        for i in np.flatnonzero(self.loc["chef"]):
            self.commune_names[self.loc["commune"][i]] = self.loc["name"][i]
        self.dept_capitals = capitals
        self.capital_population = [int(population[c]) for c in capitals]
        self.commune_population = np.bincount(self.loc["commune"],
                                              weights=self.loc["population"],
                                              minlength=n_communes).astype(int)

    def locality_layer(self) -> dict[str, Any]:
        loc = self.loc
        n = len(loc["id"])
        return {
            "locality_id": loc["id"], "name": loc["name"], "kind": list(loc["kind"]),
            "population": [int(p) for p in loc["population"]],
            "population_year": [POPULATION_YEAR] * n,
            "territory_code": self.commune_code(loc["commune"]),
            "geometry": shapely.points(loc["lon"], loc["lat"]),
        }

    # ---- schools
    def schools(self) -> dict[str, Any]:
        """Schools at localities, with WASH facilities better where a programme worked."""
        rng = self.rng
        loc = self.loc
        total = int(rng.integers(340, 461))
        chefs = np.flatnonzero(loc["chef"])
        eligible = np.flatnonzero(loc["population"] >= 150)
        weight = loc["population"][eligible].astype(float) ** 0.85
        extra = rng.choice(eligible, size=total - len(chefs), p=weight / weight.sum())
        anchors = np.sort(np.concatenate([chefs, extra]))
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["schools"].field_names}
        seen: dict[int, int] = {}
        names: dict[str, int] = {}
        urban_radius = np.where(loc["population"][anchors] > 5_000, 1_500.0, 500.0)
        distance = np.maximum(60.0, rng.uniform(0.1, 1.0, len(anchors)) * urban_radius)
        lon, lat, commune = self.place(loc["x"][anchors], loc["y"][anchors], distance)
        for k, a in enumerate(anchors):
            seen[a] = seen.get(a, 0) + 1
            big = loc["population"][a] >= 2_000
            near_river = loc["river"][a] < 4_000
            if seen[a] == 1:
                level = "primary"
            elif big:
                level = _pick(rng, {"primary": 0.45, "preschool": 0.17, "middle": 0.24,
                                    "secondary": 0.14})
            else:
                level = _pick(rng, {"primary": 0.75, "preschool": 0.17, "middle": 0.08})
            sector = _pick(rng, {"public": 0.8, "private": 0.07, "community": 0.06,
                                 "franco_arab": 0.07})
            name = self.school_name(level, sector, loc["name"][a])
            names[name] = names.get(name, 0) + 1
            if names[name] > 1:
                name += f" {names[name]}"
            low, high = {"preschool": (40, 160), "primary": (90, 700),
                         "middle": (200, 900), "secondary": (300, 900)}[level]
            size = min(1.0, 0.35 + loc["population"][a] / 8_000)
            pupils = int(np.clip(rng.uniform(low, low + (high - low) * size), 40, 900))
            girls_share = np.clip(rng.normal(0.51 if level != "secondary" else 0.47, 0.04),
                                  0.3, 0.7)
            girls = int(round(pupils * girls_share))
            teachers = max(1, int(math.ceil(pupils / rng.uniform(32, 62))))

            equipped = sector in ("public", "community") and rng.random() < 0.24
            programme = _WASH_PROGRAMMES[int(rng.random() < 0.3)] if equipped else None
            water, available = self.school_water(rng, equipped, big, near_river)
            sanitation, latrines = self.school_latrines(rng, equipped, big, pupils, girls)
            facility = rng.random() < (0.95 if equipped else 0.5)
            hw_water = facility and rng.random() < (0.86 if equipped else 0.64)
            soap = hw_water and rng.random() < (0.62 if equipped else 0.33)

            values = {
                "school_id": f"SC{k + 1:04d}", "name": name, "level": level, "sector": sector,
                "pupils_girls": girls, "pupils_boys": pupils - girls,
                "teachers": None if rng.random() < 0.02 else teachers,
                "water_source": water, "water_available": available,
                "sanitation_type": sanitation, **latrines,
                "handwashing_facility": bool(facility), "handwashing_water": bool(hw_water),
                "handwashing_soap": bool(soap),
                "fenced": bool(rng.random() < (0.7 if equipped else 0.42)),
                "electricity": None if rng.random() < 0.03 else bool(
                    rng.random() < (0.7 if big else 0.18)),
                "wash_programme": programme,
                "equipped_year": int(rng.integers(2016, 2025)) if equipped else None,
                "survey_date": _day(rng, date(2024, 2, 1), date(2024, 6, 15)),
                "territory_code": self.codes[commune[k]],
            }
            for key, value in values.items():
                rows[key].append(value)
        rows["geometry"] = shapely.points(lon, lat)
        return rows

    @staticmethod
    def school_name(level: str, sector: str, place: str) -> str:
        base = {"preschool": "Case des tout-petits de", "primary": "École élémentaire de",
                "middle": "CEM de", "secondary": "Lycée de"}[level]
        if sector == "franco_arab":
            base = "École franco-arabe de"
        elif sector == "community":
            base = "École communautaire de"
        elif sector == "private":
            base = {"preschool": "Jardin d'enfants privé de", "primary": "École privée de",
                    "middle": "Collège privé de", "secondary": "Lycée privé de"}[level]
        return f"{base} {place}"

    @staticmethod
    def school_water(rng: np.random.Generator, equipped: bool, big: bool,
                     near_river: bool) -> tuple[str, bool]:
        if rng.random() < (0.92 if equipped else 0.57):
            weights = ({"piped": 0.6, "borehole": 0.2, "protected_well": 0.1, "rainwater": 0.04,
                        "packaged": 0.06} if big else
                       {"piped": 0.12, "borehole": 0.45, "protected_well": 0.28,
                        "rainwater": 0.1, "packaged": 0.05})
            return _pick(rng, weights), bool(rng.random() < (0.86 if equipped else 0.66))
        weights = {"unprotected_well": 0.55, "surface_water": 0.3 if near_river else 0.04,
                   "none": 0.35}
        source = _pick(rng, weights)
        return source, bool(source != "none" and rng.random() < 0.6)

    @staticmethod
    def school_latrines(rng: np.random.Generator, equipped: bool, big: bool, pupils: int,
                        girls: int) -> tuple[str, dict[str, int]]:
        zero = {f"latrines_{s}{u}": 0 for s in ("girls", "boys", "mixed") for u in ("", "_usable")}
        draw = rng.random()
        if draw < (0.0 if equipped else 0.17):
            return "none", zero
        if draw < (0.05 if equipped else 0.37):
            kind = _pick(rng, {"pit_no_slab": 0.8, "hanging": 0.1, "bucket": 0.1})
        else:
            kind = _pick(rng, {"pit_slab": 0.34, "vip": 0.3, "pour_flush": 0.2,
                               "flush": 0.1 if big else 0.03, "composting": 0.06})
        counts = dict(zero)
        if rng.random() < (0.9 if equipped else 0.5):
            counts["latrines_girls"] = max(1, int(round(girls / rng.uniform(40, 140))))
            counts["latrines_boys"] = max(1, int(round((pupils - girls) / rng.uniform(60, 180))))
            counts["latrines_mixed"] = int(rng.random() < 0.15)
        else:
            counts["latrines_mixed"] = max(1, int(round(pupils / rng.uniform(80, 250))))
        usable_share = 0.0 if rng.random() < (0.03 if equipped else 0.12) else rng.uniform(
            0.55 if equipped else 0.3, 1.0)
        for sex in ("girls", "boys", "mixed"):
            built = counts[f"latrines_{sex}"]
            counts[f"latrines_{sex}_usable"] = int(rng.binomial(built, usable_share))
        return kind, counts

    # ---- water points
    def water_points(self) -> dict[str, Any]:
        """Taps in towns, boreholes, wells and river intakes in villages, pastoral boreholes."""
        rng = self.rng
        loc = self.loc
        target = int(rng.integers(1_000, 1_301))
        urban = (loc["population"] >= 2_500) & (loc["kind"] != "village")
        urban |= loc["kind"] == "town"
        pop = loc["population"].astype(float)
        tap_lambda = np.where(urban, 1.5 + pop / 1_600, 0.0)
        rural_lambda = np.where(urban, 0.6, np.maximum(pop / 380, 0.12))
        factor = max(0.3, (target - tap_lambda.sum() - 20) / rural_lambda.sum())
        points: list[tuple[int, str, str, str, float]] = []
        for i in range(len(pop)):
            if urban[i]:
                for _ in range(min(45, int(rng.poisson(tap_lambda[i])))):
                    points.append((i, "piped", "tap", "Borne-fontaine",
                                   rng.uniform(50, 1_800 if pop[i] > 10_000 else 900)))
                tech = "solar_pump" if rng.random() < 0.4 else "motorised_pump"
                points.append((i, "borehole", tech, "Forage du réseau", rng.uniform(300, 2_000)))
            for _ in range(int(rng.poisson(rural_lambda[i] * factor))):
                source, tech, _p, prefix = _RURAL_WATER[int(rng.choice(
                    len(_RURAL_WATER), p=[w[2] for w in _RURAL_WATER]))]
                if source == "surface_water" and loc["river"][i] > 4_000:
                    source, tech, prefix = "unprotected_well", "bucket", "Puits traditionnel"
                far = rng.random() < 0.12
                distance = rng.uniform(600, 2_000) if far else np.exp(
                    rng.normal(math.log(170), 0.7))
                points.append((i, source, tech, prefix, float(distance)))
        anchor = np.array([p[0] for p in points])
        lon, lat, commune = self.place(loc["x"][anchor], loc["y"][anchor],
                                       np.array([p[4] for p in points]))
        # River intakes sit on the bank: the nearest point of the river to the village.
        for k, (i, source, *_rest) in enumerate(points):
            if source == "surface_water":
                bank = shapely.line_interpolate_point(
                    self.river_m, self.river_m.project(Point(loc["x"][i], loc["y"][i])))
                blon, blat = self.lonlat(np.array([bank.x]), np.array([bank.y]))
                where = self.assign(blon, blat)[0]
                if where >= 0:
                    lon[k], lat[k], commune[k] = blon[0], blat[0], where
        # Pastoral boreholes, far from villages, for herds in the dry season.
        pastoral = self.pastoral_sites(int(rng.integers(12, 26)))
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["water_points"].field_names}
        records = [(p[1], p[2], p[3], loc["name"][p[0]], lon[k], lat[k], commune[k])
                   for k, p in enumerate(points)]
        for px, py, nearest in pastoral:
            plon, plat = self.lonlat(np.array([px]), np.array([py]))
            where = self.assign(plon, plat)[0]
            if where >= 0:
                tech = "solar_pump" if rng.random() < 0.5 else "motorised_pump"
                records.append(("borehole", tech, "Forage pastoral", loc["name"][nearest],
                                 plon[0], plat[0], where))
        numbers: dict[str, int] = {}
        for k, (source, tech, prefix, place, _lon, _lat, where) in enumerate(records):
            key = f"{prefix} {place}"
            numbers[key] = numbers.get(key, 0) + 1
            install = self.install_year(rng, source)
            age = 2024 - (install if install is not None else 1990)
            p_ok = float(np.clip(_TECH_RELIABILITY[tech] - 0.006 * max(age - 8, 0), 0.35, 0.95))
            draw = rng.random()
            if draw < p_ok:
                status = "functional"
            elif draw < p_ok + 0.09:
                status = "partly_functional"
            else:
                status = "abandoned" if rng.random() < (0.4 if age > 25 else 0.15) else \
                    "non_functional"
            available: bool | None = {"functional": rng.random() < 0.95,
                                      "partly_functional": rng.random() < 0.7}.get(status, False)
            if rng.random() < 0.04:
                available = None
            rehab = None
            if install is not None and install < 2012 and source in (
                    "borehole", "protected_well") and rng.random() < 0.3:
                rehab = int(rng.integers(install + 6, 2025))
            values = {
                "wp_id": f"WP{k + 1:05d}",
                "name": f"{prefix} de {place}" + (f" {numbers[key]}" if numbers[key] > 1 else ""),
                "source_type": source, "technology": tech, "status": status,
                "water_available": None if available is None else bool(available),
                "install_year": install, "rehab_year": rehab,
                "management": self.management(rng, source, tech),
                "pay": self.pay(rng, source, tech),
                "report_date": _day(rng, date(2023, 6, 1), date(2025, 3, 31)),
                "territory_code": self.codes[where],
            }
            for key_, value in values.items():
                rows[key_].append(value)
        rows["geometry"] = shapely.points([r[4] for r in records], [r[5] for r in records])
        return rows

    def pastoral_sites(self, count: int) -> list[tuple[float, float, int]]:
        """Places at least 5 km from any village, with the nearest village's index."""
        rng = self.rng
        loc = self.loc
        minx, miny, maxx, maxy = self.country_m.bounds
        found: list[tuple[float, float, int]] = []
        for _ in range(40):
            if len(found) >= count:
                break
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if not shapely.contains_xy(self.country_m, x, y):
                continue
            distance = np.hypot(loc["x"] - x, loc["y"] - y)
            if distance.min() > 5_000:
                found.append((float(x), float(y), int(np.argmin(distance))))
        return found

    @staticmethod
    def install_year(rng: np.random.Generator, source: str) -> int | None:
        if source == "surface_water":
            return None
        scale = {"piped": 8.0, "borehole": 12.0, "rainwater": 7.0}.get(source, 17.0)
        floor = 1995 if source == "piped" else 1980
        return int(np.clip(2024 - math.floor(rng.exponential(scale)), floor, 2024))

    @staticmethod
    def management(rng: np.random.Generator, source: str, tech: str) -> str | None:
        if source == "surface_water":
            return None
        if tech == "tap":
            weights = {"private": 0.45, "commune": 0.2, "community": 0.3, "institution": 0.05}
        elif source == "borehole" and tech != "hand_pump":
            weights = {"community": 0.68, "private": 0.22, "commune": 0.1}
        elif tech == "hand_pump":
            weights = {"community": 0.78, "commune": 0.08, "institution": 0.04, "unknown": 0.1}
        else:
            weights = {"community": 0.45, "unknown": 0.5, "institution": 0.05}
        return _pick(rng, weights)

    @staticmethod
    def pay(rng: np.random.Generator, source: str, tech: str) -> bool | None:
        if source == "surface_water":
            return False
        chance = {"tap": 0.97, "motorised_pump": 0.9, "solar_pump": 0.85, "hand_pump": 0.45}
        return bool(rng.random() < chance.get(tech, 0.08))

    # ---- mangroves
    def mangroves(self) -> dict[str, Any]:
        """Delta mangrove extents for 2010 and 2020 (with loss and gain) and planted plots."""
        rng = self.rng
        zone = shapely.intersection(self.mouth.buffer(30_000), self.country_m)
        channels = shapely.intersection(self.channels, zone)
        length = channels.length
        creeks = []
        while len(creeks) < 110:
            start = channels.interpolate(rng.uniform(0, length))
            # Mangrove thins out upstream as the water gets less salty.
            if rng.random() > math.exp(-start.distance(self.mouth) / 12_000):
                continue
            heading = rng.uniform(0, _TAU)
            steps = int(rng.integers(4, 12))
            xy = [(start.x, start.y)]
            for _ in range(steps):
                heading += rng.normal(0, 0.5)
                step = rng.uniform(200, 500)
                xy.append((xy[-1][0] + step * math.cos(heading),
                           xy[-1][1] + step * math.sin(heading)))
            creeks.append(LineString(xy))
        widths = rng.uniform(120, 520, len(creeks))
        water = self.river_m.buffer(70)
        fringe = [shapely.intersection(channels, self.mouth.buffer(radius)).buffer(width)
                  for radius, width in ((7_000, 500), (13_000, 320), (20_000, 180))]
        base = shapely.union_all([c.buffer(w) for c, w in zip(creeks, widths, strict=True)]
                                 + fringe)
        extent_2010 = shapely.difference(shapely.intersection(base, zone), water)
        centres = [c.interpolate(rng.uniform(0, c.length)) for c in creeks]
        losses = [centres[i].buffer(rng.uniform(500, 1_300))
                  for i in rng.choice(len(centres), size=9, replace=False)]
        gains = []
        for _ in range(16):
            start = creeks[int(rng.integers(len(creeks)))].interpolate(rng.uniform(0, 1),
                                                                       normalized=True)
            heading = rng.uniform(0, _TAU)
            end = (start.x + rng.uniform(800, 2_500) * math.cos(heading),
                   start.y + rng.uniform(800, 2_500) * math.sin(heading))
            gains.append(LineString([(start.x, start.y), end]).buffer(rng.uniform(150, 400)))
        extent_2020 = shapely.union_all([shapely.difference(extent_2010, shapely.union_all(
            losses)), *gains])
        extent_2020 = shapely.difference(shapely.intersection(extent_2020, zone), water)

        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["mangroves"].field_names}
        geometries: list[BaseGeometry] = []
        for year, extent in ((2010, extent_2010), (2020, extent_2020)):
            extent_ll = self.lonlat_geom(extent.simplify(15))
            for c in np.sort(self.commune_tree.query(extent_ll, predicate="intersects")):
                piece = _multi(shapely.intersection(extent_ll, self.commune_geoms[c],
                                                    grid_size=_GRID))
                if piece.is_empty:
                    continue
                geometries.append(piece)
                self.mangrove_row(rows, f"MG{year}-{self.codes[c]}",
                                  f"Mangrove {year} – {self.commune_names[c]}", "extent", year,
                                  None, None, None, "GMW v3", int(c))
        # Reforested plots: half where mangrove was lost, half along the channels.
        plots = int(rng.integers(12, 26))
        plot_names: dict[str, int] = {}
        for k in range(plots):
            if k % 2 == 0:
                loss = losses[int(rng.integers(len(losses)))]
                centre = loss.centroid
            else:
                centre = channels.interpolate(rng.uniform(0, length))
            hectares = float(np.clip(np.exp(rng.normal(math.log(8), 0.7)), 1.5, 45))
            ratio = rng.uniform(1.2, 3.0)
            b = math.sqrt(hectares * 1e4 / (math.pi * ratio))
            ellipse = affinity.rotate(affinity.scale(
                centre.buffer(1.0, quad_segs=8), ratio * b, b), rng.uniform(0, 180))
            plot_ll = self.lonlat_geom(shapely.difference(shapely.intersection(
                ellipse, self.country_m), water))
            if plot_ll.is_empty:
                continue
            inner = plot_ll.representative_point()
            where = self.assign(np.array([inner.x]), np.array([inner.y]))[0]
            if where < 0:
                continue
            piece = _multi(shapely.intersection(plot_ll, self.commune_geoms[where],
                                                grid_size=_GRID))
            if piece.is_empty:
                continue
            year = int(rng.integers(2015, 2025))
            age = 2024 - year
            survival = float(np.clip(rng.normal(78 - 3.5 * age, 12), 15, 98))
            geometries.append(piece)
            nearest = int(np.argmin(np.hypot(self.loc["x"] - centre.x, self.loc["y"] - centre.y)))
            label = f"Reboisement de {self.loc['name'][nearest]}"
            plot_names[label] = plot_names.get(label, 0) + 1
            if plot_names[label] > 1:
                label += f" {plot_names[label]}"
            self.mangrove_row(rows, f"RB{k + 1:03d}",
                              label, "reforested",
                              year, _MANGROVE_SPECIES[int(rng.integers(len(_MANGROVE_SPECIES)))],
                              round(survival, 1), "Programme mangroves",
                              "Suivi du programme", int(where))
        areas = gpd.GeoSeries(geometries, crs=storage_crs()).to_crs(self.metric).area / 1e4
        rows["area_ha"] = [round(float(a), 2) for a in areas]
        rows["geometry"] = geometries
        return rows

    def mangrove_row(self, rows: dict[str, list[Any]], zone_id: str, name: str, kind: str,
                     year: int, species: str | None, survival: float | None,
                     programme: str | None, source: str, commune: int) -> None:
        values = {"zone_id": zone_id, "name": name, "kind": kind, "year": year, "area_ha": None,
                  "species": species, "survival_rate": survival, "programme": programme,
                  "source": source, "territory_code": self.codes[commune]}
        for key, value in values.items():
            rows[key].append(value)

    # ---- programme points
    def anchors(self, count: int, mask: np.ndarray, power: float) -> np.ndarray:
        """Localities drawn among ``mask``, more likely when more populated."""
        candidates = np.flatnonzero(mask)
        weight = self.loc["population"][candidates].astype(float) ** power
        return np.sort(self.rng.choice(candidates, size=count, p=weight / weight.sum()))

    def nubian_vaults(self) -> dict[str, Any]:
        """Earth buildings, in the two easternmost (driest) départements."""
        rng = self.rng
        loc = self.loc
        dept = self.commune_dept[loc["commune"]]
        anchors = self.anchors(int(rng.integers(35, 57)), dept >= 3, 0.5)
        lon, lat, commune = self.place(loc["x"][anchors], loc["y"][anchors],
                                       rng.uniform(40, 600, len(anchors)))
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["nubian_vaults"].field_names}
        for k, a in enumerate(anchors):
            use = _pick(rng, {"house": 0.6, "school": 0.1, "health_post": 0.05, "mosque": 0.1,
                              "public_building": 0.08, "other": 0.07})
            place = loc["name"][a]
            client = {"house": f"Famille {self.names.make(decorate=False)}",
                      "school": f"Comité de gestion de l'école de {place}",
                      "health_post": f"Comité de santé de {place}",
                      "mosque": f"Communauté de {place}",
                      "public_building": f"Commune de {self.commune_names[commune[k]]}",
                      "other": f"Groupement de {place}"}[use]
            low, high = {"house": (25, 80), "school": (60, 150), "health_post": (50, 120),
                         "mosque": (40, 160), "public_building": (50, 200), "other": (20, 90)}[use]
            area = round(float(rng.uniform(low, high)), 1)
            year = int(rng.integers(2012, 2026))
            if year >= 2025:
                stage = _pick(rng, {"planned": 0.5, "under_construction": 0.5})
            elif year == 2024:
                stage = _pick(rng, {"under_construction": 0.5, "completed": 0.5})
            else:
                stage = _pick(rng, {"completed": 0.95, "under_construction": 0.05})
            values = {
                "building_id": f"NV{k + 1:03d}", "use": use, "client": client,
                "floor_area_m2": area, "vaults": max(1, int(round(area / rng.uniform(9, 14)))),
                "year": year, "stage": stage,
                "masons_trained": int(rng.binomial(2, 0.4)) if stage != "planned" else 0,
                "apprentices_trained": int(rng.binomial(4, 0.45)) if stage != "planned" else 0,
                "programme": "Programme Voûte Nubienne",
                "territory_code": self.codes[commune[k]],
            }
            for key, value in values.items():
                rows[key].append(value)
        rows["geometry"] = shapely.points(lon, lat)
        return rows

    def biodigesters(self) -> dict[str, Any]:
        """Household biogas units in villages with cattle, away from the delta."""
        rng = self.rng
        loc = self.loc
        dept = self.commune_dept[loc["commune"]]
        mask = (dept >= 1) & (dept <= 3) & (loc["kind"] != "town") & (loc["population"] >= 150)
        anchors = self.anchors(int(rng.integers(42, 79)), mask, 0.3)
        lon, lat, commune = self.place(loc["x"][anchors], loc["y"][anchors],
                                       rng.uniform(30, 500, len(anchors)))
        builders = [f"Maçon biogaz {self.names.make(decorate=False)}" for _ in range(6)]
        builders.append("Entreprise Biogaz du Fleuve")
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["biodigesters"].field_names}
        for k, a in enumerate(anchors):
            installed = _day(rng, date(2013, 1, 1), date(2024, 12, 31))
            age = 2025 - int(installed[:4])
            working = rng.random() < float(np.clip(0.92 - 0.035 * age, 0.4, 0.95))
            values = {
                "biodigester_id": f"BIO{k + 1:03d}",
                "volume_m3": float(rng.choice([4.0, 6.0, 8.0, 10.0, 12.0, 16.0],
                                              p=[0.1, 0.3, 0.25, 0.2, 0.1, 0.05])),
                "install_date": installed,
                "builder": builders[int(rng.integers(len(builders)))],
                "household": f"Ménage {self.names.make(decorate=False)} ({loc['name'][a]})",
                "cattle": int(2 + rng.negative_binomial(3, 0.25)),
                "status": "working" if working else "not_working",
                "programme": "Programme national biogaz domestique",
                "territory_code": self.codes[commune[k]],
            }
            for key, value in values.items():
                rows[key].append(value)
        rows["geometry"] = shapely.points(lon, lat)
        return rows

    def waste_sites(self) -> dict[str, Any]:
        """Waste sites, most of them in the département the waste programme supports."""
        rng = self.rng
        loc = self.loc
        dept = self.commune_dept[loc["commune"]]
        total = int(rng.integers(40, 71))
        inside = int(round(total * 0.85))
        big = loc["population"] >= 400
        anchors = np.concatenate([
            self.anchors(inside, (dept == self.waste_dept) & big, 0.9),
            self.anchors(total - inside, (dept != self.waste_dept) & (loc["population"] >= 5_000),
                         0.5),
        ])
        lon, lat, commune = self.place(loc["x"][anchors], loc["y"][anchors],
                                       rng.uniform(150, 900, len(anchors)))
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["waste_sites"].field_names}
        numbers: dict[str, int] = {}
        for k, a in enumerate(anchors):
            # The programme built one sorting and one recycling centre in its département.
            kind = ("sorting_centre", "recycling_centre")[k] if k < 2 else _pick(
                rng, {"illegal_dump": 0.45, "collection_point": 0.3, "transfer_point": 0.1,
                      "sorting_centre": 0.08, "recycling_centre": 0.07})
            status = _pick(rng, {"illegal_dump": {"active": 0.6, "cleaned": 0.3, "closed": 0.1},
                                 "collection_point": {"active": 0.85, "closed": 0.15}}.get(
                kind, {"active": 0.8, "closed": 0.2}))
            body = {"illegal_dump": {"commune": 1.0},
                    "collection_point": {"commune": 0.5, "association": 0.4, "private": 0.1},
                    "transfer_point": {"commune": 0.7, "association": 0.2, "private": 0.1},
                    "sorting_centre": {"association": 0.5, "private": 0.3, "commune": 0.2},
                    "recycling_centre": {"private": 0.5, "association": 0.4, "commune": 0.1}}[kind]
            managing = _pick(rng, body) if kind != "illegal_dump" or rng.random() < 0.8 else None
            capacity = {"collection_point": (1, 20), "transfer_point": (20, 150),
                        "sorting_centre": (50, 400), "recycling_centre": (50, 300)}.get(kind)
            prefix = {"illegal_dump": "Dépôt sauvage", "collection_point": "Point de collecte",
                      "transfer_point": "Point de transfert", "sorting_centre": "Centre de tri",
                      "recycling_centre": "Centre de valorisation"}[kind]
            key = f"{prefix} {loc['name'][a]}"
            numbers[key] = numbers.get(key, 0) + 1
            values = {
                "site_id": f"WS{k + 1:03d}",
                "name": f"{prefix} de {loc['name'][a]}" + (
                    f" {numbers[key]}" if numbers[key] > 1 else ""),
                "site_type": kind, "status": status, "managing_body": managing,
                "capacity_m3": None if capacity is None else round(float(rng.uniform(*capacity)),
                                                                   1),
                "territory_code": self.codes[commune[k]],
            }
            for key_, value in values.items():
                rows[key_].append(value)
        rows["geometry"] = shapely.points(lon, lat)
        return rows

    # ---- activities
    def activities(self, layers: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Programme activities at the programme's sites; a fifth have no precise place."""
        rng = self.rng
        loc = self.loc
        schools = layers["schools"]
        equipped = [i for i, p in enumerate(schools["wash_programme"]) if p]
        plots = [i for i, kind in enumerate(layers["mangroves"]["kind"]) if kind == "reforested"]
        sites: dict[str, list[tuple[float, float]]] = {
            "wash_schools": [_xy(schools["geometry"][i]) for i in equipped],
            "biodigesters": [_xy(g) for g in layers["biodigesters"]["geometry"]],
            "mangroves": [_xy(layers["mangroves"]["geometry"][i].representative_point())
                          for i in plots],
            "nubian_vaults": [_xy(g) for g in layers["nubian_vaults"]["geometry"]],
            "waste": [_xy(g) for g in layers["waste_sites"]["geometry"]],
            "youth_training": [(loc["lon"][i], loc["lat"][i]) for i in np.flatnonzero(
                loc["chef"])],
        }
        total = int(rng.integers(150, 261))
        drafts = []
        for _ in range(total):
            programme = _pick(rng, _PROGRAMME_WEIGHTS)
            kind = _pick(rng, _ACTIVITY_TYPES[programme])
            lon, lat = sites[programme][int(rng.integers(len(sites[programme])))]
            x, y = self.to_metric.transform(lon, lat)
            day = _day(rng, date(_PROGRAMME_START[programme], 1, 15), date(2025, 11, 30))
            low, high = _REACH[kind]
            reached = int(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
            share = float(np.clip(rng.normal(_WOMEN_SHARE[programme], 0.08), 0.0, 1.0))
            women = int(rng.binomial(reached, share))
            partner = self.partner(rng, programme)
            drafts.append((day, programme, kind, x, y, reached - women, women, partner))
        anchors_x = np.array([d[3] for d in drafts])
        anchors_y = np.array([d[4] for d in drafts])
        lon, lat, commune = self.place(anchors_x, anchors_y, rng.uniform(0, 150, len(drafts)))
        pointless = np.zeros(len(drafts), dtype=bool)
        pointless[rng.permutation(len(drafts))[:round(0.2 * len(drafts))]] = True
        district = rng.random(len(drafts)) < 0.25
        order = sorted(range(len(drafts)), key=lambda i: (drafts[i][0], i))
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["activities"].field_names}
        geometries: list[Point | None] = []
        for k, i in enumerate(order):
            day, programme, kind, _x, _y, men, women, partner = drafts[i]
            code = self.codes[commune[i]]
            if pointless[i] and district[i]:
                code = self.dept_codes[self.commune_dept[commune[i]]]
            values = {"activity_id": f"ACT{k + 1:04d}", "programme": programme,
                      "activity_type": kind, "title": _ACTIVITY_TITLES[(programme, kind)],
                      "date": day, "territory_code": code, "women": women, "men": men,
                      "partner": partner.format(commune=self.commune_names[commune[i]])}
            for key, value in values.items():
                rows[key].append(value)
            geometries.append(None if pointless[i] else Point(lon[i], lat[i]))
        rows["geometry"] = geometries
        return rows

    def partner(self, rng: np.random.Generator, programme: str) -> str:
        options = {
            "wash_schools": ["Inspection de l'éducation et de la formation",
                             "Association des parents d'élèves", "ONG Écoles propres du Fleuve"],
            "biodigesters": ["Programme national biogaz domestique", "Entreprise Biogaz du Fleuve"],
            "mangroves": ["Service des eaux et forêts", "Groupement de femmes transformatrices",
                          "Aire marine communautaire du delta"],
            "nubian_vaults": ["Réseau des maçons voûte nubienne", "Commune de {commune}"],
            "waste": ["Commune de {commune}", "GIE de collecte",
                      "Service régional de l'assainissement"],
            "youth_training": ["Centre de formation professionnelle",
                               "Agence régionale de développement"],
        }[programme]
        return options[int(rng.integers(len(options)))]

    # ---- territories and population
    def territories(self) -> dict[str, Any]:
        """All admin units of all levels; parents are unions and sums of their children."""
        n = len(self.codes)
        dept_pop = np.bincount(self.commune_dept, weights=self.commune_population,
                               minlength=5).astype(int)
        region_pop = np.bincount(self.dept_region, weights=dept_pop, minlength=2).astype(int)
        dept_geoms = [_multi(shapely.union_all(
            [self.commune_geoms[i] for i in range(n) if self.commune_dept[i] == d],
            grid_size=_GRID)) for d in range(5)]
        region_geoms = [_multi(shapely.union_all(
            [dept_geoms[d] for d in range(5) if self.dept_region[d] == r], grid_size=_GRID))
            for r in range(2)]
        country = _multi(shapely.union_all(region_geoms, grid_size=_GRID))
        capital_names = [self.loc["name"][int(np.flatnonzero(
            self.loc["chef"] & (self.loc["commune"] == c))[0])] for c in self.dept_capitals]
        region_names = []
        for r in range(2):
            members = [d for d in range(5) if self.dept_region[d] == r]
            region_names.append(capital_names[max(
                members, key=lambda d: self.capital_population[d])])
        version = f"Démo {COUNTRY_CODE} {self.seed} (limites fictives)"
        entries: list[tuple[str, str, int, str | None, int, BaseGeometry]] = [
            (COUNTRY_CODE, "Sorane", 0, None, int(region_pop.sum()), country)]
        entries += [(self.region_codes[r], region_names[r], 1, COUNTRY_CODE,
                     int(region_pop[r]), region_geoms[r]) for r in range(2)]
        entries += [(self.dept_codes[d], capital_names[d], 2,
                     self.region_codes[self.dept_region[d]], int(dept_pop[d]), dept_geoms[d])
                    for d in range(5)]
        entries += [(self.codes[c], self.commune_names[c], 3,
                     self.dept_codes[self.commune_dept[c]], int(self.commune_population[c]),
                     self.commune_geoms[c]) for c in range(n)]
        rows: dict[str, list[Any]] = {k: [] for k in self.catalog["territories"].field_names}
        for code, name, level, parent, population, _geometry in entries:
            values = {"code": code, "name": name, "level": level,
                      "level_name": LEVEL_NAMES[level], "parent_code": parent,
                      "country": COUNTRY_CODE, "population": population,
                      "population_year": POPULATION_YEAR, "boundary_version": version}
            for key, value in values.items():
                rows[key].append(value)
        rows["geometry"] = [e[5] for e in entries]
        return rows

    def population_grid(self) -> tuple[np.ndarray, Affine]:
        """People per cell: each locality spread as a Gaussian, summing to its census count."""
        res = RASTER_RESOLUTION
        country = shapely.union_all(self.commune_geoms, grid_size=_GRID)
        minx, miny, maxx, maxy = country.bounds
        west = math.floor(minx / res) * res
        north = math.ceil(maxy / res) * res
        width = int(math.ceil((maxx - west) / res))
        height = int(math.ceil((north - miny) / res))
        transform = Affine(res, 0.0, round(west, 6), 0.0, -res, round(north, 6))
        inside = geometry_mask([country], out_shape=(height, width), transform=transform,
                               invert=True)
        grid = np.zeros((height, width), dtype=np.float64)
        loc = self.loc
        for lon, lat, people in zip(loc["lon"], loc["lat"], loc["population"], strict=True):
            sigma = 120.0 + 4.0 * math.sqrt(people)
            sx = sigma / (111_320.0 * math.cos(math.radians(lat)) * res)
            sy = sigma / (110_574.0 * res)
            col = (lon - transform.c) / res
            row = (transform.f - lat) / res
            c0, c1 = max(0, int(col - 3 * sx) - 1), min(width, int(col + 3 * sx) + 2)
            r0, r1 = max(0, int(row - 3 * sy) - 1), min(height, int(row + 3 * sy) + 2)
            cc = np.arange(c0, c1) + 0.5
            rr = np.arange(r0, r1) + 0.5
            kernel = np.exp(-0.5 * (((rr[:, None] - row) / sy) ** 2
                                    + ((cc[None, :] - col) / sx) ** 2))
            kernel *= inside[r0:r1, c0:c1]
            if kernel.sum() <= 0:
                grid[min(int(row), height - 1), min(int(col), width - 1)] += people
                continue
            grid[r0:r1, c0:c1] += people * kernel / kernel.sum()
        return grid.astype(np.float32), transform

    def settings(self) -> dict[str, Any]:
        epsg = self.metric.to_epsg()
        return {
            "title": {"fr": "Atlas de démonstration – vallée de la Sorane (fictif)",
                      "en": "Demo atlas – Sorane valley (fictional)"},
            "subtitle": {"fr": "Données fictives : aucun lieu réel n'est décrit.",
                         "en": "Fictional data: no real place is described."},
            "country": COUNTRY_CODE,
            "countries": [COUNTRY_CODE],
            "country_name": {"fr": "République de Sorane", "en": "Republic of Sorane"},
            "fictional": True,
            "seed": self.seed,
            "metric_crs": f"EPSG:{epsg}",
            "languages": ["fr", "en"],
            "level_names": {level: {"fr": LEVEL_NAMES[level], "en": LEVEL_NAMES_EN[level]}
                            for level in LEVEL_NAMES},
            "population_year": POPULATION_YEAR,
            "attribution": f"Données fictives générées par atlas-territorial (graine {self.seed})",
            "boundary_version": f"Démo {COUNTRY_CODE} {self.seed} (limites fictives)",
            "bbox": [round(v, 6) for v in shapely.union_all(self.commune_geoms).bounds],
            "waste_programme_territory": self.dept_codes[self.waste_dept],
            "description": {
                "fr": ("Atlas fictif d'une vallée sahélienne traversée par le fleuve Sorane, "
                       "avec un delta à mangroves sur la côte : 2 régions, 5 départements, "
                       f"{len(self.codes)} communes, localités, écoles, points d'eau et "
                       "actions de programmes. Généré par ordinateur ; toute ressemblance "
                       "avec des lieux réels est fortuite."),
                "en": ("Fictional atlas of a Sahelian valley crossed by the Sorane river, with "
                       "a mangrove delta on the coast: 2 regions, 5 departments, "
                       f"{len(self.codes)} municipalities, localities, schools, water points "
                       "and programme activities. Computer-generated; any resemblance to real "
                       "places is coincidental."),
            },
        }

    # ---- typing
    @staticmethod
    def conform(spec: LayerSpec, rows: dict[str, Any]) -> gpd.GeoDataFrame:
        """Columns in spec order with the dtypes the store expects for each field type."""
        expected = set(spec.field_names) | {"geometry"}
        if set(rows) != expected:
            raise RuntimeError(f"demo layer {spec.name}: columns {sorted(rows)} "
                               f"do not match the spec {sorted(expected)}")
        columns: dict[str, Any] = {}
        for field in spec.fields:
            columns[field.name] = _column(field.type, rows[field.name])
        geometry = gpd.GeoSeries(list(rows["geometry"]), crs=storage_crs())
        return gpd.GeoDataFrame(columns, geometry=geometry)


_CONVERTERS: dict[str, Callable[[list[Any]], Any]] = {
    "integer": lambda v: pd.array([None if x is None else int(x) for x in v], dtype="Int64"),
    "float": lambda v: np.array([np.nan if x is None else float(x) for x in v], dtype="float64"),
    "boolean": lambda v: pd.array([None if x is None else bool(x) for x in v], dtype="boolean"),
}


def _column(kind: str, values: Sequence[Any]) -> Any:
    """One column with the dtype of a field type (text kinds stay object columns of str)."""
    converter = _CONVERTERS.get(kind)
    if converter is not None:
        return converter(list(values))
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)


def _xy(point: BaseGeometry) -> tuple[float, float]:
    return float(point.x), float(point.y)
