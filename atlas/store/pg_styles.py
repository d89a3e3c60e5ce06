"""QGIS's ``layer_styles`` table as PostgreSQL holds it.

QGIS's PostgreSQL provider reads styles from a table named ``layer_styles`` with
lower-case column names and ``xml`` documents; the PostGIS store keeps its own copy in
the atlas schema and mirrors it into ``public`` when allowed (see
:mod:`atlas.store.postgis`). Here: the table definition and the rights check.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine, UserDefinedType

#: Schema where QGIS finds ``layer_styles`` with a default ``search_path``.
QGIS_STYLES_SCHEMA = "public"


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


def can_write_qgis_styles(conn: Connection, qgis_styles: Table) -> bool:
    """Create ``public.layer_styles`` if needed; False when the role may not write it."""
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
        qgis_styles.create(conn, checkfirst=True)
        return True
    return bool(conn.execute(text(
        "SELECT has_table_privilege(:table, 'INSERT')"
        " AND has_table_privilege(:table, 'DELETE')"),
        {"table": f"{public}.layer_styles"}).scalar_one())


__all__ = ["QGIS_STYLES_SCHEMA", "can_write_qgis_styles", "styles_table"]
