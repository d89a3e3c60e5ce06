"""The bad-input corpus: files people (or attackers) could hand to ``atlas import``.

Every case is generated on the fly by a small function, so no binary is checked in
and a reader sees exactly what each file contains. A case says which layer it is
imported into, whether the import must be *refused* (an :class:`IngestError`, or a
plan whose errors block the commit) or may be *accepted* (possibly with warnings),
and which message keys or issue codes show that the problem was recognised.

The reliability tests (``test_reliability_corpus.py``) run every case against an
atlas on each store and check three things: only :class:`AtlasError` reaches the
caller, every message exists in French and English, and nothing is written.

Coordinates are in a fictional square atlas (see :data:`TERRITORY_BOXES`), so the
cases do not depend on real boundaries.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import struct
import zipfile
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

#: Territories of the corpus atlas (code, name, level, parent, lon/lat box).
TERRITORY_BOXES = [
    ("ZZ", "Pays d'essai", 0, None, (-17.0, 13.0, -15.0, 15.0)),
    ("ZZ01", "Région ouest", 1, "ZZ", (-17.0, 13.0, -16.0, 15.0)),
    ("ZZ02", "Région est", 1, "ZZ", (-16.0, 13.0, -15.0, 15.0)),
]
#: A point inside region ZZ01 and one inside ZZ02 (lon, lat).
WEST = (-16.5, 14.0)
EAST = (-15.5, 14.0)

#: Strings that must come out as text everywhere: SQL, HTML/JS, template syntax,
#: terminal escapes and other control characters, bidi overrides.
SQL_INJECTION = "Robert'); DROP TABLE water_points; --"
HTML_INJECTION = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
ATTRIBUTE_BREAKOUT = '"><svg onload=window.__pwned=1>'
TEMPLATE_INJECTION = "{{ 7*7 }} {% raw %} ${7*7} #{7*7}"
CONTROL_CHARACTERS = "bell\x07 escape\x1b[31mRED\x1b[0m back\x08space del\x7f nbsp\xa0end"
BIDI_OVERRIDE = "abc\u202eevil\u202c def"
HOSTILE_NAMES = (SQL_INJECTION, HTML_INJECTION, ATTRIBUTE_BREAKOUT, TEMPLATE_INJECTION,
                 CONTROL_CHARACTERS, BIDI_OVERRIDE)

#: Characters a terminal would obey rather than show (reports must escape them).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

WP_HEADER = ["code", "nom", "type", "etat", "lat", "lon"]
MG_HEADER = ["code", "nom", "type", "annee", "wkt"]

ACCEPTED = "ok"


@dataclass(frozen=True)
class Case:
    """One bad input: how to write it and what the import must make of it.

    ``expect`` lists what shows that the problem was recognised: error keys
    (``ingest.unreadable``), issue codes (``no_rows``) or :data:`ACCEPTED`; the outcome
    must match at least one of them. ``refused`` says whether nothing may be
    committable (a raised error or a blocked plan).
    """

    name: str
    category: str
    make: Callable[[Path], Path]
    refused: bool
    expect: tuple[str, ...]
    layer: str = "water_points"
    options: dict[str, Any] = field(default_factory=dict)
    #: Text from the file that must survive verbatim when the plan is accepted.
    verbatim: tuple[str, ...] = ()

    def __str__(self) -> str:
        """The name, as pytest shows it."""
        return self.name


# -- the atlas the corpus is imported into -------------------------------------------------
def territory_frame() -> gpd.GeoDataFrame:
    """The corpus atlas's territories: the square boxes of :data:`TERRITORY_BOXES`."""
    rows = [{"code": code, "name": name, "level": level, "parent_code": parent,
             "country": "SN"} for code, name, level, parent, _ in TERRITORY_BOXES]
    geoms = [shapely.MultiPolygon([shapely.box(*box)]) for *_, box in TERRITORY_BOXES]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=4326)


def seed_points() -> gpd.GeoDataFrame:
    """Water points already in the layer, so that "unchanged" means something."""
    n = 5
    return gpd.GeoDataFrame({
        "wp_id": [f"SEED{i}" for i in range(n)], "name": [f"Existant {i}" for i in range(n)],
        "source_type": ["borehole"] * n, "status": ["functional"] * n,
    }, geometry=[shapely.Point(WEST[0], WEST[1] + 0.01 * i) for i in range(n)], crs=4326)


# -- small writers ----------------------------------------------------------------------------
def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]], sep: str = ",") -> str:
    """Delimited text with RFC 4180 quoting (the csv module would do the same)."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        if any(c in text for c in (sep, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "\n".join(sep.join(cell(v) for v in row) for row in [header, *rows]) + "\n"


def good_rows(n: int = 3, names: Sequence[str] | None = None) -> list[list[Any]]:
    """Valid water points in the corpus atlas."""
    names = list(names) if names is not None else [f"Point {i}" for i in range(n)]
    return [[f"C{i}", names[i], "forage", "fonctionnel", WEST[1] + 0.01 * i, WEST[0]]
            for i in range(len(names))]


def square(x: float, y: float, size: float = 0.01) -> shapely.Polygon:
    """A small square polygon with its lower-left corner at (x, y)."""
    return shapely.box(x, y, x + size, y + size)


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _frame(rows: list[dict[str, Any]], geoms: list[Any], crs: Any = 4326) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)


def _wp_records(n: int) -> list[dict[str, Any]]:
    return [{"code": f"S{i}", "nom": f"Site {i}", "type": "forage", "etat": "ok"}
            for i in range(n)]


def _shapefile(folder: Path, name: str = "points", n: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.shp"
    frame = _frame(_wp_records(n), [shapely.Point(WEST[0], WEST[1] + 0.01 * i)
                                    for i in range(n)])
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    return path


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
         ) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def declare_sizes(archive: Path, declared: int) -> Path:
    """Rewrite the uncompressed size every member of a zip declares (local + central)."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + 4] = struct.pack("<I", declared)
            start = data.find(signature, start + 4)
    archive.write_bytes(bytes(data))
    return archive


def _xlsx(path: Path, frame: pd.DataFrame) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="data", index=False)
    return path


def _geojson(path: Path, features: list[dict[str, Any]], **extra: Any) -> Path:
    data = {"type": "FeatureCollection", "features": features, **extra}
    return _write(path, json.dumps(data, ensure_ascii=False, allow_nan=True))


def _feature(properties: dict[str, Any], geometry: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _point(x: Any, y: Any, *more: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y, *more]}


WP_PROPS = {"code": "G1", "nom": "x", "type": "forage", "etat": "ok"}


# -- the cases --------------------------------------------------------------------------------
def _csv_zero_bytes(d: Path) -> Path:
    return _write(d / "vide.csv", b"")


def _csv_header_only(d: Path) -> Path:
    return _write(d / "entete.csv", csv_text(WP_HEADER, []))


def _csv_truncated_in_quote(d: Path) -> Path:
    text = csv_text(WP_HEADER, good_rows(2)) + 'C9,"Forage de Th'
    return _write(d / "coupe.csv", text)


def _csv_truncated_mid_row(d: Path) -> Path:
    text = csv_text(WP_HEADER, good_rows(3))
    return _write(d / "coupe_ligne.csv", text[: len(text) - 12])


def _csv_ragged_rows(d: Path) -> Path:
    text = csv_text(WP_HEADER, good_rows(2)) + "C7,a,forage,ok,14.0,-16.5,extra,cells\n"
    return _write(d / "irregulier.csv", text)


def _csv_stray_quotes(d: Path) -> Path:
    text = ",".join(WP_HEADER) + '\nC1,For"age "de" Thi"es,forage,ok,14.0,-16.5\n' \
        'C2,"ouvert,forage,ok,14.0,-16.5\n'
    return _write(d / "guillemets.csv", text)


def _csv_bom(d: Path) -> Path:
    return _write(d / "bom.csv", b"\xef\xbb\xbf" + csv_text(WP_HEADER, good_rows(2)).encode())


def _csv_utf16(d: Path) -> Path:
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated.
    text = csv_text(WP_HEADER, good_rows(2, ["Thiès", "Kédougou"]), sep="\t")
    return _write(d / "unicode.txt", text.encode("utf-16"))


def _csv_binary_garbage(d: Path) -> Path:
    return _write(d / "binaire.csv", bytes(range(256)) * 8)


def _csv_nul_bytes(d: Path) -> Path:
    text = csv_text(WP_HEADER, good_rows(2, ["nul\x00octet", "ok"]))
    return _write(d / "nul.csv", text)


def _csv_nan_inf_coordinates(d: Path) -> Path:
    rows = [["N1", "a", "forage", "ok", "nan", "-16.5"], ["N2", "b", "forage", "ok", "14", "inf"],
            ["N3", "c", "forage", "ok", "-Infinity", "NaN"], ["N4", "d", "forage", "ok",
                                                               "1e400", "-16.5"]]
    return _write(d / "nan.csv", csv_text(WP_HEADER, rows))


def _csv_text_coordinates(d: Path) -> Path:
    rows = [["T1", "a", "forage", "ok", "14°47'N", "16°55'O"],
            ["T2", "b", "forage", "ok", "quatorze", "-16.5"]]
    return _write(d / "degres.csv", csv_text(WP_HEADER, rows))


def _csv_duplicate_columns(d: Path) -> Path:
    header = ["code", "nom", "nom", "type", "etat", "lat", "lon", "lat"]
    rows = [["D1", "premier", "second", "forage", "ok", WEST[1], WEST[0], "99"]]
    return _write(d / "doublons.csv", csv_text(header, rows))


def _csv_all_columns_named_alike(d: Path) -> Path:
    header = ["code"] * 6
    return _write(d / "memes_noms.csv", csv_text(header, [["a", "b", "c", "d", "e", "f"]]))


def _csv_long_values(d: Path) -> Path:
    rows = good_rows(2, ["x" * 200_000, "é" * 50_000])
    return _write(d / "longues.csv", csv_text(WP_HEADER, rows))


def _csv_very_long_header(d: Path) -> Path:
    header = [*WP_HEADER, "c" * 100_000]
    rows = [[*r, "v"] for r in good_rows(1)]
    return _write(d / "entete_longue.csv", csv_text(header, rows))


def _csv_hostile_strings(d: Path) -> Path:
    return _write(d / "hostile.csv", csv_text(WP_HEADER, good_rows(names=HOSTILE_NAMES)))


def _csv_hostile_headers(d: Path) -> Path:
    header = ["code", HTML_INJECTION, SQL_INJECTION, "type", "etat", "lat", "lon"]
    rows = [["H1", "a", "b", "forage", "ok", WEST[1], WEST[0]]]
    return _write(d / "entetes_hostiles.csv", csv_text(header, rows))


def _csv_hostile_category(d: Path) -> Path:
    rows = [["K1", "x", HTML_INJECTION, "ok", WEST[1], WEST[0]],
            ["K2", "x", "forage", SQL_INJECTION, WEST[1], WEST[0]]]
    return _write(d / "categories_hostiles.csv", csv_text(WP_HEADER, rows))


def _csv_only_separators(d: Path) -> Path:
    return _write(d / "separateurs.csv", ";;;;\n;;;;\n\n\n")


def _csv_wkt_mixed_types(d: Path) -> Path:
    rows = [["M1", "a", "reboisement", "2020", square(*WEST).wkt],
            ["M2", "b", "reboisement", "2020", f"POINT ({WEST[0]} {WEST[1]})"],
            ["M3", "c", "reboisement", "2020", f"LINESTRING ({WEST[0]} {WEST[1]}, -16.4 14.1)"],
            ["M4", "d", "reboisement", "2020", "GEOMETRYCOLLECTION (POINT (1 2))"]]
    return _write(d / "melange.csv", csv_text(MG_HEADER, rows))


def _csv_wkt_garbage(d: Path) -> Path:
    rows = [["W1", "a", "reboisement", "2020", "POLYGON ((0 0, 1 1"],
            ["W2", "b", "reboisement", "2020", "POLYGON EMPTY"],
            ["W3", "c", "reboisement", "2020", "POINT (nan nan)"],
            ["W4", "d", "reboisement", "2020", "'; DROP TABLE mangroves; --"]]
    return _write(d / "wkt.csv", csv_text(MG_HEADER, rows))


def _csv_wkt_zm(d: Path) -> Path:
    x, y = WEST
    rows = [["Z1", "a", "reboisement", "2020",
             f"POLYGON Z (({x} {y} 5, {x + .01} {y} 5, {x + .01} {y + .01} 5, {x} {y} 5))"],
            ["Z2", "b", "reboisement", "2020",
             f"POLYGON M (({x} {y} 1, {x + .01} {y} 2, {x + .01} {y + .01} 3, {x} {y} 1))"],
            ["Z3", "c", "reboisement", "2020",
             f"POLYGON ZM (({x} {y} 1 2, {x + .01} {y} 1 2, {x} {y + .01} 1 2, {x} {y} 1 2))"]]
    return _write(d / "zm.csv", csv_text(MG_HEADER, rows))


def _geojson_zero_bytes(d: Path) -> Path:
    return _write(d / "vide.geojson", b"")


def _geojson_truncated(d: Path) -> Path:
    text = json.dumps({"type": "FeatureCollection", "features": [
        _feature(WP_PROPS, _point(*WEST))] * 5})
    return _write(d / "coupe.geojson", text[: len(text) // 2])


def _geojson_deep_nesting(d: Path) -> Path:
    depth = 200_000
    return _write(d / "profond.geojson", "[" * depth + "]" * depth)


def _geojson_deep_properties(d: Path) -> Path:
    depth = 5_000
    nested = "{\"a\":" * depth + "1" + "}" * depth
    text = ('{"type": "FeatureCollection", "features": [{"type": "Feature", '
            f'"properties": {{"code": "P1", "nid": {nested}}}, '
            f'"geometry": {json.dumps(_point(*WEST))}}}]}}')
    return _write(d / "proprietes_profondes.geojson", text)


def _geojson_not_a_collection(d: Path) -> Path:
    return _write(d / "liste.geojson", "[1, 2, 3]")


def _geojson_nan_coordinates(d: Path) -> Path:
    features = [_feature({**WP_PROPS, "code": "G1"}, _point(float("nan"), float("nan"))),
                _feature({**WP_PROPS, "code": "G2"}, _point(float("inf"), WEST[1])),
                _feature({**WP_PROPS, "code": "G3"}, _point(WEST[0], float("-inf")))]
    return _geojson(d / "nan.geojson", features)


def _geojson_bad_geometries(d: Path) -> Path:
    features = [_feature({**WP_PROPS, "code": "B1"}, {"type": "Point", "coordinates": "abc"}),
                _feature({**WP_PROPS, "code": "B2"}, {"type": "Polygon",
                                                      "coordinates": [[[0, 0], [1, 1]]]}),
                _feature({**WP_PROPS, "code": "B3"}, {"type": "Unicorn", "coordinates": []}),
                _feature({**WP_PROPS, "code": "B4"}, {"type": "Point"}),
                "not a feature", None, 42]
    return _geojson(d / "geometries.geojson", features)


def _geojson_mixed_types(d: Path) -> Path:
    x, y = WEST
    features = [
        _feature({**WP_PROPS, "code": "X1"}, _point(x, y)),
        _feature({**WP_PROPS, "code": "X2"}, shapely.geometry.mapping(square(x, y))),
        _feature({**WP_PROPS, "code": "X3"}, {"type": "LineString",
                                              "coordinates": [[x, y], [x + .1, y]]}),
        _feature({**WP_PROPS, "code": "X4"}, {"type": "MultiPoint",
                                              "coordinates": [[x, y], [x + .01, y]]}),
        _feature({**WP_PROPS, "code": "X5"}, {"type": "GeometryCollection", "geometries": [
            _point(x, y), {"type": "LineString", "coordinates": [[x, y], [x, y + .1]]}]}),
    ]
    return _geojson(d / "melange.geojson", features)


def _geojson_3d_points(d: Path) -> Path:
    features = [_feature({**WP_PROPS, "code": "Z1"}, _point(*WEST, 12.5)),
                _feature({**WP_PROPS, "code": "Z2"}, _point(*EAST, -3.0))]
    return _geojson(d / "trois_d.geojson", features)


def _geojson_4d_positions(d: Path) -> Path:
    # RFC 7946 positions have two or three numbers; a fourth (a measure) is not GeoJSON.
    features = [_feature({**WP_PROPS, "code": "Z1"}, _point(*WEST, 12.5, 99.0)),
                _feature({**WP_PROPS, "code": "Z2"}, _point(*EAST))]
    return _geojson(d / "quatre_d.geojson", features)


def _geojson_self_intersecting(d: Path) -> Path:
    x, y = WEST
    bowtie = {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y + .1], [x + .1, y],
                                                  [x, y + .1], [x, y]]]}
    spike = {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y], [x + .1, y],
                                                 [x + .05, y], [x, y]]]}
    props = {"code": "S1", "nom": "noeud", "type": "reboisement", "annee": 2020}
    features = [_feature(props, bowtie), _feature({**props, "code": "S2"}, spike)]
    return _geojson(d / "noeud.geojson", features)


def _geojson_empty_polygons(d: Path) -> Path:
    props = {"code": "E1", "nom": "vide", "type": "reboisement", "annee": 2020}
    features = [_feature(props, {"type": "Polygon", "coordinates": []}),
                _feature({**props, "code": "E2"}, {"type": "MultiPolygon", "coordinates": []}),
                _feature({**props, "code": "E3"}, None)]
    return _geojson(d / "vides.geojson", features)


def _geojson_bad_crs(d: Path) -> Path:
    features = [_feature(WP_PROPS, _point(*WEST))]
    return _geojson(d / "crs.geojson", features,
                    crs={"type": "name", "properties": {"name": "EPSG:99999999"}})


def _geojson_huge_coordinates(d: Path) -> Path:
    features = [_feature({**WP_PROPS, "code": "H1"}, _point(1e308, -1e308)),
                _feature({**WP_PROPS, "code": "H2"}, _point(5e-324, 14.0))]
    return _geojson(d / "enormes.geojson", features)


def _shp_missing_shx(d: Path) -> Path:
    path = _shapefile(d / "sans_shx")
    path.with_suffix(".shx").unlink()
    return path


def _shp_missing_dbf(d: Path) -> Path:
    path = _shapefile(d / "sans_dbf")
    path.with_suffix(".dbf").unlink()
    return path


def _shp_truncated(d: Path) -> Path:
    path = _shapefile(d / "coupe", n=20)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 3])
    return path


def _shp_zero_bytes(d: Path) -> Path:
    path = _shapefile(d / "vide")
    path.write_bytes(b"")
    return path


def _shp_garbage_prj(d: Path) -> Path:
    path = _shapefile(d / "prj")
    path.with_suffix(".prj").write_text('PROJCS["n\'importe quoi", GARBAGE[[[', encoding="utf-8")
    return path


def _shp_binary_prj(d: Path) -> Path:
    path = _shapefile(d / "prj_binaire")
    path.with_suffix(".prj").write_bytes(bytes(range(256)))
    return path


def _zip_shapefile_without_dbf_and_shx(d: Path) -> Path:
    path = _shapefile(d / "partiel")
    return _zip(d / "partiel.zip", {"partiel.shp": path.read_bytes(),
                                    "partiel.prj": path.with_suffix(".prj").read_bytes()})


def _zip_declares_huge_size(d: Path) -> Path:
    archive = _zip(d / "declare.zip", {"points.csv": csv_text(WP_HEADER, good_rows(2))})
    return declare_sizes(archive, 0xFFFF_FFF0)


def _zip_bomb_nested(d: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gros.csv", b"0" * (6 * 1024 * 1024))
    return _zip(d / "gigogne.zip", {"interieur.zip": inner.getvalue(),
                                    "gros.csv": b"0" * (6 * 1024 * 1024)})


def _zip_many_members(d: Path) -> Path:
    return _zip(d / "membres.zip", {f"f{i}.txt": b"" for i in range(5_001)},
                compression=zipfile.ZIP_STORED)


def _zip_truncated(d: Path) -> Path:
    archive = _zip(d / "coupe.zip", {"points.csv": csv_text(WP_HEADER, good_rows(50))})
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    return archive


def _zip_zero_bytes(d: Path) -> Path:
    return _write(d / "vide.zip", b"")


def _zip_without_data(d: Path) -> Path:
    return _zip(d / "sans_donnees.zip", {"lisezmoi.txt": b"rien", "image.png": b"\x89PNG"})


def _kmz_bomb(d: Path) -> Path:
    return _zip(d / "bombe.kmz", {"doc.kml": b" " * (6 * 1024 * 1024)})


def _xlsx_bomb(d: Path) -> Path:
    path = _xlsx(d / "bombe.xlsx", pd.DataFrame({"code": ["a"]}))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (6 * 1024 * 1024))
    return path


def _sparse_huge_file(d: Path) -> Path:
    path = d / "enorme.csv"
    with open(path, "wb") as handle:
        handle.write(csv_text(WP_HEADER, good_rows(1)).encode())
        handle.truncate(300 * 1024 * 1024)  # sparse: nothing is really written
    return path


def _xlsx_merged_header(d: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Identification", None, "Caractéristiques", None, "Localisation", None])
    sheet.append(["code", "nom", "type", "etat", "lat", "lon"])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("E1:F1")
    for row in good_rows(2):
        sheet.append(row)
    sheet.merge_cells("A3:A4")  # merged data cells too: the second row's code is empty
    path = d / "fusion.xlsx"
    book.save(path)
    return path


def _xlsx_truncated(d: Path) -> Path:
    path = _xlsx(d / "coupe.xlsx", pd.DataFrame(good_rows(20), columns=WP_HEADER))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _xlsx_duplicate_headers_and_errors(d: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "code", "nom", "type", "etat", "lat", "lon"])
    sheet.append(["X1", "X1bis", "a", "forage", "ok", "#DIV/0!", "=1/0"])
    sheet.append(["X2", "X2bis", "b", "forage", "ok", WEST[1], WEST[0]])
    path = d / "erreurs.xlsx"
    book.save(path)
    return path


def _xlsx_empty_workbook(d: Path) -> Path:
    from openpyxl import Workbook

    path = d / "vide.xlsx"
    Workbook().save(path)
    return path


def _wrong_ext_xlsx_is_csv(d: Path) -> Path:
    return _write(d / "faux.xlsx", csv_text(WP_HEADER, good_rows(2)))


def _wrong_ext_csv_is_xlsx(d: Path) -> Path:
    path = _xlsx(d / "vrai.xlsx", pd.DataFrame(good_rows(2), columns=WP_HEADER))
    return _write(d / "faux.csv", path.read_bytes())


def _wrong_ext_geojson_is_csv(d: Path) -> Path:
    return _write(d / "faux.geojson", csv_text(WP_HEADER, good_rows(2)))


def _wrong_ext_shp_is_text(d: Path) -> Path:
    return _write(d / "faux.shp", "ceci n'est pas un shapefile")


def _wrong_ext_gpkg_is_text(d: Path) -> Path:
    return _write(d / "faux.gpkg", csv_text(WP_HEADER, good_rows(2)))


def _wrong_ext_kml_truncated(d: Path) -> Path:
    return _write(d / "coupe.kml", '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/'
                                   'kml/2.2"><Document><Placemark><name>a</na')


def _wrong_ext_fgb_garbage(d: Path) -> Path:
    return _write(d / "faux.fgb", b"fgb\x03fgb\x00" + bytes(range(200)))


def _no_extension(d: Path) -> Path:
    return _write(d / "LISEZMOI", csv_text(WP_HEADER, good_rows(1)))


def _old_excel(d: Path) -> Path:
    return _write(d / "ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))


def _gpkg_zm_points(d: Path) -> Path:
    # GDAL writes no M through pyogrio: write Z points, then put an XYZM point in the
    # second row's blob (GeoPackage header + ISO WKB) and declare z and m.
    path = d / "zm.gpkg"
    frame = _frame(_wp_records(2), [shapely.Point(WEST[0], WEST[1], 10.0),
                                    shapely.Point(EAST[0], EAST[1], 1.0)])
    pyogrio.write_dataframe(frame, path, layer="pe", spatial_index=False)
    zm = shapely.from_wkt(f"POINT ZM ({EAST[0]} {EAST[1]} 5 7)")
    blob = b"GP\x00\x01" + struct.pack("<i", 4326) + shapely.to_wkb(
        zm, flavor="iso", byte_order=1, output_dimension=4)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE pe SET geom = ? WHERE fid = 2", (blob,))
        conn.execute("UPDATE gpkg_geometry_columns SET z = 1, m = 1")
    return path


def _gpkg_mixed_layer(d: Path) -> Path:
    path = d / "melange.gpkg"
    frame = _frame(_wp_records(3), [shapely.Point(*WEST), square(*EAST),
                                    shapely.LineString([WEST, EAST])])
    pyogrio.write_dataframe(frame, path, layer="melange", geometry_type="Unknown")
    return path


def _gpkg_without_features(d: Path) -> Path:
    path = d / "attributs.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"code": ["A1"], "etat": ["ok"]}), path,
                            layer="table")
    return path


CASES: tuple[Case, ...] = (
    # truncated and empty files
    Case("csv_zero_bytes", "empty", _csv_zero_bytes, True, ("ingest.unreadable", "no_rows")),
    Case("csv_header_only", "empty", _csv_header_only, True, ("no_rows",)),
    Case("csv_only_separators", "empty", _csv_only_separators, True,
         ("no_rows", "missing_column", "no_geometry", "ingest.unreadable")),
    Case("csv_truncated_in_quote", "truncated", _csv_truncated_in_quote, True,
         ("ingest.unreadable", "missing_column", "geometry_missing", "required_missing")),
    Case("csv_truncated_mid_row", "truncated", _csv_truncated_mid_row, True,
         ("geometry_missing", "bad_coordinate")),
    Case("geojson_zero_bytes", "empty", _geojson_zero_bytes, True,
         ("ingest.unreadable", "ingest.empty_file")),
    Case("geojson_truncated", "truncated", _geojson_truncated, True, ("ingest.unreadable",)),
    Case("shp_truncated", "truncated", _shp_truncated, True,
         ("ingest.unreadable", "geometry_missing", "no_rows", "ingest.shapefile_counts")),
    Case("shp_zero_bytes", "empty", _shp_zero_bytes, True,
         ("ingest.unreadable", "no_rows", "ingest.empty_file")),
    Case("zip_truncated", "truncated", _zip_truncated, True, ("ingest.unreadable",)),
    Case("zip_zero_bytes", "empty", _zip_zero_bytes, True, ("ingest.unreadable",)),
    Case("xlsx_truncated", "truncated", _xlsx_truncated, True, ("ingest.unreadable",)),
    Case("xlsx_empty_workbook", "empty", _xlsx_empty_workbook, True, ("no_rows",)),
    # wrong extensions
    Case("xlsx_that_is_csv", "extension", _wrong_ext_xlsx_is_csv, True,
         ("ingest.unreadable", "ingest.content_text")),
    Case("csv_that_is_xlsx", "extension", _wrong_ext_csv_is_xlsx, True,
         ("ingest.unreadable", "missing_column", "no_geometry", "ingest.content_mismatch")),
    Case("geojson_that_is_csv", "extension", _wrong_ext_geojson_is_csv, True,
         ("ingest.unreadable", "ingest.content_text")),
    Case("shp_that_is_text", "extension", _wrong_ext_shp_is_text, True,
         ("ingest.shapefile_incomplete",)),
    Case("gpkg_that_is_text", "extension", _wrong_ext_gpkg_is_text, True,
         ("ingest.unreadable", "ingest.content_text")),
    Case("kml_truncated", "truncated", _wrong_ext_kml_truncated, True,
         ("ingest.unreadable", "no_rows", "ingest.no_layers")),
    Case("fgb_garbage", "extension", _wrong_ext_fgb_garbage, True,
         ("ingest.unreadable", "ingest.no_layers")),
    Case("no_extension", "extension", _no_extension, True, ("ingest.unsupported_format",)),
    Case("old_excel", "extension", _old_excel, True, ("ingest.old_excel",)),
    Case("binary_garbage_csv", "extension", _csv_binary_garbage, True,
         ("ingest.unreadable", "missing_column", "no_geometry", "no_rows")),
    # size limits
    Case("zip_declares_huge_size", "size", _zip_declares_huge_size, True,
         ("ingest.archive_too_big",)),
    Case("zip_bomb_nested", "size", _zip_bomb_nested, True, ("ingest.archive_too_big",),
         options={"max_size_mb": 5}),
    Case("zip_many_members", "size", _zip_many_members, True, ("ingest.archive_too_big",)),
    Case("kmz_bomb", "size", _kmz_bomb, True, ("ingest.archive_too_big",),
         options={"max_size_mb": 5}),
    Case("xlsx_bomb", "size", _xlsx_bomb, True, ("ingest.archive_too_big",),
         options={"max_size_mb": 5}),
    Case("sparse_huge_file", "size", _sparse_huge_file, True, ("ingest.too_big",)),
    Case("zip_without_data", "archive", _zip_without_data, True, ("ingest.archive_empty",)),
    # shapefile parts and CRS definitions
    Case("shp_missing_shx", "shapefile", _shp_missing_shx, True,
         ("ingest.shapefile_incomplete",)),
    Case("shp_missing_dbf", "shapefile", _shp_missing_dbf, True,
         ("ingest.shapefile_incomplete",)),
    Case("zip_shapefile_without_dbf_shx", "shapefile", _zip_shapefile_without_dbf_and_shx,
         True, ("ingest.shapefile_incomplete",)),
    Case("shp_garbage_prj", "crs", _shp_garbage_prj, True, ("prj_unreadable",)),
    Case("shp_binary_prj", "crs", _shp_binary_prj, True, ("prj_unreadable",)),
    Case("shp_garbage_prj_with_crs_option", "crs", _shp_garbage_prj, False,
         ("prj_unreadable",), options={"crs": "EPSG:4326"}),
    Case("geojson_unknown_crs", "crs", _geojson_bad_crs, False, ("crs_unknown",)),
    Case("option_garbage_crs", "crs", _csv_wkt_mixed_types, True, ("ingest.bad_crs",),
         layer="mangroves", options={"crs": "PROJCS[garbage"}),
    # geometries
    Case("csv_nan_inf_coordinates", "coordinates", _csv_nan_inf_coordinates, True,
         ("bad_coordinate",)),
    Case("csv_text_coordinates", "coordinates", _csv_text_coordinates, True,
         ("bad_coordinate",)),
    Case("geojson_nan_coordinates", "coordinates", _geojson_nan_coordinates, True,
         ("not_finite",)),
    Case("geojson_huge_coordinates", "coordinates", _geojson_huge_coordinates, True,
         ("coords_out_of_range",)),
    Case("geojson_bad_geometries", "geometry", _geojson_bad_geometries, True,
         ("bad_geometry",)),
    Case("geojson_mixed_types_into_points", "geometry", _geojson_mixed_types, False,
         ("geometry_converted",)),
    Case("wkt_mixed_types_into_polygons", "geometry", _csv_wkt_mixed_types, True,
         ("geometry_type",), layer="mangroves", options={"crs": "EPSG:4326"}),
    Case("wkt_garbage", "geometry", _csv_wkt_garbage, True, ("bad_wkt", "not_finite"),
         layer="mangroves", options={"crs": "EPSG:4326"}),
    Case("wkt_z_m_zm_polygons", "geometry", _csv_wkt_zm, False, (ACCEPTED,),
         layer="mangroves", options={"crs": "EPSG:4326"}),
    Case("geojson_3d_points", "geometry", _geojson_3d_points, False, (ACCEPTED,)),
    Case("geojson_4d_positions", "geometry", _geojson_4d_positions, True, ("bad_geometry",)),
    Case("gpkg_zm_points", "geometry", _gpkg_zm_points, False, (ACCEPTED,)),
    Case("gpkg_mixed_geometry_layer", "geometry", _gpkg_mixed_layer, False,
         ("geometry_converted",)),
    Case("gpkg_without_geometry", "geometry", _gpkg_without_features, True,
         ("no_geometry", "missing_column")),
    Case("self_intersecting_polygons", "geometry", _geojson_self_intersecting, True,
         ("geometry_repaired", "geometry_unrepairable"), layer="mangroves"),
    Case("empty_polygons", "geometry", _geojson_empty_polygons, True,
         ("no_geometry", "geometry_missing"), layer="mangroves"),
    # tables
    Case("csv_stray_quotes", "csv", _csv_stray_quotes, True,
         ("ingest.unreadable", "geometry_missing", "missing_column", "required_missing",
          "bad_coordinate")),
    Case("csv_ragged_rows", "csv", _csv_ragged_rows, True, ("ingest.unreadable",)),
    Case("csv_with_bom", "csv", _csv_bom, False, (ACCEPTED,)),
    Case("csv_utf16_excel_unicode_text", "csv", _csv_utf16, False, (ACCEPTED,),
         verbatim=("Thiès", "Kédougou")),
    Case("csv_duplicate_columns", "csv", _csv_duplicate_columns, False, (ACCEPTED,)),
    Case("csv_all_columns_named_alike", "csv", _csv_all_columns_named_alike, True,
         ("missing_column", "no_geometry")),
    Case("xlsx_merged_header_cells", "xlsx", _xlsx_merged_header, True,
         ("missing_column", "no_geometry", "required_missing")),
    Case("xlsx_duplicate_headers_and_error_cells", "xlsx", _xlsx_duplicate_headers_and_errors,
         True, ("bad_coordinate", "geometry_missing")),
    # hostile and extreme values
    Case("csv_hostile_strings", "hostile", _csv_hostile_strings, False, (ACCEPTED,),
         verbatim=HOSTILE_NAMES),
    Case("csv_hostile_headers", "hostile", _csv_hostile_headers, False, (ACCEPTED,)),
    Case("csv_hostile_categories", "hostile", _csv_hostile_category, True,
         ("unknown_category",)),
    Case("csv_nul_bytes", "hostile", _csv_nul_bytes, False, ("nul_removed",),
         verbatim=("nuloctet",)),
    Case("csv_long_values", "extreme", _csv_long_values, False, (ACCEPTED,),
         verbatim=("x" * 200_000, "é" * 50_000)),
    Case("csv_very_long_header", "extreme", _csv_very_long_header, False, (ACCEPTED,)),
    Case("geojson_deep_nesting", "extreme", _geojson_deep_nesting, True,
         ("ingest.unreadable",)),
    Case("geojson_deep_properties", "extreme", _geojson_deep_properties, True,
         ("ingest.unreadable",)),
    Case("geojson_not_a_collection", "extension", _geojson_not_a_collection, True,
         ("ingest.unreadable", "ingest.not_geojson")),
)
