"""Read any supported file into one shape: raw cell values, geometries and CRS.

The shape is a table of raw cell values, the geometries when the format has them,
the declared CRS and how the file was read.

Formats: GeoPackage, Shapefile (also zipped), GeoJSON (also OSM exports), KML/KMZ,
FlatGeobuf, OSM XML/PBF, GML, GPX, CSV and XLSX (coordinates are found later, in
:mod:`atlas.ingest.coordinates`). GIS formats go through GDAL, only ever by
:mod:`atlas.ingest.gdal_guard` (the driver of the extension, nothing else); GeoJSON
is streamed by :mod:`atlas.ingest.geojson` so that nested OSM tags, feature ids and
mixed-type properties come through unchanged; tables by :mod:`atlas.ingest.tables`.
Values are kept as read (text stays text) so that the report can quote what the
person typed. Every reader bounds the columns and cells it builds
(:mod:`atlas.ingest.limits`) and may report its progress to a callback.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..crs import STORAGE
from ..errors import IngestError
from . import archives, gdal_guard, shapefile, sniff
from .encoding import shapefile_encoding, sidecar
from .geojson import read_geojson_file
from .limits import Progress, check_cells, check_columns, check_kml_size, max_cells, report
from .osm import flatten_osm
from .report import WARNING, Issue
from .tables import read_csv_table, read_xlsx_table

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
    #: False when ``crs`` is a reader's default, not the file's (GeoJSON without ``crs``).
    crs_declared: bool = True
    issues: list[Issue] = field(default_factory=list)

    def row_number(self, position: int) -> int:
        """Row number shown in the report for a 0-based position."""
        return position + self.row_offset


def read_source(path: str | Path, *, source_layer: str | None = None, sheet: str | None = None,
                max_size_mb: float | None = None, geometry_hint: str | None = None,
                progress: Progress | None = None) -> Source:
    """Read a file (see the module docstring); raises :class:`IngestError` when it cannot.

    ``progress`` receives the fraction of the file read (0.0 to 1.0) as reading goes.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest.file_not_found", file=str(path))
    limit = archives.size_limit(max_size_mb)
    archives.check_file_size(path, limit)
    suffix = path.suffix.lower()
    sniff.refuse_virtual(path, sniff.head(path))  # a VRT or GDALG, whatever its name
    if suffix == ".zip":
        return _read_zip(path, limit, source_layer, sheet, geometry_hint, progress)
    if suffix in (".kmz", ".xlsx", ".xlsm"):
        sniff.check_zip(path, "KMZ" if suffix == ".kmz" else "XLSX")
        archives.verify_zip(path, limit)
    if suffix in JSON_SUFFIXES:
        return _read_geojson(path, progress)
    if suffix in TABLE_SUFFIXES:
        if TABLE_SUFFIXES[suffix] == "CSV":
            return _read_csv(path, progress)
        return _read_xlsx(path, sheet, progress)
    if suffix in GIS_SUFFIXES:
        source = _read_gdal(path, GIS_SUFFIXES[suffix], source_layer, geometry_hint)
        report(progress, 1.0)
        return source
    if suffix == ".xls":
        raise IngestError("ingest.old_excel", file=path.name)
    raise IngestError("ingest.unsupported_format", file=path.name, suffix=suffix or "-")


# -- archives ---------------------------------------------------------------------------
def _read_zip(path: Path, limit: int, source_layer: str | None, sheet: str | None,
              geometry_hint: str | None, progress: Progress | None) -> Source:
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
                             geometry_hint=geometry_hint, progress=progress)
        others = [f.name for f in data[1:]]
        if others:
            source.issues.append(Issue(WARNING, "several_datasets", value=chosen.name,
                                       params={"others": ", ".join(others)}))
        source.name = f"{path.name}/{chosen.name}"
        source.format = f"{source.format} (zip)"
        return source


# -- GIS formats through GDAL --------------------------------------------------------------
@contextmanager
def _without_prj(path: Path) -> Iterator[Path]:
    """The Shapefile seen without its ``.prj`` (links to the other parts, in a temp folder)."""
    with tempfile.TemporaryDirectory(prefix="atlas-shp-") as tmp:
        for part in path.parent.iterdir():
            if part.stem == path.stem and part.suffix.lower() != ".prj" and part.is_file():
                target = Path(tmp) / part.name
                try:
                    target.symlink_to(part.resolve())
                except OSError:  # no symlinks here: copy (the size was checked)
                    shutil.copyfile(part, target)
        yield Path(tmp) / path.name


def _choose_layers(path: Path, fmt: str, wanted: str | None, geometry_hint: str | None
                   ) -> tuple[list[str], list[Issue]]:
    if fmt == "Shapefile":  # GDAL's driver is checked without a .prj it may not parse
        with _without_prj(path) as bare:
            layers, _ = gdal_guard.open_layers(path, fmt, driver_path=bare)
    else:
        layers, _ = gdal_guard.open_layers(path, fmt)
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


def _bounded_rows(path: Path, fmt: str, layer: str, encoding: str | None) -> int | None:
    """The most features a layer may bring (columns and cells bounded), before reading.

    None when the driver cannot count cheaply: the read is then capped to the cell limit
    and checked after.
    """
    try:
        info = gdal_guard.layer_info(path, fmt, layer, encoding)
    except IngestError as exc:
        if exc.key != "ingest.unreadable":
            raise
        return None  # e.g. a .prj that does not parse: the read below says what is wrong
    columns = len(info.get("fields", ())) + 1
    check_columns(path.name, columns - 1)
    features = int(info.get("features", -1))
    if features >= 0:
        check_cells(path.name, features, columns)
        return None
    return max_cells() // columns + 1


def _read_without_prj(path: Path, fmt: str, layer: str, encoding: str | None,
                      max_features: int | None) -> pd.DataFrame:
    """Read a Shapefile as if its ``.prj`` were absent."""
    with _without_prj(path) as bare:
        return gdal_guard.read_layer(bare, fmt, layer, encoding=encoding,
                                     max_features=max_features)


def _read_layer(path: Path, fmt: str, layer: str, encoding: str | None,
                prj: Path | None) -> pd.DataFrame:
    """One layer through GDAL, bounded; a Shapefile's unreadable ``.prj`` is skipped."""
    cap = _bounded_rows(path, fmt, layer, encoding)
    try:
        frame = gdal_guard.read_layer(path, fmt, layer, encoding=encoding, max_features=cap)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL errors come in many classes
        if prj is None:
            raise IngestError("ingest.unreadable", file=path.name,
                              detail=gdal_guard.detail(exc)) from exc
        # GDAL gives up on the whole file when the .prj does not parse. The
        # geometries are still good: read them without it and ask for the CRS.
        try:
            frame = _read_without_prj(path, fmt, layer, encoding, cap)
        except Exception:  # noqa: BLE001 - the .prj was not the problem
            raise IngestError("ingest.unreadable", file=path.name,
                              detail=gdal_guard.detail(exc)) from exc
    check_cells(path.name, len(frame), len(frame.columns))
    return frame


def _kml_bytes(path: Path, fmt: str) -> int:
    """Size of the KML text: the file, or the uncompressed .kml members of a KMZ."""
    if fmt == "KML":
        return path.stat().st_size
    with zipfile.ZipFile(path) as archive:  # already verified (archives.verify_zip)
        return sum(m.file_size for m in archive.infolist()
                   if m.filename.lower().endswith(".kml"))


def _read_gdal(path: Path, fmt: str, wanted: str | None, geometry_hint: str | None) -> Source:
    if fmt == "Shapefile":
        # People often send the .shp alone: say which parts are missing, rather than
        # GDAL's advice about config options (no .shx) or a file without columns (no .dbf).
        missing = [s for s in (".shx", ".dbf") if sidecar(path, s) is None]
        if missing:
            raise IngestError("ingest.shapefile_incomplete", file=path.name,
                              missing=", ".join(path.stem + s for s in missing))
    if fmt in ("KML", "KMZ"):
        check_kml_size(path.name, _kml_bytes(path, fmt))
    layers, issues = _choose_layers(path, fmt, wanted, geometry_hint)
    if fmt == "Shapefile":
        shapefile.check_records(path)
    encoding = shapefile_encoding(path) if fmt == "Shapefile" else None
    prj = sidecar(path, ".prj") if fmt == "Shapefile" else None
    frames = [_read_layer(path, fmt, layer, encoding, prj) for layer in layers]
    gdf = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    check_cells(path.name, len(gdf), len(gdf.columns))
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


# -- GeoJSON and tables ----------------------------------------------------------------------
def _read_geojson(path: Path, progress: Progress | None) -> Source:
    frame, geometry, crs, issues = read_geojson_file(path, progress)
    return Source(name=path.name, format="GeoJSON", frame=frame, geometry=geometry, crs=crs,
                  encoding="UTF-8", issues=issues,
                  crs_declared=crs is not None and not crs.equals(STORAGE))


def _read_csv(path: Path, progress: Progress | None) -> Source:
    frame, encoding, row_offset, issues = read_csv_table(path, progress)
    report(progress, 1.0)
    return Source(name=path.name, format="CSV", frame=frame, encoding=encoding,
                  row_offset=row_offset, issues=issues)


def _read_xlsx(path: Path, sheet: str | None, progress: Progress | None) -> Source:
    frame, chosen, row_offset, issues = read_xlsx_table(path, sheet, progress)
    return Source(name=path.name, format="XLSX", frame=frame, layer=chosen,
                  row_offset=row_offset, issues=issues)


def blank_geometry(series: gpd.GeoSeries | None) -> bool:
    """True when there are no geometries at all (absent, or all null/empty)."""
    if series is None or len(series) == 0:
        return True
    values = np.asarray(series.values, dtype=object)
    return bool(np.all(shapely.is_missing(values) | shapely.is_empty(values)))
