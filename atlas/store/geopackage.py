"""The embedded store: one GeoPackage file that QGIS and GDAL open as they are.

SQLite gives us what a laptop atlas needs: atomic transactions (a crash mid-write
rolls back on the next open), one writer at a time (``BEGIN IMMEDIATE`` waits for
the other writer instead of failing) and readers that see the last committed state.
The file keeps the classic rollback journal rather than WAL so that it stays a
single file that can be copied, emailed or opened read-only.

Readers during a write. With a rollback journal, a writer holds only a RESERVED lock,
which readers ignore, until it must write pages into the database file: at COMMIT, or
earlier when its page cache overflows ("spills"). A spill takes the EXCLUSIVE lock
for the rest of the transaction, so a 300,000-row import used to hold every reader
for its whole write phase. Writers therefore keep their dirty pages in memory up to
:data:`WRITE_CACHE_MB` (``PRAGMA cache_spill``): readers keep reading the previous
revision during the whole write and wait only for the commit itself (about 0.3 s for
300,000 rows). Measured: the pages of a 1,000,000-row replace add about 300 MB to the
2.2 GB the writer needs anyway for the frame; a larger write spills past the budget and
readers wait as before. WAL was the alternative, but leaving it before the commit
returns needs exclusive access, which a busy app or an open QGIS may never give.

Faults come back as sentences (:func:`translate_sqlite_error`): a lock held past
:data:`BUSY_TIMEOUT_S` is ``store.busy`` for readers as for writers, and a file cut off
mid-write on a read-only medium (its hot journal cannot be rolled back there) says how to
recover instead of calling the file "not an atlas".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Table, bindparam, create_engine, event, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine, UserDefinedType

from .. import config
from ..catalog import LayerSpec
from ..crs import STORAGE, STORAGE_EPSG
from ..errors import ConcurrentWriteError, StoreError
from . import gpkg_blob
from .base import BBox
from .sql import SqlStore
from .sql_schema import GEOM, REV_FROM

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # GeoPackage 1.3
BUSY_TIMEOUT_S = 120
#: Memory (MB) a writer may fill with changed pages before it spills them into the file
#: and so blocks readers (see the module docstring); ``ATLAS_GPKG_WRITE_CACHE_MB`` overrides.
WRITE_CACHE_MB = config.DEFAULT_GPKG_WRITE_CACHE_MB
WRITE_CACHE_ENV = "ATLAS_GPKG_WRITE_CACHE_MB"
#: SQLite result codes (the primary code is the low byte of an extended one).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_NOTADB = 5, 6, 8, 26
_SQLITE_READONLY_ROLLBACK = 776
RTREE_DEFINITION = "http://www.geopackage.org/spec120/#extension_rtree"
METADATA_DEFINITION = "http://www.geopackage.org/spec120/#extension_metadata"


class GpkgGeometry(UserDefinedType):
    """A geometry column declared with its GeoPackage type name (POINT, MULTIPOLYGON...)."""

    cache_ok = True

    def __init__(self, name: str = "GEOMETRY") -> None:
        self.name = name

    def get_col_spec(self, **kw: Any) -> str:
        """The declared SQL type of the column."""
        return self.name


_CORE_DDL = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
        definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
        z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_metadata (
        id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
        md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL,
        mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
        reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT,
        row_id_value INTEGER,
        timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
        CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
        CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))""",
]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _register_functions(dbapi: sqlite3.Connection) -> None:
    """SQL functions that the GeoPackage R-tree triggers call (GDAL provides its own)."""

    def bound(index: int) -> Any:
        def fn(blob: bytes | None) -> float | None:
            env = gpkg_blob.envelope(blob)
            return None if env is None else env[index]
        return fn

    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        dbapi.create_function(name, 1, bound(index), deterministic=True)
    dbapi.create_function("ST_IsEmpty", 1, gpkg_blob.is_empty, deterministic=True)


class GeoPackageStore(SqlStore):
    """Store in a GeoPackage file; see the module docstring for the design."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        engine = create_engine(f"sqlite:///{self.path}", poolclass=NullPool)

        @event.listens_for(engine, "connect")
        def _connect(dbapi: sqlite3.Connection, _record: Any) -> None:
            dbapi.isolation_level = None  # we issue BEGIN ourselves
            dbapi.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            dbapi.execute("PRAGMA foreign_keys = ON")
            dbapi.execute(f"PRAGMA cache_spill = {_write_cache_pages(dbapi)}")
            _register_functions(dbapi)

        @event.listens_for(engine, "handle_error")
        def _translate(context: Any) -> None:
            error = translate_sqlite_error(context.original_exception, self.path)
            if error is not None:
                raise error from context.original_exception

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        super().__init__(str(self.path), engine)

    # -- creation ---------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path) -> GeoPackageStore:
        """Create an empty atlas GeoPackage (the file must not exist)."""
        path = Path(path)
        if path.exists():
            raise StoreError("store.exists", url=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(path)
        with store._write_transaction() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {USER_VERSION}")
            for ddl in _CORE_DDL:
                conn.exec_driver_sql(ddl)
            srs = [
                ("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
                 "undefined cartesian coordinate reference system"),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
                 "undefined geographic coordinate reference system"),
                ("WGS 84 geodetic", STORAGE_EPSG, "EPSG", STORAGE_EPSG,
                 STORAGE.to_wkt("WKT1_GDAL"), "longitude/latitude coordinates in decimal "
                 "degrees on the WGS 84 spheroid"),
            ]
            conn.exec_driver_sql("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                                 srs)
            conn.exec_driver_sql(
                "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                [("gpkg_metadata", METADATA_DEFINITION),
                 ("gpkg_metadata_reference", METADATA_DEFINITION)])
        store.create_meta_tables()
        with store._write_transaction() as conn:
            conn.exec_driver_sql(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
                " last_change) VALUES ('layer_styles', 'attributes', 'layer_styles',"
                " 'QGIS styles', ?)", (_now(),))
        return store

    @classmethod
    def open(cls, path: str | Path) -> GeoPackageStore:
        """Open an existing atlas GeoPackage."""
        path = Path(path)
        if not path.is_file():
            raise StoreError("store.not_found", url=str(path))
        store = cls(path)
        try:
            with store.engine.connect() as conn:
                found = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                    "('atlas_meta', 'atlas_layers', 'atlas_revisions')").scalar()
        except DBAPIError as exc:  # what translate_sqlite_error left
            store.close()
            code = getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF
            if code == _SQLITE_NOTADB:
                raise StoreError("store.not_an_atlas", url=str(path)) from exc
            raise StoreError("store.open_failed", url=str(path), detail=str(exc.orig)) from exc
        except BaseException:
            store.close()
            raise
        if found != 3:
            store.close()
            raise StoreError("store.not_an_atlas", url=str(path))
        try:  # an atlas made before provenance was recorded gains the column
            store._migrate_provenance()
        except StoreError:  # read-only file, or busy: read as it is (provenance {})
            store.__dict__.pop("_has_provenance", None)
        return store

    # -- hooks ------------------------------------------------------------------------
    def _geometry_type(self, spec: LayerSpec) -> TypeEngine:
        return GpkgGeometry(spec.geometry.upper())

    def _history_geometry_type(self) -> TypeEngine:
        return GpkgGeometry("BLOB")

    def _encode_geometries(self, geoms: np.ndarray) -> list[Any]:
        return gpkg_blob.encode(geoms, STORAGE_EPSG)

    def _geometry_select(self, column: ColumnElement) -> ColumnElement:
        return column

    def _decode_geometries(self, values: Sequence[Any]) -> np.ndarray:
        return gpkg_blob.decode(values)

    def _rtree(self, table: str) -> Table:
        from sqlalchemy import Column, Float, Integer, MetaData

        return Table(f"rtree_{table}_{GEOM}", MetaData(), Column("id", Integer),
                     Column("minx", Float), Column("maxx", Float),
                     Column("miny", Float), Column("maxy", Float))

    def _bbox_filter(self, table: Table, bbox: BBox) -> ColumnElement:
        xmin, ymin, xmax, ymax = bbox
        rtree = self._rtree(table.name)
        hits = select(rtree.c.id).where(rtree.c.maxx >= xmin, rtree.c.minx <= xmax,
                                        rtree.c.maxy >= ymin, rtree.c.miny <= ymax)
        return table.c.fid.in_(hits)

    def _quote(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def _triggers(self, table: str) -> dict[str, str]:
        """The R-tree maintenance triggers of the GeoPackage standard (1.3).

        DDL cannot take bound parameters; the names come from validated layer specs
        (a strict identifier alphabet) and are quoted by the dialect.
        """
        t, c = self._quote(table), GEOM
        r = self._quote(f"rtree_{table}_{GEOM}")
        name = f"rtree_{table}_{GEOM}"
        values = f"(NEW.fid, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), " \
                 f"ST_MaxY(NEW.{c}))"
        present = f"(NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))"
        absent = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
        return {
            f"{name}_insert": f"AFTER INSERT ON {t} WHEN {present} BEGIN "  # noqa: S608
                              f"INSERT OR REPLACE INTO {r} VALUES {values}; END",
            f"{name}_update1": f"AFTER UPDATE OF {c} ON {t} WHEN OLD.fid = NEW.fid AND "  # noqa: S608
                               f"{present} BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END",
            f"{name}_update2": f"AFTER UPDATE OF {c} ON {t} WHEN OLD.fid = NEW.fid AND "  # noqa: S608
                               f"{absent} BEGIN DELETE FROM {r} WHERE id = OLD.fid; END",
            f"{name}_update3": f"AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND {present} "  # noqa: S608
                               f"BEGIN DELETE FROM {r} WHERE id = OLD.fid; "
                               f"INSERT OR REPLACE INTO {r} VALUES {values}; END",
            f"{name}_update4": f"AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND {absent} "  # noqa: S608
                               f"BEGIN DELETE FROM {r} WHERE id IN (OLD.fid, NEW.fid); END",
            f"{name}_delete": f"AFTER DELETE ON {t} WHEN OLD.{c} NOT NULL BEGIN "  # noqa: S608
                              f"DELETE FROM {r} WHERE id = OLD.fid; END",
        }

    def _register_layer(self, conn: Connection, spec: LayerSpec, table: Table) -> None:
        name = spec.name
        conn.exec_driver_sql(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
            " last_change, srs_id) VALUES (?, 'features', ?, ?, ?, ?)",
            (name, spec.title("fr"), spec.title("en"), _now(), STORAGE_EPSG))
        conn.exec_driver_sql(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (name, GEOM, spec.geometry.upper(), STORAGE_EPSG))
        rtree = self._quote(f"rtree_{name}_{GEOM}")
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy)")
        for trigger, body in self._triggers(name).items():
            conn.exec_driver_sql(f"CREATE TRIGGER {self._quote(trigger)} {body}")
        conn.exec_driver_sql(
            "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', ?, 'write-only')",
            (name, GEOM, RTREE_DEFINITION))
        document = json.dumps({"layer": name, "title": spec.titles, **spec.metadata},
                              ensure_ascii=False, default=str)
        md_id = conn.exec_driver_sql(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata)"
            " VALUES ('dataset', 'https://json.org', 'application/json', ?) RETURNING id",
            (document,)).scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp,"
            " md_file_id) VALUES ('table', ?, ?, ?)", (name, _now(), md_id))

    def _insert_frame(self, conn: Connection, table: Table, frame: gpd.GeoDataFrame,
                      spec: LayerSpec, rev: int, fids: np.ndarray | None = None) -> None:
        """Bulk insert from whole columns: fids assigned here, R-tree rows inserted directly.

        The per-row insert trigger would call the Python ST_ functions a million
        times for a large layer, so it is dropped and recreated around the insert,
        inside the same transaction: other connections never see it missing.
        """
        name = spec.name
        if fids is None:
            sequence = conn.exec_driver_sql(
                "SELECT seq FROM sqlite_sequence WHERE name = ?", (name,)).scalar()
            highest = conn.execute(select(func.max(table.c.fid))).scalar()
            start = max(sequence or 0, highest or 0) + 1
            fids = np.arange(start, start + len(frame), dtype=np.int64)
        geoms = np.asarray(frame.geometry.values, dtype=object)
        blobs = gpkg_blob.encode(geoms, STORAGE_EPSG)
        columns: list[list[Any]] = [fids.tolist(), blobs]
        columns += [_column_values(frame[field.name]) for field in spec.fields]
        columns.append([rev] * len(frame))
        names = ["fid", GEOM, *spec.field_names, REV_FROM]
        statement = insert(table).values({c: bindparam(c) for c in names})
        sql = str(statement.compile(dialect=self.engine.dialect))
        trigger = f"rtree_{name}_{GEOM}_insert"
        conn.exec_driver_sql(f"DROP TRIGGER {self._quote(trigger)}")
        conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        bounds = shapely.bounds(geoms)
        keep = ~np.isnan(bounds[:, 0])
        if keep.any():
            rtree = self._rtree(name)
            entries = np.column_stack([fids[keep], bounds[keep][:, [0, 2, 1, 3]]])
            conn.execute(insert(rtree), [
                {"id": int(e[0]), "minx": e[1], "maxx": e[2], "miny": e[3], "maxy": e[4]}
                for e in entries.tolist()])
        conn.exec_driver_sql(f"CREATE TRIGGER {self._quote(trigger)} "
                             f"{self._triggers(name)[trigger]}")

    def _prepare(self, frame: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
        """The common checks, and no NUL character in text (see :func:`refuse_nul`)."""
        frame = super()._prepare(frame, spec)
        refuse_nul(frame, spec)
        return frame

    def _after_write(self, conn: Connection, spec: LayerSpec, table: Table) -> None:
        """Keep gpkg_contents' extent and last change in step with the data."""
        rtree = self._rtree(spec.name)
        extent = conn.execute(select(func.min(rtree.c.minx), func.min(rtree.c.miny),
                                     func.max(rtree.c.maxx), func.max(rtree.c.maxy))).first()
        conn.exec_driver_sql(
            "UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, max_x = ?,"
            " max_y = ? WHERE table_name = ?", (_now(), *extent, spec.name))

    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        """``BEGIN IMMEDIATE``: waits up to :data:`BUSY_TIMEOUT_S` for another writer."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn


def _write_cache_pages(dbapi: sqlite3.Connection) -> int:
    """Pages a writer keeps in memory before spilling (``PRAGMA cache_spill`` threshold)."""
    megabytes = config.current().gpkg_write_cache_mb
    page_size = dbapi.execute("PRAGMA page_size").fetchone()[0] or 4096
    # Odd: SQLite also reads the number as an on/off flag, through its low byte only,
    # so a multiple of 256 would turn spilling off altogether instead of setting a size.
    return max(int(megabytes * (1 << 20) / page_size), 1) | 1


def translate_sqlite_error(exc: BaseException, path: Path) -> StoreError | None:
    """The sentence for an SQLite failure a person can act on, or None.

    Python 3.11's sqlite3 exceptions carry SQLite's own result code, which says what
    happened without guessing from an English message.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    if code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return ConcurrentWriteError("store.busy", seconds=BUSY_TIMEOUT_S)
    journal = path.with_name(path.name + "-journal")
    if code == _SQLITE_READONLY_ROLLBACK or (code & 0xFF == _SQLITE_READONLY
                                            and _hot_journal(journal)):
        return StoreError("store.hot_journal_read_only", url=str(path), journal=journal.name)
    if code & 0xFF == _SQLITE_READONLY:
        return StoreError("store.read_only", url=str(path))
    return None


def _hot_journal(journal: Path) -> bool:
    try:
        return journal.stat().st_size > 0
    except OSError:
        return False


def refuse_nul(frame: gpd.GeoDataFrame, spec: LayerSpec) -> None:
    """Refuse text holding the NUL character, as PostgreSQL does.

    SQLite would store it, but an atlas must copy between stores (``atlas copy``) and
    the PostGIS server rejects NUL in text: both stores refuse it, so a GeoPackage
    never holds a value that cannot move to PostGIS. Imports remove NUL, with a warning.
    """
    for field in spec.fields:
        if field.type not in ("string", "category"):
            continue
        nul = frame[field.name].str.contains("\x00", regex=False, na=False)
        if nul.any():
            raise StoreError("store.nul_character", layer=spec.name, field=field.name,
                             count=int(nul.sum()))


def _column_values(values: pd.Series) -> list[Any]:
    """A canonical column as Python scalars, None for missing (dates stay ISO text)."""
    return values.astype(object).where(values.notna(), None).tolist()
