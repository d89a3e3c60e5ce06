"""A first-week atlas, built the way an ARD analyst builds one: imported files only.

GADM-style boundaries of three levels (2 régions, 4 départements, 8 communes of a
pays/région/département/commune atlas, no country unit), a locality list without
population, kind or ids, and a borehole list without state or ids imported with
``--set status=unknown --set source_type=borehole``. Every other layer is empty.
Each file is imported with its ``--source`` and ``--as-of``, which every output must
cite instead of the catalogue's description of the layer.

Layout, in degrees: région R1 is the west half of a 2° × 1° box, R2 the east half;
each région has two départements (north and south halves), each département two
communes (west and east halves). Villages and boreholes sit on a regular grid.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import shapely
from common import TEST_SETTINGS
from pgcluster import drop_schema, with_schema

import atlas
from atlas.ingest import import_file

WEST, SOUTH = -16.0, 15.0
SETTINGS = {**TEST_SETTINGS,
            "title": {"fr": "Atlas de première semaine", "en": "First-week atlas"}}
BOUNDARIES = ("GADM 4.1", "2022-07")
LOCALITIES = ("DTGC, répertoire des localités", "2021-06")
BOREHOLES = ("DGPRE, inventaire des forages", "2023-03")
#: Villages per commune and boreholes per commune (on a grid inside each commune).
VILLAGES, POINTS = 5, 3


def _boxes() -> dict[str, tuple[int, str, str | None, shapely.Geometry]]:
    """code → (level, name, parent code, shape) of the 14 units."""
    units: dict[str, tuple[int, str, str | None, shapely.Geometry]] = {}
    for r in range(2):
        region = f"SEN.{r + 1}_1"
        x0 = WEST + r
        units[region] = (1, f"Région {r + 1}", None, shapely.box(x0, SOUTH, x0 + 1, SOUTH + 1))
        for d in range(2):
            dept = f"SEN.{r + 1}.{d + 1}_1"
            y0 = SOUTH + d * 0.5
            units[dept] = (2, f"Département {r + 1}.{d + 1}", region,
                           shapely.box(x0, y0, x0 + 1, y0 + 0.5))
            for c in range(2):
                code = f"SEN.{r + 1}.{d + 1}.{c + 1}_1"
                cx = x0 + c * 0.5
                units[code] = (3, f"Commune {r + 1}.{d + 1}.{c + 1}", dept,
                               shapely.box(cx, y0, cx + 0.5, y0 + 0.5))
    return units


UNITS = _boxes()
COMMUNES = [code for code, unit in UNITS.items() if unit[0] == 3]


def _gadm_file(folder: Path, level: int) -> Path:
    features = []
    for code, (lvl, name, _, shape) in UNITS.items():
        if lvl != level:
            continue
        parts = code[:-2].split(".")
        props: dict[str, object] = {"GID_0": "SEN", "COUNTRY": "Senegal"}
        for n in range(1, level + 1):
            props[f"GID_{n}"] = ".".join(parts[:n + 1]) + "_1"
        props[f"NAME_{level}"] = name
        features.append({"type": "Feature", "properties": props,
                         "geometry": shapely.geometry.mapping(shape)})
    path = folder / f"gadm41_SEN_{level}.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def _grid(shape: shapely.Geometry, count: int) -> list[tuple[float, float]]:
    """``count`` points on a diagonal inside a box, away from its edges."""
    x0, y0, x1, y1 = shape.bounds
    return [(round(x0 + (x1 - x0) * (i + 1) / (count + 1), 6),
             round(y0 + (y1 - y0) * (i + 1) / (count + 1), 6)) for i in range(count)]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def locality_rows() -> list[list[object]]:
    """NOM, LATITUDE, LONGITUDE of every village (no population, no kind, no id)."""
    rows: list[list[object]] = []
    for n, code in enumerate(COMMUNES):
        for i, (x, y) in enumerate(_grid(UNITS[code][3], VILLAGES)):
            rows.append([f"Village {n + 1}-{i + 1}", y, x])
    return rows


def borehole_rows() -> list[list[object]]:
    """NOM, type (a map class), LATITUDE, LONGITUDE of every borehole."""
    rows: list[list[object]] = []
    for n, code in enumerate(COMMUNES):
        x0, y0, x1, y1 = UNITS[code][3].bounds
        for i in range(POINTS):
            rows.append([f"Forage {n + 1}-{i + 1}", 4, round(y0 + (y1 - y0) * (i + 1) / 7, 6),
                         round(x0 + (x1 - x0) * 0.8, 6)])
    return rows


def build_sparse_atlas(url: str | Path, folder: Path) -> atlas.Atlas:
    """Create the atlas at ``url`` from files written into ``folder``."""
    opened = atlas.create(url, SETTINGS)
    source, as_of = BOUNDARIES
    for level in (1, 2, 3):
        mode = "replace" if level == 1 else "append"
        import_file(opened, _gadm_file(folder, level), "territories", mode=mode, level=level,
                    source=source, as_of=as_of).commit(user="analyste")
    source, as_of = LOCALITIES
    import_file(opened, _csv(folder / "localites.csv", ["NOM", "LATITUDE", "LONGITUDE"],
                             locality_rows()), "localities",
                source=source, as_of=as_of).commit(user="analyste")
    source, as_of = BOREHOLES
    import_file(opened, _csv(folder / "forages.csv", ["NOM", "type", "LATITUDE", "LONGITUDE"],
                             borehole_rows()), "water_points",
                constants=["status=unknown", "source_type=borehole"],
                source=source, as_of=as_of).commit(user="analyste")
    return opened


@contextmanager
def sparse_url(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """The URL of a sparse atlas built on the store ``request.param`` names ("gpkg" or
    "postgis", a schema of the session's cluster dropped afterwards)."""
    if request.param == "gpkg":
        url = str(folder / "atlas.gpkg")
        build_sparse_atlas(url, folder).close()
        yield url
        return
    server = request.getfixturevalue("postgis_server")
    schema = f"sparse_{uuid.uuid4().hex[:10]}"
    url = with_schema(server, schema)
    build_sparse_atlas(url, folder).close()
    try:
        yield url
    finally:
        drop_schema(server, schema)
