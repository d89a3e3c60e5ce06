"""PostGIS access: a reader role that only reads, a writer role that writes data but
cannot change the schema (atlas/store/roles.py, ``atlas roles grant``). That neither
can rewrite the audit log nor hold up the writers is in tests/test_audit_log_*.py.

The throwaway cluster trusts local connections, so a role connects without its
password here; the passwords themselves are checked where they are stored (only as
SCRAM verifiers). Roles are cluster-wide: each test makes its own and drops them.
"""

from __future__ import annotations

import uuid
from contextlib import closing

import geopandas as gpd
import psycopg2
import pytest
from click.testing import CliRunner
from common import TEST_SETTINGS, ZONES_SPEC
from reliability_worker import LAYER, frame
from shapely.geometry import box
from sqlalchemy.engine import make_url

import atlas
from atlas.catalog import parse_spec
from atlas.cli import main
from atlas.errors import StoreError
from atlas.store import pg_bulk
from atlas.store.postgis import parse_url
from atlas.store.roles import grant_roles

pytestmark = pytest.mark.postgis


def as_role(url: str, role: str) -> str:
    """The same atlas address, connecting as another role."""
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def run(server: str, statement: str, params: tuple[object, ...] = ()) -> list[tuple]:
    with closing(psycopg2.connect(server)) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def role_names(postgis_server):
    """Fresh reader and writer names; the roles are dropped after the test."""
    suffix = uuid.uuid4().hex[:8]
    names = (f"lecteur_{suffix}", f"ecrivain_{suffix}")
    yield names
    for name in names:
        if run(postgis_server, "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)):
            run(postgis_server, f'DROP OWNED BY "{name}"')
            run(postgis_server, f'DROP ROLE "{name}"')


@pytest.fixture
def granted(postgis_url, postgis_server, store_catalog, role_names):
    """An atlas with wells, and its reader and writer roles (created by grant_roles)."""
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(50, "base"), user="admin")
    reader, writer = role_names
    report = grant_roles(postgis_url, None, reader, writer, create=True)
    assert report.created == {reader: False, writer: False}
    return report


def schema_of(url: str) -> str:
    return parse_url(url)[1]


def test_the_reader_reads_and_a_write_is_refused_with_a_clear_message(granted, postgis_url):
    with atlas.open(postgis_url) as admin:
        before = (admin.revision, admin.history(), admin.read(LAYER))
    with atlas.open(as_role(postgis_url, granted.reader)) as reader:
        assert reader.read(LAYER).equals(before[2])
        assert reader.history() == before[1] and reader.count(LAYER) == 50
        assert reader.read(LAYER, revision=1).equals(before[2])
        assert set(reader.store.styles()) == {"wells", "zones"}
        for attempt in (lambda: reader.write(LAYER, frame(3, "r"), "append"),
                        lambda: reader.restore(LAYER, 1),
                        lambda: reader.store.set_settings({"title": "x"})):
            with pytest.raises(StoreError) as refused:
                attempt()
            assert refused.value.key == "store.permission_denied"
            french, english = refused.value.message("fr"), refused.value.message("en")
            assert f"le rôle « {granted.reader} » ne peut pas faire cette opération" in french
            assert "Droits insuffisants" in french and "atlas roles grant" in french
            assert f"role '{granted.reader}' may not do this" in english
            assert "permission denied" in english  # the server's own words, as detail
            assert "Insufficient rights" in english
    with atlas.open(postgis_url) as admin:
        assert (admin.revision, admin.history()) == before[:2]
        assert admin.read(LAYER).equals(before[2])


def test_the_writer_writes_data_but_cannot_change_the_schema(granted, postgis_url,
                                                             postgis_server, monkeypatch):
    writer_url = as_role(postgis_url, granted.writer)
    with atlas.open(writer_url) as writer:
        assert writer.write(LAYER, frame(20, "new")).revision == 2
        assert writer.write(LAYER, frame(5, "more"), "append").revision == 3
        assert writer.write(LAYER, frame(2, "new"), "upsert").row_count == 25
        assert writer.restore(LAYER, 1).row_count == 50
        # A first load into an empty layer: the owner would drop and rebuild the
        # indexes; the writer may not, and loads into them instead.
        monkeypatch.setattr(pg_bulk, "BULK_MIN_ROWS", 10)
        zones = gpd.GeoDataFrame({"zone_id": list(range(30))},
                                 geometry=[box(i, 0, i + 1, 1) for i in range(30)], crs=4326)
        assert writer.write("zones", zones).row_count == 30
        with pytest.raises(StoreError) as refused:  # a new layer is DDL: the admin's job
            writer.store.ensure_layer(parse_spec(ZONES_SPEC.replace('name = "zones"',
                                                                    'name = "ponds"'),
                                                 "ponds.toml"))
        assert refused.value.key == "store.permission_denied"
    schema = schema_of(postgis_url)
    with closing(psycopg2.connect(as_role(postgis_server, granted.writer))) as conn:
        for statement in (f'CREATE TABLE "{schema}".intrus (a int)',
                          f'DROP TABLE "{schema}".wells',
                          f'ALTER TABLE "{schema}".wells ADD COLUMN x int',
                          f'TRUNCATE "{schema}".atlas_revisions',
                          f'CREATE INDEX ON "{schema}".wells (name)',
                          f'DROP INDEX "{schema}".wells_geom_gist'):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    with atlas.open(postgis_url) as admin:
        assert [r.user for r in admin.history()][-1]  # recorded as usual
        assert admin.count(LAYER) == 50 and admin.count("zones") == 30


def test_layers_created_later_by_the_owner_are_covered(granted, postgis_url):
    ponds = parse_spec(ZONES_SPEC.replace('name = "zones"', 'name = "ponds"'), "ponds.toml")
    with atlas.open(postgis_url) as admin:
        admin.store.ensure_layer(ponds)
    shapes = gpd.GeoDataFrame({"zone_id": [1, 2]}, geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)],
                              crs=4326)
    with atlas.open(as_role(postgis_url, granted.writer)) as writer:
        assert writer.write("ponds", shapes).row_count == 2
    with atlas.open(as_role(postgis_url, granted.reader)) as reader:
        assert reader.read("ponds")["zone_id"].tolist() == [1, 2]
        with pytest.raises(StoreError) as refused:
            reader.write("ponds", shapes)
        assert refused.value.key == "store.permission_denied"


def test_granting_is_idempotent_and_checks_its_input(granted, postgis_url, role_names):
    again = grant_roles(postgis_url, None, *role_names)
    assert again.created == {} and again.statements[:1] == \
        [f'GRANT USAGE ON SCHEMA "{granted.schema}" TO "{role_names[0]}", "{role_names[1]}"']
    for reader, writer, key in ((role_names[0], role_names[0], "roles.same_role"),
                                ('x"; DROP ROLE postgres; --', role_names[1], "roles.bad_role"),
                                (role_names[0], "absent_role_zz", "roles.missing_role")):
        with pytest.raises(StoreError) as refused:
            grant_roles(postgis_url, None, reader, writer)
        assert refused.value.key == key
        assert refused.value.message("fr") != refused.value.message("en")
    with pytest.raises(StoreError) as refused:
        grant_roles(postgis_url, "pas_de_schema", *role_names)
    assert refused.value.key == "roles.no_schema"


def test_cli_creates_roles_with_encrypted_passwords(postgis_url, postgis_server, store_catalog,
                                                    role_names, monkeypatch):
    atlas.create(postgis_url, TEST_SETTINGS, store_catalog).close()
    reader, writer = role_names
    runner = CliRunner()
    monkeypatch.setenv("ATLAS_TEST_ROLE_PASSWORD", "un mot de passe solide")
    result = runner.invoke(main, ["roles", "grant", "--atlas", postgis_url, "--reader", reader,
                                  "--writer", writer, "--create", "--password-env",
                                  "ATLAS_TEST_ROLE_PASSWORD"])
    assert result.exit_code == 0, result.output
    assert f"Rôle « {reader} » créé (connexion par mot de passe)." in result.output
    assert f"lecture pour « {reader} »" in result.output
    stored = dict(run(postgis_server, "SELECT rolname, rolpassword FROM pg_authid WHERE"
                                      " rolname IN %s", ((reader, writer),)))
    assert all(value.startswith("SCRAM-SHA-256$") for value in stored.values()), stored
    assert "un mot de passe solide" not in result.output

    result = runner.invoke(main, ["--lang", "en", "roles", "grant", "--atlas", postgis_url,
                                  "--reader", reader, "--writer", "nobody_zz"])
    assert result.exit_code == 2
    assert "Role 'nobody_zz' does not exist. Add --create" in result.output
    result = runner.invoke(main, ["roles", "grant", "--atlas", "data/x.gpkg", "--reader", "a",
                                  "--writer", "b"])
    assert result.exit_code == 2 and "ne concerne qu'un atlas PostGIS" in result.output
    monkeypatch.delenv("ATLAS_TEST_ROLE_PASSWORD")
    result = runner.invoke(main, ["roles", "grant", "--atlas", postgis_url, "--reader", "a_zz",
                                  "--writer", "b_zz", "--create", "--password-env",
                                  "ATLAS_TEST_ROLE_PASSWORD"])
    assert result.exit_code == 2 and "ATLAS_TEST_ROLE_PASSWORD" in result.output
    assert not run(postgis_server, "SELECT 1 FROM pg_roles WHERE rolname IN ('a_zz', 'b_zz')")
