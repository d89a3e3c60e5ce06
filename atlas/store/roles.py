"""Least-privilege PostgreSQL roles for a PostGIS atlas.

The app and the import command should not connect as the role that owns the atlas
schema: a bug or a stolen password would then be able to drop every layer. An
administrator (the owner, or a superuser) creates the atlas once, then gives the
day-to-day connections one of two roles:

- the **reader** (the public app, QGIS users): ``USAGE`` on the schema and
  ``SELECT`` on its tables (layers, their history, the audit log, the styles). It
  cannot take the writers' lock (that needs ``UPDATE`` on ``atlas_lock``), so it
  cannot hold up an import;
- the **writer** (the editors' app, ``atlas import``): the reader's rights, plus
  ``INSERT`` into the layers and the audit log, ``UPDATE`` on the lock row (to lock
  it, never to change it), writing the styles, and ``EXECUTE`` on ``atlas_archive``,
  the one way to move current rows into history;
  ``USAGE``, ``SELECT`` and ``UPDATE`` on the sequences (``setval`` reserves a block of
  feature ids in one call). It cannot update or delete a current row directly, nor
  change the history, an earlier revision, the settings or the layer specs: the
  guard of :mod:`atlas.store.pg_guard` (triggers owned by the schema's owner) refuses
  what a privilege cannot express. It gets no ``CREATE`` on the schema and owns
  nothing, so it can neither create, alter, truncate nor drop a table; creating a
  layer stays the administrator's job.

Granting installs or refreshes that guard first, so running ``atlas roles grant`` again
on an atlas made by an older version protects it and takes back the rights older
versions gave (``UPDATE`` and ``DELETE`` everywhere). Default privileges make the
grants apply to tables the owner creates later (a new layer gets its guard when it
is created). Every identifier is quoted by psycopg2 (``sql.Identifier``); a password
is encrypted on the client (``encrypt_password``) so the server never receives, or
logs, it in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import encrypt_password

from ..errors import StoreError
from .pg_connection import parse_url
from .pg_guard import grant_guarded_path, install_guard
from .pg_styles import QGIS_STYLES_SCHEMA
from .sql_schema import HISTORY_SUFFIX

#: Role names we accept: PostgreSQL identifiers without quoting surprises.
ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: Rights of each kind of role on the tables and sequences of the atlas schema.
READER_TABLE_RIGHTS = ("SELECT",)
#: The writer's rights on every table, and on tables the owner creates later (a new
#: layer and its history: the guard refuses INSERT into a history table).
WRITER_TABLE_RIGHTS = ("SELECT", "INSERT")
#: Rights older versions granted the writer everywhere and this one takes back.
WITHDRAWN_TABLE_RIGHTS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
#: Further rights on given atlas tables (the guard narrows UPDATE on the audit log to
#: closing the revision being written).
WRITER_EXTRA_RIGHTS = {"atlas_revisions": ("INSERT", "UPDATE"),
                       "layer_styles": ("INSERT", "UPDATE", "DELETE")}
WRITER_SEQUENCE_RIGHTS = ("USAGE", "SELECT", "UPDATE")


@dataclass
class GrantReport:
    """What :func:`grant_roles` did."""

    schema: str
    reader: str
    writer: str
    owner: str
    #: Roles created, with whether they were given a password.
    created: dict[str, bool] = field(default_factory=dict)
    #: Statements run, without passwords (for the record and for tests).
    statements: list[str] = field(default_factory=list)


def grant_roles(admin_url: str, schema: str | None, reader_role: str, writer_role: str, *,
                create: bool = False, reader_password: str | None = None,
                writer_password: str | None = None, owner: str | None = None) -> GrantReport:
    """Give ``reader_role`` and ``writer_role`` their rights on an atlas schema.

    ``admin_url`` connects as the schema's owner or a superuser; ``schema`` defaults
    to the one the URL names (``?schema=``, else ``atlas``). With ``create``, missing
    roles are created (``LOGIN``, nothing more), with the given password if any;
    otherwise a missing role is an error. ``owner`` is the role whose future tables
    the default privileges cover (default: the schema's owner). Idempotent: running
    it again changes nothing. One transaction: on any error, nothing is granted.
    """
    parsed, url_schema = parse_url(admin_url)
    schema = schema or url_schema
    shown = parsed.render_as_string(hide_password=True)
    for role in (reader_role, writer_role):
        if not ROLE_NAME.match(role):
            raise StoreError("roles.bad_role", role=role)
    if reader_role == writer_role:
        raise StoreError("roles.same_role", role=reader_role)
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg2.connect(dsn, application_name="atlas-territorial roles")
    except psycopg2.Error as exc:
        raise StoreError("store.connect_failed", url=shown, detail=str(exc).strip()) from exc
    try:
        with conn:  # one transaction, committed on success, rolled back on error
            return _grant(conn, shown, schema, reader_role, writer_role, create,
                          {reader_role: reader_password, writer_role: writer_password}, owner)
    except psycopg2.Error as exc:
        raise StoreError("roles.failed", url=shown, detail=str(exc).strip()) from exc
    finally:
        conn.close()


def _grant(conn: Connection, shown: str, schema: str, reader: str, writer: str, create: bool,
           passwords: dict[str, str | None], owner: str | None) -> GrantReport:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s",
                    (schema,))
        found = cur.fetchone()
        if found is None:
            raise StoreError("roles.no_schema", schema=schema, url=shown)
        cur.execute("SELECT to_regclass(%s) IS NOT NULL",
                    (sql.Identifier(schema, "atlas_revisions").as_string(conn),))
        if not cur.fetchone()[0]:
            raise StoreError("store.not_an_atlas", url=shown)
        report = GrantReport(schema=schema, reader=reader, writer=writer,
                             owner=owner or found[0])

        def run(statement: sql.Composable) -> None:
            cur.execute(statement)
            report.statements.append(statement.as_string(conn))

        _create_missing_roles(cur, report, create, passwords)
        ids = {name: sql.Identifier(name) for name in (schema, reader, writer, report.owner)}
        both = sql.SQL(", ").join([ids[reader], ids[writer]])
        _grant_connect(cur, (reader, writer), run)
        run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ids[schema], both))
        # Only what is granted here: no CREATE on the schema, whatever was given before.
        run(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(ids[schema], both))
        report.statements += install_guard(cur, schema)
        run(sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(
            _rights(READER_TABLE_RIGHTS), ids[schema], both))
        _grant_writer_tables(cur, schema, writer, run)
        report.statements += grant_guarded_path(cur, schema, writer)
        for role, rights in ((reader, READER_TABLE_RIGHTS), (writer, WRITER_TABLE_RIGHTS)):
            run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON "
                        "TABLES TO {}").format(ids[report.owner], ids[schema],
                                               _rights(rights), ids[role]))
        run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE UPDATE, DELETE,"
                    " TRUNCATE ON TABLES FROM {}").format(ids[report.owner], ids[schema],
                                                          ids[writer]))
        run(sql.SQL("GRANT {} ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            _rights(WRITER_SEQUENCE_RIGHTS), ids[schema], ids[writer]))
        run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT {} ON "
                    "SEQUENCES TO {}").format(ids[report.owner], ids[schema],
                                              _rights(WRITER_SEQUENCE_RIGHTS), ids[writer]))
        public_styles = f"{QGIS_STYLES_SCHEMA}.layer_styles"
        cur.execute("SELECT coalesce(has_table_privilege(to_regclass(%s),"
                    " 'SELECT WITH GRANT OPTION'), false)", (public_styles,))
        if schema != QGIS_STYLES_SCHEMA and cur.fetchone()[0]:
            # QGIS reads the styles of every atlas there; reading them is harmless. An
            # owner who is not that table's owner (nor a superuser) cannot grant it.
            run(sql.SQL("GRANT SELECT ON {}.layer_styles TO {}").format(
                sql.Identifier(QGIS_STYLES_SCHEMA), both))
    return report


def _create_missing_roles(cur: Any, report: GrantReport, create: bool,
                          passwords: dict[str, str | None]) -> None:
    """Create the reader and writer if absent (with ``create``), else refuse."""
    for role in (report.reader, report.writer):
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone() is not None:
            continue
        if not create:
            raise StoreError("roles.missing_role", role=role)
        password = passwords.get(role)
        statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
                            ).format(sql.Identifier(role))
        if password:
            # Encrypted here with the server's method (SCRAM-SHA-256 by default).
            verifier = encrypt_password(password, role, cur.connection)
            cur.execute(statement + sql.SQL(" PASSWORD %s"), (verifier,))
            report.statements.append(statement.as_string(cur) + " PASSWORD '…'")
        else:
            cur.execute(statement)
            report.statements.append(statement.as_string(cur))
        report.created[role] = bool(password)


def _grant_connect(cur: Any, roles: tuple[str, ...], run: Callable[[sql.Composable], None]
                   ) -> None:
    """``CONNECT`` where the database is locked down (PUBLIC may connect by default)."""
    cur.execute("SELECT current_database()")
    database = cur.fetchone()[0]
    for role in roles:
        # Only the database's owner may grant it, hence only when needed.
        cur.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')", (role, database))
        if not cur.fetchone()[0]:
            run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(role)))


def _grant_writer_tables(cur: Any, schema: str, writer: str,
                         run: Callable[[sql.Composable], None]) -> None:
    """Take back what older versions gave, then grant each table what writing needs.

    Layers get ``INSERT`` (rows leave them through ``atlas_archive`` only); their
    history, the settings and the layer specs get nothing more than ``SELECT``.
    """
    role = sql.Identifier(writer)
    run(sql.SQL("REVOKE {} ON ALL TABLES IN SCHEMA {} FROM {}").format(
        _rights(WITHDRAWN_TABLE_RIGHTS), sql.Identifier(schema), role))
    cur.execute(sql.SQL("SELECT name FROM {} ORDER BY name").format(
        sql.Identifier(schema, "atlas_layers")))
    layers = [name for (name,) in cur.fetchall()]
    grants = {**{layer: ("INSERT",) for layer in layers}, **WRITER_EXTRA_RIGHTS}
    for table, rights in grants.items():
        cur.execute("SELECT to_regclass(%s) IS NOT NULL",
                    (sql.Identifier(schema, table).as_string(cur),))
        if cur.fetchone()[0] and not table.endswith(HISTORY_SUFFIX):
            run(sql.SQL("GRANT {} ON {} TO {}").format(
                _rights(rights), sql.Identifier(schema, table), role))


def _rights(names: tuple[str, ...]) -> sql.Composable:
    """A list of privilege keywords (from the constants above, never from input)."""
    return sql.SQL(", ").join(sql.SQL(name) for name in names)


__all__ = ["GrantReport", "grant_roles"]
