"""Revisioned layer storage in SQL, written once for every backend.

Each layer has two tables built from its spec with SQLAlchemy Core:

- ``<layer>``: the current rows (what QGIS opens), with ``fid``, ``geom``, the spec's
  fields and ``_rev_from``, the revision that wrote the row;
- ``<layer>__history``: rows that a later revision replaced or deleted, with
  ``_rev_from`` and ``_rev_to`` (the revision that removed them).

The state of a layer at revision N is therefore the current rows written at or
before N plus the history rows alive at N; restoring N copies that state back as a
new revision, inside the database. Backends (GeoPackage, PostGIS) subclass
:class:`SqlStore` and supply only what differs: geometry encoding, the bounding-box
filter, bulk loading, locking and spatial-index registration.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from ..catalog import LayerSpec, parse_spec
from ..crs import STORAGE
from ..errors import AtlasError, NotFoundError, StoreError
from . import revisions
from .base import BBox, Revision, Store, WriteMode
from .frames import checksum, conform, prepare, row_dicts
from .sql_lookup import existing_ids, fids_of
from .sql_schema import (
    CHUNK,
    GEOM,
    HISTORY_SUFFIX,
    MAX_IDENTIFIER,
    REV_FROM,
    REV_TO,
    build_layer_tables,
    build_meta_tables,
    field_type,
    index_name,
)
from .styles import layer_styles_row


class SqlStore(Store):
    """Generic revisioned store over a SQLAlchemy engine; see the module docstring."""

    def __init__(self, url: str, engine: Engine, schema: str | None = None) -> None:
        self.url = url
        self.engine = engine
        self.schema = schema
        self.metadata = MetaData(schema=schema)
        self.meta = build_meta_tables(self.metadata)
        self._tables: dict[str, tuple[Table, Table]] = {}

    # -- hooks for backends ----------------------------------------------------------
    @abstractmethod
    def _geometry_type(self, spec: LayerSpec) -> TypeEngine:
        """Column type of the current table's geometry."""

    @abstractmethod
    def _history_geometry_type(self) -> TypeEngine:
        """Column type of the history table's geometry (any geometry type)."""

    @abstractmethod
    def _encode_geometries(self, geoms: np.ndarray) -> list[Any]:
        """Geometries as values to bind in an INSERT."""

    @abstractmethod
    def _geometry_select(self, column: ColumnElement) -> ColumnElement:
        """Expression selecting a geometry column in a form :meth:`_decode` reads."""

    @abstractmethod
    def _decode_geometries(self, values: Sequence[Any]) -> np.ndarray:
        """Shapely geometries from what :meth:`_geometry_select` returned."""

    @abstractmethod
    def _bbox_filter(self, table: Table, bbox: BBox) -> ColumnElement:
        """Condition keeping rows whose geometry's envelope meets ``bbox``."""

    @abstractmethod
    def _register_layer(self, conn: Connection, spec: LayerSpec, table: Table) -> None:
        """Backend bookkeeping after a layer's tables are created (indexes, registries)."""

    @abstractmethod
    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        """A connection in a transaction that excludes every other writer."""

    def _field_type(self, kind: str) -> TypeEngine:
        """SQL type of a spec field type; a backend may widen one (see :func:`field_type`)."""
        return field_type(kind)

    def _fid_type(self) -> TypeEngine:
        """Type of the feature id (GeoPackage's INTEGER is 64-bit already)."""
        return Integer()

    def _insert_frame(self, conn: Connection, table: Table, frame: gpd.GeoDataFrame,
                      spec: LayerSpec, rev: int, fids: np.ndarray | None = None) -> None:
        """Insert the rows of a prepared frame as written by revision ``rev``.

        ``fids`` keeps the feature ids of rows that an upsert updates; without it the
        backend assigns new ones. This default turns the frame into row dicts for
        :meth:`_insert_rows`; a backend whose bulk path works on whole columns (PostGIS
        COPY) overrides this method instead, and never pays for a million dicts.
        """
        rows, bounds = self._rows(frame, spec)
        for row in rows:
            row[REV_FROM] = rev
        if fids is not None:
            for row, fid in zip(rows, fids.tolist(), strict=True):
                row["fid"] = fid
        self._insert_rows(conn, table, rows, spec, bounds)

    def _insert_rows(self, conn: Connection, table: Table, rows: list[dict[str, Any]],
                     spec: LayerSpec, bounds: np.ndarray) -> None:
        """Insert prepared rows; backends override this with a faster bulk path."""
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(table), rows[start:start + 10_000])

    def _after_write(self, conn: Connection, spec: LayerSpec, table: Table) -> None:
        """Backend bookkeeping after rows changed (extents, statistics)."""

    def _insert(self, conn: Connection, table: Table, frame: gpd.GeoDataFrame,
                spec: LayerSpec, rev: int, fids: np.ndarray | None = None) -> None:
        if len(frame):
            self._insert_frame(conn, table, frame.reset_index(drop=True), spec, rev, fids)

    # -- tables -----------------------------------------------------------------------
    def _spec(self, layer: str) -> LayerSpec:
        specs = self._specs
        if layer not in specs:
            raise NotFoundError("store.unknown_layer", layer=layer,
                                available=", ".join(sorted(specs)) or "-")
        return specs[layer]

    @cached_property
    def _specs(self) -> dict[str, LayerSpec]:
        return {name: parse_spec(text, source=f"{name}.toml")
                for name, text in self.layer_specs().items()}

    def _layer_tables(self, spec: LayerSpec) -> tuple[Table, Table]:
        if spec.name not in self._tables:
            self._tables[spec.name] = build_layer_tables(
                spec, self.metadata, field_type=self._field_type, fid_type=self._fid_type,
                geometry_type=self._geometry_type(spec),
                history_geometry_type=self._history_geometry_type())
        return self._tables[spec.name]

    def create_meta_tables(self) -> None:
        """Create the atlas's own tables (idempotent)."""
        with self._write_transaction() as conn:
            for table in self.meta.values():
                table.create(conn, checkfirst=True)
        self.__dict__.pop("_has_provenance", None)

    # -- settings and catalogue -------------------------------------------------------
    def get_settings(self) -> dict[str, Any]:
        """Atlas settings stored as JSON under the ``settings`` key."""
        with self.engine.connect() as conn:
            value = conn.execute(select(self.meta["meta"].c.value)
                                 .where(self.meta["meta"].c.key == "settings")).scalar()
        return json.loads(value) if value else {}

    def set_settings(self, settings: dict[str, Any]) -> None:
        """Replace the atlas settings."""
        table = self.meta["meta"]
        with self._write_transaction() as conn:
            conn.execute(delete(table).where(table.c.key == "settings"))
            conn.execute(insert(table).values(key="settings",
                                              value=json.dumps(settings, ensure_ascii=False)))

    def layer_specs(self) -> dict[str, str]:
        """TOML text of every registered layer spec."""
        table = self.meta["layers"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.name, table.c.spec).order_by(table.c.name))
            return {name: spec for name, spec in rows}

    def ensure_layer(self, spec: LayerSpec) -> None:
        """Create the layer's tables and record its spec and QGIS style."""
        main, history = self._layer_tables(spec)
        layers = self.meta["layers"]
        with self._write_transaction() as conn:
            exists = conn.execute(select(layers.c.name).where(layers.c.name == spec.name)).first()
            if exists is None:
                main.create(conn, checkfirst=True)
                history.create(conn, checkfirst=True)
                self._register_layer(conn, spec, main)
                conn.execute(insert(layers).values(name=spec.name, spec=spec.source_text))
            else:
                conn.execute(update(layers).where(layers.c.name == spec.name)
                             .values(spec=spec.source_text))
            self._write_style(conn, spec)
        self.__dict__.pop("_specs", None)

    def set_style(self, layer: str, qml: str | None, sld: str | None) -> None:
        """Replace the stored QGIS style of a layer (e.g. one copied from another atlas)."""
        spec = self._spec(layer)
        with self._write_transaction() as conn:
            self._write_style(conn, spec, qml=qml, sld=sld)

    def _write_style(self, conn: Connection, spec: LayerSpec, *, qml: str | None = None,
                     sld: str | None = None) -> None:
        row = layer_styles_row(spec, GEOM)
        if qml is not None:
            row["styleQML"] = qml
        if sld is not None:
            row["styleSLD"] = sld
        if self.schema:
            row["f_table_schema"] = self.schema
        self._store_style(conn, spec, row)

    def _store_style(self, conn: Connection, spec: LayerSpec, row: dict[str, Any]) -> None:
        """Write one ``layer_styles`` row, replacing the layer's previous default style."""
        table = self.meta["styles"]
        conn.execute(delete(table).where(and_(table.c.f_table_name == spec.name,
                                              table.c.styleName == row["styleName"])))
        conn.execute(insert(table).values(**row))

    def styles(self) -> dict[str, dict[str, str]]:
        """QML and SLD stored for each layer."""
        table = self.meta["styles"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.f_table_name, table.c.styleQML,
                                       table.c.styleSLD))
            return {name: {"qml": qml, "sld": sld} for name, qml, sld in rows}

    # -- reading ----------------------------------------------------------------------
    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        columns: Sequence[str] | None = None,
        revision: int | None = None,
        where: dict[str, Sequence[Any]] | None = None,
    ) -> gpd.GeoDataFrame:
        """Rows of a layer in the canonical frame shape; see :meth:`Store.read`."""
        spec = self._spec(layer)
        main, history = self._layer_tables(spec)
        wanted = [f.name for f in spec.fields if columns is None or f.name in columns]

        def query(table: Table, *conditions: ColumnElement) -> Any:
            cols = [self._geometry_select(table.c[GEOM]).label(GEOM),
                    *[table.c[name] for name in wanted]]
            conds = list(conditions)
            if bbox is not None and revision is None:
                conds.append(self._bbox_filter(table, bbox))
            for name, values in (where or {}).items():
                spec.field(name)
                conds.append(table.c[name].in_(list(values)))
            return select(*cols).where(*conds) if conds else select(*cols)

        if revision is None:
            stmt = query(main)
        else:
            stmt = union_all(
                query(main, main.c[REV_FROM] <= revision),
                query(history, history.c[REV_FROM] <= revision, history.c[REV_TO] > revision),
            )
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            records = [tuple(row) for row in result]
        frame = pd.DataFrame.from_records(records, columns=[GEOM, *wanted])
        geoms = self._decode_geometries(frame[GEOM].tolist())
        out = conform(gpd.GeoDataFrame(frame.drop(columns=GEOM),
                                       geometry=gpd.GeoSeries(geoms, crs=STORAGE)), spec)
        out = out[[*wanted, "geometry"]]
        if bbox is not None and revision is not None:
            envelopes = shapely.envelope(np.asarray(out.geometry.values, dtype=object))
            out = out[shapely.intersects(envelopes, shapely.box(*bbox))]
        return out.sort_values(spec.id_field, kind="mergesort", ignore_index=True) \
            if spec.id_field in wanted else out

    def count(self, layer: str) -> int:
        """Rows in the current state of a layer."""
        main, _ = self._layer_tables(self._spec(layer))
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(main)).scalar() or 0)

    # -- writing ----------------------------------------------------------------------
    def write(
        self,
        layer: str,
        frame: gpd.GeoDataFrame,
        mode: WriteMode | str = WriteMode.REPLACE,
        *,
        user: str | None = None,
        source: str | None = None,
        message: str | None = None,
        warnings: Sequence[str] = (),
        expected_revision: int | None = None,
        provenance: Mapping[str, object] | None = None,
    ) -> Revision:
        """Write a frame atomically as one revision (see :meth:`Store.write`)."""
        spec = self._spec(layer)
        try:
            mode = WriteMode(mode)
        except ValueError:
            raise StoreError("store.bad_mode", mode=mode) from None
        frame = self._prepare(frame, spec)
        main, _ = self._layer_tables(spec)
        # The content checksum is pure computation on the frame (seconds for a million
        # rows): it runs in a thread while this one loads the rows and the database
        # builds its indexes, and is only awaited to close the revision.
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atlas-checksum")
        digest: Future[str] = executor.submit(checksum, frame, spec, conformed=True)
        try:
            with self._write_transaction() as conn:
                if expected_revision is not None:
                    # Checked under the writers' lock: nobody can write in between.
                    table = self.meta["revisions"]
                    current = int(conn.execute(select(func.max(table.c.revision))).scalar()
                                  or 0)
                    if current != expected_revision:
                        raise StoreError("store.stale", expected=expected_revision,
                                         current=current)
                rev = self._open_revision(conn, layer, mode.value, user, source, message,
                                          warnings, provenance=provenance)
                removed = 0
                if mode is WriteMode.REPLACE:
                    removed = self._archive(conn, spec, rev)
                    self._insert(conn, main, frame, spec, rev)
                elif mode is WriteMode.APPEND:
                    clash = self._existing_ids(conn, spec, frame[spec.id_field].tolist())
                    if clash:
                        raise StoreError("store.existing_ids", layer=layer,
                                         ids=", ".join(map(str, clash[:10])))
                    self._insert(conn, main, frame, spec, rev)
                else:
                    ids = frame[spec.id_field]
                    fids = self._fids_of(conn, spec, ids.tolist())
                    removed = self._archive(conn, spec, rev, ids=list(fids.values()))
                    kept = ids.isin(list(fids)).to_numpy(dtype=bool)
                    updated = np.array([fids[i] for i in ids[kept].tolist()], dtype=np.int64)
                    self._insert(conn, main, frame[kept], spec, rev, fids=updated)
                    self._insert(conn, main, frame[~kept], spec, rev)
                self._close_revision(conn, spec, rev, len(frame), removed, digest.result())
        except AtlasError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError("store.write_failed", layer=layer,
                             detail=str(exc.orig if hasattr(exc, "orig") else exc)) from exc
        finally:
            executor.shutdown(wait=False)
        return self._revision(rev)

    def restore(self, layer: str, revision: int, *, user: str | None = None) -> Revision:
        """Copy the state of ``layer`` at ``revision`` back as a new, verified revision.

        One transaction with its checksum, like every write, refused when the history
        no longer matches what the revision recorded (see :mod:`atlas.store.restore`).
        """
        from .restore import restore_layer

        try:
            rev = restore_layer(self, layer, revision, user)
        except AtlasError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError("store.write_failed", layer=layer,
                             detail=str(exc.orig if hasattr(exc, "orig") else exc)) from exc
        return self._revision(rev)

    def _prepare(self, frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
        """Check what every store requires (see :func:`atlas.store.frames.prepare`)."""
        return prepare(frame, spec)

    def _rows(self, frame: gpd.GeoDataFrame, spec: LayerSpec
              ) -> tuple[list[dict[str, Any]], np.ndarray]:
        """Insertable dicts (Python scalars, None for missing) and geometry bounds."""
        geoms = np.asarray(frame.geometry.values, dtype=object)
        return row_dicts(frame, spec, GEOM, self._encode_geometries(geoms)), \
            shapely.bounds(geoms)

    def _open_revision(self, conn: Connection, layer: str, mode: str, user: str | None,
                       source: str | None, message: str | None, warnings: Sequence[str],
                       restored_from: int | None = None,
                       provenance: Mapping[str, object] | None = None) -> int:
        return revisions.open_revision(
            conn, self.meta["revisions"], layer=layer, mode=mode, user=user, source=source,
            message=message, warnings=warnings, restored_from=restored_from,
            provenance=provenance, with_provenance=self._has_provenance)

    def _close_revision(self, conn: Connection, spec: LayerSpec, rev: int, written: int,
                        removed: int, digest: str) -> None:
        main, _ = self._layer_tables(spec)
        self._after_write(conn, spec, main)
        total = int(conn.execute(select(func.count()).select_from(main)).scalar() or 0)
        revisions.close_revision(conn, self.meta["revisions"], rev, written=written,
                                 removed=removed, total=total, digest=digest)

    def _archive(self, conn: Connection, spec: LayerSpec, rev: int,
                 ids: list[int] | None = None) -> int:
        """Move current rows (all, or those with the given fids) to history."""
        main, history = self._layer_tables(spec)
        names = ["fid", GEOM, *spec.field_names, REV_FROM]
        if ids is None:
            chunks: list[list[int] | None] = [None]
        else:
            chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
        moved = 0
        for chunk in chunks:
            if chunk == []:
                continue
            rows = select(*[main.c[n] for n in names], literal(rev))
            gone = delete(main)
            if chunk is not None:
                rows = rows.where(main.c.fid.in_(chunk))
                gone = gone.where(main.c.fid.in_(chunk))
            conn.execute(insert(history).from_select([*names, REV_TO], rows))
            moved += conn.execute(gone).rowcount or 0
        return moved

    def _existing_ids(self, conn: Connection, spec: LayerSpec, ids: list[Any]) -> list[Any]:
        return existing_ids(conn, self._layer_tables(spec)[0], spec.id_field, ids)

    def _fids_of(self, conn: Connection, spec: LayerSpec, ids: list[Any]) -> dict[Any, int]:
        return fids_of(conn, self._layer_tables(spec)[0], spec.id_field, ids)

    # -- revisions --------------------------------------------------------------------
    @cached_property
    def _has_provenance(self) -> bool:
        """Whether the audit log has the provenance column (see :mod:`.revisions`)."""
        with self.engine.connect() as conn:
            return revisions.has_provenance_column(conn, self.meta["revisions"])

    def _migrate_provenance(self) -> bool:
        """Add the provenance column to an older atlas's audit log; False if refused."""
        if self._has_provenance:
            return True
        with self._write_transaction() as conn:
            if not revisions.has_provenance_column(conn, self.meta["revisions"]):
                revisions.add_provenance_column(conn, self.meta["revisions"])
        self.__dict__.pop("_has_provenance", None)
        return True

    def history(self, layer: str | None = None) -> list[Revision]:
        """Revisions, oldest first."""
        if layer is not None:
            self._spec(layer)
        with self.engine.connect() as conn:
            return revisions.read_revisions(conn, self.meta["revisions"],
                                            self._has_provenance, layer=layer)

    def _revision(self, number: int) -> Revision:
        with self.engine.connect() as conn:
            found = revisions.read_revisions(conn, self.meta["revisions"],
                                             self._has_provenance, number=number)
        if not found:
            raise NotFoundError("store.unknown_revision", layer="?", revision=number)
        return found[0]

    def rows_by_revision(self, layer: str) -> dict[int, int]:
        """Current rows of ``layer`` counted by the revision that wrote them."""
        main, _ = self._layer_tables(self._spec(layer))
        with self.engine.connect() as conn:
            return revisions.rows_by_revision(conn, main)

    def current_revision(self) -> int:
        """Latest revision number of the whole atlas (0 when nothing was written)."""
        table = self.meta["revisions"]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(table.c.revision))).scalar() or 0)

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()


__all__ = ["CHUNK", "GEOM", "HISTORY_SUFFIX", "MAX_IDENTIFIER", "REV_FROM", "REV_TO",
           "SqlStore", "field_type", "index_name"]
