"""Constants and file writers for the ingest tests.

The input files are written by the tests themselves, small and on the fly, so that
no binary is checked in. Real boundaries are read from the shared data folder.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import common
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

import atlas

REAL = common.REAL_DATA
SN_REGIONS = REAL / "wof_sn" / "wof_sn_regions.gpkg"
SN_DEPARTEMENTS = REAL / "wof_sn" / "wof_sn_departements.gpkg"
SN_LOCALITIES = REAL / "wof_sn" / "wof_sn_localities.gpkg"
GN_PREFECTURES = REAL / "wof_gn" / "wof_gn_prefectures.gpkg"
GN_LABE_LOCALITIES = REAL / "wof_gn" / "wof_gn_labe_region_localities.gpkg"
MA_REGIONS = REAL / "wof_ma" / "wof_ma_regions_2015.gpkg"
MA_PROVINCES = REAL / "wof_ma" / "wof_ma_provinces.gpkg"
MA_SAFI_LOCALITIES = REAL / "wof_ma" / "wof_ma_safi_youssoufia_localities.gpkg"

# Known places (lon, lat) and their Who's On First codes.
THIES = (-16.9260, 14.7910)
THIES_REGION, THIES_DEPARTEMENT = "85677025", "421203459"
DAKAR = (-17.4467, 14.6928)
DAKAR_REGION = "85676997"  # WOF has no Dakar département: points get the region
SAINT_LOUIS = (-16.4890, 16.0260)
KAOLACK = (-16.0726, 14.1520)
PARIS = (2.3522, 48.8566)

SETTINGS = common.TEST_SETTINGS
GN_SETTINGS = {**SETTINGS, "countries": ["GN"],
               "level_names": {"1": {"fr": "région", "en": "region"},
                               "2": {"fr": "préfecture", "en": "prefecture"}}}
MA_SETTINGS = {**SETTINGS, "countries": ["MA"], "metric_crs": "EPSG:32629",
               "level_names": {"1": {"fr": "région", "en": "region"},
                               "2": {"fr": "province", "en": "province"}}}



def state(opened: atlas.Atlas) -> tuple[int, str, int]:
    """What must not change when an import is refused: revision, checksum, history."""
    return opened.revision, opened.checksum(), len(opened.history())


# -- files ----------------------------------------------------------------------------------
def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
              sep: str = ",", encoding: str = "utf-8") -> Path:
    """A delimited text file (values written as given, quoted when needed)."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        quoted = text.replace('"', '""')
        return f'"{quoted}"' if sep in text or '"' in text else text

    lines = [sep.join(header)] + [sep.join(cell(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def points(records: list[dict[str, Any]], coords: list[tuple[float, float]],
           crs: Any = 4326) -> gpd.GeoDataFrame:
    """A point GeoDataFrame from attribute dicts and (x, y) pairs."""
    return gpd.GeoDataFrame(pd.DataFrame(records),
                            geometry=[shapely.Point(x, y) for x, y in coords], crs=crs)


def write_gis(path: Path, frame: gpd.GeoDataFrame, driver: str | None = None,
              **options: Any) -> Path:
    """Any GDAL vector format through pyogrio."""
    pyogrio.write_dataframe(frame, path, driver=driver, **options)
    return path


def write_shapefile(path: Path, frame: gpd.GeoDataFrame, *, encoding: str = "UTF-8",
                    cpg: bool = True, prj: bool = True) -> Path:
    """A Shapefile, optionally without its .cpg (encoding) or .prj (CRS) sidecar."""
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    if not prj:
        path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def shapefile_parts(path: Path) -> list[Path]:
    """The files of a Shapefile (.shp, .shx, .dbf, .prj, .cpg that exist)."""
    return sorted(p for p in path.parent.iterdir() if p.stem == path.stem)


def write_zip(path: Path, files: Iterable[Path], folder: str = "") -> Path:
    """A zip of files, optionally inside a folder of the archive."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, f"{folder}/{file.name}" if folder else file.name)
    return path


def write_geojson(path: Path, features: list[dict[str, Any]], crs: str | None = None) -> Path:
    """A GeoJSON FeatureCollection (with a legacy ``crs`` member when given)."""
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def feature(properties: dict[str, Any], geometry: Any, fid: Any = None) -> dict[str, Any]:
    """A GeoJSON feature from properties and a shapely geometry."""
    out = {"type": "Feature", "properties": properties,
           "geometry": shapely.geometry.mapping(geometry) if geometry is not None else None}
    if fid is not None:
        out["id"] = fid
    return out


def write_xlsx(path: Path, frame: pd.DataFrame, sheet: str = "data",
               extra_sheets: dict[str, pd.DataFrame] | None = None) -> Path:
    """A workbook (openpyxl) with the frame in its first sheet."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        for name, extra in (extra_sheets or {}).items():
            extra.to_excel(writer, sheet_name=name, index=False)
    return path


def issues_of(plan: Any, code: str) -> list[Any]:
    """Issues of a plan with a given code."""
    return [i for i in plan.report.issues if i.code == code]


def cells(values: Any) -> list[Any]:
    """Values of a column with every kind of missing value as None."""
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in values]
