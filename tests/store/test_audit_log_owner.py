"""The guard belongs to the atlas's owner, who keeps every right on it.

A superuser often runs ``atlas roles grant`` on an atlas that another role created. The
guard is then installed *as that owner*: ``atlas_archive``, which runs with its owner's
rights, must not run with a superuser's. The owner, for its part, still restores
without needing to update or delete history, and may repair what it owns.
"""

from __future__ import annotations

import pytest
from audit_roles import as_role, drop_roles, execute, history_rows, new_role_names, refusal
from common import TEST_SETTINGS
from reliability_worker import LAYER, frame

import atlas
from atlas.store.postgis import parse_url
from atlas.store.roles import grant_roles

pytestmark = pytest.mark.postgis


@pytest.fixture
def owned(postgis_url, postgis_server, store_catalog):
    """An atlas created by a plain role (no superuser), its reader and writer names."""
    owner = f"proprio_{new_role_names()[0].split('_')[1]}"
    execute(postgis_server, f'CREATE ROLE "{owner}" LOGIN')
    database = execute(postgis_server, "SELECT current_database()")[0][0]
    execute(postgis_server, f'GRANT CREATE ON DATABASE "{database}" TO "{owner}"')
    owner_url = as_role(postgis_url, owner)
    with atlas.create(owner_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(50, "base"), user="owner")
        created.write(LAYER, frame(20, "next"), user="owner")
    names = new_role_names()
    try:
        yield owner, owner_url, names
    finally:
        execute(postgis_server, f'REVOKE CREATE ON DATABASE "{database}" FROM "{owner}"')
        drop_roles(postgis_server, (*names, owner))


def test_a_superuser_installs_the_guard_as_the_atlas_owner(owned, postgis_url, postgis_server):
    owner, _, names = owned
    report = grant_roles(postgis_url, None, *names, create=True)  # as the superuser
    assert report.owner == owner
    schema = parse_url(postgis_url)[1]
    owners = execute(postgis_server,
                     "SELECT p.proname, pg_get_userbyid(p.proowner), p.prosecdef FROM pg_proc p"
                     " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s"
                     " ORDER BY p.proname", (schema,))
    assert owners == [("atlas_archive", owner, True), ("atlas_owner_only", owner, False),
                      ("atlas_revision_row", owner, False)]
    lock_owner = execute(postgis_server, "SELECT pg_get_userbyid(relowner) FROM pg_class"
                                         " WHERE oid = to_regclass(%s)",
                         (f'"{schema}".atlas_lock',))
    assert lock_owner == [(owner,)]
    assert set(report.statements) >= {f'SET LOCAL ROLE "{owner}"', "SET LOCAL ROLE NONE"}


def test_the_owner_restores_and_may_still_repair_its_history(owned, postgis_url,
                                                             postgis_server):
    owner, owner_url, names = owned
    for name in names:  # the owner may not create roles: the DBA did
        execute(postgis_server, f'CREATE ROLE "{name}" LOGIN')
    grant_roles(owner_url, None, *names)  # as the owner itself
    schema = parse_url(postgis_url)[1]
    with atlas.open(as_role(postgis_url, names[1])) as writer:
        writer.write(LAYER, frame(5, "more"), "append", user="awa")
    with atlas.open(owner_url) as admin:
        restored = admin.restore(LAYER, 1, user="owner")
        assert (restored.revision, restored.row_count, restored.rows_removed) == (4, 50, 25)
    history = f'"{schema}"."{LAYER}__history"'
    owner_server = as_role(postgis_server, owner)
    assert refusal(owner_server, f"UPDATE {history} SET name = 'corrigé'") is None
    assert refusal(owner_server, f'DELETE FROM "{schema}".atlas_revisions WHERE revision = 4'
                   ) is None
    assert len(history_rows(postgis_server, schema, LAYER)) == 50 + 25  # revisions 2 and 4
