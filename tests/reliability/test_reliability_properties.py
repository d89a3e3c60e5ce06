"""Property-based tests of the readers and validators (hypothesis).

Random CSV cells, separators, quoting and encodings; random GeoJSON coordinates
(NaN, infinities, huge numbers, wrong nesting); random bytes behind every file
extension; random cell values for every field type. The property is always the
same: the import either returns a plan with a report, or raises an
:class:`IngestError` whose message exists in French and English. Nothing else may
escape, and nothing is written.

The examples are derandomised (the same on every run, so CI is stable) and few
enough to keep the run short; the corpus in ``badinput.py`` holds the known cases.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from badinput import CONTROLS, seed_points, territory_frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import atlas
from atlas.catalog import load_catalog
from atlas.crs import STORAGE
from atlas.errors import AtlasError, IngestError
from atlas.i18n import catalogue
from atlas.ingest import import_file
from atlas.ingest.coordinates import number, parse_geopoint
from atlas.ingest.encoding import decode_text
from atlas.ingest.geometry import prepare
from atlas.ingest.text import display, printable
from atlas.ingest.values import convert, parse_date, parse_number

# NaN coordinates are the point of several examples; numpy says so every time.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

FEW = settings(max_examples=40, derandomize=True, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow,
                                      HealthCheck.function_scoped_fixture])
MANY = settings(FEW, max_examples=150)

HEADERS = ["code", "nom", "type", "etat", "lat", "lon", "latitude", "longitude", "wkt",
           "gps", "x", "y", "annee_realisation", "payant", "date", "_uuid", "geometry"]
CATEGORY_WORDS = ["forage", "Forage", "ok", "fonctionnel", "en panne", "puits busé", "NA", "-"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le"]

any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   max_size=30)
floats = st.floats(allow_nan=True, allow_infinity=True)
coordinate_text = st.one_of(
    floats.map(repr), floats.map(lambda f: repr(f).replace(".", ",")),
    st.sampled_from(["nan", "inf", "-Infinity", "1e400", "14°47'N", "", " ", "14.5 -16.5",
                     "POINT (-16.5 14)", "POINT (nan nan)", "[14.0, -16.5]", "0x10"]))
cell = st.one_of(any_text, coordinate_text, st.sampled_from(CATEGORY_WORDS),
                 st.integers().map(str), st.just('"'), st.just('a"b,c;d\te\nf'))


@pytest.fixture(scope="module")
def small_atlas(tmp_path_factory):
    """A GeoPackage atlas with the corpus territories and a few water points."""
    path = tmp_path_factory.mktemp("properties") / "atlas.gpkg"
    from common import TEST_SETTINGS

    with atlas.create(path, TEST_SETTINGS) as opened:
        opened.write("territories", territory_frame(), user="tests")
        opened.write("water_points", seed_points(), user="tests")
        yield opened


@contextmanager
def scratch() -> Iterator[Path]:
    """A private folder per example (hypothesis reuses the function's fixtures)."""
    with tempfile.TemporaryDirectory(prefix="atlas-hypothesis-") as folder:
        yield Path(folder)


def plan_or_error(opened: atlas.Atlas, path: Path, layer: str = "water_points",
                  **options: object) -> None:
    """The property: a plan whose report is translated, or a translated IngestError."""
    revision = opened.revision
    try:
        plan = import_file(opened, path, layer, **options)
    except AtlasError as exc:
        assert isinstance(exc, IngestError), exc
        for lang in ("fr", "en"):
            assert exc.key in catalogue(lang)
            assert exc.message(lang).strip()
        return
    for issue in plan.report.issues:
        for lang in ("fr", "en"):
            assert f"ingest.issue.{issue.code}" in catalogue(lang), issue.code
            assert f"ingest.hint.{issue.code}" in catalogue(lang), issue.code
            issue.message(lang)
            issue.hint(lang)
    plan.summary("fr")
    plan.summary("en")
    if not plan.ok:
        with pytest.raises(IngestError):
            plan.commit()
    assert opened.revision == revision


# -- files ------------------------------------------------------------------------------------
@pytest.mark.slow
@FEW
@given(header=st.lists(st.one_of(st.sampled_from(HEADERS), any_text), min_size=1, max_size=7),
       rows=st.lists(st.lists(cell, min_size=0, max_size=8), max_size=5),
       sep=st.sampled_from([",", ";", "\t", "|"]), quote=st.booleans(),
       encoding=st.sampled_from(ENCODINGS), suffix=st.sampled_from([".csv", ".txt", ".tsv"]))
def test_random_csv_files_never_crash_an_import(small_atlas, header, rows, sep, quote, encoding,
                                                suffix):
    def render(value: str) -> str:
        if quote and any(c in value for c in (sep, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "\n".join(sep.join(render(v) for v in line) for line in [header, *rows])
    with scratch() as folder:
        path = folder / f"random{suffix}"
        path.write_bytes(text.encode(encoding, errors="replace"))
        plan_or_error(small_atlas, path)


geojson_number = st.one_of(floats, st.integers(min_value=-10**30, max_value=10**30),
                           st.sampled_from([-16.5, 14.0, 180.0, -90.0]))
position = st.lists(geojson_number, min_size=0, max_size=4)
geojson_geometry = st.one_of(
    st.none(),
    st.builds(lambda c: {"type": "Point", "coordinates": c}, position),
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, st.lists(position, max_size=4)),
    st.builds(lambda c: {"type": "Polygon", "coordinates": [c]}, st.lists(position, max_size=6)),
    st.builds(lambda t, c: {"type": t, "coordinates": c},
              st.sampled_from(["MultiPolygon", "Unicorn", "", "point"]),
              st.recursive(position, lambda inner: st.lists(inner, max_size=3), max_leaves=8)),
    st.sampled_from(["POINT (1 2)", 42, [], {}]),
)
properties = st.dictionaries(st.sampled_from(HEADERS + ["id", "tags", "nested"]),
                             st.one_of(cell, st.none(), st.integers(), floats, st.booleans(),
                                       st.lists(cell, max_size=2),
                                       st.dictionaries(any_text, cell, max_size=2)),
                             max_size=6)


@pytest.mark.slow
@FEW
@given(features=st.lists(st.builds(lambda p, g: {"type": "Feature", "properties": p,
                                                 "geometry": g}, properties, geojson_geometry),
                         max_size=5),
       crs=st.one_of(st.none(), st.sampled_from(["EPSG:4326", "EPSG:32628", "urn:ogc:def:crs:"
                                                 "OGC:1.3:CRS84", "garbage", "EPSG:0"])),
       layer=st.sampled_from(["water_points", "mangroves"]))
def test_random_geojson_never_crashes_an_import(small_atlas, features, crs, layer):
    data: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    with scratch() as folder:
        path = folder / "random.geojson"
        path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
        plan_or_error(small_atlas, path, layer)


@FEW
@given(data=st.binary(max_size=600),
       suffix=st.sampled_from([".csv", ".geojson", ".json", ".gpkg", ".kml", ".kmz", ".fgb",
                               ".zip", ".xlsx", ".gml", ".gpx", ".osm", ".shp"]))
def test_random_bytes_behind_any_extension_never_crash_an_import(small_atlas, data, suffix):
    with scratch() as folder:
        path = folder / f"random{suffix}"
        path.write_bytes(data)
        for sidecar in (".shx", ".dbf") if suffix == ".shp" else ():
            path.with_suffix(sidecar).write_bytes(data[::-1])
        plan_or_error(small_atlas, path)


# -- validators -------------------------------------------------------------------------------
raw_value = st.one_of(
    st.none(), any_text, st.integers(), floats, st.booleans(), st.sampled_from(CATEGORY_WORDS),
    st.dates(min_value=date(1, 1, 1)).map(lambda d: d), st.datetimes(),
    st.sampled_from(["2024-02-30", "31/12/2023", "12/31/2023", "2023", "2023-07", "oui",
                     "1 234,5", "1.234,5", "12,5", "1e5", "\x00", "NaN", "inf", "-0"]),
    floats.map(np.float64), st.integers(min_value=-2**63, max_value=2**63 - 1).map(np.int64))
TYPES = {"string": str, "category": str, "integer": int, "float": float, "boolean": bool,
         "date": str}


@pytest.fixture(scope="module")
def every_field():
    """Every field of the real catalogue: all types, ranges, categories and synonyms."""
    return [field for spec in load_catalog().values() for field in spec.fields]


@MANY
@given(raw=st.lists(raw_value, max_size=12), choice=st.integers(min_value=0))
def test_value_conversion_never_raises_and_keeps_its_promises(every_field, raw, choice):
    field = every_field[choice % len(every_field)]
    columns = [field.name] * len(raw)
    converted = convert(field, raw, columns)
    assert len(converted.values) == len(raw)
    for value in converted.values:
        assert value is None or isinstance(value, TYPES[field.type]), (field.type, value)
        if isinstance(value, float):
            assert math.isfinite(value)
        if isinstance(value, str):
            assert "\x00" not in value
    for problem in [*converted.problems, *converted.notes]:
        assert 0 <= problem.position < len(raw)
        for lang in ("fr", "en"):
            assert f"ingest.issue.{problem.code}" in catalogue(lang), problem.code
    refused = {p.position for p in converted.problems}
    assert all(converted.values[p] is None for p in refused)


@MANY
@given(value=st.one_of(raw_value, st.binary().map(lambda b: b.decode("latin-1"))))
def test_cell_parsers_never_raise(value):
    parsed = parse_number(value)
    assert parsed is None or math.isfinite(parsed)
    coordinate = number(value) if value is not None else None
    assert coordinate is None or math.isfinite(coordinate)
    iso, partial = parse_date(value)
    assert iso is None or date.fromisoformat(iso)
    point = parse_geopoint(value)
    assert point is None or all(math.isfinite(v) for v in point)
    shown = display(value)
    assert shown is None or len(shown) <= 80
    assert not CONTROLS.search(printable(str(value)))


@MANY
@given(data=st.binary(max_size=200))
def test_any_bytes_decode_to_text(data):
    text, encoding = decode_text(data)
    assert isinstance(text, str) and encoding


coordinate = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.floats(min_value=-20, max_value=20))


def _polygon(ring: list[tuple[float, float]]) -> shapely.Polygon | None:
    """A polygon from a ring, or None when GEOS cannot even build it (a NaN end point)."""
    try:
        return shapely.Polygon(ring)
    except shapely.errors.GEOSException:
        return None


shape = st.one_of(
    st.builds(shapely.Point, coordinate, coordinate),
    st.builds(lambda c: shapely.LineString(c), st.lists(st.tuples(coordinate, coordinate),
                                                        min_size=2, max_size=5)),
    st.builds(_polygon, st.lists(st.tuples(coordinate, coordinate), min_size=4, max_size=7)
              .map(lambda c: [*c, c[0]])),
    st.builds(lambda x, y, z: shapely.Point(x, y, z), coordinate, coordinate, coordinate),
    st.just(shapely.Polygon()), st.just(shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")),
    st.none())


@FEW
@given(geoms=st.lists(shape, min_size=1, max_size=6),
       layer=st.sampled_from(["water_points", "mangroves", "territories"]),
       projected=st.booleans())
def test_geometry_preparation_never_raises(geoms, layer, projected):
    spec = load_catalog()[layer]
    crs = "EPSG:32628" if projected else STORAGE
    rows = list(range(1, len(geoms) + 1))
    prepared = prepare(gpd.GeoSeries(geoms, crs=crs), gpd.GeoSeries(crs=crs).crs, spec, rows)
    assert len(prepared.geometry) == len(geoms)
    for geom in prepared.geometry:
        if geom is not None:
            assert np.isfinite(shapely.get_coordinates(geom)).all()
            assert not shapely.has_z(geom)
    for _, issue in prepared.issues:
        assert f"ingest.issue.{issue.code}" in catalogue("en")
