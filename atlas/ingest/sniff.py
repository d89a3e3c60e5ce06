"""What a file's first bytes say it is, checked against its extension before any parser.

GDAL chooses its driver from the content, so ``villages.kml`` holding an
``<OGRVRTDataSource>`` would be read as a VRT — a file that makes GDAL open any other
path or URL. Every reader therefore looks at the content first: a file whose content
is not what its extension names is refused with a sentence saying what it is instead,
and GDAL's virtual datasets (VRT XML, GDALG pipelines) are refused wherever they hide.

XML formats are also refused when they declare entities (``<!ENTITY``: the "billion
laughs" and external-entity tricks), and GML when its ``schemaLocation`` names a local
path outside its folder.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from pathlib import Path

from ..errors import IngestError
from .text import printable

HEAD_BYTES = 64 * 1024
SQLITE = b"SQLite format 3\x00"
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
SHAPE = b"\x00\x00\x27\x0a"
#: Root elements (local names) of XML formats we read, by format.
XML_ROOTS = {"KML": {"kml"}, "GPX": {"gpx"}, "OSM": {"osm"}}
#: Root elements of GDAL's virtual datasets (vector and raster VRT).
VIRTUAL_ROOTS = {"ogrvrtdatasource", "vrtdataset"}
_XML_PROLOGUE = re.compile(r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*",
                           re.S | re.I)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
#: What :func:`describe` says of content that is no format (each has its own message).
EMPTY, BINARY, TEXT = "empty", "binary", "text"
_SCHEMA_LOCATION = re.compile(r"schemaLocation\s*=\s*(['\"])(.*?)\1", re.S)


def head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first bytes of a file."""
    with open(path, "rb") as handle:
        return handle.read(size)


def _text(data: bytes) -> str:
    """Bytes as text for sniffing (BOMs honoured, undecodable bytes replaced)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def xml_root(text: str, *, as_written: bool = False) -> str | None:
    """Local name of the root element (lower case), None when the text is not XML."""
    prologue = _XML_PROLOGUE.match(text)
    rest = text[prologue.end() if prologue else 0:]
    if not rest.startswith("<"):
        return None
    match = _XML_ROOT.match(rest)
    if not match:
        return None
    return match.group(2) if as_written else match.group(2).lower()


def _json_kind(text: str) -> str | None:
    """``JSON`` plus what its top level is (the ``type`` member when there is one)."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[":
        return None
    kind = re.match(r'\{\s*"type"\s*:\s*"([^"]{0,60})"', stripped)
    if kind:
        return f'JSON « type »: "{printable(kind.group(1))}"'
    return "JSON"


def describe(data: bytes) -> str:
    """What the bytes look like, as a format name for messages.

    "XML <gpx>", "SQLite", "zip"..., or :data:`EMPTY`, :data:`BINARY`, :data:`TEXT`.
    """
    if data.startswith(SQLITE):
        return "SQLite"
    if data.startswith(ZIP):
        return "zip"
    if data.startswith(SHAPE):
        return "Shapefile (.shp)"
    if data.startswith(b"fgb"):
        return "FlatGeobuf"
    if data.startswith(b"%PDF"):
        return "PDF"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "Excel 97-2003"
    if not data.strip():
        return EMPTY
    text = _text(data)
    root = xml_root(text, as_written=True)
    if root is not None:
        return f"XML <{printable(root)[:40]}>"
    kind = _json_kind(text)
    if kind is not None:
        return kind
    if b"\x00" in data[:4096]:
        return BINARY
    return TEXT


def virtual_kind(data: bytes) -> str | None:
    """``VRT`` or ``GDALG`` when the bytes are one of GDAL's virtual datasets."""
    text = _text(data)
    root = xml_root(text)
    if root in VIRTUAL_ROOTS:
        return "VRT"
    start = text.lstrip()[:4096]
    if start.startswith("{") and ('"gdal_streamed_alg"' in start or '"command_line"' in start):
        return "GDALG"
    return None


def refuse_virtual(path: Path, data: bytes) -> None:
    """Refuse a GDAL virtual dataset whatever its extension."""
    kind = virtual_kind(data)
    if kind is not None:
        raise IngestError("ingest.virtual_dataset", file=path.name, kind=kind)


def _mismatch(path: Path, expected: str, data: bytes) -> IngestError:
    """The error for content that is not ``expected``, saying what it is instead."""
    found = describe(data)
    suffix = path.suffix.lower() or "-"
    if found == EMPTY:
        return IngestError("ingest.empty_file", file=path.name)
    key = {BINARY: "ingest.content_binary", TEXT: "ingest.content_text"}.get(
        found, "ingest.content_mismatch")
    return IngestError(key, file=path.name, suffix=suffix, expected=expected, found=found)


def _check_xml(path: Path, fmt: str, data: bytes) -> None:
    text = _text(data)
    if re.search(r"<!ENTITY", text, re.I):
        raise IngestError("ingest.xml_entities", file=path.name)
    root = xml_root(text)
    if fmt == "GML":
        if root is None or root in VIRTUAL_ROOTS or "opengis.net/gml" not in text:
            raise _mismatch(path, fmt, data)
        _check_schema_locations(path, text)
        return
    if root not in XML_ROOTS[fmt]:
        raise _mismatch(path, fmt, data)


def _check_schema_locations(path: Path, text: str) -> None:
    """A GML's schemas may be URLs (never fetched) or files beside it, nothing else."""
    for _, value in _SCHEMA_LOCATION.findall(text):
        for location in value.split()[1::2]:
            lowered = location.lower()
            if lowered.startswith(("http://", "https://")):
                continue
            if "://" in lowered or lowered.startswith(("/", "\\")) or ".." in location \
                    or ":" in location or lowered.startswith("/vsi"):
                raise IngestError("ingest.outside_reference", file=path.name,
                                  reference=printable(location)[:120])


def _check_kmz(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
            if not names:
                raise IngestError("ingest.content_mismatch", file=path.name, suffix=".kmz",
                                  expected="KMZ", found="zip")
            names.sort(key=lambda n: (n.lower() != "doc.kml", n))
            with archive.open(names[0]) as member:
                data = member.read(HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise IngestError("ingest.unreadable", file=path.name, detail=str(exc)) from exc
    refuse_virtual(path, data)
    _check_xml(path, "KML", data)


def check_content(path: Path, fmt: str) -> None:
    """Refuse a GIS file whose content does not match its format (see module docstring)."""
    data = head(path)
    refuse_virtual(path, data)
    if fmt == "GeoPackage":
        ok = data.startswith(SQLITE)
    elif fmt == "Shapefile":
        ok = data.startswith(SHAPE)
    elif fmt == "FlatGeobuf":
        ok = data.startswith(b"fgb")
    elif fmt == "KMZ":
        if not data.startswith(ZIP):
            raise _mismatch(path, fmt, data)
        _check_kmz(path)
        return
    elif fmt == "OSM" and path.suffix.lower() == ".pbf":
        ok = b"OSMHeader" in data[:64]
    elif fmt in ("KML", "GPX", "OSM", "GML"):
        _check_xml(path, fmt, data)
        return
    else:
        ok = True
    if not ok:
        raise _mismatch(path, fmt, data)


def check_table_text(path: Path, data: bytes, fmt: str = "CSV") -> None:
    """Refuse a CSV that is really XML, JSON, a database, an archive or a virtual dataset."""
    refuse_virtual(path, data)
    if data.startswith((SQLITE, *ZIP, SHAPE, b"%PDF")):
        raise _mismatch(path, fmt, data)
    text = _text(data[:HEAD_BYTES])
    if xml_root(text) is not None:
        raise _mismatch(path, fmt, data)
    stripped = text.lstrip()
    if re.match(r'\{\s*"[^"\n]*"\s*:', stripped):
        raise _mismatch(path, fmt, data)
    if stripped.startswith("[") and len(data) < HEAD_BYTES:
        try:
            json.loads(stripped)
        except ValueError:
            return  # a table whose first cell starts with a bracket
        raise _mismatch(path, fmt, data)


def check_json(path: Path, data: bytes) -> None:
    """Refuse a ``.json``/``.geojson`` that is not JSON text at all, or a virtual dataset."""
    refuse_virtual(path, data)
    if _text(data).lstrip()[:1] not in ("{", "["):
        raise _mismatch(path, "GeoJSON", data)


def check_zip(path: Path, fmt: str) -> None:
    """Refuse a KMZ or workbook that is not a zip (a CSV, an old .xls, a VRT...)."""
    data = head(path, 4096)
    refuse_virtual(path, data)
    if not data.startswith(ZIP):
        raise _mismatch(path, fmt, data)


def check_xlsx(path: Path) -> None:
    """Refuse a workbook that is not a zip (see :func:`check_zip`)."""
    check_zip(path, "XLSX")
