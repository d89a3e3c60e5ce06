"""Looking up a layer's current rows by identifier, in chunks the database accepts.

Appends refuse identifiers already stored and upserts update rows in place: both ask
the current table which of a batch's identifiers it holds, :data:`CHUNK` at a time
(so a 300,000-row batch never becomes one statement with 300,000 parameters).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select

from .sql_schema import CHUNK


def existing_ids(conn: Connection, main: Table, id_field: str, ids: list[Any]) -> list[Any]:
    """The identifiers of ``ids`` already in the current table, sorted."""
    column = main.c[id_field]
    found: list[Any] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found += conn.execute(select(column).where(column.in_(chunk))).scalars().all()
    return sorted(found)


def fids_of(conn: Connection, main: Table, id_field: str, ids: list[Any]) -> dict[Any, int]:
    """Feature id of each identifier of ``ids`` found in the current table."""
    column = main.c[id_field]
    found: dict[Any, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        found.update((key, fid) for key, fid in conn.execute(
            select(column, main.c.fid).where(column.in_(chunk))))
    return found
