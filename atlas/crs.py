"""Coordinate reference systems: the only module that spells EPSG codes.

The store and every export use WGS 84 longitude/latitude; areas, distances and
buffers are computed in a metric CRS chosen per atlas (UTM zone of the territory
unless the atlas settings say otherwise).
"""

from __future__ import annotations

import math

from pyproj import CRS

STORAGE_EPSG = 4326
STORAGE = CRS.from_epsg(STORAGE_EPSG)

#: Metric CRS recommended for the project's countries (see DOMAIN.md).
RECOMMENDED_METRIC = {
    "SN": 32628,  # UTM 28N
    "GN": 32628,  # UTM 28N (Labé region)
    "MA": 32629,  # UTM 29N (Safi)
    "MR": 32628,
    "ML": 32629,
}

#: Metric CRS of an atlas whose settings name none (UTM 28N: Senegal, Guinea).
DEFAULT_METRIC = "EPSG:32628"
#: An example of a CRS as people type it, for placeholders and help texts.
EXAMPLE_CRS = DEFAULT_METRIC

#: Mollweide, used by GHS-POP population grids.
MOLLWEIDE = "ESRI:54009"


def as_crs(value: object) -> CRS:
    """Parse anything pyproj understands ("EPSG:32628", 32628, WKT, CRS)."""
    if isinstance(value, CRS):
        return value
    if isinstance(value, int):
        return CRS.from_epsg(value)
    return CRS.from_user_input(value)


def epsg_of(value: object) -> int | None:
    """EPSG code of a CRS, or None when it has none."""
    return as_crs(value).to_epsg()


def storage_crs() -> CRS:
    """The CRS of everything written to a store."""
    return STORAGE


def utm_for(lon: float, lat: float) -> CRS:
    """UTM zone (WGS 84) that contains a longitude/latitude."""
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    base = 32600 if lat >= 0 else 32700
    return CRS.from_epsg(base + zone)


def metric_crs_for(country: str | None, lon: float, lat: float) -> CRS:
    """Metric CRS for an atlas: the country's recommendation, else the local UTM zone."""
    if country and country.upper() in RECOMMENDED_METRIC:
        return CRS.from_epsg(RECOMMENDED_METRIC[country.upper()])
    return utm_for(lon, lat)


def is_geographic(value: object) -> bool:
    """True when coordinates are angles (degrees), not metres."""
    return as_crs(value).is_geographic
