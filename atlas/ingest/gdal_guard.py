"""The one place that configures GDAL for imports, and the only door to it.

GDAL picks a driver from a file's *content*, and some drivers read other things than
the file they are given: a VRT (``<OGRVRTDataSource>``) or a GDALG pipeline opens any
path or URL it names (``CSV:/etc/passwd``, ``/vsicurl/http://…``), the network drivers
(WFS, OAPIF, HTTP…) fetch URLs, GPSBabel runs a program. An uploaded file must only
ever be read as what its extension says. So, process-wide and once:

- every driver that is not a plain file format of ours is deregistered (``GDAL_SKIP``
  then re-registration), the meta-drivers VRT and GDALG first of all;
- network access is cut for what remains: no ``/vsicurl/`` name is allowed, every
  HTTP request goes to a closed local port, no retry, schema downloads are off;
- SQLite-based formats may not open other files (``VirtualOGR``), GML resolves no
  link and writes no ``.gfs`` next to the upload.

Then each read goes through :func:`open_layers` / :func:`read_layer`: the path must be
a real local file (no ``/vsi…`` or ``DRIVER:`` prefix), its content must match its
extension (:mod:`atlas.ingest.sniff`), and the driver GDAL actually chose must be the
one the extension names, else the file is refused with a sentence.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyogrio

from ..errors import IngestError

#: Format (as :mod:`atlas.ingest.readers` names it) → the GDAL drivers that may open it.
DRIVERS_BY_FORMAT: dict[str, frozenset[str]] = {
    "GeoPackage": frozenset({"GPKG"}),
    "Shapefile": frozenset({"ESRI Shapefile"}),
    "FlatGeobuf": frozenset({"FlatGeobuf"}),
    "KML": frozenset({"LIBKML", "KML"}),
    "KMZ": frozenset({"LIBKML"}),
    "OSM": frozenset({"OSM"}),
    "GML": frozenset({"GML"}),
    "GPX": frozenset({"GPX"}),
}
#: Drivers kept registered: those that read our formats, plus plain formats that the
#: atlas and its tests *write* (GeoJSON, CSV, XLSX) and the in-memory driver. None of
#: them opens another dataset than the file it is given.
KEPT_DRIVERS = frozenset().union(*DRIVERS_BY_FORMAT.values()) | {
    "GeoJSON", "CSV", "XLSX", "MEM", "Memory"}
#: Always skipped, even if a GDAL build does not list them as vector drivers.
ALWAYS_SKIPPED = ("VRT", "OGR_VRT", "GDALG", "DERIVED", "GPSBabel", "HTTP", "WFS", "OAPIF",
                  "OGCAPI", "CSW", "ADBC", "SQLite")
#: Configuration that turns off what an import never needs (see the module docstring).
CONFIG: dict[str, str] = {
    # Network: no /vsicurl/ (nor /vsis3/, /vsigs/… which share its checks) name is
    # allowed, and any other HTTP request goes to a closed port, at once.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/atlas-network-disabled",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".atlas-network-disabled",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_NETRC": "NO",
    "CPL_ALLOW_VSISTDIN": "NO",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
    # Formats that could reach other files or the network by themselves.
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GML_DOWNLOAD_SCHEMA": "NO",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
}
#: Open options per driver (passed to GDAL when the file is opened).
OPEN_OPTIONS: dict[str, dict[str, str]] = {"GML": {"WRITE_GFS": "NO"}}

_lock = threading.Lock()
_configured = False


def configure() -> None:
    """Apply :data:`CONFIG` and deregister every driver outside :data:`KEPT_DRIVERS`.

    Idempotent and cheap after the first call. Re-registering makes GDAL apply
    ``GDAL_SKIP`` to drivers registered when pyogrio was imported.
    """
    global _configured
    if _configured:
        return
    with _lock:
        if _configured:
            return
        from pyogrio._ogr import _register_drivers  # pyogrio's GDALAllRegister()

        present = set(pyogrio.list_drivers())
        skipped = sorted((present - KEPT_DRIVERS) | set(ALWAYS_SKIPPED))
        # Comma-separated: some driver names hold a space ("MapInfo File").
        pyogrio.set_gdal_config_options({**CONFIG, "GDAL_SKIP": ",".join(skipped)})
        _register_drivers()
        left = set(pyogrio.list_drivers()) & set(ALWAYS_SKIPPED)
        if left:  # a GDAL that ignored GDAL_SKIP: refuse to read rather than be open
            raise IngestError("ingest.gdal_unsafe", drivers=", ".join(sorted(left)))
        _configured = True


def registered_drivers() -> set[str]:
    """Vector drivers GDAL can use now (after :func:`configure`)."""
    configure()
    return set(pyogrio.list_drivers())


def _checked_path(path: Path) -> str:
    """The absolute path GDAL is given: a regular local file, nothing GDAL would parse."""
    absolute = path.absolute()  # not resolved: a Shapefile part may be a link we made
    text = str(absolute)
    if not absolute.is_file() or text.startswith("/vsi"):
        raise IngestError("ingest.file_not_found", file=path.name)
    return text


def _info(path: str, fmt: str, name: str, layer: str | int,
          encoding: str | None = None) -> dict[str, Any]:
    """``read_info`` of a layer, refusing a file opened by another driver than its own."""
    expected = DRIVERS_BY_FORMAT[fmt]
    try:
        info = pyogrio.read_info(path, layer=layer, encoding=encoding, **_options(expected))
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means "cannot read"
        raise IngestError("ingest.unreadable", file=name, detail=detail(exc)) from exc
    driver = str(info.get("driver") or "")
    if driver not in expected:
        raise IngestError("ingest.wrong_driver", file=name, format=fmt, driver=driver or "?")
    return info


def _options(drivers: frozenset[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for driver in drivers:
        out.update(OPEN_OPTIONS.get(driver, {}))
    return out


def detail(exc: BaseException) -> str:
    """GDAL's message without the advice to use a driver prefix (we never do)."""
    text = str(exc).split("; It might help", 1)[0].strip()
    return text[:300]


def open_layers(path: Path, fmt: str, driver_path: Path | None = None
                ) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Layers (name, geometry type) of a GIS file, and ``read_info`` of its first layer.

    The content is sniffed first (:func:`atlas.ingest.sniff.check_content`), then the
    driver GDAL chose is checked against the extension — on ``driver_path`` when given
    (a Shapefile seen without its ``.prj``, which GDAL may fail to parse).
    """
    from .sniff import check_content

    configure()
    check_content(path, fmt)
    text = _checked_path(path)
    info = _info(_checked_path(driver_path or path), fmt, path.name, 0)
    try:
        layers = [(str(n), str(k)) for n, k in pyogrio.list_layers(text)]
    except Exception as exc:  # noqa: BLE001 - any GDAL failure means "cannot read"
        raise IngestError("ingest.unreadable", file=path.name, detail=detail(exc)) from exc
    return layers, info


def layer_info(path: Path, fmt: str, layer: str, encoding: str | None = None
               ) -> dict[str, Any]:
    """``read_info`` of one layer (the driver is checked again: each open is anew)."""
    configure()
    return _info(_checked_path(path), fmt, path.name, layer, encoding)


def read_layer(path: Path, fmt: str, layer: str, *, encoding: str | None = None,
               max_features: int | None = None) -> Any:
    """One layer as a (Geo)DataFrame, through the driver of its format only.

    GDAL errors propagate (the caller decides what a failure means, e.g. a ``.prj``
    that does not parse); the path and driver checks raise :class:`IngestError`.
    """
    configure()
    text = _checked_path(path)
    return pyogrio.read_dataframe(text, layer=layer, encoding=encoding,
                                  max_features=max_features,
                                  **_options(DRIVERS_BY_FORMAT[fmt]))
