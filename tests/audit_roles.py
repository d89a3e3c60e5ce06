"""Helpers of the audit-log tests (tests/test_audit_log_*.py): an atlas with a reader and
a writer made by ``atlas roles grant``, SQL run as one of them, and an atlas as the
versions before the guard (atlas/store/pg_guard.py) left it.

The throwaway cluster trusts local connections, so a role connects without a password.
Roles are cluster-wide: each test makes its own (random names) and drops them.
"""

from __future__ import annotations

import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from badinput import WP_HEADER, csv_text
from psycopg2 import sql
from sqlalchemy.engine import make_url

from atlas.store.postgis import parse_url
from atlas.store.roles import grant_roles


def as_role(url: str, role: str) -> str:
    """The same address (atlas or server), connecting as another role."""
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def execute(server: str, statement: str, params: tuple[object, ...] = ()) -> list[tuple]:
    """Run one statement in autocommit; its rows, if any."""
    with closing(psycopg2.connect(server)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []


def refusal(server: str, statement: str, params: tuple[object, ...] = ()) -> psycopg2.Error | None:
    """Run one statement in a transaction that is rolled back; the error it raised, if any."""
    with closing(psycopg2.connect(server)) as conn, conn.cursor() as cur:
        try:
            cur.execute(statement, params)
        except psycopg2.Error as exc:
            return exc
        finally:
            conn.rollback()
    return None


@dataclass
class Roles:
    """The addresses of one atlas for its owner, its reader and its writer."""

    owner_url: str
    server: str
    schema: str
    reader: str
    writer: str

    def url(self, role: str) -> str:
        """The atlas address for ``role``."""
        return as_role(self.owner_url, role)

    def server_as(self, role: str) -> str:
        """The database address (no schema) for ``role``, for plain psycopg2."""
        return as_role(self.server, role)

    def table(self, name: str) -> str:
        """``"schema"."name"`` for statements written in a test."""
        return f'"{self.schema}"."{name}"'


def new_role_names() -> tuple[str, str]:
    """A fresh (reader, writer) pair of names."""
    suffix = uuid.uuid4().hex[:8]
    return f"lecteur_{suffix}", f"ecrivain_{suffix}"


def drop_roles(server: str, names: tuple[str, ...]) -> None:
    """Drop the roles and whatever was granted to them (in every test database)."""
    for name in names:
        if execute(server, "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)):
            execute(server, f'DROP OWNED BY "{name}"')
            execute(server, f'DROP ROLE "{name}"')


def granted(owner_url: str, server: str, names: tuple[str, str]) -> Roles:
    """Create the roles with ``grant_roles`` (as ``atlas roles grant --create`` does)."""
    report = grant_roles(owner_url, None, *names, create=True)
    assert report.created == {names[0]: False, names[1]: False}
    return Roles(owner_url, server, parse_url(owner_url)[1], *names)


def make_legacy(server: str, schema: str, names: tuple[str, str]) -> None:
    """Turn an atlas back into what versions before the guard left, with their grants.

    Those versions had no ``atlas_lock`` table, no guard functions or triggers, and
    ``atlas roles grant`` gave the writer SELECT, INSERT, UPDATE and DELETE on every
    table. Dropping the functions with CASCADE drops the triggers that call them.
    """
    reader, writer = (sql.Identifier(name) for name in names)
    ident = sql.Identifier(schema)
    statements = [
        sql.SQL("DROP TABLE IF EXISTS {}.atlas_lock").format(ident),
        sql.SQL("DROP FUNCTION IF EXISTS {}.atlas_owner_only() CASCADE").format(ident),
        sql.SQL("DROP FUNCTION IF EXISTS {}.atlas_revision_row() CASCADE").format(ident),
        sql.SQL("DROP FUNCTION IF EXISTS {}.atlas_archive(text, integer, bigint[])")
        .format(ident),
        sql.SQL("CREATE ROLE {} LOGIN").format(reader),
        sql.SQL("CREATE ROLE {} LOGIN").format(writer),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}, {}").format(ident, reader, writer),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(ident, reader),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}")
        .format(ident, writer),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}")
        .format(ident, writer),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE"
                " ON TABLES TO {}").format(ident, writer),
    ]
    with closing(psycopg2.connect(server)) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        conn.commit()


def history_rows(server: str, schema: str, layer: str) -> list[tuple]:
    """Every row of a layer's history, as the superuser sees it, in a stable order."""
    return execute(server, f'SELECT fid, _rev_from, _rev_to, well_id, name'
                           f' FROM "{schema}"."{layer}__history" ORDER BY fid, _rev_to')


def audit_log(server: str, schema: str) -> list[tuple]:
    """Every revision record, as the superuser sees it."""
    return execute(server, f'SELECT revision, layer, mode, "user", source, rows_written,'
                           f' rows_removed, row_count, checksum FROM "{schema}".atlas_revisions'
                           f" ORDER BY revision")


def points_csv(path: Path, ids: list[str], name: str) -> str:
    """A CSV of water points at distinct places: id, name, source type, state, lat, lon."""
    rows = [[wp_id, f"{name} {wp_id}", "forage", "fonctionnel", 14.1 + i * 0.001,
             -16.1 - i * 0.001] for i, wp_id in enumerate(ids)]
    path.write_text(csv_text(WP_HEADER, rows), encoding="utf-8")
    return str(path)
