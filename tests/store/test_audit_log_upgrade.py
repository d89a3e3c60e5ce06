"""An atlas made before the audit-log guard gets it from ``atlas roles grant`` or its owner.

The atlas is built as older versions left it (``audit_roles.make_legacy``: no lock table,
no guard, the writer allowed to update and delete everywhere). There the writer can
rewrite the audit log and a reader's advisory lock blocks every import, which is what
issue #14 found. Running ``atlas roles grant`` again, or the owner simply opening the
atlas, installs the guard; afterwards the same attempts are refused and imports work.
"""

from __future__ import annotations

from contextlib import closing

import psycopg2
import pytest
from audit_roles import (
    Roles,
    audit_log,
    drop_roles,
    execute,
    history_rows,
    make_legacy,
    new_role_names,
    refusal,
)
from click.testing import CliRunner
from common import TEST_SETTINGS
from reliability_worker import LAYER, frame

import atlas
from atlas.cli import main
from atlas.errors import ConcurrentWriteError
from atlas.store import postgis
from atlas.store.pg_guard import guard_is_current
from atlas.store.postgis import parse_url

pytestmark = pytest.mark.postgis

Refused = psycopg2.errors.InsufficientPrivilege
REWRITES = ('UPDATE {revisions} SET "user" = \'awa\', source = \'inventaire_officiel.xlsx\'',
            "DELETE FROM {history}")


@pytest.fixture
def legacy(postgis_url, postgis_server, store_catalog):
    """Wells written twice (50 rows, then 20), in an atlas as older versions left it."""
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(50, "base"), user="admin", source="base.csv")
        created.write(LAYER, frame(20, "next"), user="admin", source="next.csv")
    schema = parse_url(postgis_url)[1]
    make_legacy(postgis_server, schema, names)
    try:
        yield Roles(postgis_url, postgis_server, schema, *names)
    finally:
        drop_roles(postgis_server, names)


def guard_state(roles: Roles) -> bool:
    with closing(psycopg2.connect(roles.server)) as conn, conn.cursor() as cur:
        return guard_is_current(cur, roles.schema)[0]


def rewrites(roles: Roles) -> list[str]:
    return [statement.format(revisions=roles.table("atlas_revisions"),
                             history=roles.table(f"{LAYER}__history"))
            for statement in REWRITES]


def reader_holding_the_old_lock(roles: Roles) -> psycopg2.extensions.connection:
    """A reader's open transaction holding the advisory lock older versions used."""
    conn = psycopg2.connect(roles.server_as(roles.reader))
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    (postgis.LOCK_NAMESPACE, roles.schema))
    return conn


def test_the_legacy_atlas_has_the_flaws_the_guard_closes(legacy, monkeypatch):
    # What the upgrade must fix, seen on the legacy atlas (then rolled back).
    assert not guard_state(legacy)
    for statement in rewrites(legacy):
        assert refusal(legacy.server_as(legacy.writer), statement) is None, statement
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    with closing(reader_holding_the_old_lock(legacy)):
        with atlas.open(legacy.url(legacy.writer)) as writer, \
                pytest.raises(ConcurrentWriteError):
            writer.write(LAYER, frame(5, "late"), "append", user="awa")
    with atlas.open(legacy.url(legacy.writer)) as writer:  # the old path still works
        assert writer.write(LAYER, frame(5, "late"), "append").row_count == 25
    assert not guard_state(legacy)  # a writer opening it changes nothing


def test_roles_granted_again_protect_an_older_atlas(legacy, monkeypatch):
    before = (audit_log(legacy.server, legacy.schema),
              history_rows(legacy.server, legacy.schema, LAYER))
    result = CliRunner().invoke(main, ["roles", "grant", "--atlas", legacy.owner_url,
                                       "--reader", legacy.reader, "--writer", legacy.writer])
    assert result.exit_code == 0, result.output
    assert guard_state(legacy)
    for statement in rewrites(legacy):
        assert isinstance(refusal(legacy.server_as(legacy.writer), statement), Refused)
    assert (audit_log(legacy.server, legacy.schema),
            history_rows(legacy.server, legacy.schema, LAYER)) == before
    privileges = execute(legacy.server, "SELECT has_table_privilege(%s, %s, 'DELETE'),"
                         " has_table_privilege(%s, %s, 'UPDATE')",
                         (legacy.writer, legacy.table(f"{LAYER}__history"), legacy.writer,
                          legacy.table("atlas_meta")))
    assert privileges == [(False, False)]  # the older grants are taken back
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    with closing(reader_holding_the_old_lock(legacy)), \
            atlas.open(legacy.url(legacy.writer)) as writer:
        assert writer.write(LAYER, frame(30, "new"), user="awa").row_count == 30
        assert writer.write(LAYER, frame(5, "new"), "upsert", user="awa").rows_removed == 5
    with atlas.open(legacy.owner_url) as admin:
        assert [(r.mode, r.row_count) for r in admin.history()] == [
            ("replace", 50), ("replace", 20), ("replace", 30), ("upsert", 30)]
        assert len(admin.read(LAYER, revision=2)) == 20


def test_the_owner_opening_an_older_atlas_installs_the_guard(legacy):
    with atlas.open(legacy.owner_url) as admin:
        assert admin.revision == 2
    assert guard_state(legacy)
    for statement in rewrites(legacy):
        assert isinstance(refusal(legacy.server_as(legacy.writer), statement), Refused)
    # The writer keeps its older grants, yet takes the new path: lock row, atlas_archive.
    with atlas.open(legacy.url(legacy.writer)) as writer:
        assert writer.write(LAYER, frame(10, "new"), user="awa").rows_removed == 20
    assert len(history_rows(legacy.server, legacy.schema, LAYER)) == 70


def test_a_layer_table_left_without_its_guard_gets_it_at_the_next_owner_open(legacy):
    with atlas.open(legacy.owner_url):
        pass
    history = legacy.table(f"{LAYER}__history")
    execute(legacy.server, f"DROP TRIGGER atlas_guard ON {history}")  # as an older client
    assert not guard_state(legacy)
    with atlas.open(legacy.owner_url):
        pass
    assert guard_state(legacy)
    assert isinstance(refusal(legacy.server_as(legacy.writer), f"DELETE FROM {history}"),
                      Refused)
