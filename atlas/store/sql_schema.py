"""The SQL layout of an atlas, shared by every SQL backend.

Names of the bookkeeping columns, the atlas's own tables (settings, layer specs,
revision log, styles), the two tables of each layer (current rows and history) and
the mapping of audit-log rows to :class:`~atlas.store.base.Revision`. Kept apart from
:class:`~atlas.store.sql.SqlStore` so the PostGIS admin code (roles, bulk loading)
can name tables and columns without importing the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from ..catalog import LayerSpec
from .base import Revision
from .styles import LAYER_STYLES_COLUMNS

GEOM = "geom"
REV_FROM = "_rev_from"
REV_TO = "_rev_to"
HISTORY_SUFFIX = "__history"
#: Column of ``atlas_revisions`` holding a revision's provenance (JSON text).
PROVENANCE = "provenance"
#: Rows per statement when lists of ids are sent to the database.
CHUNK = 500
#: Longest identifier PostgreSQL keeps (longer ones are truncated or refused).
MAX_IDENTIFIER = 63


def field_type(kind: str) -> TypeEngine:
    """SQL type of a spec field type (GeoPackage-compatible names)."""
    return {
        "string": Text(),
        "category": Text(),
        "date": Date(),
        "integer": Integer(),
        "float": Float(precision=53),
        "boolean": Boolean(create_constraint=False),
    }[kind]


def index_name(*parts: str) -> str:
    """``part1_part2...``, shortened with a hash past PostgreSQL's 63-byte limit.

    Layer and field names may each be 63 characters long, so their combination may
    not be; a short name stays readable and unchanged.
    """
    name = "_".join(parts)
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_IDENTIFIER - 9]}_{digest}"


def build_meta_tables(metadata: MetaData) -> dict[str, Table]:
    """The atlas's own tables: settings, layer specs, revision log and QGIS styles."""
    tables = {
        "meta": Table(
            "atlas_meta", metadata,
            Column("key", String(64), primary_key=True),
            Column("value", Text, nullable=False),
        ),
        "layers": Table(
            "atlas_layers", metadata,
            Column("name", String(63), primary_key=True),
            Column("spec", Text, nullable=False),
        ),
        "revisions": Table(
            "atlas_revisions", metadata,
            Column("revision", Integer, primary_key=True, autoincrement=True),
            Column("layer", String(63), nullable=False, index=True),
            Column("mode", String(16), nullable=False),
            Column("created_at", Text, nullable=False),
            Column("user", Text, nullable=False),
            Column("source", Text),
            Column("rows_written", Integer, nullable=False, default=0),
            Column("rows_removed", Integer, nullable=False, default=0),
            Column("row_count", Integer, nullable=False, default=0),
            Column("checksum", Text, nullable=False, default=""),
            Column("message", Text),
            Column("restored_from", Integer),
            Column("warnings", Text),
            # JSON; absent from atlases made before it (atlas.store.revisions migrates).
            Column(PROVENANCE, Text),
            sqlite_autoincrement=True,
        ),
    }
    style_columns = [Column("id", Integer, primary_key=True, autoincrement=True)]
    for name in LAYER_STYLES_COLUMNS:
        if name == "id":
            continue
        kind: TypeEngine = Boolean(create_constraint=False) if name == "useAsDefault" else Text()
        style_columns.append(Column(name, kind))
    tables["styles"] = Table("layer_styles", metadata, *style_columns)
    return tables


def build_layer_tables(spec: LayerSpec, metadata: MetaData, *,
                       field_type: Callable[[str], TypeEngine],
                       fid_type: Callable[[], TypeEngine],
                       geometry_type: TypeEngine,
                       history_geometry_type: TypeEngine) -> tuple[Table, Table]:
    """The current and history tables of a layer, typed by the backend's hooks."""
    fields = [Column(f.name, field_type(f.type)) for f in spec.fields]
    main = Table(
        spec.name, metadata,
        Column("fid", fid_type(), primary_key=True, autoincrement=True),
        Column(GEOM, geometry_type),
        *fields,
        Column(REV_FROM, Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    Index(index_name(spec.name, spec.id_field, "uq"), main.c[spec.id_field], unique=True)
    history = Table(
        spec.name + HISTORY_SUFFIX, metadata,
        Column("fid", fid_type(), nullable=False),
        Column(GEOM, history_geometry_type),
        *[Column(f.name, field_type(f.type)) for f in spec.fields],
        Column(REV_FROM, Integer, nullable=False),
        Column(REV_TO, Integer, nullable=False),
    )
    Index(index_name(spec.name, "history_rev"), history.c[REV_FROM], history.c[REV_TO])
    return main, history


def now() -> str:
    """The current UTC time as the audit log writes it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_user() -> str:
    """Who writes when the caller names nobody: the system user, else ``atlas``."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "atlas"


def revision_from_row(row: Any) -> Revision:
    """A :class:`Revision` from a row (mapping) of ``atlas_revisions``."""
    warnings = json.loads(row["warnings"]) if row["warnings"] else []
    provenance = row.get(PROVENANCE)  # no such column in an atlas not yet migrated
    try:
        provenance = json.loads(provenance) if provenance else {}
    except ValueError:  # edited by hand into something else: shown as none
        provenance = {}
    created = row["created_at"]
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    return Revision(
        revision=int(row["revision"]), layer=row["layer"], mode=row["mode"],
        created_at=created, user=row["user"], source=row["source"],
        rows_written=int(row["rows_written"]), rows_removed=int(row["rows_removed"]),
        row_count=int(row["row_count"]), checksum=row["checksum"], message=row["message"],
        restored_from=row["restored_from"], warnings=tuple(warnings),
        provenance=provenance if isinstance(provenance, dict) else {},
    )
