"""PostgreSQL addresses and driver errors, shared by the PostGIS store and its admin.

Parsing the ``postgresql://`` URL (and its ``schema`` parameter) and telling a lost
connection from any other failure are needed by the store, by ``atlas roles`` and by
``atlas copy``; they live here so none of those imports another's internals.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg2
from sqlalchemy import Connection
from sqlalchemy.engine import URL, make_url

from ..errors import StoreError

DEFAULT_SCHEMA = "atlas"
#: Query parameter of the URL that names the atlas schema.
SCHEMA_PARAMETER = "schema"
#: Schema names we accept: they are quoted anyway, but a plain lower-case name
#: avoids PostgreSQL's case folding surprising people who type it in psql or QGIS.
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: SQLSTATE of "permission denied" (psycopg2.errors.InsufficientPrivilege).
INSUFFICIENT_PRIVILEGE = "42501"


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


def cursor(conn: Connection) -> Any:
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



def detail(exc: BaseException) -> str:
    """The server's message without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip()


__all__ = ["DEFAULT_SCHEMA", "INSUFFICIENT_PRIVILEGE", "SCHEMA_NAME", "SCHEMA_PARAMETER",
           "cursor", "detail", "is_connection_error", "parse_url"]
