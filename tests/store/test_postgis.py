"""What only the PostGIS store has: typed columns, indexes, QGIS styles, COPY, locks,
URLs, and copying atlases between stores. The shared behaviour is in
test_store_contract.py."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import psycopg2
import pytest
from common import TEST_SETTINGS
from pgcluster import drop_schema, free_port, with_schema
from shapely.geometry import Point, box

import atlas
from atlas.errors import ConcurrentWriteError, StoreError
from atlas.store import pg_bulk, pg_copy, postgis
from atlas.store.copy import copy_atlas
from atlas.store.frames import checksum
from atlas.store.postgis import PostGISStore, parse_url

pytestmark = pytest.mark.postgis


@pytest.fixture
def pg_atlas(postgis_url, store_catalog):
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        yield created


def schema_of(opened) -> str:
    return opened.store.schema


def query(server_url: str, sql: str, params=()) -> list[tuple]:
    conn = psycopg2.connect(server_url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.rollback()
        conn.close()


def points(n: int, prefix: str = "w", name: str = "puits") -> gpd.GeoDataFrame:
    rng = np.random.default_rng(n)
    return gpd.GeoDataFrame(
        {"well_id": [f"{prefix}{i:06d}" for i in range(n)], "name": [name] * n,
         "kind": ["borehole", "dug"] * (n // 2) + ["dug"] * (n % 2),
         "depth": rng.uniform(0, 80, n), "built": rng.integers(1950, 2025, n),
         "working": rng.integers(0, 2, n).astype(bool), "visited": ["2024-02-29"] * n},
        geometry=gpd.points_from_xy(rng.uniform(-17, -12, n), rng.uniform(12, 17, n)),
        crs=4326)


# -- schema layout ------------------------------------------------------------------------

def test_geometry_columns_are_typed_with_srid(pg_atlas, postgis_server):
    rows = query(postgis_server,
                 "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns"
                 " WHERE f_table_schema = %s ORDER BY f_table_name", (schema_of(pg_atlas),))
    assert rows == [("wells", "geom", "POINT", 4326),
                    ("wells__history", "geom", "GEOMETRY", 4326),
                    ("zones", "geom", "MULTIPOLYGON", 4326),
                    ("zones__history", "geom", "GEOMETRY", 4326)]
    types = dict(query(postgis_server,
                       "SELECT column_name, data_type FROM information_schema.columns"
                       " WHERE table_schema = %s AND table_name = 'wells'",
                       (schema_of(pg_atlas),)))
    assert types["fid"] == "bigint"
    assert types["built"] == "bigint"
    assert types["depth"] == "double precision"
    assert types["working"] == "boolean"
    assert types["visited"] == "date"
    assert types["name"] == "text"


def test_gist_index_primary_key_and_unique_id(pg_atlas, postgis_server):
    schema = schema_of(pg_atlas)
    indexes = dict(query(postgis_server,
                         "SELECT indexname, indexdef FROM pg_indexes"
                         " WHERE schemaname = %s AND tablename = 'wells'", (schema,)))
    assert any("USING gist (geom)" in d for d in indexes.values())
    assert any("UNIQUE INDEX" in d and "(well_id)" in d for d in indexes.values())
    keys = query(postgis_server,
                 "SELECT kcu.table_name, kcu.column_name FROM information_schema"
                 ".table_constraints tc JOIN information_schema.key_column_usage kcu"
                 " USING (constraint_schema, constraint_name) WHERE tc.table_schema = %s"
                 " AND tc.constraint_type = 'PRIMARY KEY' ORDER BY 1", (schema,))
    assert ("wells", "fid") in keys and ("zones", "fid") in keys
    assert ("atlas_revisions", "revision") in keys


def test_bbox_reads_use_the_spatial_index(pg_atlas, postgis_server):
    pg_atlas.write("wells", points(2000))
    store = pg_atlas.store
    main, _ = store._layer_tables(store._spec("wells"))
    condition = store._bbox_filter(main, (-15, 13, -14, 14))
    from sqlalchemy import select

    with store.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(
            "EXPLAIN " + str(select(main.c.fid).where(condition).compile(
                store.engine, compile_kwargs={"literal_binds": True}))))
    assert "wells_geom_gist" in plan


# -- QGIS styles --------------------------------------------------------------------------

def test_layer_styles_are_where_qgis_looks(pg_atlas, postgis_server):
    schema = schema_of(pg_atlas)
    stored = pg_atlas.store.styles()
    # QGIS's own query: unqualified table name (search_path: public), keyed on
    # database, schema, table, geometry column and geometry type.
    rows = query(postgis_server,
                 "SELECT styleQML, styleSLD, useAsDefault, stylename, owner FROM layer_styles"
                 " WHERE f_table_catalog = current_database() AND f_table_schema = %s"
                 " AND f_table_name = %s AND f_geometry_column = %s AND type = %s"
                 " ORDER BY CASE WHEN useAsDefault THEN 1 ELSE 2 END, update_time DESC"
                 " LIMIT 1", (schema, "wells", "geom", "Point"))
    assert len(rows) == 1
    qml, sld, default, name, owner = rows[0]
    assert default is True and name == "wells" and owner == "atlas-territorial"
    assert "<qgis" in qml and "renderer-v2" in qml
    assert qml.strip().endswith(stored["wells"]["qml"].strip()[-200:])
    assert "StyledLayerDescriptor" in sld
    polygon = query(postgis_server,
                    "SELECT count(*) FROM public.layer_styles WHERE f_table_schema = %s"
                    " AND f_table_name = 'zones' AND type = 'Polygon'", (schema,))
    assert polygon == [(1,)]
    # The atlas keeps its own, exact copy in its schema.
    own = query(postgis_server,
                f'SELECT f_table_name, styleqml FROM "{schema}".layer_styles ORDER BY 1')
    assert own == [("wells", stored["wells"]["qml"]), ("zones", stored["zones"]["qml"])]


def test_set_style_replaces_the_default_style_in_both_tables(pg_atlas, postgis_server):
    qml = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'><qgis version=\"3.28\"/>"
    pg_atlas.store.set_style("wells", qml, None)
    assert pg_atlas.store.styles()["wells"]["qml"] == qml
    rows = query(postgis_server,
                 "SELECT styleqml::text FROM public.layer_styles WHERE f_table_schema = %s"
                 " AND f_table_name = 'wells'", (schema_of(pg_atlas),))
    assert len(rows) == 1 and "version=\"3.28\"" in rows[0][0]


def test_other_styles_in_public_layer_styles_are_left_alone(postgis_url, postgis_server,
                                                            store_catalog):
    atlas.create(postgis_url, TEST_SETTINGS, store_catalog).close()
    query_conn = psycopg2.connect(postgis_server)
    with query_conn, query_conn.cursor() as cur:
        cur.execute("INSERT INTO public.layer_styles (f_table_catalog, f_table_schema,"
                    " f_table_name, f_geometry_column, stylename, styleqml, useasdefault)"
                    " VALUES (current_database(), 'someone_else', 'roads', 'geom', 'mine',"
                    " XMLPARSE(DOCUMENT '<qgis/>'), true)")
    query_conn.close()
    second = with_schema(postgis_server, "test_second_atlas")
    try:
        atlas.create(second, TEST_SETTINGS, store_catalog).close()
        assert query(postgis_server, "SELECT count(*) FROM public.layer_styles"
                     " WHERE f_table_schema = 'someone_else'") == [(1,)]
    finally:
        drop_schema(postgis_server, "test_second_atlas")
        drop_schema(postgis_server, "someone_else")


# -- bulk loading ---------------------------------------------------------------------------

def test_bulk_load_rebuilds_indexes_and_keeps_values(pg_atlas, postgis_server, monkeypatch):
    monkeypatch.setattr(pg_bulk, "BULK_MIN_ROWS", 50)
    monkeypatch.setattr(pg_copy, "COPY_CHUNK_ROWS", 64)  # several COPY chunks
    frame = points(300)
    rev = pg_atlas.write("wells", frame)
    read = pg_atlas.read("wells")
    assert rev.row_count == 300 and len(read) == 300
    assert checksum(read, pg_atlas.spec("wells")) == rev.checksum
    indexes = [d for (d,) in query(postgis_server, "SELECT indexdef FROM pg_indexes"
                                   " WHERE schemaname = %s AND tablename = 'wells'",
                                   (schema_of(pg_atlas),))]
    assert len(indexes) == 3  # primary key, unique id, GiST
    with pytest.raises(StoreError) as error:
        pg_atlas.write("wells", points(10), "append")
    assert error.value.key == "store.existing_ids"


def test_a_value_the_server_rejects_mid_copy_rolls_everything_back(pg_atlas, postgis_server,
                                                                   monkeypatch):
    monkeypatch.setattr(pg_bulk, "BULK_MIN_ROWS", 50)
    monkeypatch.setattr(pg_copy, "COPY_CHUNK_ROWS", 64)
    pg_atlas.write("wells", points(10))
    before = pg_atlas.read("wells")
    bad = points(300, prefix="b")
    bad.loc[250, "name"] = "nul \x00 byte"  # PostgreSQL text cannot hold NUL
    with pytest.raises(StoreError) as error:
        pg_atlas.write("wells", bad)  # replace: archive, drop indexes, COPY... fails
    assert error.value.key == "store.write_failed"
    assert pg_atlas.read("wells").equals(before)
    assert len(pg_atlas.history("wells")) == 1
    indexes = query(postgis_server, "SELECT count(*) FROM pg_indexes WHERE schemaname = %s"
                    " AND tablename = 'wells'", (schema_of(pg_atlas),))
    assert indexes == [(3,)]


def test_copy_encoding_of_nulls_and_every_geometry_kind(pg_atlas):
    frame = gpd.GeoDataFrame(
        {"well_id": ["a", "b", "c"], "name": [None, "", "x"], "kind": [None, "dug", None],
         "depth": [np.nan, 0.5, -1e300], "built": [None, -(2**62), 2**62],
         "working": [None, False, True], "visited": [None, "1900-01-01", "2099-12-31"]},
        geometry=[Point(0, 0), Point(-180, -90), Point(180, 90)], crs=4326)
    pg_atlas.write("wells", frame)
    read = pg_atlas.read("wells")
    assert read["name"].isna().tolist() == [True, False, False]
    assert read["built"].tolist()[1:] == [-(2**62), 2**62]
    assert read["visited"].tolist()[1:] == ["1900-01-01", "2099-12-31"]
    assert read["depth"].isna().tolist() == [True, False, False]
    zones = gpd.GeoDataFrame({"zone_id": [1, 2]},
                             geometry=[box(0, 0, 1, 1), box(0, 0, 1, 1).buffer(1)], crs=4326)
    pg_atlas.write("zones", zones)
    out = pg_atlas.read("zones")
    assert list(out.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert out.geometry[1].geoms[0].equals_exact(zones.geometry[1], 0)


# -- writers, URLs, errors -----------------------------------------------------------------

def test_a_writer_waiting_too_long_gets_a_clear_error(pg_atlas, postgis_server, monkeypatch):
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    holder = psycopg2.connect(postgis_server)
    try:
        with holder.cursor() as cur:
            # The writers' lock: the row of atlas_lock (atlas.store.pg_guard).
            cur.execute(f'SELECT id FROM "{schema_of(pg_atlas)}".atlas_lock FOR UPDATE')
        with pytest.raises(ConcurrentWriteError) as error:
            pg_atlas.write("wells", points(3))
        assert error.value.key == "store.busy"
    finally:
        holder.rollback()
        holder.close()
    assert pg_atlas.write("wells", points(3)).row_count == 3


def test_default_schema_and_schema_parameter():
    url, schema = parse_url("postgresql://u:secret@db.example:5433/gis")
    assert schema == "atlas" and url.drivername == "postgresql+psycopg2"
    url, schema = parse_url("postgres://u@h/gis?schema=training&sslmode=disable")
    assert schema == "training" and dict(url.query) == {"sslmode": "disable"}
    store = PostGISStore("postgresql://u:secret@h/gis?sslmode=disable&schema=training")
    assert store.display_url == \
        "postgresql+psycopg2://u:***@h/gis?sslmode=disable&schema=training"
    store.close()


@pytest.mark.parametrize("schema", ["Atlas", "a-b", 'x"; DROP SCHEMA public; --', "", "9a"])
def test_bad_schema_names_are_refused(schema):
    with pytest.raises(StoreError) as error:
        parse_url(f"postgresql://u@h/gis?schema={schema}")
    assert error.value.key == "store.unsupported_url"


def test_reserved_word_schema_is_quoted(postgis_server, store_catalog):
    url = with_schema(postgis_server, "select")
    try:
        with atlas.create(url, TEST_SETTINGS, store_catalog) as created:
            created.write("wells", points(5))
        with atlas.open(url) as reopened:
            assert reopened.count("wells") == 5
    finally:
        drop_schema(postgis_server, "select")


def test_open_errors_are_clear(postgis_server, postgis_url):
    with pytest.raises(StoreError) as error:
        atlas.open(postgis_url)
    assert error.value.key == "store.not_found"
    query_conn = psycopg2.connect(postgis_server)
    schema = parse_url(postgis_url)[1]
    with query_conn, query_conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    query_conn.close()
    with pytest.raises(StoreError) as error:
        atlas.open(postgis_url)
    assert error.value.key == "store.not_an_atlas"
    closed = f"postgresql://nobody:hunter2@127.0.0.1:{free_port()}/gis"
    with pytest.raises(StoreError) as error:
        PostGISStore.open(closed)
    assert error.value.key == "store.connect_failed"
    assert "hunter2" not in str(error.value)


def test_readers_are_not_blocked_by_a_long_small_write(pg_atlas, monkeypatch):
    pg_atlas.write("wells", points(20))
    entered, release = threading.Event(), threading.Event()
    original = PostGISStore._insert_frame

    def paused(self, *args, **kwargs):
        original(self, *args, **kwargs)
        entered.set()
        release.wait(30)

    monkeypatch.setattr(PostGISStore, "_insert_frame", paused)
    thread = threading.Thread(target=lambda: pg_atlas.write("wells", points(5, prefix="n"),
                                                            "append"))
    thread.start()
    try:
        assert entered.wait(30)
        assert pg_atlas.count("wells") == 20  # answered at once, old state
    finally:
        release.set()
        thread.join()
    assert pg_atlas.count("wells") == 25


# -- copying atlases ---------------------------------------------------------------------------

def test_copy_gpkg_to_postgis_and_back(tmp_path, postgis_url, store_catalog):
    source = str(tmp_path / "source.gpkg")
    with atlas.create(source, TEST_SETTINGS, store_catalog) as built:
        built.write("wells", points(120), user="alice", source="survey.csv")
        built.write("wells", points(3, prefix="x"), "append")
        built.write("zones", gpd.GeoDataFrame(
            {"zone_id": [1, 2], "name": ["Nord", "Sud"], "area": [1.5, None]},
            geometry=[box(-17, 14, -15, 16), box(-15, 12, -13, 14)], crs=4326))
        built.store.set_style("zones", "<qgis>custom</qgis>", None)
        expected_checksums = {name: checksum(built.read(name), built.spec(name))
                              for name in ("wells", "zones")}
        settings = built.store.get_settings()

    seen: list[tuple[str, int, int]] = []
    report = copy_atlas(source, postgis_url, progress=lambda *a: seen.append(a))
    assert [s[0] for s in seen] == ["wells", "zones"] and seen[-1][1:] == (2, 2)
    assert report["layers"]["wells"]["rows"] == 123
    assert report["layers"]["wells"]["source_revision"] == 2
    assert report["styles"] == 2
    with atlas.open(postgis_url) as copied:
        assert copied.store.get_settings() == settings
        assert {n: checksum(copied.read(n), copied.spec(n)) for n in ("wells", "zones")} \
            == expected_checksums
        history = copied.history()
        assert [(r.layer, r.row_count) for r in history] == [("wells", 123), ("zones", 2)]
        assert "revision 2" in history[0].message and source in history[0].message
        assert history[0].source == source
        assert copied.store.styles()["zones"]["qml"] == "<qgis>custom</qgis>"
        pg_revisions = [r.revision for r in history]

    back = str(tmp_path / "back.gpkg")
    report = copy_atlas(postgis_url, back)
    assert "schema=" in report["source"]
    with atlas.open(back) as returned:
        assert {n: returned.count(n) for n in ("wells", "zones")} == {"wells": 123, "zones": 2}
        assert {n: checksum(returned.read(n), returned.spec(n)) for n in ("wells", "zones")} \
            == expected_checksums
        messages = [r.message for r in returned.history()]
        assert [f"revision {pg_revisions[0]}" in messages[0],
                f"revision {pg_revisions[1]}" in messages[1]] == [True, True]
        assert [r.checksum for r in returned.history()] == \
            [expected_checksums["wells"], expected_checksums["zones"]]
        assert returned.store.styles()["zones"]["qml"] == "<qgis>custom</qgis>"


def test_copy_refuses_a_destination_with_data(tmp_path, postgis_url, store_catalog):
    source = str(tmp_path / "source.gpkg")
    with atlas.create(source, TEST_SETTINGS, store_catalog) as built:
        built.write("wells", points(3))
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as target:
        target.write("wells", points(1))
    with pytest.raises(StoreError) as error:
        copy_atlas(source, postgis_url)
    assert error.value.key == "store.exists"


def test_longest_names_fit_and_longer_layer_names_are_refused(postgis_url):
    from common import WELLS_SPEC

    from atlas.catalog import Catalog, parse_spec
    from atlas.errors import CatalogError

    def spec(layer: str):
        text = WELLS_SPEC.replace('name = "wells"', f'name = "{layer}"')
        return parse_spec(text.replace('"well_id"', f'"{"i" * 63}"'))

    longest = spec("w" * 54)
    with atlas.create(postgis_url, TEST_SETTINGS, Catalog([longest])) as created:
        frame = points(4).rename(columns={"well_id": "i" * 63})
        assert created.write(longest.name, frame).row_count == 4
        assert created.read(longest.name, bbox=(-180, -90, 180, 90))["i" * 63].size == 4
        with pytest.raises(CatalogError):
            created.store.ensure_layer(spec("w" * 55))


def test_an_encoding_error_surfaces_as_itself_and_changes_nothing(pg_atlas, monkeypatch):
    pg_atlas.write("wells", points(5))
    before = pg_atlas.read("wells")
    monkeypatch.setattr(pg_copy, "COPY_CHUNK_ROWS", 10)
    original = pg_copy.CopyColumns.rows
    calls = []

    def second_chunk_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("cannot encode")
        return original(*args, **kwargs)

    monkeypatch.setattr(pg_copy.CopyColumns, "rows", second_chunk_fails)
    with pytest.raises(ValueError, match="cannot encode"):
        pg_atlas.write("wells", points(40, prefix="n"))
    assert pg_atlas.read("wells").equals(before)
    assert len(pg_atlas.history()) == 1


def test_an_atlas_in_the_public_schema_shares_qgis_table(postgis_server, store_catalog):
    from sqlalchemy.engine import make_url

    database = f"atlas_public_{free_port()}"
    admin = psycopg2.connect(postgis_server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {database}")
    url = make_url(postgis_server).set(database=database).render_as_string(
        hide_password=False)
    try:
        conn = psycopg2.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute("CREATE EXTENSION postgis")
            cur.execute("CREATE TABLE public.layer_styles (id SERIAL PRIMARY KEY,"
                        " f_table_catalog varchar, f_table_schema varchar,"
                        " f_table_name varchar, f_geometry_column varchar, styleName text,"
                        " styleQML xml, styleSLD xml, useAsDefault boolean, description text,"
                        " owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
                        " update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)")
        conn.close()
        with atlas.create(with_schema(url, "public"), TEST_SETTINGS, store_catalog) as made:
            made.write("wells", points(3))
            styles = made.store.styles()
        assert set(styles) == {"wells", "zones"} and "<qgis" in styles["wells"]["qml"]
        assert query(url, "SELECT count(*) FROM layer_styles WHERE f_table_schema = 'public'"
                     " AND type = 'Point'") == [(1,)]
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.close()
