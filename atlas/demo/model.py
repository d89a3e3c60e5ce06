"""What the demo atlas is: its fixed constants, :class:`DemoData` and its fingerprint.

Every other module of the package imports its constants from here, so the country
code, the census year and the layer order are spelt once.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from rasterio.transform import Affine

from ..names import BUILT_IN_LAYERS

DEFAULT_SEED = 2026
COUNTRY_CODE = "ZZ"
POPULATION_YEAR = 2023
#: Grid step of the population raster in degrees (about 215 m): close to WorldPop's
#: 100 m while keeping the whole country near one million cells.
RASTER_RESOLUTION = 0.002
#: Longitude/latitude window of the fictional country.
BBOX = (-16.5, 15.5, -13.5, 16.8)
LAYER_NAMES = BUILT_IN_LAYERS
LEVEL_NAMES = {0: "pays", 1: "région", 2: "département", 3: "commune"}
LEVEL_NAMES_EN = {0: "country", 1: "region", 2: "department", 3: "municipality"}
#: Grid (degrees) that polygon vertices are snapped to, so shared edges stay shared.
GRID = 1e-7
TAU = 2.0 * math.pi


@dataclass(frozen=True)
class DemoData:
    """The demo atlas as plain data: vector layers, a population grid and settings."""

    layers: dict[str, gpd.GeoDataFrame]
    population: np.ndarray
    transform: Affine
    crs: CRS
    settings: dict[str, Any]


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
    """Stable text of one cell, with every kind of missing value spelt the same."""
    return "\x00" if value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value)) else repr(value)
