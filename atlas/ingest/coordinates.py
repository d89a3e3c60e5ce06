"""Geometries of tables (CSV, XLSX, attribute-only layers) from their columns.

People give points as latitude/longitude columns under many names (``lat``,
``Latitude``, ``#lat_deg`` in WPDx, ``_gps_latitude`` in Kobo/ODK exports), as one
Kobo/ODK geopoint string "lat lon alt acc", as Kobo's ``_geolocation`` "[lat, lon]",
as a WKT column, or as x/y in a projected CRS. Latitude/longitude and geopoints are
degrees (EPSG:4326 unless the user says otherwise); WKT and x/y carry no CRS, which
the import then asks for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import STORAGE
from .report import ERROR, Issue
from .text import display, fold_column, is_blank, last_segment

LAT_NAMES = ("latitude", "lat", "lat_deg", "#lat_deg", "lat_dd", "gps_latitude",
             "_gps_latitude", "y_lat", "latitude_dd")
LON_NAMES = ("longitude", "lon", "long", "lng", "lon_deg", "#lon_deg", "lon_dd",
             "gps_longitude", "_gps_longitude", "x_lon", "longitude_dd")
X_NAMES = ("x", "coord_x", "x_coord", "coordx", "coordonnee_x", "easting", "utm_x")
Y_NAMES = ("y", "coord_y", "y_coord", "coordy", "coordonnee_y", "northing", "utm_y")
WKT_NAMES = ("wkt", "wkt_geom", "geometry", "geom", "the_geom", "geometrie", "shape")
GEOPOINT_NAMES = ("gps", "geopoint", "point_gps", "gps_point", "coordonnees",
                  "coordonnees_gps", "localisation", "location", "position", "_geolocation",
                  "geolocation")
_KOBO_LAT = re.compile(r"^_?(.+)_latitude$")
_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_GEOPOINT = re.compile(rf"^\s*\[?\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})"
                       rf"(?:\s*[,;\s]\s*{_NUMBER}){{0,2}}\s*\]?\s*$")
_STRICT_GEOPOINT = re.compile(r"^\s*-?\d{1,2}\.\d+\s+-?\d{1,3}\.\d+(\s+-?\d+(\.\d+)?){0,2}\s*$")


@dataclass
class TableGeometry:
    """Points or shapes built from columns, with where they came from."""

    geometry: gpd.GeoSeries | None
    crs: CRS | None
    origin: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Source columns used for the geometry (not mapped to fields)."""
        return list(self.origin.values())


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    folded = {fold_column(c): c for c in columns}
    segments = {fold_column(last_segment(c)): c for c in columns}
    for name in names:
        if name in folded:
            return folded[name]
    for name in names:
        if name in segments:
            return segments[name]
    return None


def _kobo_pair(columns: list[str]) -> tuple[str, str] | None:
    """``_<question>_latitude`` / ``_<question>_longitude`` columns of a Kobo export."""
    by_name = {fold_column(last_segment(c)): c for c in columns}
    for name, column in by_name.items():
        match = _KOBO_LAT.match(name)
        if match:
            for prefix in ("_", ""):
                partner = by_name.get(f"{prefix}{match.group(1)}_longitude")
                if partner:
                    return column, partner
    return None


def number(value: object) -> float | None:
    """A coordinate from a cell (decimal comma accepted); None when not a finite number.

    ``float`` reads "nan", "inf" and "1e400" (infinite): none of them is a place, and
    GEOS refuses to work on such points, so they are reported like any unreadable cell.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            result = float(text)
        except ValueError:
            return None
    return result if math.isfinite(result) else None


def _points(frame: pd.DataFrame, lon: str, lat: str, row_offset: int) -> tuple[list, list]:
    geoms: list[object] = []
    issues: list[Issue] = []
    for position, (x, y) in enumerate(zip(frame[lon], frame[lat], strict=True)):
        if is_blank(x) and is_blank(y):
            geoms.append(None)
            continue
        fx, fy = number(x), number(y)
        if fx is None or fy is None or is_blank(x) or is_blank(y):
            bad_column, bad_value = (lon, x) if fx is None or is_blank(x) else (lat, y)
            issues.append(Issue(ERROR, "bad_coordinate", row=position + row_offset,
                                field="geometry", value=display(bad_value),
                                params={"column": bad_column}))
            geoms.append(None)
            continue
        geoms.append(shapely.Point(fx, fy))
    return geoms, issues


def parse_geopoint(value: object) -> tuple[float, float] | None:
    """(lat, lon) of a geopoint "lat lon [alt [acc]]" or "[lat, lon]"; None if not one."""
    match = _GEOPOINT.match(str(value))
    if not match:
        return None
    return float(match.group(1).replace(",", ".")), float(match.group(2).replace(",", "."))


def _geopoints(frame: pd.DataFrame, column: str, row_offset: int) -> tuple[list, list]:
    geoms: list[object] = []
    issues: list[Issue] = []
    for position, value in enumerate(frame[column]):
        if is_blank(value):
            geoms.append(None)
            continue
        parsed = parse_geopoint(value)
        if parsed is None:
            issues.append(Issue(ERROR, "bad_geopoint", row=position + row_offset,
                                field="geometry", value=display(value),
                                params={"column": column}))
            geoms.append(None)
        else:
            geoms.append(shapely.Point(parsed[1], parsed[0]))
    return geoms, issues


def _wkt(frame: pd.DataFrame, column: str, row_offset: int) -> tuple[list, list]:
    geoms: list[object] = []
    issues: list[Issue] = []
    for position, value in enumerate(frame[column]):
        if is_blank(value):
            geoms.append(None)
            continue
        try:
            geoms.append(shapely.from_wkt(str(value).strip()))
        except shapely.errors.GEOSException:
            issues.append(Issue(ERROR, "bad_wkt", row=position + row_offset,
                                field="geometry", value=display(value),
                                params={"column": column}))
            geoms.append(None)
    return geoms, issues


def _looks_like_geopoints(values: pd.Series) -> bool:
    sample = [v for v in values if not is_blank(v)][:50]
    return bool(sample) and all(_STRICT_GEOPOINT.match(str(v)) for v in sample)


def table_geometry(frame: pd.DataFrame, overrides: Mapping[str, str | None],
                   row_offset: int = 1) -> TableGeometry:
    """Find the coordinate columns and build the geometries.

    ``overrides`` may name lat/lon/wkt/geopoint; rows without coordinates get None.
    """
    columns = [str(c) for c in frame.columns]
    lat, lon = overrides.get("lat"), overrides.get("lon")
    wkt, geopoint = overrides.get("wkt"), overrides.get("geopoint")
    degrees = True
    if not any((lat and lon, wkt, geopoint)):
        lat, lon = _find(columns, LAT_NAMES), _find(columns, LON_NAMES)
        if not (lat and lon):
            lat, lon = _kobo_pair(columns) or (None, None)
        if not (lat and lon):
            geopoint = _find(columns, GEOPOINT_NAMES)
        if not (lat and lon) and not geopoint:
            wkt = _find(columns, WKT_NAMES)
        if not (lat and lon) and not geopoint and not wkt:
            lon, lat = _find(columns, X_NAMES), _find(columns, Y_NAMES)
            degrees = False
        if not (lat and lon) and not geopoint and not wkt:
            geopoint = next((c for c in columns if _looks_like_geopoints(frame[c])), None)
    if lat and lon:
        geoms, issues = _points(frame, lon, lat, row_offset)
        origin = {"lat" if degrees else "y": lat, "lon" if degrees else "x": lon}
        crs = STORAGE if degrees else None
    elif geopoint:
        geoms, issues = _geopoints(frame, geopoint, row_offset)
        origin, crs = {"geopoint": geopoint}, STORAGE
    elif wkt:
        geoms, issues = _wkt(frame, wkt, row_offset)
        origin, crs = {"wkt": wkt}, None
    else:
        return TableGeometry(None, None)
    return TableGeometry(gpd.GeoSeries(geoms, crs=crs), crs, origin, issues)
