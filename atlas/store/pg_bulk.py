"""Bulk loading into a PostGIS layer table: one binary ``COPY`` per write.

The stream itself is encoded by :mod:`atlas.store.pg_copy`; this module decides how
to send it. When a large batch goes into an empty table (a replace or a first
load), the table's secondary indexes are dropped and rebuilt after the COPY inside
the same transaction, which is several times faster than maintaining a GiST index
row by row. Only the tables' owner may drop indexes, so a writer role without DDL
rights (:mod:`atlas.store.roles`) loads into the indexes instead.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import psycopg2
from sqlalchemy import Connection, Table, select, text

from ..catalog import LayerSpec
from ..errors import StoreError
from .pg_copy import CopyStream
from .sql_schema import GEOM, REV_FROM

#: Batches at least this large, into an empty table, rebuild indexes after COPY.
BULK_MIN_ROWS = 20_000
#: Memory for index builds after a bulk load (sorting a million keys).
BULK_MAINTENANCE_MEMORY = "256MB"

#: Turns a driver error into the store's sentence (permission, lost connection...).
ErrorMapper = Callable[[psycopg2.Error, StoreError], StoreError]


def copy_frame(conn: Connection, table: Table, qualified: str, quote: Callable[[str], str],
               frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
               fids: np.ndarray | None, raw_error: ErrorMapper) -> None:
    """Load a prepared frame into ``table`` (SQL name ``qualified``) with one COPY."""
    rebuild: list[tuple[str, str]] = []
    if len(frame) >= BULK_MIN_ROWS and conn.execute(
            select(1).select_from(table).limit(1)).first() is None \
            and owns(conn, qualified):
        rebuild = drop_secondary_indexes(conn, qualified)
    if fids is None:
        fids = reserve_fids(conn, qualified, len(frame))
    columns = ["fid", REV_FROM, GEOM, *spec.field_names]
    names = ", ".join(quote(c) for c in columns)
    statement = f"COPY {qualified} ({names}) FROM STDIN (FORMAT binary)"
    chunks = CopyStream(frame, spec, rev, fids)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(statement, chunks, size=1 << 20)
    except psycopg2.Error as exc:  # raw DB-API cursor: SQLAlchemy does not wrap it
        if chunks.error is not None:  # the encoder failed: that is the real cause
            raise chunks.error from exc
        raise raw_error(exc, StoreError("store.write_failed", layer=spec.name,
                                        detail=str(exc).strip())) from exc
    finally:
        chunks.close()
        cursor.close()
    if rebuild:
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BULK_MAINTENANCE_MEMORY}'")
        for _name, definition in rebuild:
            conn.exec_driver_sql(definition)


def reserve_fids(conn: Connection, qualified: str, count: int) -> np.ndarray:
    """Take ``count`` consecutive values of the fid sequence at once.

    Sending fids in the COPY stream is faster than a ``nextval`` default per
    row. Other atlas writers wait for the writers' lock; a person inserting into
    the table from QGIS at that very moment could draw a value in the range, and
    one of the two inserts then fails on the primary key (nothing is lost).
    """
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:table, 'fid')"),
                            {"table": qualified}).scalar_one()
    last = conn.execute(text(
        "SELECT setval(CAST(:seq AS regclass), nextval(CAST(:seq AS regclass)) + :n - 1)"),
        {"seq": sequence, "n": count}).scalar_one()
    return np.arange(int(last) - count + 1, int(last) + 1, dtype=np.int64)


def owns(conn: Connection, qualified: str) -> bool:
    """True when the role may drop and create the table's indexes (it owns the table).

    A writer role (atlas.store.roles) has no DDL rights: it loads row by row into
    the indexes instead of rebuilding them, slower but allowed.
    """
    return bool(conn.execute(text(
        "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c"
        " WHERE c.oid = CAST(:table AS regclass)"), {"table": qualified}).scalar())


def drop_secondary_indexes(conn: Connection, qualified: str) -> list[tuple[str, str]]:
    """Drop the table's indexes that back no constraint; return how to rebuild them."""
    rows = conn.execute(text(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i WHERE i.indrelid = CAST(:table AS regclass)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        " ORDER BY i.indexrelid"), {"table": qualified}).all()
    for name, _definition in rows:
        conn.exec_driver_sql(f"DROP INDEX {name}")  # regclass text is quoted already
    return [(str(name), str(definition)) for name, definition in rows]


__all__ = ["BULK_MIN_ROWS", "copy_frame", "drop_secondary_indexes", "owns", "reserve_fids"]
