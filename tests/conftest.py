"""Shared fixtures: fresh atlases on every store backend, the built demo atlas."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from common import REAL_DATA, TEST_SETTINGS, WELLS_SPEC, ZONES_SPEC  # noqa: F401
from pgcluster import PgCluster, PostGISUnavailable, drop_schema, ensure_postgis, with_schema

import atlas
from atlas.catalog import load_catalog

os.environ.setdefault("ATLAS_LANG", "fr")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostGIS cluster, however it reaches it.

    ``make test-fast`` leaves out ``postgis``, ``browser`` and ``slow`` tests; a test that
    asks for the server through any fixture chain is marked here, so none slips in.
    """
    for item in items:
        if "postgis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def gpkg_url(tmp_path) -> str:
    """Path of a GeoPackage atlas that does not exist yet."""
    return str(tmp_path / "atlas.gpkg")


@pytest.fixture
def empty_gpkg_atlas(gpkg_url):
    with atlas.create(gpkg_url, TEST_SETTINGS) as opened:
        yield opened


# -- PostGIS ---------------------------------------------------------------------------
# One throwaway cluster per session (tests/pgcluster.py), or the server named by
# ATLAS_TEST_DATABASE_URL; each test gets its own schema in that database, which is
# cheap (no CREATE DATABASE) and dropped afterwards. A missing PostgreSQL or PostGIS
# fails the tests with the apt-get line to run: they are never skipped.


@pytest.fixture(scope="session")
def postgis_server():
    """URL of a PostGIS database (no schema): the session's throwaway cluster."""
    external = os.environ.get("ATLAS_TEST_DATABASE_URL")
    if external:
        try:
            ensure_postgis(external)
        except PostGISUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
        yield external
        return
    try:
        cluster = PgCluster().start()
    except PostGISUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster.url()
    finally:
        cluster.stop()


@pytest.fixture
def postgis_url(postgis_server):
    """URL of a PostGIS atlas that does not exist yet (a fresh schema, dropped after)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield with_schema(postgis_server, schema)
    drop_schema(postgis_server, schema)


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request, tmp_path):
    """URL of an atlas that does not exist yet, on each store backend in turn."""
    if request.param == "gpkg":
        return str(tmp_path / "atlas.gpkg")
    return request.getfixturevalue("postgis_url")


@pytest.fixture(scope="session")
def store_catalog():
    """The two small test layers, ``wells`` (Point) and ``zones`` (MultiPolygon)."""
    from atlas.catalog import Catalog, parse_spec

    return Catalog([parse_spec(WELLS_SPEC, "wells.toml"), parse_spec(ZONES_SPEC, "zones.toml")])


# -- the demo atlas, built once per test session --------------------------------------------

@pytest.fixture(scope="session")
def demo_atlas_path(tmp_path_factory) -> Path:
    """Path of a demo atlas built with the default seed (read-only for tests)."""
    from atlas.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    build_demo(path).close()
    return path


@pytest.fixture(scope="session")
def demo_atlas(demo_atlas_path):
    """The demo atlas opened once for the session (do not write to it)."""
    with atlas.open(demo_atlas_path) as opened:
        yield opened


@pytest.fixture
def demo_copy(demo_atlas_path, tmp_path):
    """A private copy of the demo atlas that a test may write to."""
    import shutil

    target = tmp_path / "demo.gpkg"
    shutil.copy(demo_atlas_path, target)
    shutil.copy(demo_atlas_path.with_name("demo_population.tif"),
                tmp_path / "demo_population.tif")
    with atlas.open(target) as opened:
        yield opened
