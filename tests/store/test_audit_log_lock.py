"""The writers' lock of a PostGIS atlas is out of a reader's reach.

Writers serialise on the one row of ``atlas_lock`` (``SELECT … FOR UPDATE``, which needs
``UPDATE`` on the table). The reader made by ``atlas roles grant`` can take no lock on
it that a writer would wait for, and the advisory lock that older versions used (any
role may take one) no longer holds anybody up: an import goes through while a reader
holds everything it can. Writers still queue behind each other.
"""

from __future__ import annotations

from contextlib import closing

import psycopg2
import pytest
from audit_roles import drop_roles, granted, new_role_names, points_csv, refusal
from badinput import territory_frame
from common import TEST_SETTINGS

import atlas
from atlas.errors import ConcurrentWriteError
from atlas.ingest import import_file
from atlas.store import postgis

pytestmark = pytest.mark.postgis

Refused = psycopg2.errors.InsufficientPrivilege


@pytest.fixture
def roles(postgis_url, postgis_server):
    """An atlas with the default catalogue and its territories (revision 1), and the roles."""
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS) as created:
        created.write("territories", territory_frame(), user="admin")
    reader_and_writer = granted(postgis_url, postgis_server, names)
    try:
        yield reader_and_writer
    finally:
        drop_roles(postgis_server, names)


def test_the_reader_cannot_take_the_writers_lock(roles):
    lock, archive = roles.table("atlas_lock"), roles.table("atlas_archive")
    for statement in (f"SELECT id FROM {lock} FOR UPDATE",
                      f"SELECT id FROM {lock} FOR NO KEY UPDATE",
                      f"SELECT id FROM {lock} FOR SHARE",
                      f"SELECT id FROM {lock} FOR KEY SHARE",
                      f"LOCK TABLE {lock} IN ROW SHARE MODE",
                      f"LOCK TABLE {lock} IN EXCLUSIVE MODE",
                      f"LOCK TABLE {lock} IN ACCESS EXCLUSIVE MODE",
                      f"UPDATE {lock} SET id = 1",
                      f"DELETE FROM {lock}",
                      f"SELECT {archive}('water_points', 1)"):
        error = refusal(roles.server_as(roles.reader), statement)
        assert isinstance(error, Refused), (statement, error)
    assert refusal(roles.server_as(roles.writer), f"SELECT id FROM {lock} FOR UPDATE") is None


def test_the_writer_takes_the_lock_but_cannot_remove_it(roles):
    lock = roles.table("atlas_lock")
    for statement in (f"UPDATE {lock} SET id = 1", f"DELETE FROM {lock}", f"TRUNCATE {lock}",
                      f"INSERT INTO {lock} (id) VALUES (1)"):
        error = refusal(roles.server_as(roles.writer), statement)
        assert isinstance(error, Refused), (statement, error)
    with closing(psycopg2.connect(roles.server)) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id FROM {lock}")
        assert cur.fetchall() == [(1,)]


def test_an_import_proceeds_while_a_reader_holds_all_it_can(roles, tmp_path, monkeypatch):
    # Were the lock still reachable, the import would wait for the reader and fail
    # with "busy" after these 2 seconds.
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 2)
    with closing(psycopg2.connect(roles.server_as(roles.reader))) as reader:
        cur = reader.cursor()
        cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    (postgis.LOCK_NAMESPACE, roles.schema))  # the key of older versions
        for table in ("atlas_lock", "atlas_revisions", "atlas_meta", "atlas_layers",
                      "water_points", "water_points__history"):
            cur.execute(f"LOCK TABLE {roles.table(table)} IN ACCESS SHARE MODE")
        cur.execute(f"SELECT id FROM {roles.table('atlas_lock')}")
        with pytest.raises(Refused):  # the transaction stays open, its locks held
            cur.execute(f"SELECT id FROM {roles.table('atlas_lock')} FOR UPDATE")
        with atlas.open(roles.url(roles.writer)) as writer:
            before = writer.revision
            for name, mode in (("A", "replace"), ("B", "upsert")):
                ids = [f"{name}{i:03d}" for i in range(20)]
                plan = import_file(writer, points_csv(tmp_path / f"{name}.csv", ids, name),
                                   "water_points", mode=mode)
                plan.commit(user="awa")
            assert writer.revision == before + 2 and writer.count("water_points") == 40
        reader.rollback()
    with atlas.open(roles.owner_url) as admin:
        assert [(r.mode, r.source, r.row_count) for r in admin.history("water_points")] == [
            ("replace", "A.csv", 20), ("upsert", "B.csv", 40)]


def test_writers_still_queue_behind_each_other_and_readers_never_wait(roles, monkeypatch):
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    frame = territory_frame()
    with closing(psycopg2.connect(roles.server_as(roles.writer))) as holder:
        with holder.cursor() as cur:
            cur.execute(f"SELECT id FROM {roles.table('atlas_lock')} FOR UPDATE")
        with atlas.open(roles.url(roles.writer)) as writer:
            with pytest.raises(ConcurrentWriteError) as busy:
                writer.write("territories", frame, user="awa")
            assert busy.value.key == "store.busy"
        with atlas.open(roles.url(roles.reader)) as reader:
            assert reader.count("territories") == len(frame) and reader.revision == 1
        holder.rollback()
    with atlas.open(roles.url(roles.writer)) as writer:
        assert writer.write("territories", frame, user="awa").revision == 2
