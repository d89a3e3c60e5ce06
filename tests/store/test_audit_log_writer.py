"""The writer role of ``atlas roles grant`` writes data but cannot rewrite the past.

On a real PostGIS, connected as the writer with plain psycopg2 (what a stolen password
or a bug would use): the audit log (``atlas_revisions``), the history tables, the layer
specs and the settings refuse every change, and the rows stay as they were; current
rows leave a layer only into its history. Through the atlas, the same role still
imports (replace, append, upsert) and restores, and the audit log records it.
"""

from __future__ import annotations

from contextlib import closing

import geopandas as gpd
import psycopg2
import pytest
from audit_roles import (
    audit_log,
    drop_roles,
    execute,
    granted,
    history_rows,
    new_role_names,
    points_csv,
    refusal,
)
from badinput import territory_frame
from click.testing import CliRunner
from common import TEST_SETTINGS, WELLS_SPEC, ZONES_SPEC
from reliability_worker import LAYER, frame
from shapely.geometry import box

import atlas
from atlas.catalog import parse_spec
from atlas.cli import main
from atlas.errors import StoreError

pytestmark = pytest.mark.postgis

Refused = psycopg2.errors.InsufficientPrivilege


@pytest.fixture
def roles(postgis_url, postgis_server, store_catalog):
    """Wells written twice by the owner (50 rows, then 20 replacing them), and the roles."""
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(50, "base"), user="admin", source="base.csv")
        created.write(LAYER, frame(20, "next"), user="admin", source="next.csv")
    try:
        yield granted(postgis_url, postgis_server, names)
    finally:
        drop_roles(postgis_server, names)


def assert_all_refused(server: str, statements: list[str]) -> list[str]:
    """Each statement fails with "permission denied"; the server's messages."""
    messages = []
    for statement in statements:
        error = refusal(server, statement)
        assert isinstance(error, Refused), (statement, error)
        messages.append(str(error))
    return messages


def test_the_writer_cannot_update_or_delete_the_audit_log(roles):
    before = audit_log(roles.server, roles.schema)
    revisions = roles.table("atlas_revisions")
    messages = assert_all_refused(roles.server_as(roles.writer), [
        f"""UPDATE {revisions} SET "user" = 'awa', source = 'inventaire_officiel.xlsx'""",
        f"UPDATE {revisions} SET row_count = 0, checksum = '' WHERE revision = 1",
        f"DELETE FROM {revisions} WHERE revision = 2",
        f"DELETE FROM {revisions}",
        f"TRUNCATE {revisions}",
    ])
    assert "revision 1 of the audit log cannot be changed" in messages[0]
    assert audit_log(roles.server, roles.schema) == before
    with atlas.open(roles.url(roles.reader)) as reader:
        assert [(r.revision, r.user, r.source, r.row_count) for r in reader.history()] == [
            (1, "admin", "base.csv", 50), (2, "admin", "next.csv", 20)]


def history_tampering(history: str) -> list[str]:
    """Statements that would rewrite a layer's history."""
    return [
        f"DELETE FROM {history}",
        f"UPDATE {history} SET name = 'faux' WHERE well_id = 'base000000'",
        f"TRUNCATE {history}",
        # forging rows into an earlier state
        f"INSERT INTO {history} (fid, geom, well_id, _rev_from, _rev_to)"
        f" SELECT fid + 1000, geom, well_id || 'x', 1, 2 FROM {history}",
    ]


def test_the_writer_cannot_change_a_history_table(roles):
    before = history_rows(roles.server, roles.schema, LAYER)
    assert len(before) == 50 and {row[1:3] for row in before} == {(1, 2)}
    with atlas.open(roles.owner_url) as admin:
        first_state = admin.read(LAYER, revision=1)
    history = roles.table(f"{LAYER}__history")
    assert_all_refused(roles.server_as(roles.writer), history_tampering(history))
    assert history_rows(roles.server, roles.schema, LAYER) == before
    with atlas.open(roles.owner_url) as admin:
        assert admin.read(LAYER, revision=1).equals(first_state)
        assert len(first_state) == 50


def test_the_guard_holds_even_where_a_table_right_was_granted_by_hand(roles):
    # Privileges are the first wall; the triggers owned by the schema's owner are the
    # second, for rights given by hand, by default privileges or by older versions.
    tables = ", ".join(roles.table(name) for name in (
        "atlas_revisions", f"{LAYER}__history", LAYER, "atlas_layers", "atlas_meta"))
    execute(roles.server, f'GRANT ALL ON {tables} TO "{roles.writer}"')
    before = (audit_log(roles.server, roles.schema),
              history_rows(roles.server, roles.schema, LAYER))
    layers, meta = roles.table("atlas_layers"), roles.table("atlas_meta")
    messages = assert_all_refused(roles.server_as(roles.writer), [
        *history_tampering(roles.table(f"{LAYER}__history")),
        f"DELETE FROM {roles.table('atlas_revisions')}",
        f"TRUNCATE {roles.table('atlas_revisions')}",
        f"DELETE FROM {roles.table(LAYER)}",
        f"UPDATE {roles.table(LAYER)} SET name = 'faux'",
        f"UPDATE {layers} SET spec = 'x'",
        f"INSERT INTO {meta} (key, value) VALUES ('other', 'x')",
    ])
    owner = execute(roles.server, "SELECT pg_get_userbyid(relowner) FROM pg_class"
                                  " WHERE oid = to_regclass(%s)", (roles.table(LAYER),))[0][0]
    assert messages[0].startswith(f'permission denied: DELETE on {roles.schema}.wells__history'
                                  f" is reserved to its owner {owner}")
    assert all("is reserved to its owner" in message for message in messages)
    assert (audit_log(roles.server, roles.schema),
            history_rows(roles.server, roles.schema, LAYER)) == before
    with atlas.open(roles.owner_url) as admin:
        assert admin.count(LAYER) == 20


def test_a_layer_created_later_is_guarded_from_its_creation(roles):
    ponds = parse_spec(ZONES_SPEC.replace('name = "zones"', 'name = "ponds"'), "ponds.toml")
    with atlas.open(roles.owner_url) as admin:
        admin.store.ensure_layer(ponds)
    shapes = gpd.GeoDataFrame({"zone_id": [1, 2]}, geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)],
                              crs=4326)
    with atlas.open(roles.url(roles.writer)) as writer:
        first = writer.write("ponds", shapes, user="awa").revision
        writer.write("ponds", shapes.iloc[:1], user="awa")  # replace: 2 rows to history
    history = roles.table("ponds__history")
    messages = assert_all_refused(roles.server_as(roles.writer), [
        # INSERT is in the default privileges of new tables; the guard refuses it here
        f"INSERT INTO {history} (fid, zone_id, _rev_from, _rev_to) VALUES (99, 99, 1, 2)",
        f"DELETE FROM {history}",
        f"UPDATE {roles.table('ponds')} SET name = 'faux'",
    ])
    assert "ponds__history is reserved to its owner" in messages[0]
    with atlas.open(roles.owner_url) as admin:
        assert admin.read("ponds", revision=first)["zone_id"].tolist() == [1, 2]
        assert admin.read("ponds")["zone_id"].tolist() == [1]


def test_current_rows_leave_a_layer_only_through_a_revision(roles):
    current = roles.table(LAYER)
    archive = roles.table("atlas_archive")
    assert_all_refused(roles.server_as(roles.writer), [
        f"UPDATE {current} SET name = 'faux'",
        f"DELETE FROM {current} WHERE well_id = 'next000000'",
        f"DELETE FROM {current}",
        f"TRUNCATE {current}",
        # the archive function, outside a revision of this transaction
        f"SELECT {archive}('wells', 2)",
        f"SELECT {archive}('wells', 2, ARRAY[1, 2, 3]::bigint[])",
    ])
    with atlas.open(roles.owner_url) as admin:
        assert admin.count(LAYER) == 20 and admin.revision == 2
        assert len(admin.read(LAYER, revision=1)) == 50


def test_the_writer_cannot_change_layer_specs_or_settings(roles):
    layers, meta = roles.table("atlas_layers"), roles.table("atlas_meta")
    with atlas.open(roles.owner_url) as admin:
        before = (admin.store.layer_specs(), admin.store.get_settings())
    assert_all_refused(roles.server_as(roles.writer), [
        f"UPDATE {layers} SET spec = 'name = \"wells\"'",
        f"DELETE FROM {layers}",
        f"INSERT INTO {layers} (name, spec) VALUES ('ponds', 'x')",
        f"""UPDATE {meta} SET value = '{{"title": "Atlas pirate"}}'""",
        f"DELETE FROM {meta}",
        f"INSERT INTO {meta} (key, value) VALUES ('other', 'x')",
    ])
    retitled = parse_spec(WELLS_SPEC.replace('fr = "Puits"', 'fr = "Forages"'), "wells.toml")
    with atlas.open(roles.url(roles.writer)) as writer:
        for attempt in (lambda: writer.store.set_settings({"title": "Atlas pirate"}),
                        lambda: writer.store.ensure_layer(retitled)):
            with pytest.raises(StoreError) as refused:
                attempt()
            assert refused.value.key == "store.permission_denied"
            assert f"le rôle « {roles.writer} »" in refused.value.message("fr")
    with atlas.open(roles.owner_url) as admin:
        assert (admin.store.layer_specs(), admin.store.get_settings()) == before


def test_a_writer_appends_only_the_next_revision_and_closes_only_its_own(roles):
    before = audit_log(roles.server, roles.schema)
    revisions, archive = roles.table("atlas_revisions"), roles.table("atlas_archive")
    insert = (f'INSERT INTO {revisions} (revision, layer, mode, created_at, "user",'
              f" rows_written, rows_removed, row_count, checksum)"
              f" VALUES (%s, %s, 'append', '2025-01-01T00:00:00+00:00', 'awa', 0, 0, 0, '')")
    with closing(psycopg2.connect(roles.server_as(roles.writer))) as conn, conn.cursor() as cur:
        for number in (2, 2**31 - 1):  # an existing number; one that would end the log
            with pytest.raises(Refused):
                cur.execute(insert, (number, LAYER))
            conn.rollback()
        cur.execute(insert, (3, LAYER))  # the next number: allowed
        cur.execute(f"UPDATE {revisions} SET row_count = 20, checksum = 'c' WHERE revision = 3")
        cur.execute(f"SELECT row_count, checksum FROM {revisions} WHERE revision = 3")
        assert cur.fetchone() == (20, "c")  # closing its own revision: allowed
        with pytest.raises(Refused):
            cur.execute(f"""UPDATE {revisions} SET "user" = 'admin' WHERE revision = 3""")
        conn.rollback()
        cur.execute(insert, (3, "zones"))  # a revision of another layer...
        with pytest.raises(Refused):  # ...cannot archive the wells
            cur.execute(f"SELECT {archive}('wells', 3)")
        conn.rollback()
    assert audit_log(roles.server, roles.schema) == before


@pytest.fixture
def import_roles(postgis_url, postgis_server):
    """An atlas with the default catalogue and its territories, and the roles."""
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS) as created:
        created.write("territories", territory_frame(), user="admin")
    try:
        yield granted(postgis_url, postgis_server, names)
    finally:
        drop_roles(postgis_server, names)


def test_the_writer_imports_restores_and_the_audit_log_records_it(import_roles, tmp_path):
    roles, runner = import_roles, CliRunner()
    url = roles.url(roles.writer)
    a_ids = [f"A{i:03d}" for i in range(30)]
    files = [(points_csv(tmp_path / "A.csv", a_ids, "Forage"), "replace"),
             (points_csv(tmp_path / "B.csv", [f"B{i:03d}" for i in range(10)], "Forage"),
              "append"),
             # A025-A029 renamed (5 rows archived), A030-A034 new
             (points_csv(tmp_path / "C.csv", [f"A{i:03d}" for i in range(25, 35)], "Puits"),
              "upsert")]
    for path, mode in files:
        result = runner.invoke(main, ["import", path, "--atlas", url, "--layer", "water_points",
                                      "--mode", mode, "--user", "awa"])
        assert result.exit_code == 0, result.output
    with atlas.open(url) as writer:
        first = writer.revision - 2
        assert writer.restore("water_points", first + 1, user="awa").row_count == 40
    with atlas.open(roles.owner_url) as admin:
        assert admin.restore("water_points", first, user="admin").row_count == 30
        log = [(r.revision, r.mode, r.user, r.source, r.rows_written, r.rows_removed,
                r.row_count, r.restored_from) for r in admin.history("water_points")]
        assert log == [(first, "replace", "awa", "A.csv", 30, 0, 30, None),
                       (first + 1, "append", "awa", "B.csv", 10, 0, 40, None),
                       (first + 2, "upsert", "awa", "C.csv", 10, 5, 45, None),
                       (first + 3, "restore", "awa", None, 40, 45, 40, first + 1),
                       (first + 4, "restore", "admin", None, 30, 40, 30, first)]
        upserted = admin.read("water_points", revision=first + 2).set_index("wp_id")["name"]
        assert len(upserted) == 45
        assert upserted["A025"] == "Puits A025" and upserted["A024"] == "Forage A024"
        assert admin.read("water_points")["wp_id"].tolist() == a_ids
