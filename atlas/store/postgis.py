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
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
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
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine, UserDefinedType

from ..catalog import LayerSpec
from ..crs import STORAGE_EPSG
from ..errors import CatalogError, ConcurrentWriteError, StoreError
from ..masking import mask_url
from .base import BBox
from .pg_guard import LOCK_TABLE, archive, guard_is_current, install_guard, protect_layer
from .sql import (
    GEOM,
    HISTORY_SUFFIX,
    MAX_IDENTIFIER,
    REV_FROM,
    SqlStore,
    field_type,
    index_name,
)
from .styles import style_geometry_type

DEFAULT_SCHEMA = "atlas"
#: Query parameter of the URL that names the atlas schema.
SCHEMA_PARAMETER = "schema"
#: Schema names we accept: they are quoted anyway, but a plain lower-case name
#: avoids PostgreSQL's case folding surprising people who type it in psql or QGIS.
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Schema where QGIS finds ``layer_styles`` with a default ``search_path``.
QGIS_STYLES_SCHEMA = "public"
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
BULK_MIN_ROWS = 20_000
#: Rows encoded per COPY chunk: bounds memory and lets encoding overlap sending.
COPY_CHUNK_ROWS = 100_000
#: Memory for index builds after a bulk load (sorting a million keys).
BULK_MAINTENANCE_MEMORY = "256MB"
#: SQLSTATE of "permission denied" (psycopg2.errors.InsufficientPrivilege).
INSUFFICIENT_PRIVILEGE = "42501"

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension
_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH = np.datetime64("2000-01-01", "D")
_BLOB = pa.large_binary()
_EMPTY_BLOB = pa.scalar(b"", _BLOB)
_NULL_LENGTH = -1
#: EWKB of a 2D point: byte order, type with the SRID flag, SRID, x, y.
_EWKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("srid", "<u4"),
                        ("x", "<f8"), ("y", "<f8")])
_EWKB_SRID_FLAG = 0x20000000


class _Xml(UserDefinedType):
    """PostgreSQL ``xml``, QGIS's type for styles.

    Documents go in through ``XMLPARSE(DOCUMENT ...)``, which accepts the QML
    DOCTYPE whatever the server's ``xmloption``, and come back as text.
    """

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        """The declared SQL type."""
        return "XML"

    def bind_expression(self, bindvalue: Any) -> ColumnElement:
        """Parse bound text as an XML document."""
        return _XmlParse(bindvalue)

    def column_expression(self, column: Any) -> ColumnElement:
        """Read the document back as text."""
        from sqlalchemy import cast

        return cast(column, Text)


class _XmlParse(ColumnElement):
    """``XMLPARSE(DOCUMENT <expr>)``, which SQLAlchemy's ``func`` cannot spell."""

    inherit_cache = True

    def __init__(self, clause: Any) -> None:
        self.clause = clause
        self.type = Text()


@compiles(_XmlParse)
def _compile_xmlparse(element: _XmlParse, compiler: Any, **kw: Any) -> str:
    return f"XMLPARSE(DOCUMENT {compiler.process(element.clause, **kw)})"


def styles_table(metadata: MetaData, *, xml: bool) -> Table:
    """QGIS's PostgreSQL ``layer_styles`` table (its column names, all lower case).

    Column *keys* are the camel-case names of :data:`~atlas.store.styles.
    LAYER_STYLES_COLUMNS`, so rows from :func:`~atlas.store.styles.layer_styles_row`
    insert as they are. ``xml=False`` keeps the documents as ``text`` (the atlas's
    own copy, exact round trip); ``xml=True`` is QGIS's DDL (the public table).
    """
    document: type[TypeEngine] = _Xml if xml else Text
    return Table(
        "layer_styles", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("f_table_catalog", String),
        Column("f_table_schema", String),
        Column("f_table_name", String),
        Column("f_geometry_column", String),
        Column("stylename", Text, key="styleName"),
        Column("styleqml", document(), key="styleQML"),
        Column("stylesld", document(), key="styleSLD"),
        Column("useasdefault", Boolean, key="useAsDefault"),
        Column("description", Text),
        Column("owner", String(63), server_default=func.current_user()),
        Column("ui", document()),
        Column("update_time", DateTime, server_default=func.current_timestamp()),
        Column("type", String),
    )


def parse_url(url: str) -> tuple[URL, str]:
    """SQLAlchemy URL (psycopg2 driver, without ``schema``) and the atlas schema."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is an unsupported URL
        raise StoreError("store.unsupported_url", url=url) from exc
    given = parse_qs(urlsplit(url).query, keep_blank_values=True).get(SCHEMA_PARAMETER)
    schema = given[-1] if given else DEFAULT_SCHEMA
    if not SCHEMA_NAME.match(schema):
        raise StoreError("store.unsupported_url", url=url)
    parsed = parsed.difference_update_query([SCHEMA_PARAMETER]).set(
        drivername="postgresql+psycopg2")
    return parsed, schema


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

        Other roles open it as it is (an older atlas then keeps the advisory lock); the
        next ``atlas roles grant`` or the owner's next open protects it.
        """
        try:
            with self.engine.connect() as conn:
                current, owner = guard_is_current(_cursor(conn), self.schema)
            if current or not owner:
                return
            with self._write_transaction() as conn:
                install_guard(_cursor(conn), self.schema)
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
        public = QGIS_STYLES_SCHEMA
        state = conn.execute(text(
            "SELECT to_regclass(:table) IS NOT NULL,"
            " has_schema_privilege(:schema, 'CREATE')"
            " FROM pg_namespace WHERE nspname = :schema"),
            {"table": f"{public}.layer_styles", "schema": public}).first()
        if state is None:
            return False
        exists, can_create = state
        if not exists:
            if not can_create:
                return False
            self._qgis_styles.create(conn, checkfirst=True)
            return True
        return bool(conn.execute(text(
            "SELECT has_table_privilege(:table, 'INSERT')"
            " AND has_table_privilege(:table, 'DELETE')"),
            {"table": f"{public}.layer_styles"}).scalar_one())

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
        """Load a prepared frame with one binary COPY (see the module docstring)."""
        rebuild: list[tuple[str, str]] = []
        if len(frame) >= BULK_MIN_ROWS and conn.execute(
                select(1).select_from(table).limit(1)).first() is None \
                and self._owns(conn, table):
            rebuild = self._drop_secondary_indexes(conn, table)
        if fids is None:
            fids = self._reserve_fids(conn, table, len(frame))
        columns = ["fid", REV_FROM, GEOM, *spec.field_names]
        names = ", ".join(self._quote(c) for c in columns)
        statement = f"COPY {self._qualified(table)} ({names}) FROM STDIN (FORMAT binary)"
        chunks = _CopyChunks(frame, spec, rev, fids)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(statement, chunks, size=1 << 20)
        except psycopg2.Error as exc:  # raw DB-API cursor: SQLAlchemy does not wrap it
            if chunks.error is not None:  # the encoder failed: that is the real cause
                raise chunks.error from exc
            if exc.pgcode == INSUFFICIENT_PRIVILEGE:
                raise self.permission_error(exc) from exc
            if is_connection_error(exc):
                raise self.connection_lost(exc) from exc
            raise StoreError("store.write_failed", layer=spec.name,
                             detail=str(exc).strip()) from exc
        finally:
            chunks.close()
            cursor.close()
        if rebuild:
            conn.exec_driver_sql(
                f"SET LOCAL maintenance_work_mem = '{BULK_MAINTENANCE_MEMORY}'")
            for _name, definition in rebuild:
                conn.exec_driver_sql(definition)

    def _reserve_fids(self, conn: Connection, table: Table, count: int) -> np.ndarray:
        """Take ``count`` consecutive values of the fid sequence at once.

        Sending fids in the COPY stream is faster than a ``nextval`` default per
        row. Other atlas writers wait for the advisory lock; a person inserting into
        the table from QGIS at that very moment could draw a value in the range, and
        one of the two inserts then fails on the primary key (nothing is lost).
        """
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:table, 'fid')"),
                                {"table": self._qualified(table)}).scalar_one()
        last = conn.execute(text(
            "SELECT setval(CAST(:seq AS regclass), nextval(CAST(:seq AS regclass)) + :n - 1)"),
            {"seq": sequence, "n": count}).scalar_one()
        return np.arange(int(last) - count + 1, int(last) + 1, dtype=np.int64)

    def _owns(self, conn: Connection, table: Table) -> bool:
        """True when the role may drop and create the table's indexes (it owns the table).

        A writer role (atlas.store.roles) has no DDL rights: it loads row by row into
        the indexes instead of rebuilding them, slower but allowed.
        """
        return bool(conn.execute(text(
            "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c"
            " WHERE c.oid = CAST(:table AS regclass)"),
            {"table": self._qualified(table)}).scalar())

    def _drop_secondary_indexes(self, conn: Connection, table: Table) -> list[tuple[str, str]]:
        """Drop the table's indexes that back no constraint; return how to rebuild them."""
        rows = conn.execute(text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i WHERE i.indrelid = CAST(:table AS regclass)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY i.indexrelid"), {"table": self._qualified(table)}).all()
        for name, _definition in rows:
            conn.exec_driver_sql(f"DROP INDEX {name}")  # regclass text is quoted already
        return [(str(name), str(definition)) for name, definition in rows]


class _CopyChunks:
    """File-like source of a binary COPY stream, encoded by a background thread.

    ``psycopg2`` pulls the stream with :meth:`read`; meanwhile the encoder thread
    prepares the next chunk of rows (numpy and Arrow release the GIL), so encoding
    overlaps with the server parsing the previous chunk.
    """

    def __init__(self, frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                 fids: np.ndarray | None) -> None:
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=2)
        self._buffer = memoryview(_COPY_HEADER)
        self._done = False
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._encode, daemon=True,
                                        args=(frame, spec, rev, fids),
                                        name="atlas-copy-encoder")
        self._thread.start()

    def _encode(self, frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                fids: np.ndarray | None) -> None:
        try:
            columns = CopyColumns(frame, spec)
            for start in range(0, len(frame), COPY_CHUNK_ROWS):
                if self._stop.is_set():
                    return
                stop = start + COPY_CHUNK_ROWS
                self._put(columns.rows(start, stop, rev,
                                       None if fids is None else fids[start:stop]))
            self._put(_COPY_TRAILER)
            self._put(None)
        except BaseException as exc:  # handed to the reading thread, which raises it
            self._put(exc)

    def _put(self, item: bytes | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(self, size: int = -1) -> bytes:
        """Next piece of the stream (b"" at the end), at most ``size`` bytes."""
        while not len(self._buffer):
            if self._done:
                return b""
            item = self._queue.get()
            if item is None:
                self._done = True
                return b""
            if isinstance(item, BaseException):
                self._done = True
                self.error = item
                raise item
            self._buffer = memoryview(item)
        size = len(self._buffer) if size is None or size < 0 else size
        piece, self._buffer = self._buffer[:size], self._buffer[size:]
        return piece.tobytes()

    def close(self) -> None:
        """Stop the encoder (when COPY failed half-way) and wait for it."""
        self._stop.set()
        self._thread.join()


# -- binary COPY encoding -----------------------------------------------------------------
# A binary COPY row is: int16 number of fields, then for each field an int32 length
# (-1 for NULL) and that many bytes, all big-endian. Rows are assembled column-wise:
# runs of fixed-width pieces (lengths, numbers, dates, point EWKB) become one numpy
# structured array each, variable-width pieces (text, other geometries) Arrow binary
# arrays, and Arrow's element-wise join concatenates them row by row in C.


class _RowLayout:
    """Accumulates the pieces of every row, merging runs of fixed-width pieces."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.parts: list[pa.Array] = []
        self._fixed: list[tuple[np.dtype, np.ndarray]] = []

    def fixed(self, values: np.ndarray) -> None:
        """A fixed-width piece (one big-endian value, or a structured record, per row)."""
        self._fixed.append((values.dtype, values))

    def variable(self, values: pa.Array) -> None:
        """A variable-width piece (large_binary, nulls stand for nothing)."""
        self._flush()
        self.parts.append(values)

    def _flush(self) -> None:
        if not self._fixed:
            return
        dtype = np.dtype([(f"f{i}", d) for i, (d, _) in enumerate(self._fixed)])
        record = np.empty(self.n, dtype=dtype)
        for i, (_, values) in enumerate(self._fixed):
            record[f"f{i}"] = values
        self.parts.append(_fixed_blobs(record.view(np.uint8), dtype.itemsize, self.n))
        self._fixed = []

    def join(self) -> bytes:
        """The rows, concatenated."""
        self._flush()
        if len(self.parts) == 1:
            return _binary_body(self.parts[0])
        joined = pc.binary_join_element_wise(*self.parts, _EMPTY_BLOB,
                                             null_handling="replace", null_replacement=b"")
        return _binary_body(joined)


def _fixed_blobs(buffer: np.ndarray, width: int, n: int) -> pa.Array:
    array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), n,
                                                 [None, pa.py_buffer(buffer)])
    return array.cast(_BLOB)


def _binary_body(array: pa.Array) -> bytes:
    """Bytes of all the values of a large_binary array, in order."""
    validity, offsets, data = array.buffers()
    positions = np.frombuffer(offsets, dtype=np.int64)
    start, stop = positions[array.offset], positions[array.offset + len(array)]
    return memoryview(data)[start:stop].tobytes() if data is not None else b""


def _lengths(lengths: np.ndarray) -> np.ndarray:
    return lengths.astype(">i4")


def _fixed_field(layout: _RowLayout, values: np.ndarray, valid: np.ndarray) -> None:
    """A field of fixed width (``values`` already big-endian), NULL where not ``valid``."""
    width = values.dtype.itemsize
    if valid.all():
        layout.fixed(np.full(layout.n, width, dtype=">i4"))
        layout.fixed(values)
        return
    layout.fixed(_lengths(np.where(valid, width, _NULL_LENGTH)))
    blobs = _fixed_blobs(np.ascontiguousarray(values).view(np.uint8), width, layout.n)
    layout.variable(pc.if_else(pa.array(valid), blobs, _EMPTY_BLOB))


def _geometry_field(layout: _RowLayout, geoms: np.ndarray) -> None:
    """EWKB with SRID 4326: points built directly with numpy, others by GEOS."""
    missing = shapely.is_missing(geoms)
    if not missing.any() and (shapely.get_type_id(geoms) == 0).all() \
            and not shapely.is_empty(geoms).any() and not shapely.has_z(geoms).any():
        xy = shapely.get_coordinates(geoms)
        record = np.empty(layout.n, dtype=_EWKB_POINT)
        record["order"] = 1
        record["type"] = _EWKB_SRID_FLAG | 1
        record["srid"] = STORAGE_EPSG
        record["x"] = xy[:, 0]
        record["y"] = xy[:, 1]
        layout.fixed(np.full(layout.n, _EWKB_POINT.itemsize, dtype=">i4"))
        layout.fixed(record)
        return
    blobs = shapely.to_wkb(shapely.set_srid(geoms, STORAGE_EPSG), include_srid=True,
                           flavor="extended", byte_order=1, output_dimension=2)
    array = pa.array(blobs, type=_BLOB, from_pandas=True)
    lengths = pc.fill_null(pc.binary_length(array), _NULL_LENGTH).to_numpy(zero_copy_only=False)
    layout.fixed(_lengths(lengths))
    layout.variable(array)


class CopyColumns:
    """The columns of a frame conformed to a spec, converted once for binary COPY.

    Conversions that are cheapest on whole columns (text to Arrow, dates to day
    numbers, byte order) are done here; :meth:`rows` then encodes any slice of rows
    with zero-copy slices of these arrays, so chunking costs nothing extra.
    """

    def __init__(self, frame: gpd.GeoDataFrame, spec: LayerSpec) -> None:
        self.n = len(frame)
        self.geoms = np.asarray(frame.geometry.values, dtype=object)
        self.fields = [self._convert(frame[f.name], f.type) for f in spec.fields]

    @staticmethod
    def _convert(values: pd.Series, kind: str) -> tuple[Any, np.ndarray]:
        """(Arrow binary array, lengths) for text; (big-endian values, valid) otherwise."""
        if kind in ("string", "category"):
            array = pa.array(values, type=pa.large_string(), from_pandas=True)
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            blobs = array.cast(_BLOB)
            lengths = pc.fill_null(pc.binary_length(blobs), _NULL_LENGTH)
            return blobs, _lengths(lengths.to_numpy(zero_copy_only=False))
        valid = values.notna().to_numpy(dtype=bool)
        if kind == "integer":
            return values.to_numpy(dtype="int64", na_value=0).astype(">i8"), valid
        if kind == "float":
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            return numbers.astype(">f8"), valid & ~np.isnan(numbers)
        if kind == "boolean":
            return values.to_numpy(dtype=bool, na_value=False).astype("u1"), valid
        if kind == "date":
            parsed = pd.to_datetime(values, errors="coerce", format="%Y-%m-%d")
            valid = parsed.notna().to_numpy(dtype=bool)
            days = parsed.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            offsets = np.where(valid, (days - _PG_EPOCH).astype(np.int64), 0)
            return offsets.astype(">i4"), valid
        raise ValueError(kind)  # pragma: no cover - the catalogue admits no other type

    def rows(self, start: int, stop: int, rev: int, fids: np.ndarray | None = None) -> bytes:
        """Binary COPY rows ``start:stop`` (no header or trailer).

        Columns, in this order: ``[fid,] _rev_from, geom, <spec fields>``; ``fids``
        holds the fids of these rows only.
        """
        n = max(0, min(stop, self.n) - start)
        layout = _RowLayout(n)
        count = (1 if fids is not None else 0) + 2 + len(self.fields)
        layout.fixed(np.full(n, count, dtype=">i2"))
        if fids is not None:
            layout.fixed(np.full(n, 8, dtype=">i4"))
            layout.fixed(np.asarray(fids).astype(">i8"))
        layout.fixed(np.full(n, 4, dtype=">i4"))
        layout.fixed(np.full(n, rev, dtype=">i4"))
        _geometry_field(layout, self.geoms[start:start + n])
        for data, extra in self.fields:
            if isinstance(data, pa.Array):
                layout.fixed(extra[start:start + n])
                layout.variable(data.slice(start, n))
            else:
                _fixed_field(layout, data[start:start + n], extra[start:start + n])
        return layout.join()


def encode_copy_rows(frame: gpd.GeoDataFrame, spec: LayerSpec, rev: int,
                     fids: np.ndarray | None = None) -> bytes:
    """Binary COPY rows (no header or trailer) of a whole frame conformed to ``spec``."""
    return CopyColumns(frame, spec).rows(0, len(frame), rev, fids)


def _cursor(conn: Connection) -> Any:
    """A psycopg2 cursor inside the connection's transaction (psycopg2.sql composition)."""
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


#: SQLSTATEs of a server going away: admin_shutdown, crash_shutdown, cannot_connect_now.
_SERVER_GONE = ("57P01", "57P02", "57P03")


def is_connection_error(exc: BaseException) -> bool:
    """True when ``exc`` means the connection to the server is gone (or never came).

    libpq's own failures ("server closed the connection unexpectedly", "connection
    refused") carry no SQLSTATE; a server shutting down sends one of class 57P, and
    class 08 is "connection exception". A lock timeout (55P03) is an OperationalError
    too, but the connection is fine: it is not one of these.
    """
    if isinstance(exc, psycopg2.InterfaceError):  # "connection already closed"
        return True
    if not isinstance(exc, psycopg2.OperationalError):
        return False
    code = exc.pgcode
    return code is None or code.startswith("08") or code in _SERVER_GONE


def _detail(exc: BaseException) -> str:
    """The server's message without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip()


__all__ = ["DEFAULT_SCHEMA", "CopyColumns", "PostGISStore", "encode_copy_rows", "parse_url"]
