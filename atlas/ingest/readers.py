"""Read any supported file into one shape: raw cell values, geometries and CRS.

The shape is a table of raw cell values, the geometries when the format has them,
the declared CRS and how the file was read.

Formats: GeoPackage, Shapefile (also zipped), GeoJSON (also OSM exports), KML/KMZ,
FlatGeobuf, OSM XML/PBF, CSV and XLSX (coordinates are found later, in
:mod:`atlas.ingest.coordinates`). GIS formats go through pyogrio/GDAL; GeoJSON is
parsed here so that nested OSM tags, feature ids and mixed-type properties come
through unchanged. Values are kept as read (text stays text) so that the report
can quote what the person typed.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from ..crs import STORAGE
from ..errors import IngestError
from . import archives
from .encoding import decode_text, shapefile_encoding, sidecar
from .osm import flatten_osm
from .report import ERROR, WARNING, Issue
from .text import display

GIS_SUFFIXES = {".gpkg": "GeoPackage", ".shp": "Shapefile", ".fgb": "FlatGeobuf",
                ".kml": "KML", ".kmz": "KMZ", ".osm": "OSM", ".pbf": "OSM", ".gml": "GML",
                ".gpx": "GPX"}
JSON_SUFFIXES = {".geojson", ".json"}
TABLE_SUFFIXES = {".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".xlsx": "XLSX", ".xlsm": "XLSX"}
#: Data files looked for inside a zip, best first.
ZIP_PREFERENCE = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".csv", ".xlsx")
#: Bookkeeping columns that LIBKML adds to every placemark.
KML_NOISE = ("timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
             "visibility", "drawOrder", "icon", "snippet")


@dataclass
class Source:
    """A file as read: raw attribute values and, for GIS formats, geometries."""

    name: str
    format: str
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    encoding: str | None = None
    layer: str | None = None
    #: Added to the 0-based position to give the row number a person sees.
    row_offset: int = 1
    issues: list[Issue] = field(default_factory=list)

    def row_number(self, position: int) -> int:
        """Row number shown in the report for a 0-based position."""
        return position + self.row_offset


def read_source(path: str | Path, *, source_layer: str | None = None, sheet: str | None = None,
                max_size_mb: float | None = None, geometry_hint: str | None = None) -> Source:
    """Read a file (see the module docstring); raises :class:`IngestError` when it cannot."""
    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest.file_not_found", file=str(path))
    limit = archives.size_limit(max_size_mb)
    archives.check_file_size(path, limit)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zip(path, limit, source_layer, sheet, geometry_hint)
    if suffix in (".kmz", ".xlsx", ".xlsm"):
        archives.verify_zip(path, limit)
    if suffix in JSON_SUFFIXES:
        return _read_geojson(path)
    if suffix in TABLE_SUFFIXES:
        return _read_csv(path) if TABLE_SUFFIXES[suffix] == "CSV" else _read_xlsx(path, sheet)
    if suffix in GIS_SUFFIXES:
        return _read_gdal(path, GIS_SUFFIXES[suffix], source_layer, geometry_hint)
    if suffix == ".xls":
        raise IngestError("ingest.old_excel", file=path.name)
    raise IngestError("ingest.unsupported_format", file=path.name, suffix=suffix or "-")


# -- archives ---------------------------------------------------------------------------
def _read_zip(path: Path, limit: int, source_layer: str | None, sheet: str | None,
              geometry_hint: str | None) -> Source:
    with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
        files = archives.extract(path, Path(tmp), limit)
        data = [f for f in files if f.suffix.lower() in ZIP_PREFERENCE]
        if source_layer:
            named = [f for f in data if f.stem.casefold() == source_layer.casefold()]
            data = named or data
        if not data:
            raise IngestError("ingest.archive_empty", file=path.name)
        data.sort(key=lambda f: (ZIP_PREFERENCE.index(f.suffix.lower()), str(f)))
        chosen = data[0]
        source = read_source(chosen, source_layer=None if chosen.suffix.lower() == ".shp"
                             else source_layer, sheet=sheet, max_size_mb=limit / 1024 / 1024,
                             geometry_hint=geometry_hint)
        others = [f.name for f in data[1:]]
        if others:
            source.issues.append(Issue(WARNING, "several_datasets", value=chosen.name,
                                       params={"others": ", ".join(others)}))
        source.name = f"{path.name}/{chosen.name}"
        source.format = f"{source.format} (zip)"
        return source


# -- GIS formats through GDAL --------------------------------------------------------------
def _choose_layers(path: Path, fmt: str, wanted: str | None, geometry_hint: str | None
                   ) -> tuple[list[str], list[Issue]]:
    try:
        layers = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means "cannot read"
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    names = [name for name, _ in layers]
    if not names:
        raise IngestError("ingest.no_layers", file=path.name)
    if wanted is not None:
        if wanted not in names:
            raise IngestError("ingest.source_layer_unknown", file=path.name, layer=wanted,
                              layers=", ".join(names))
        return [wanted], []
    if fmt in ("KML", "KMZ"):
        return names, []
    if fmt == "OSM":
        polygon = bool(geometry_hint and geometry_hint.endswith("Polygon"))
        return ["multipolygons" if polygon else "points"], []
    if len(names) == 1:
        return names, []
    spatial = [name for name, kind in layers if kind not in ("None", "")] or names
    chosen = spatial[0]
    note = Issue(WARNING, "several_layers", value=chosen,
                 params={"others": ", ".join(n for n in names if n != chosen)})
    return [chosen], [note]


def _read_without_prj(path: Path, layer: str, encoding: str | None) -> pd.DataFrame:
    """Read a Shapefile as if its ``.prj`` were absent (links to the other parts)."""
    with tempfile.TemporaryDirectory(prefix="atlas-shp-") as tmp:
        for part in path.parent.iterdir():
            if part.stem == path.stem and part.suffix.lower() != ".prj" and part.is_file():
                target = Path(tmp) / part.name
                try:
                    target.symlink_to(part.resolve())
                except OSError:  # no symlinks here: copy (the size was checked)
                    shutil.copyfile(part, target)
        return pyogrio.read_dataframe(Path(tmp) / path.name, layer=layer, encoding=encoding)


def _read_gdal(path: Path, fmt: str, wanted: str | None, geometry_hint: str | None) -> Source:
    if fmt == "Shapefile":
        # People often send the .shp alone: say which parts are missing, rather than
        # GDAL's advice about config options (no .shx) or a file without columns (no .dbf).
        missing = [s for s in (".shx", ".dbf") if sidecar(path, s) is None]
        if missing:
            raise IngestError("ingest.shapefile_incomplete", file=path.name,
                              missing=", ".join(path.stem + s for s in missing))
    layers, issues = _choose_layers(path, fmt, wanted, geometry_hint)
    encoding = shapefile_encoding(path) if fmt == "Shapefile" else None
    prj = sidecar(path, ".prj") if fmt == "Shapefile" else None
    frames = []
    for layer in layers:
        try:
            frames.append(pyogrio.read_dataframe(path, layer=layer, encoding=encoding))
        except Exception as exc:  # noqa: BLE001 - GDAL errors come in many classes
            if prj is None:
                raise IngestError("ingest.unreadable", file=path.name,
                                  detail=str(exc)) from exc
            # GDAL gives up on the whole file when the .prj does not parse. The
            # geometries are still good: read them without it and ask for the CRS.
            try:
                frames.append(_read_without_prj(path, layer, encoding))
            except Exception:  # noqa: BLE001 - the .prj was not the problem
                raise IngestError("ingest.unreadable", file=path.name,
                                  detail=str(exc)) from exc
    gdf = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    crs = gdf.crs if isinstance(gdf, gpd.GeoDataFrame) else None
    if fmt == "Shapefile" and prj is None:
        crs = None
    elif prj is not None and crs is None:
        issues.append(Issue(WARNING, "prj_unreadable", field="geometry", value=prj.name))
    if isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns:
        geometry = gpd.GeoSeries(gdf.geometry.values, crs=crs).reset_index(drop=True)
        attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    else:
        geometry, attributes = None, pd.DataFrame(gdf)
    if fmt in ("KML", "KMZ"):
        attributes = attributes.drop(columns=[c for c in KML_NOISE if c in attributes.columns])
    attributes = flatten_osm(attributes.reset_index(drop=True))
    return Source(name=path.name, format=fmt, frame=attributes, geometry=geometry, crs=crs,
                  encoding=encoding, layer=layers[0] if len(layers) == 1 else None,
                  issues=issues)


# -- GeoJSON ---------------------------------------------------------------------------------
def _geojson_crs(data: dict[str, Any]) -> tuple[CRS, list[Issue]]:
    """The legacy ``crs`` member of a GeoJSON, else WGS 84 (RFC 7946).

    A member that does not parse falls back to WGS 84, the GeoJSON standard, with a
    warning naming what the file declared: the person can check the places or give
    the right system with ``--crs``.
    """
    member = data.get("crs")
    if isinstance(member, dict):
        properties = member.get("properties")
        name = properties.get("name") if isinstance(properties, dict) else None
        if name:
            try:
                crs = CRS.from_user_input(name)
            except (CRSError, TypeError, ValueError):
                return STORAGE, [Issue(WARNING, "crs_unknown", field="geometry",
                                       value=display(name))]
            return (STORAGE if crs.to_epsg() == 4326 or "CRS84" in str(name) else crs), []
    return STORAGE, []


def _flatten(properties: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become ``group/key`` columns (the Kobo convention).

    OSM ``tags`` stay whole for the OSM step to expand; lists are kept as JSON text.
    """
    flat: dict[str, Any] = {}
    for key, value in properties.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (key == "tags" and not prefix):
            flat.update(_flatten(value, f"{name}/"))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def _read_geojson(path: Path) -> Source:
    try:
        return _parse_geojson(path)
    except RecursionError as exc:
        # Arrays or objects nested thousands deep: a hostile file, or a broken one.
        raise IngestError("ingest.unreadable", file=path.name,
                          detail=f"JSON nested too deeply ({exc})") from exc


def _parse_geojson(path: Path) -> Source:
    try:
        data = json.loads(path.read_bytes())
    except ValueError as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        return _read_gdal(path, "GeoJSON", None, None)
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    bad: list[int] = []
    for position, feature in enumerate(features):
        feature = feature if isinstance(feature, dict) else {}
        properties = _flatten(feature.get("properties") or {})
        if "id" in feature and "id" not in properties:
            properties = {"id": feature["id"], **properties}
        records.append(properties)
        try:
            geoms.append(shape(feature["geometry"]) if feature.get("geometry") else None)
        except Exception:  # noqa: BLE001 - shapely raises several kinds on bad input
            geoms.append(None)
            bad.append(position)
    frame = flatten_osm(pd.DataFrame.from_records(records).astype(object))
    frame = frame.reindex(range(len(records)))
    issues = [Issue(ERROR, "bad_geometry", row=p + 1) for p in bad]
    crs, crs_issues = _geojson_crs(data)
    issues += crs_issues
    return Source(name=path.name, format="GeoJSON", frame=frame,
                  geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs, encoding="UTF-8",
                  issues=issues)


# -- tables ------------------------------------------------------------------------------------
def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        try:
            return csv.Sniffer().sniff(text[:4096]).delimiter
        except csv.Error:
            return ","
    return best


def _hxl(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Use a Humanitarian Exchange Language hashtag row (``#adm1+name``) as the header."""
    if frame.empty:
        return frame, 0
    first = [str(v).strip() for v in frame.iloc[0]]
    filled = [v for v in first if v]
    if filled and sum(v.startswith("#") for v in filled) >= max(1, len(filled) // 2 + 1):
        names = [tag if tag else str(col) for tag, col in zip(first, frame.columns, strict=True)]
        out = frame.iloc[1:].reset_index(drop=True)
        out.columns = names
        return out, 1
    return frame, 0


def _drop_trailing_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    blank = frame.apply(lambda col: col.map(lambda v: v is None or (isinstance(v, float)
                                                                    and np.isnan(v))
                                            or (isinstance(v, str) and not v.strip())))
    filled = ~blank.all(axis=1).to_numpy()
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    return frame.iloc[:last]


def _read_csv(path: Path) -> Source:
    text, encoding = decode_text(path.read_bytes())
    try:
        frame = pd.read_csv(io.StringIO(text), sep=_delimiter(text), dtype=str,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame, hxl_rows = _hxl(frame.astype(object))
    frame = _drop_trailing_blank_rows(frame)
    return Source(name=path.name, format="CSV", frame=flatten_osm(frame), encoding=encoding,
                  row_offset=1 + hxl_rows)


def _read_xlsx(path: Path, sheet: str | None) -> Source:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise IngestError("ingest.sheet_unknown", file=path.name, sheet=sheet,
                              sheets=", ".join(names))
        chosen = sheet if sheet is not None else names[0]
        frame = pd.read_excel(book, sheet_name=chosen, dtype=object)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame, hxl_rows = _hxl(frame.astype(object))
    frame = _drop_trailing_blank_rows(frame)
    issues = []
    if sheet is None and len(names) > 1:
        issues.append(Issue(WARNING, "several_sheets", value=chosen,
                            params={"others": ", ".join(names[1:])}))
    return Source(name=path.name, format="XLSX", frame=flatten_osm(frame), layer=chosen,
                  row_offset=1 + hxl_rows, issues=issues)


def blank_geometry(series: gpd.GeoSeries | None) -> bool:
    """True when there are no geometries at all (absent, or all null/empty)."""
    if series is None or len(series) == 0:
        return True
    values = np.asarray(series.values, dtype=object)
    return bool(np.all(shapely.is_missing(values) | shapely.is_empty(values)))
