"""The audit log of a SQL atlas: opening, closing and reading revisions, with provenance.

Every write opens one row of ``atlas_revisions`` (who, when, mode, source, message,
warnings and the provenance the import declared) and closes it with its counts and
checksum. Kept apart from :mod:`atlas.store.sql` so that the store stays readable and
the restore (:mod:`atlas.store.restore`) and the provenance of current rows
(:mod:`atlas.provenance`) share one reading of the log.

The ``provenance`` column (JSON text) came after the first atlases were made. An atlas
without it is migrated when opened by a connection that may alter it (a GeoPackage
file that can be written, the owner of a PostGIS schema); otherwise it is read and
written as it is, every revision's provenance then being ``{}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, inspect, select, update

from .base import Revision
from .sql_schema import PROVENANCE, REV_FROM, REV_TO, default_user, now, revision_from_row


def has_provenance_column(conn: Connection, table: Table) -> bool:
    """True when the audit log already has the ``provenance`` column."""
    columns = inspect(conn).get_columns(table.name, schema=table.schema)
    return any(column["name"] == PROVENANCE for column in columns)


def add_provenance_column(conn: Connection, table: Table) -> None:
    """``ALTER TABLE atlas_revisions ADD COLUMN provenance TEXT`` in the caller's transaction.

    DDL takes no bound parameters: the table name is the atlas's own, quoted by the
    dialect.
    """
    qualified = conn.dialect.identifier_preparer.format_table(table)
    conn.exec_driver_sql(f"ALTER TABLE {qualified} ADD COLUMN {PROVENANCE} TEXT")


def columns(table: Table, with_provenance: bool) -> list[Any]:
    """The columns of the audit log to select (without provenance where it is absent)."""
    return [c for c in table.c if with_provenance or c.name != PROVENANCE]


def provenance_text(provenance: Mapping[str, object] | None) -> str | None:
    """The JSON stored for a provenance (None when empty); unknown values become text."""
    kept = {key: value for key, value in (provenance or {}).items() if value is not None}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True, default=str) if kept else None


def open_revision(conn: Connection, table: Table, *, layer: str, mode: str,
                  user: str | None, source: str | None, message: str | None,
                  warnings: Sequence[str], restored_from: int | None,
                  provenance: Mapping[str, object] | None, with_provenance: bool) -> int:
    """Insert the next revision of the atlas and return its number.

    The number is the highest one plus one, taken under the writers' lock, rather than
    from a sequence: a PostgreSQL sequence does not roll back, so a failed or killed
    write would leave a hole in the audit log.
    """
    following = select(func.coalesce(func.max(table.c.revision), 0) + 1).scalar_subquery()
    values: dict[str, Any] = {
        "revision": following, "layer": layer, "mode": mode, "created_at": now(),
        "user": user or default_user(), "source": source, "message": message,
        "restored_from": restored_from,
        "warnings": json.dumps(list(warnings), ensure_ascii=False) if warnings else None,
    }
    if with_provenance:
        values[PROVENANCE] = provenance_text(provenance)
    result = conn.execute(insert(table).values(**values).returning(table.c.revision))
    return int(result.scalar_one())


def close_revision(conn: Connection, table: Table, rev: int, *, written: int, removed: int,
                   total: int, digest: str) -> None:
    """Record the counts and checksum of the revision being written."""
    conn.execute(update(table).where(table.c.revision == rev).values(
        rows_written=written, rows_removed=removed, row_count=total, checksum=digest))


def read_revisions(conn: Connection, table: Table, with_provenance: bool, *,
                   layer: str | None = None, number: int | None = None) -> list[Revision]:
    """Revisions oldest first: all, one layer's, or the one numbered ``number``."""
    stmt = select(*columns(table, with_provenance)).order_by(table.c.revision)
    if layer is not None:
        stmt = stmt.where(table.c.layer == layer)
    if number is not None:
        stmt = stmt.where(table.c.revision == number)
    return [revision_from_row(row._mapping) for row in conn.execute(stmt)]


def rows_by_revision(conn: Connection, main: Table) -> dict[int, int]:
    """Current rows of a layer table counted by the revision that wrote them."""
    stmt = select(main.c[REV_FROM], func.count()).group_by(main.c[REV_FROM])
    return {int(rev): int(count) for rev, count in conn.execute(stmt)}


def rows_alive_by_revision(conn: Connection, main: Table, history: Table,
                           revision: int) -> dict[int, int]:
    """Rows of a layer's state at ``revision`` counted by the revision that wrote them.

    A restore records these counts (``origins``), so the provenance of restored rows
    still leads to the imports that brought them.
    """
    counts: dict[int, int] = {}
    for table, alive in ((main, main.c[REV_FROM] <= revision),
                         (history, (history.c[REV_FROM] <= revision)
                          & (history.c[REV_TO] > revision))):
        stmt = select(table.c[REV_FROM], func.count()).where(alive) \
            .group_by(table.c[REV_FROM])
        for rev, count in conn.execute(stmt):
            counts[int(rev)] = counts.get(int(rev), 0) + int(count)
    return counts
