"""The shared store: an atlas in a PostGIS database, one schema per atlas.

Address: ``postgresql://user[:password]@host[:port]/database[?schema=NAME]``
(``postgres://`` and ``postgresql+psycopg2://`` are accepted too). ``schema`` names
the schema that holds the atlas, ``atlas`` by default, so one database can hold
several atlases (a production and a training atlas, say) side by side. Any other
query parameter is a libpq connection parameter (``sslmode``, ``connect_timeout``...).
The schema name must be a plain lower-case identifier (letters, digits, ``_``, at
most 63 characters): it becomes part of SQL statements, so it is checked up front,
and SQLAlchemy quotes it on top of that.

Layout of a schema, all created by :meth:`PostGISStore.create`:

- ``atlas_meta``, ``atlas_layers``, ``atlas_revisions``: settings, layer specs and
  the audit log, exactly as in the GeoPackage store (:mod:`atlas.store.sql`);
- one table per layer with a typed geometry column (``geometry(Point,4326)``...), a
  ``fid`` serial primary key, a unique index on the spec's id field and a GiST
  index on the geometry, plus its ``<layer>__history`` table;
- ``layer_styles``: the styles of the atlas, with the columns QGIS uses.

Where QGIS looks for styles: QGIS's PostgreSQL provider reads the table named
``layer_styles`` without a schema, i.e. through the connection's ``search_path``,
which for nearly every user is ``public`` (QGIS issues #38617 and #39850), and it
selects rows by ``f_table_catalog`` (database), ``f_table_schema``,
``f_table_name``, ``f_geometry_column`` and ``type``. So the atlas keeps its own copy
in ``<schema>.layer_styles`` (it travels with the schema in a ``pg_dump -n``) and
mirrors each style into ``public.layer_styles`` (created with QGIS's own columns
when missing) whenever the role may write there; QGIS then draws an atlas layer
with the atlas's style as soon as it is opened. Rows of other layers are never
touched. The atlas copy keeps the documents as ``text`` (an exact round trip); the
public table is QGIS's, with ``xml`` columns.

Writes: every write is one transaction that first locks the one row of
``atlas_lock`` (``SELECT … FOR UPDATE``), so two writers (two app workers, a CLI
import and the app) queue instead of interleaving, and a failed write rolls back
whole. Only roles with ``UPDATE`` on that table can take the lock, so a reader cannot
block the writers (an advisory lock, which older atlases still use until their owner
opens them, can be taken by anyone). The audit log and the history tables are
append-only for every role but the owner (:mod:`atlas.store.pg_guard`): current rows
go to history through ``atlas_archive``. Readers never wait for the lock: each read
is one statement, which sees the last committed revision. Rows are loaded with
binary ``COPY``: the COPY stream is built column by column with numpy and Arrow
compute kernels (never a Python object per row), geometries as EWKB. When a large
batch goes into an empty table (a replace or a first load), the table's secondary
indexes are dropped and rebuilt after the COPY inside the same transaction, which
is several times faster than maintaining a GiST index row by row; readers of that
one layer then wait the few seconds until the commit, and still see either the old
or the new state. Only the tables' owner may drop indexes, so a writer role without
DDL rights (:mod:`atlas.store.roles`) loads into the indexes instead; any statement
the connected role has no right to run fails with ``store.permission_denied``, in the
user's language.

Parts: addresses and driver errors in :mod:`atlas.store.pg_connection`, the binary
COPY codec in :mod:`atlas.store.pg_copy`, bulk loading in :mod:`atlas.store.pg_bulk`,
QGIS's style table in :mod:`atlas.store.pg_styles`, write protection in
:mod:`atlas.store.pg_guard`; this module is the store that ties them together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import psycopg2
import shapely
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Connection,
    LargeBinary,
    MetaData,
    Table,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from ..catalog import LayerSpec
from ..crs import STORAGE_EPSG
from ..errors import CatalogError, ConcurrentWriteError, StoreError
from ..masking import mask_url
from .base import BBox
from .pg_bulk import copy_frame
from .pg_connection import (
    DEFAULT_SCHEMA,
    INSUFFICIENT_PRIVILEGE,
    SCHEMA_PARAMETER,
    is_connection_error,
    parse_url,
)
from .pg_connection import cursor as _cursor
from .pg_connection import detail as _detail
from .pg_guard import LOCK_TABLE, archive, guard_is_current, install_guard, protect_layer
from .pg_styles import QGIS_STYLES_SCHEMA, can_write_qgis_styles, styles_table
from .sql import SqlStore
from .sql_schema import GEOM, HISTORY_SUFFIX, MAX_IDENTIFIER, field_type, index_name
from .styles import style_geometry_type

#: First key of the advisory lock that serialised writers before the lock row of
#: :mod:`atlas.store.pg_guard` (any role may take an advisory lock, a reader too): still
#: taken on an atlas whose owner has not yet installed the guard, as older versions do.
#: The second key is a hash of the schema name.
LOCK_NAMESPACE = 0x41544C53
#: Key of the write transaction's connection info: True when the guard is installed.
GUARDED = "atlas_guarded"
#: Current rows moved to history per call of ``atlas_archive`` (an upsert's fids).
ARCHIVE_CHUNK = 10_000
#: Seconds a writer waits for another one before giving up.
BUSY_TIMEOUT_S = 120
#: Batches at least this large, into an empty table, rebuild indexes after COPY.


class PostGISStore(SqlStore):
    """Store in a PostGIS schema; see the module docstring for the design."""

    def __init__(self, url: str) -> None:
        parsed, schema = parse_url(url)
        shown = parsed.render_as_string(hide_password=True)
        if schema != DEFAULT_SCHEMA:
            shown += f"{'&' if '?' in shown else '?'}{SCHEMA_PARAMETER}={schema}"
        #: The address without its password, for messages, logs and revision records.
        self.display_url = mask_url(shown)  # also hides a ?password= parameter
        engine = create_engine(parsed, pool_pre_ping=True,
                               connect_args={"application_name": "atlas-territorial"})
        #: The role we connect as, named in permission errors.
        self.role = parsed.username or ""

        @event.listens_for(engine, "handle_error")
        def _permission_denied(context: Any) -> None:
            # A role with only the rights it needs (see atlas.store.roles) meets
            # "permission denied" as soon as it tries more: say so in the user's
            # language instead of a driver traceback.
            if getattr(context.original_exception, "pgcode", None) == INSUFFICIENT_PRIVILEGE:
                raise self.permission_error(context.original_exception) \
                    from context.original_exception

        @event.listens_for(engine, "handle_error")
        def _server_gone(context: Any) -> None:
            # The server stopped or the network dropped, at any step (planning, COPY,
            # commit): a sentence, not a driver traceback. A failed pre-ping is left to
            # the pool, which then tries a fresh connection.
            original = context.original_exception
            if context.is_pre_ping or not is_connection_error(original):
                return
            if context.connection is None:  # could not (re)connect at all
                raise StoreError("store.connect_failed", url=self.display_url,
                                 detail=" ".join(_detail(original).split())) from original
            raise self.connection_lost(original) from original

        super().__init__(url, engine, schema=schema)
        # QGIS's column names (lower case) and its ``type`` column replace the generic,
        # GeoPackage-flavoured definition. In ``public`` the atlas's table *is* QGIS's
        # (it may exist already), so it takes QGIS's xml types too.
        self.metadata.remove(self.meta["styles"])
        self.meta["styles"] = styles_table(self.metadata, xml=schema == QGIS_STYLES_SCHEMA)
        self._qgis_styles = styles_table(MetaData(schema=QGIS_STYLES_SCHEMA), xml=True)
        self._database: str | None = None

    # -- creation and opening ---------------------------------------------------------
    @classmethod
    def create(cls, url: str) -> PostGISStore:
        """Create an empty atlas in its schema (PostGIS enabled if allowed and needed).

        Refuses when the schema already holds an atlas; an existing schema without
        atlas tables (created by a DBA for us, say) is used as it is.
        """
        store = cls(url)
        try:
            store._check_connection()
            store._ensure_postgis()
            quoted = store._quote(store.schema)
            with store._write_transaction() as conn:
                if store._atlas_tables(conn):
                    raise StoreError("store.exists", url=store.display_url)
                conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
                for table in store.meta.values():
                    table.create(conn, checkfirst=True)
                install_guard(_cursor(conn), store.schema)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open(cls, url: str) -> PostGISStore:
        """Open the atlas in an existing schema."""
        store = cls(url)
        try:
            store._check_connection()
            with store.engine.connect() as conn:
                exists = conn.execute(text(
                    "SELECT 1 FROM pg_namespace WHERE nspname = :schema"),
                    {"schema": store.schema}).first()
                found = store._atlas_tables(conn) if exists else 0
        except BaseException:
            store.close()
            raise
        if not exists:
            store.close()
            raise StoreError("store.not_found", url=store.display_url)
        if found != 3:
            store.close()
            raise StoreError("store.not_an_atlas", url=store.display_url)
        try:
            store._upgrade_guard()
        except BaseException:
            store.close()
            raise
        return store

    def _upgrade_guard(self) -> None:
        """Install or refresh the write protection when the owner opens an older atlas.

        Other roles open it as it is (an older atlas then keeps the advisory lock, and
        an audit log without the provenance column is read with empty provenance); the
        next ``atlas roles grant`` or the owner's next open protects it and adds the
        column (:func:`~atlas.store.pg_guard.install_guard`).
        """
        try:
            with self.engine.connect() as conn:
                current, owner = guard_is_current(_cursor(conn), self.schema)
            if not owner or (current and self._has_provenance):
                return
            with self._write_transaction() as conn:
                install_guard(_cursor(conn), self.schema)
            self.__dict__.pop("_has_provenance", None)
        except psycopg2.Error as exc:  # raw DB-API cursor: SQLAlchemy does not wrap it
            raise self._raw_error(exc, StoreError(
                "store.guard_failed", url=self.display_url, detail=str(exc).strip())) from exc

    def _raw_error(self, exc: psycopg2.Error, otherwise: StoreError) -> StoreError:
        """The sentence for an error of a raw psycopg2 cursor (SQLAlchemy's hooks miss it)."""
        if exc.pgcode == INSUFFICIENT_PRIVILEGE:
            return self.permission_error(exc)
        if is_connection_error(exc):
            return self.connection_lost(exc)
        return otherwise

    def _check_connection(self) -> None:
        try:
            with self.engine.connect() as conn:
                self._database = conn.execute(select(func.current_database())).scalar_one()
        except DBAPIError as exc:
            raise StoreError("store.connect_failed", url=self.display_url,
                             detail=_detail(exc)) from exc

    def connection_lost(self, exc: BaseException) -> StoreError:
        """The translated error for a connection that broke in the middle of some work."""
        return StoreError("store.connection_lost", url=self.display_url,
                          detail=" ".join(_detail(exc).split()))  # libpq's text, on one line

    def permission_error(self, exc: BaseException) -> StoreError:
        """The translated error for a statement the role has no right to run."""
        return StoreError("store.permission_denied", url=self.display_url,
                          role=self.role or "?", detail=_detail(exc))

    def _ensure_postgis(self) -> None:
        """``CREATE EXTENSION postgis`` unless present; needs the right to create it."""
        with self.engine.connect() as conn:
            present = conn.execute(text(
                "SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
        if present:
            return
        try:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        except DBAPIError as exc:
            raise StoreError("store.no_postgis", url=self.display_url,
                             detail=_detail(exc)) from exc

    def _atlas_tables(self, conn: Connection) -> int:
        return int(conn.execute(text(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = :schema"
            " AND table_name IN ('atlas_meta', 'atlas_layers', 'atlas_revisions')"),
            {"schema": self.schema}).scalar_one())

    def _quote(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def _qualified(self, table: Table) -> str:
        return self.engine.dialect.identifier_preparer.format_table(table)

    @property
    def database(self) -> str:
        """Name of the database (``f_table_catalog`` of the style rows)."""
        if self._database is None:
            self._check_connection()
        assert self._database is not None
        return self._database

    # -- column types and geometry ------------------------------------------------------
    def _field_type(self, kind: str) -> TypeEngine:
        # GeoPackage integers are 64-bit; PostgreSQL's INTEGER is not.
        return BigInteger() if kind == "integer" else field_type(kind)

    def _fid_type(self) -> TypeEngine:
        # Every replace takes new fids: a big layer replaced daily outgrows int4.
        return BigInteger()

    def _geometry_type(self, spec: LayerSpec) -> TypeEngine:
        return Geometry(geometry_type=spec.geometry.upper(), srid=STORAGE_EPSG,
                        spatial_index=False)

    def _history_geometry_type(self) -> TypeEngine:
        return Geometry(geometry_type="GEOMETRY", srid=STORAGE_EPSG, spatial_index=False)

    def _encode_geometries(self, geoms: np.ndarray) -> list[Any]:
        """EWKB elements for the row-by-row path (bulk loads use :meth:`_insert_frame`)."""
        blobs = shapely.to_wkb(shapely.set_srid(geoms, STORAGE_EPSG), include_srid=True,
                               flavor="extended")
        return [None if b is None else WKBElement(b, srid=STORAGE_EPSG, extended=True)
                for b in blobs]

    def _geometry_select(self, column: ColumnElement) -> ColumnElement:
        return func.ST_AsBinary(column, type_=LargeBinary)

    def _decode_geometries(self, values: Sequence[Any]) -> np.ndarray:
        return shapely.from_wkb(np.array([None if v is None else bytes(v) for v in values],
                                         dtype=object))

    def _bbox_filter(self, table: Table, bbox: BBox) -> ColumnElement:
        # ``&&`` uses the GiST index but compares float4-rounded boxes; the exact
        # comparisons keep what the store contract says: envelopes that meet bbox.
        xmin, ymin, xmax, ymax = (float(v) for v in bbox)
        geom = table.c[GEOM]
        envelope = func.ST_MakeEnvelope(xmin, ymin, xmax, ymax, STORAGE_EPSG)
        return and_(geom.op("&&")(envelope), func.ST_XMax(geom) >= xmin,
                    func.ST_XMin(geom) <= xmax, func.ST_YMax(geom) >= ymin,
                    func.ST_YMin(geom) <= ymax)

    def ensure_layer(self, spec: LayerSpec) -> None:
        """Create the layer's tables; refuse a name too long for its history table."""
        if len(spec.name) + len(HISTORY_SUFFIX) > MAX_IDENTIFIER:
            raise CatalogError("catalog.bad_identifier", file=f"{spec.name}.toml", key="name",
                               value=spec.name)
        super().ensure_layer(spec)

    def _register_layer(self, conn: Connection, spec: LayerSpec, table: Table) -> None:
        index = self._quote(index_name(spec.name, GEOM, "gist"))
        conn.exec_driver_sql(
            f"CREATE INDEX {index} ON {self._qualified(table)} USING GIST ({GEOM})")
        if conn.info.get(GUARDED):
            try:
                protect_layer(_cursor(conn), self.schema, spec.name)
            except psycopg2.Error as exc:  # raw DB-API cursor: SQLAlchemy does not wrap it
                raise self._raw_error(exc, StoreError(
                    "store.guard_failed", url=self.display_url,
                    detail=str(exc).strip())) from exc

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_S}s'")
                conn.info[GUARDED] = self._take_writers_lock(conn)
                yield conn
        except OperationalError as exc:
            if getattr(exc.orig, "pgcode", None) == "55P03":  # lock_not_available
                raise ConcurrentWriteError("store.busy", seconds=BUSY_TIMEOUT_S) from exc
            raise

    def _take_writers_lock(self, conn: Connection) -> bool:
        """Lock the row of ``atlas_lock`` (True), or the advisory lock of an older atlas.

        Taking the row ``FOR UPDATE`` needs ``UPDATE`` on the table, which only writers
        and the owner have: a reader gets "permission denied" and holds nothing.
        """
        lock = sa_table(LOCK_TABLE, sa_column("id"), schema=self.schema)
        name = f"{self._quote(self.schema)}.{self._quote(LOCK_TABLE)}"
        if conn.execute(select(func.to_regclass(name))).scalar() is None:
            conn.execute(select(func.pg_advisory_xact_lock(
                LOCK_NAMESPACE, func.hashtext(self.schema))))
            return False
        if conn.execute(select(lock.c.id).where(lock.c.id == 1).with_for_update()).first() \
                is None:
            raise StoreError("store.lock_missing", url=self.display_url)
        return True

    def _archive(self, conn: Connection, spec: LayerSpec, rev: int,
                 ids: list[int] | None = None) -> int:
        """Move current rows to history through ``atlas_archive`` once the guard is in.

        The function (see :mod:`atlas.store.pg_guard`) runs with the owner's rights and
        only for a revision this transaction opened; writers have no other way to
        remove a current row or to write history.
        """
        if not conn.info.get(GUARDED):
            return super()._archive(conn, spec, rev, ids)
        chunks: list[list[int] | None] = [None] if ids is None else [
            ids[i:i + ARCHIVE_CHUNK] for i in range(0, len(ids), ARCHIVE_CHUNK)]
        moved = 0
        with _cursor(conn) as cur:
            for chunk in chunks:
                try:
                    moved += archive(cur, self.schema, spec.name, rev, chunk)
                except psycopg2.Error as exc:  # raw DB-API cursor: SQLAlchemy does not wrap it
                    raise self._raw_error(exc, StoreError(
                        "store.write_failed", layer=spec.name,
                        detail=str(exc).strip())) from exc
        return moved

    # -- styles -------------------------------------------------------------------------
    def _store_style(self, conn: Connection, spec: LayerSpec, row: dict[str, Any]) -> None:
        row = dict(row, f_table_catalog=self.database, f_table_schema=self.schema,
                   type=style_geometry_type(spec))
        targets = [self.meta["styles"]]
        if self.schema != QGIS_STYLES_SCHEMA and self._can_write_qgis_styles(conn):
            targets.append(self._qgis_styles)
        for table in targets:
            conn.execute(delete(table).where(
                table.c.f_table_catalog == row["f_table_catalog"],
                table.c.f_table_schema == row["f_table_schema"],
                table.c.f_table_name == row["f_table_name"],
                table.c.styleName == row["styleName"]))
            conn.execute(insert(table).values(**row))

    def _can_write_qgis_styles(self, conn: Connection) -> bool:
        """Create ``public.layer_styles`` if needed; False when the role may not."""
        return can_write_qgis_styles(conn, self._qgis_styles)

    def styles(self) -> dict[str, dict[str, str]]:
        """QML and SLD stored for each layer of this atlas."""
        table = self.meta["styles"]
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.f_table_name, table.c.styleQML,
                                       table.c.styleSLD)
                                .where(table.c.f_table_schema == self.schema)
                                .order_by(table.c.id))
            return {name: {"qml": qml, "sld": sld} for name, qml, sld in rows}

    # -- bulk loading -------------------------------------------------------------------
    def _insert_frame(self, conn: Connection, table: Table, frame: gpd.GeoDataFrame,
                      spec: LayerSpec, rev: int, fids: np.ndarray | None = None) -> None:
        """Load a prepared frame with one binary COPY (see :mod:`atlas.store.pg_bulk`)."""
        copy_frame(conn, table, self._qualified(table), self._quote, frame, spec, rev, fids,
                   self._raw_error)


__all__ = ["DEFAULT_SCHEMA", "PostGISStore", "parse_url"]
