"""Restoring a layer to an earlier revision: one transaction, checked against the audit log.

A restore is a write like any other: the rows copied back, the new revision and its
checksum commit together or not at all. A restore killed at any step therefore leaves
the previous revision with its checksum, and no other writer can slip in between and
have its state fingerprinted under the restore's revision (issue #23).

Before committing, the rows copied back are checked against what revision N recorded
when it was written (issue #14):

- their number against N's ``row_count``;
- the rows that N itself wrote (``_rev_from = N``: the whole layer for a replace or a
  restore, the batch for an append or an upsert) against N's ``checksum``, which was
  computed over exactly those rows.

History rows changed or deleted behind the atlas's back (by a database owner, or a tool
editing the file) make the restore refuse with a sentence and roll back, instead of
reporting success with the wrong rows. A revision recorded without a checksum (older
versions could leave one after a crash) is checked on its row count alone.

The new revision keeps the restored revision's provenance (source, licence, date of the
data) and records ``origins``: the restored rows counted by the revision that wrote
them (:func:`restored_provenance`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement

from ..catalog import LayerSpec
from ..crs import STORAGE
from ..errors import NotFoundError, StoreError
from .base import Revision
from .frames import checksum, conform
from .revisions import rows_alive_by_revision
from .sql_schema import GEOM, REV_FROM, REV_TO, revision_from_row

FID = "fid"


class SqlStore(Protocol):
    """The parts of :class:`atlas.store.sql.SqlStore` a restore uses.

    Spelled out here so that this module never imports the store, which calls it.
    """

    meta: dict[str, Table]

    def _spec(self, layer: str) -> LayerSpec: ...
    def _write_transaction(self) -> AbstractContextManager[Connection]: ...
    def _layer_tables(self, spec: LayerSpec) -> tuple[Table, Table]: ...
    def _geometry_select(self, column: ColumnElement) -> ColumnElement: ...
    def _decode_geometries(self, values: Sequence[Any]) -> np.ndarray: ...
    def _archive(self, conn: Connection, spec: LayerSpec, rev: int,
                 ids: list[int] | None = None) -> int: ...
    def _open_revision(self, conn: Connection, layer: str, mode: str, user: str | None,
                       source: str | None, message: str | None, warnings: Sequence[str],
                       restored_from: int | None = None,
                       provenance: Mapping[str, object] | None = None) -> int: ...
    def _close_revision(self, conn: Connection, spec: LayerSpec, rev: int, written: int,
                        removed: int, digest: str) -> None: ...


def restore_layer(store: SqlStore, layer: str, revision: int, user: str | None) -> int:
    """Restore ``layer`` to ``revision`` in one verified transaction; the new revision number."""
    spec = store._spec(layer)
    with store._write_transaction() as conn:
        table = store.meta["revisions"]
        row = conn.execute(select(table).where(table.c.revision == revision,
                                               table.c.layer == layer)).first()
        if row is None:
            raise NotFoundError("store.unknown_revision", layer=layer, revision=revision)
        recorded = revision_from_row(row._mapping)
        main, history = store._layer_tables(spec)
        rev = store._open_revision(conn, layer, "restore", user, None, None, (),
                                   restored_from=revision,
                                   provenance=restored_provenance(
                                       recorded, rows_alive_by_revision(conn, main, history,
                                                                        revision)))
        removed = store._archive(conn, spec, rev)
        copy_state(store, conn, spec, revision, rev)
        restored, fids = current_rows(store, conn, spec)
        verify(store, conn, spec, recorded, restored, fids)
        store._close_revision(conn, spec, rev, len(restored), removed,
                              checksum(restored, spec))
    return rev


def restored_provenance(recorded: Revision, origins: Mapping[int, int]) -> dict[str, object]:
    """What a restore records: the restored revision's provenance, and where rows came from.

    ``origins`` counts the restored rows by the revision that first wrote them, so the
    sources of the current rows (:func:`atlas.provenance.current_provenance`) still name
    the imports that brought them, not the restore.
    """
    kept = {key: value for key, value in recorded.provenance.items()
            if key not in ("origins", "restored_from")}
    return {**kept, "restored_from": recorded.revision,
            "origins": {str(rev): count for rev, count in sorted(origins.items())}}


def copy_state(store: SqlStore, conn: Connection, spec: LayerSpec, revision: int,
               rev: int) -> None:
    """Copy the rows alive at ``revision`` from history into the (emptied) current table.

    Done inside the database: after :meth:`SqlStore._archive`, every row of that state
    is in history, alive from its ``_rev_from`` to its ``_rev_to``.
    """
    main, history = store._layer_tables(spec)
    names = [FID, GEOM, *spec.field_names]
    source_rows = select(*[history.c[n] for n in names], literal(rev)).where(
        history.c[REV_FROM] <= revision, history.c[REV_TO] > revision)
    conn.execute(insert(main).from_select([*names, REV_FROM], source_rows))


def current_rows(store: SqlStore, conn: Connection, spec: LayerSpec
                 ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The current rows, read in the transaction, and their feature ids.

    The frame has the shape :meth:`SqlStore.read` returns, so its checksum is the one a
    reader would compute.
    """
    main, _ = store._layer_tables(spec)
    names = spec.field_names
    stmt = select(main.c[FID], store._geometry_select(main.c[GEOM]).label(GEOM),
                  *[main.c[n] for n in names])
    records = [tuple(row) for row in conn.execute(stmt)]
    frame = pd.DataFrame.from_records(records, columns=[FID, GEOM, *names])
    geoms = store._decode_geometries(frame[GEOM].tolist())
    out = conform(gpd.GeoDataFrame(frame.drop(columns=[FID, GEOM]),
                                   geometry=gpd.GeoSeries(geoms, crs=STORAGE)), spec)
    return out, frame[FID].to_numpy(dtype=np.int64)


def verify(store: SqlStore, conn: Connection, spec: LayerSpec, recorded: Revision,
           restored: gpd.GeoDataFrame, fids: np.ndarray) -> None:
    """Refuse (raise) unless the restored rows match ``recorded``'s count and checksum."""
    if len(restored) != recorded.row_count:
        raise StoreError("store.restore_count_mismatch", layer=spec.name,
                         revision=recorded.revision, expected=recorded.row_count,
                         found=len(restored))
    if not recorded.checksum:
        return
    _, history = store._layer_tables(spec)
    written = conn.execute(select(history.c[FID]).where(
        history.c[REV_FROM] == recorded.revision)).scalars().all()
    own = restored[np.isin(fids, np.asarray(written, dtype=np.int64))]
    if checksum(own, spec) != recorded.checksum:
        raise StoreError("store.restore_checksum_mismatch", layer=spec.name,
                         revision=recorded.revision)
