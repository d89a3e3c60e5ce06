"""Write protection of a PostGIS atlas: an append-only audit log, a writers' lock.

The roles that :mod:`atlas.store.roles` grants must not be able to rewrite the past.
Privileges alone cannot say "append a revision, then fill in its counts, but never touch
an older one", so the schema carries a small guard, created by its owner and enforced by
PostgreSQL whatever client connects (psql, QGIS, an old version of the atlas):

- ``atlas_revisions`` (the audit log) only grows. Any other role than the table's
  owner (or a superuser) may insert the *next* revision number only, and may update
  a revision only while closing it: in the transaction that inserted it, and only its
  counts and checksum (never its provenance). ``DELETE`` and ``TRUNCATE`` are the
  owner's. Installing the guard adds the ``provenance`` column to an older audit log.
- ``<layer>__history`` tables are written only by ``atlas_archive(layer, revision,
  fids)``, a ``SECURITY DEFINER`` function that moves current rows into history for a
  revision that the caller's own transaction opened. A writer removes current rows
  through it alone (``UPDATE``, ``DELETE`` and ``TRUNCATE`` on a layer's table are the
  owner's), so whatever leaves the current state is kept in history.
- ``atlas_meta`` and ``atlas_layers`` (settings, layer specs) change only by the owner.
- ``atlas_lock`` holds one row. Writers serialise with ``SELECT … FOR UPDATE`` on it,
  which needs ``UPDATE`` on the table: a reader, which has ``SELECT`` only, can neither
  take that lock nor any lock that conflicts with it (an advisory lock could be taken
  by any role that can connect, and would block every writer).

Statement-level triggers cost nothing per row, so bulk loads keep their speed. The
guard is created with a new atlas, refreshed by ``atlas roles grant``, and installed on
an older atlas the first time its owner opens it (:func:`guard_is_current`). "Opened by
this transaction" compares a row's ``xmin`` with ``pg_current_xact_id()`` (PostgreSQL
13 or later): the atlas never writes inside a savepoint. Function bodies go to the
server as bound string literals, so no schema name can break out of them.
"""

from __future__ import annotations

from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from .sql_schema import PROVENANCE

#: Bumped whenever the functions or triggers below change: the owner's next open
#: (or ``atlas roles grant``) then refreshes them.
GUARD_VERSION = 2
#: Comment on the lock table once the guard is complete; its absence means "install".
GUARD_MARK = f"atlas-territorial guard v{GUARD_VERSION}"
LOCK_TABLE = "atlas_lock"
ARCHIVE_FUNCTION = "atlas_archive"
ARCHIVE_SIGNATURE = "(text, integer, bigint[])"
OWNER_ONLY_FUNCTION = "atlas_owner_only"
REVISION_ROW_FUNCTION = "atlas_revision_row"
#: Name of the statement-level trigger on every guarded table.
TRIGGER = "atlas_guard"
#: Name of the row-level trigger on the audit log.
ROW_TRIGGER = "atlas_guard_row"
HISTORY_SUFFIX = "__history"
#: Statements refused to every role but the owner, per kind of table.
OWNER_ONLY = {
    "atlas_meta": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "atlas_layers": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    LOCK_TABLE: "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "atlas_revisions": "DELETE OR TRUNCATE",
}
CURRENT_TABLE_OPS = "UPDATE OR DELETE OR TRUNCATE"
HISTORY_TABLE_OPS = "INSERT OR UPDATE OR DELETE OR TRUNCATE"

# The owner test: the role at work has the privileges of the table's owner (a
# superuser has every role's). Inside atlas_archive the role at work is the owner.
_OWNER_ONLY_BODY = """
DECLARE
  table_owner oid := (SELECT relowner FROM pg_class WHERE oid = TG_RELID);
BEGIN
  IF NOT pg_has_role(current_user, table_owner, 'USAGE') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('permission denied: %s on %I.%I is reserved to its owner %I',
                       TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, pg_get_userbyid(table_owner)),
      HINT = 'The audit log and the history only grow; see atlas roles grant.';
  END IF;
  RETURN NULL;
END
"""

_REVISION_ROW_BODY = """
DECLARE
  table_owner oid := (SELECT relowner FROM pg_class WHERE oid = TG_RELID);
BEGIN
  IF pg_has_role(current_user, table_owner, 'USAGE') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.revision IS DISTINCT FROM
        (SELECT coalesce(max(revision), 0) + 1 FROM {revisions}) THEN
      RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('permission denied: revision %s is not the next revision number',
                         NEW.revision);
    END IF;
    RETURN NEW;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM {revisions} r WHERE r.revision = OLD.revision
                 AND r.xmin = pg_current_xact_id()::xid)
     OR (NEW.revision, NEW.layer, NEW.mode, NEW.created_at, NEW."user", NEW.source,
         NEW.message, NEW.restored_from, NEW.warnings, NEW.provenance)
        IS DISTINCT FROM
        (OLD.revision, OLD.layer, OLD.mode, OLD.created_at, OLD."user", OLD.source,
         OLD.message, OLD.restored_from, OLD.warnings, OLD.provenance) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('permission denied: revision %s of the audit log cannot be changed',
                       OLD.revision),
      HINT = 'A writer may only close (count and checksum) the revision it is writing.';
  END IF;
  RETURN NEW;
END
"""

# Columns moved are those the current table and its history share (all of the current
# table's); the history adds _rev_to, the revision that removed the row.
_ARCHIVE_BODY = """
DECLARE
  current_table regclass;
  history_table regclass;
  moved_columns text;
  moved bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {layers} WHERE name = p_layer) THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_table',
      MESSAGE = format('atlas_archive: no layer %L in this atlas', p_layer);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM {revisions} r WHERE r.revision = p_revision
                 AND r.layer = p_layer AND r.xmin = pg_current_xact_id()::xid) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('permission denied: revision %s of layer %s was not opened by this'
                       ' transaction', p_revision, p_layer);
  END IF;
  current_table := to_regclass(format('%I.%I', {schema_text}, p_layer));
  history_table := to_regclass(format('%I.%I', {schema_text}, p_layer || '{suffix}'));
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO moved_columns
    FROM pg_attribute a
   WHERE a.attrelid = current_table AND a.attnum > 0 AND NOT a.attisdropped
     AND EXISTS (SELECT 1 FROM pg_attribute h WHERE h.attrelid = history_table
                 AND h.attname = a.attname AND NOT h.attisdropped);
  IF p_fids IS NULL THEN
    EXECUTE format('WITH gone AS (DELETE FROM %s RETURNING %s) '
                   'INSERT INTO %s (%s, _rev_to) SELECT %s, $1 FROM gone',
                   current_table, moved_columns, history_table, moved_columns,
                   moved_columns) USING p_revision;
  ELSE
    EXECUTE format('WITH gone AS (DELETE FROM %s WHERE fid = ANY ($2) RETURNING %s) '
                   'INSERT INTO %s (%s, _rev_to) SELECT %s, $1 FROM gone',
                   current_table, moved_columns, history_table, moved_columns,
                   moved_columns) USING p_revision, p_fids;
  END IF;
  GET DIAGNOSTICS moved = ROW_COUNT;
  RETURN moved;
END
"""

#: One round trip: is the guard complete and current, and may the role install it?
_STATE = """
WITH guarded(name) AS (
  SELECT unnest(ARRAY['atlas_meta', 'atlas_layers', 'atlas_revisions', %(lock)s])
  UNION ALL SELECT name FROM {layers}
  UNION ALL SELECT name || %(suffix)s FROM {layers}
)
SELECT coalesce(obj_description(to_regclass(%(lock_table)s), 'pg_class'), '') = %(mark)s
       AND NOT EXISTS (
         SELECT 1 FROM guarded g
          WHERE to_regclass(format('%%I.%%I', %(schema)s, g.name)) IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                             WHERE t.tgrelid = to_regclass(format('%%I.%%I', %(schema)s, g.name))
                               AND t.tgname = %(trigger)s)),
       pg_has_role((SELECT relowner FROM pg_class WHERE oid = to_regclass(%(revisions)s)),
                   'USAGE')
"""


def _qualified(schema: str, name: str) -> str:
    """``"schema"."name"``: a quoted, qualified identifier (for SQL text and to_regclass)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, name))


class _Installer:
    """Runs the guard's statements on one cursor and keeps them for the record."""

    def __init__(self, cur: Cursor, schema: str) -> None:
        self.cur = cur
        self.schema = schema
        self.done: list[str] = []

    def name(self, table: str) -> sql.Identifier:
        """A table or function of the atlas schema."""
        return sql.Identifier(self.schema, table)

    def run(self, statement: sql.Composable, params: tuple[object, ...] | None = None) -> None:
        """Execute a statement (identifiers composed, values bound) and record it."""
        self.cur.execute(statement, params)
        self.done.append(statement.as_string(self.cur))

    def scalar_rows(self, query: str, *params: object) -> list[object]:
        """First column of every row of a catalogue query."""
        self.cur.execute(query, params)
        return [row[0] for row in self.cur.fetchall()]

    def create_functions(self) -> None:
        """The trigger functions and ``atlas_archive`` (bodies sent as bound literals)."""
        fill = {"revisions": self.name("atlas_revisions"), "layers": self.name("atlas_layers"),
                "schema_text": sql.Literal(self.schema), "suffix": sql.SQL(HISTORY_SUFFIX)}

        def body(template: str) -> str:
            used = {key: value for key, value in fill.items() if "{" + key + "}" in template}
            return sql.SQL(template).format(**used).as_string(self.cur)

        header = " LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS %s"
        for function, template in ((OWNER_ONLY_FUNCTION, _OWNER_ONLY_BODY),
                                   (REVISION_ROW_FUNCTION, _REVISION_ROW_BODY)):
            self.run(sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger" + header)
                     .format(self.name(function)), (body(template),))
        archive = self.name(ARCHIVE_FUNCTION)
        self.run(sql.SQL("CREATE OR REPLACE FUNCTION {}(p_layer text, p_revision integer,"
                         " p_fids bigint[] DEFAULT NULL) RETURNS bigint SECURITY DEFINER"
                         + header).format(archive), (body(_ARCHIVE_BODY),))
        self.run(sql.SQL("REVOKE ALL ON FUNCTION {}" + ARCHIVE_SIGNATURE + " FROM PUBLIC")
                 .format(archive))

    def statement_trigger(self, table: str, operations: str) -> None:
        """(Re)create the owner-only statement trigger on one table."""
        self.run(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(sql.Identifier(TRIGGER),
                                                                   self.name(table)))
        self.run(sql.SQL("CREATE TRIGGER {} BEFORE " + operations + " ON {} FOR EACH"
                         " STATEMENT EXECUTE FUNCTION {}()").format(
            sql.Identifier(TRIGGER), self.name(table), self.name(OWNER_ONLY_FUNCTION)))

    def revision_trigger(self) -> None:
        """(Re)create the row trigger of the audit log (next number, closing only)."""
        revisions = self.name("atlas_revisions")
        self.run(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
            sql.Identifier(ROW_TRIGGER), revisions))
        self.run(sql.SQL("CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW"
                         " EXECUTE FUNCTION {}()").format(
            sql.Identifier(ROW_TRIGGER), revisions, self.name(REVISION_ROW_FUNCTION)))

    def protect_layer(self, layer: str) -> None:
        """Guard a layer's current table and its history (those that exist)."""
        for table, operations in ((layer, CURRENT_TABLE_OPS),
                                  (layer + HISTORY_SUFFIX, HISTORY_TABLE_OPS)):
            if self.scalar_rows("SELECT to_regclass(%s) IS NOT NULL",
                                _qualified(self.schema, table))[0]:
                self.statement_trigger(table, operations)

    def grant_guarded_path(self, writer: str) -> None:
        """What a writer needs of the guard: the lock row and ``atlas_archive``."""
        role = sql.Identifier(writer)
        lock = self.name(LOCK_TABLE)
        self.run(sql.SQL("GRANT SELECT, UPDATE ON {} TO {}").format(lock, role))
        self.run(sql.SQL("REVOKE INSERT, DELETE, TRUNCATE ON {} FROM {}").format(lock, role))
        self.run(sql.SQL("GRANT EXECUTE ON FUNCTION {}" + ARCHIVE_SIGNATURE + " TO {}")
                 .format(self.name(ARCHIVE_FUNCTION), role))

    def writers(self) -> list[str]:
        """Roles (not the owner, not PUBLIC) granted INSERT on the audit log."""
        return [str(name) for name in self.scalar_rows(
            "SELECT DISTINCT pg_get_userbyid(a.grantee) FROM pg_class c,"
            " aclexplode(c.relacl) a WHERE c.oid = to_regclass(%s)"
            " AND a.privilege_type = 'INSERT' AND a.grantee <> c.relowner"
            " AND a.grantee <> 0 ORDER BY 1", _qualified(self.schema, "atlas_revisions"))]


def guard_is_current(cur: Cursor, schema: str) -> tuple[bool, bool]:
    """(guard complete at this version, the connected role may install it).

    "Complete" means the lock table is marked with :data:`GUARD_MARK` and every atlas
    table, every layer's included, carries the guard trigger: a layer added by an older
    version of the atlas counts as missing.
    """
    query = sql.SQL(_STATE).format(layers=sql.Identifier(schema, "atlas_layers"))
    cur.execute(query, {"lock": LOCK_TABLE, "suffix": HISTORY_SUFFIX, "mark": GUARD_MARK,
                        "lock_table": _qualified(schema, LOCK_TABLE), "schema": schema,
                        "trigger": TRIGGER,
                        "revisions": _qualified(schema, "atlas_revisions")})
    current, owner = cur.fetchone()
    return bool(current), bool(owner)


def install_guard(cur: Cursor, schema: str) -> list[str]:
    """Create or refresh the guard of ``schema``, inside the caller's transaction.

    Run by the atlas's owner or by a superuser (then as the owner, so that the definer
    function holds the owner's rights, not a superuser's). Idempotent. The roles
    already granted INSERT on the audit log (the writers of an older atlas) get what
    the guarded path needs (:func:`grant_guarded_path`). Returns the statements run.
    """
    work = _Installer(cur, schema)
    cur.execute("SELECT pg_get_userbyid(relowner), current_user::text FROM pg_class"
                " WHERE oid = to_regclass(%s)", (_qualified(schema, "atlas_revisions"),))
    owner, me = cur.fetchone()
    if owner != me:
        work.run(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(str(owner))))
    # The row trigger reads the provenance column (guard v2): an atlas made before it
    # gets the column first (nullable, so existing revisions are untouched).
    work.run(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} text").format(
        work.name("atlas_revisions"), sql.Identifier(PROVENANCE)))
    lock = work.name(LOCK_TABLE)
    work.run(sql.SQL("CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY CHECK (id = 1))")
             .format(lock))
    work.run(sql.SQL("INSERT INTO {} (id) VALUES (1) ON CONFLICT DO NOTHING").format(lock))
    work.create_functions()
    for table, operations in OWNER_ONLY.items():
        work.statement_trigger(table, operations)
    work.revision_trigger()
    for layer in work.scalar_rows(sql.SQL("SELECT name FROM {} ORDER BY name").format(
            work.name("atlas_layers")).as_string(cur)):
        work.protect_layer(str(layer))
    for writer in work.writers():
        work.grant_guarded_path(writer)
    work.run(sql.SQL("COMMENT ON TABLE {} IS {}").format(lock, sql.Literal(GUARD_MARK)))
    if owner != me:
        work.run(sql.SQL("SET LOCAL ROLE NONE"))
    return work.done


def grant_guarded_path(cur: Cursor, schema: str, writer: str) -> list[str]:
    """Give a writer the lock row (``SELECT``, ``UPDATE``) and ``EXECUTE`` on ``atlas_archive``."""
    work = _Installer(cur, schema)
    work.grant_guarded_path(writer)
    return work.done


def archive(cur: Cursor, schema: str, layer: str, revision: int,
            fids: list[int] | None) -> int:
    """Call ``atlas_archive``: move a layer's current rows (all, or ``fids``) to history."""
    cur.execute(sql.SQL("SELECT {}(%s, %s, %s::bigint[])").format(
        sql.Identifier(schema, ARCHIVE_FUNCTION)), (layer, revision, fids))
    return int(cur.fetchone()[0])


def protect_layer(cur: Cursor, schema: str, layer: str) -> list[str]:
    """Guard a new layer's two tables (called where the layer is created)."""
    work = _Installer(cur, schema)
    work.protect_layer(layer)
    return work.done


__all__ = ["ARCHIVE_FUNCTION", "GUARD_MARK", "GUARD_VERSION", "LOCK_TABLE", "archive",
           "grant_guarded_path", "guard_is_current", "install_guard", "protect_layer"]
